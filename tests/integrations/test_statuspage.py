"""Status page publishes sent to Atlassian Statuspage and the `status.published` webhook through the outbox,
against the Statuspage emulator: in order, once, through outages and 429s, never for a private incident."""

from __future__ import annotations

import pytest
from outbox_support import make_core, webhook_config

from outside_emulators import StatuspageEmulator
from redalert_core.domain.outbox import STATUSPAGE, State
from redalert_core.integrations.statuspage import StatuspageClient
from redalert_core.services.incidents import ServiceError
from redalert_core.services.statuspage_delivery import StatuspageDeliverer

PAGE, API, WEB = "pg1abc", "b13yz5g2cw10", "c24yz5g2cw11"
KEY = "sp-key-0123456789abcdef"


@pytest.fixture
def statuspage():
    with StatuspageEmulator(api_key=KEY) as emulator:
        emulator.add_page(PAGE, [API, WEB])
        yield emulator


@pytest.fixture
def core(emulator, tmp_path, statuspage, hooks):
    config = {
        "STATUS_COMPONENTS": [{"name": "api"}, {"name": "web"}],
        "STATUSPAGE_PAGE_ID": PAGE,
        "STATUSPAGE_COMPONENTS": {"api": API, "web": WEB},
        "WEBHOOKS": [webhook_config(hooks, ["status.published"])],
    }
    core = make_core(emulator, tmp_path, config=config)
    hooks.clock = lambda: core.clock.now.timestamp()
    client = StatuspageClient(statuspage.url, KEY)
    core.integrations.deliverers.extra[STATUSPAGE] = StatuspageDeliverer(core.store, lambda: client)
    return core


def publish(core, number: int, text: str):
    return core.status_page.publish(number, core.asker(), text)


def successful(statuspage, method: str) -> list:
    return [c for c in statuspage.calls if c.method == method and c.status in (200, 201)]


def test_publishes_go_out_once_in_order_through_an_outage(core, statuspage, hooks, emulator):
    incident = core.open("primary db lost quorum")
    publish(core, incident.number, 'api=major_outage title="API errors" We are investigating.')
    assert statuspage.calls == []  # the command returned before any Statuspage call
    core.deliver()
    [created] = statuspage.incidents
    assert created.name == "API errors" and created.components == {API: "major_outage"}
    assert statuspage.calls[0].headers["authorization"] == f"OAuth {KEY}"
    statuspage.outage(True)
    core.status(incident.number, "identified")
    publish(core, incident.number, "web=degraded_performance We found the cause.")
    core.status(incident.number, "resolved")
    publish(core, incident.number, "Fixed; everything works.")
    core.deliver()
    assert [r.state for r in core.rows(STATUSPAGE)][1:] == [State.RETRYING, State.PENDING]  # the next waits its turn
    statuspage.outage(False)
    core.deliver_until_quiet()
    [incident_there] = statuspage.incidents
    assert [u["status"] for u in reversed(incident_there.updates)] == ["investigating", "identified", "resolved"]
    assert incident_there.components == {API: "operational", WEB: "operational"}
    assert statuspage.pages[PAGE] == {API: "operational", WEB: "operational"}
    assert (len(successful(statuspage, "POST")), len(successful(statuspage, "PATCH"))) == (1, 2)
    links = [m["text"] for m in emulator.messages(incident.channel_id) if "stspg.io" in m["text"]]
    assert len(links) == 1
    published = [d.json()["data"] for d in hooks.unique if d.type == "status.published"]
    assert [d["status"] for d in published] == ["investigating", "identified", "resolved"]
    assert all("primary db" not in repr(d) for d in published)


def test_a_private_incident_sends_nothing(core, statuspage, hooks):
    incident = core.open("payroll export leaked", private=True)
    with pytest.raises(ServiceError, match="private incidents are never published"):
        publish(core, incident.number, "api=major_outage Down")
    core.deliver_until_quiet()
    assert core.rows(STATUSPAGE) == [] and statuspage.calls == [] and hooks.deliveries == []


def test_a_create_repeated_after_a_crash_finds_the_first(core, statuspage):
    incident = core.open()
    publish(core, incident.number, "api=partial_outage Slow.")
    [row] = core.rows(STATUSPAGE)
    core.integrations.deliverers.deliver(row)  # created, then the process dies before remembering it
    core.deliver()
    assert len(statuspage.incidents) == 1 and len(successful(statuspage, "POST")) == 1
    publish(core, incident.number, "Better.")
    core.deliver()
    assert len(statuspage.incidents) == 1 and len(statuspage.incidents[0].updates) == 2


def test_429_waits_for_retry_after_and_unpublish_deletes(core, statuspage):
    incident = core.open()
    statuspage.fail_next(status=429, retry_after=40)
    publish(core, incident.number, "api=partial_outage Slow.")
    core.deliver()
    [row] = core.rows(STATUSPAGE)
    assert row.state is State.RETRYING and (row.next_attempt_at - core.clock.now).total_seconds() >= 40
    core.deliver_until_quiet()
    core.status_page.unpublish(incident.number, core.asker())
    core.deliver_until_quiet()
    assert statuspage.incidents == [] and len(successful(statuspage, "DELETE")) == 1


def test_statuspage_420_is_its_rate_limit_too_and_is_retried(core, statuspage):
    incident = core.open()
    statuspage.fail_next(status=420, body={"message": "Enhance your calm"}, retry_after=20)
    publish(core, incident.number, "Slow.")
    core.deliver()
    [row] = core.rows(STATUSPAGE)
    assert row.state is State.RETRYING and "HTTP 420" in row.last_error
    assert (row.next_attempt_at - core.clock.now).total_seconds() >= 20
    core.deliver_until_quiet()
    assert len(statuspage.incidents) == 1
