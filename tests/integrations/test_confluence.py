"""Post-mortems published to Confluence (v2 pages API) through the outbox, against the Confluence emulator."""

from __future__ import annotations

import pytest
from outbox_support import make_core

from outside_emulators import ConfluenceEmulator
from redalert_core.domain.outbox import CONFLUENCE, State


@pytest.fixture
def wiki():
    with ConfluenceEmulator(email="bot@example.com", api_token="confluence-secret-token-123") as emulator:
        emulator.add_space("OPS")
        yield emulator


@pytest.fixture
def core(emulator, tmp_path, wiki):
    return make_core(emulator, tmp_path, confluence=wiki, config={"CONFLUENCE_SPACE_KEY": "OPS"})


def title(number: int, description: str = "Checkout is down") -> str:
    return f"Post-mortem: incident {number}: {description}"


def test_a_postmortem_creates_one_page_a_later_one_updates_it_and_the_link_is_posted(core, wiki, emulator):
    incident = core.open()
    core.response.postmortem(incident.number, core.asker())
    assert wiki.pages == {}  # the chat command returned before any Confluence call
    core.deliver()
    page = wiki.page_titled(title(incident.number))
    assert page.version == 1 and page.current.representation == "storage"
    assert "<h2>Timeline (UTC)</h2>" in page.body and "<ac:task-list>" in page.body
    posted = [m["text"] for m in emulator.messages(incident.channel_id) if "Confluence" in m["text"]]
    assert posted == [f"Post-mortem of incident {incident.number} published in Confluence: {wiki.web_url(page)}"]
    core.status(incident.number, "identified", "bad deploy")
    core.response.postmortem(incident.number, core.asker())
    core.deliver()
    page = wiki.page_titled(title(incident.number))
    assert page.version == 2 and "bad deploy" in page.body
    assert len(wiki.pages) == 1
    assert [r.state for r in core.rows(CONFLUENCE)] == [State.DELIVERED, State.DELIVERED]
    assert core.store.remote.get(f"confluence:incident:{incident.number}")["version"] == 2


def test_closing_publishes_the_automatic_postmortem(core, wiki):
    incident = core.open()
    core.close(incident.number, "Rolled back")
    core.deliver_until_quiet()
    assert "Rolled back" in wiki.page_titled(title(incident.number)).body


def test_a_page_created_just_before_a_crash_is_found_and_updated_not_duplicated(core, wiki):
    incident = core.open()
    core.response.postmortem(incident.number, core.asker())
    [row] = core.rows(CONFLUENCE)
    core.integrations.deliverers.deliver(row)  # created, then the process dies before remembering the page
    core.deliver()
    assert len(wiki.pages) == 1 and wiki.page_titled(title(incident.number)).version == 2


def test_a_ten_minute_outage_during_five_incidents(core, wiki):
    wiki.outage(True, mode="drop")
    numbers = []
    for i in range(5):
        incident = core.open(description=f"Outage {i}")
        numbers.append(incident.number)
        core.response.postmortem(incident.number, core.asker())
        core.deliver()
        core.clock.advance(60)
        core.response.postmortem(incident.number, core.asker())
        core.deliver()
        core.clock.advance(60)
    assert wiki.pages == {}
    wiki.outage(False)
    core.deliver_until_quiet()
    assert len(wiki.pages) == 5
    for i, number in enumerate(numbers):
        assert wiki.page_titled(title(number, f"Outage {i}")).version == 2


def test_an_unknown_space_is_dead_with_its_reason(core, wiki):
    core.configure(CONFLUENCE_SPACE_KEY="NOPE")
    incident = core.open()
    core.response.postmortem(incident.number, core.asker())
    core.deliver()
    [row] = core.rows(CONFLUENCE)
    assert row.state is State.DEAD and "no Confluence space NOPE" in row.last_error


def test_private_incidents_are_not_published(core, wiki):
    incident = core.open(private=True)
    core.response.postmortem(incident.number, core.asker())
    core.deliver()
    assert core.rows(CONFLUENCE) == [] and wiki.pages == {}


def test_a_postmortem_of_hostile_text_is_accepted_by_confluence(core, wiki):
    # Pasted log lines and Markdown that cross each other: before, `**a _b** c_` became mis-nested tags (400 forever).
    description = "Payments **down _after** deploy_ of __init__.py"
    incident = core.open(description=description)
    core.status(incident.number, "identified", "bad **config _in** prod_ \x07 <b>&amp; **")
    core.response.postmortem(incident.number, core.asker())
    core.deliver()
    [row] = core.rows(CONFLUENCE)
    assert row.state is State.DELIVERED, row.last_error
    body = wiki.page_titled(title(incident.number, description)).body
    assert "<strong>down _after</strong>" in body and "bad " in body and "<b>" not in body
