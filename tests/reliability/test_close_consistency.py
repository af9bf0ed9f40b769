"""Close and retry stay consistent under faults (issue 14) and a close survives Slack's transient failures.

- A closed incident has no pending open steps: retry creates nothing, the resume at start skips it, and an open
  that was creating the channel when the close came archives the channel it got.
- No reader sees "archived in Slack, open in RedAlert": the incident is CLOSING while the archive runs.
- conversations.archive is tried again on internal_error, fatal_error, HTTP 5xx and 429 before the reply; a close
  that failed half way is finished by retry or at the next start.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from service_support import assert_no_orphans_or_duplicates, make_service
from slack_workspace import ALICE, BOB

from redalert_core.domain.incident import EventKind, OpenStep, Phase
from redalert_core.domain.visibility import Viewer
from redalert_core.services import recovery
from redalert_core.services.incidents import CLOSING_POSTED, OpenRequest, ServiceError
from redalert_core.slack import messages

EVERYONE_ADMIN = Viewer(ALICE, is_admin=True)  # a listing that sees every incident


def close(service, number: int, actor: str = ALICE, resolution: str | None = "fixed", admin: bool = False):
    return service.close(
        number=number, channel_id=None, here=None, actor=actor, resolution=resolution, actor_is_admin=admin
    )


def open_without_channel(emulator, service, description: str = "no channel"):
    emulator.inject_fault("conversations.create", "error", error="restricted_action")
    report = service.open(OpenRequest("sev2", description, ALICE, emulator.channel_by_name("ops").id))
    assert report.incident.channel_id is None and report.warnings
    assert service.drain()  # who to invite is still being worked out (auth.test) on the pool; let it finish
    return report.incident


# --- 1. a closed incident gets no channel ----------------------------------------------------------------------
def test_retry_of_a_closed_channel_less_incident_says_so_and_creates_nothing(emulator, tmp_path):
    service = make_service(emulator, tmp_path)
    incident = open_without_channel(emulator, service)
    closed, _ = close(service, incident.number)
    assert closed.phase is Phase.CLOSED and closed.pending_steps() == []
    emulator.clear_calls()

    with pytest.raises(ServiceError) as refused:
        service.resume(incident.number)
    assert str(refused.value).startswith(f"Incident {incident.number} was closed ")
    assert f"by <@{ALICE}>" in str(refused.value) and "nothing was created" in str(refused.value)
    with pytest.raises(ServiceError):  # retry finishes closes, but this one is done
        service.finish_close(incident.number)
    assert recovery.finish_interrupted(make_service(emulator, tmp_path)) == []  # the start skips it too
    assert emulator.calls == []  # no channel, no invite, no summary
    assert service.store.incidents.get(incident.number).channel_id is None


def test_a_close_while_the_channel_is_being_created_leaves_no_live_channel(emulator, tmp_path):
    """Two processes: one is creating the channel (Slack has made it, the answer is held) when the other closes."""
    opener = make_service(emulator, tmp_path)
    closer = make_service(emulator, tmp_path)
    held = emulator.hold_response("conversations.create")
    with ThreadPoolExecutor(max_workers=1) as pool:
        opening = pool.submit(opener.open, OpenRequest("sev1", "raced", ALICE, emulator.channel_by_name("ops").id))
        assert held.wait_arrived()
        number = opener.store.incidents.list()[0][0].number
        closed, _ = close(closer, number)  # no channel is known yet: closed at once
        assert closed.phase is Phase.CLOSED
        held.release()
        report = opening.result(timeout=30)

    incident = opener.store.incidents.get(number)
    assert incident.phase is Phase.CLOSED and incident.channel_id  # the channel is known to the database ...
    assert emulator.channel(incident.channel_id).is_archived  # ... and archived
    assert any("was closed" in w for w in report.warnings)
    assert emulator.calls_to("conversations.setTopic") == emulator.calls_to("chat.postMessage") == []
    assert_no_orphans_or_duplicates(emulator, opener)


def test_an_open_that_finds_its_incident_closed_never_asks_slack_for_a_channel(emulator, tmp_path):
    service = make_service(emulator, tmp_path)
    incident = open_without_channel(emulator, service)
    other_process = make_service(emulator, tmp_path)
    close(other_process, incident.number)
    emulator.clear_calls()
    # The open's own view is stale (it read the incident before the close): the row lock decides.
    report = service._run_steps(incident, service.settings, lambda: None)
    assert "was closed" in report.warnings[0]
    assert emulator.calls_to("conversations.create") == []


# --- 2. never "archived in Slack, open in RedAlert" ------------------------------------------------------------
def test_list_during_the_archive_shows_closing_never_open(emulator, tmp_path):
    service = make_service(emulator, tmp_path)
    incident = service.open(OpenRequest("sev1", "held archive", ALICE, emulator.channel_by_name("ops").id)).incident
    held = emulator.hold_response("conversations.archive")
    with ThreadPoolExecutor(max_workers=1) as pool:
        closing = pool.submit(close, service, incident.number)
        assert held.wait_arrived()
        assert emulator.channel(incident.channel_id).is_archived  # Slack has archived it; RedAlert has not heard
        listed, total = service.list(include_closed=False, viewer=EVERYONE_ADMIN)
        assert total == 1 and listed[0].phase is Phase.CLOSING
        assert messages.list_line(listed[0]).endswith("· closing (its channel is being archived)")
        held.release()
        closed, _ = closing.result(timeout=30)
    assert closed.phase is Phase.CLOSED
    assert service.list(include_closed=False, viewer=EVERYONE_ADMIN) == ([], 0)


def test_a_failed_archive_leaves_the_incident_open_and_retry_finishes_the_close(emulator, tmp_path):
    service = make_service(emulator, tmp_path)
    incident = service.open(OpenRequest("sev1", "half closed", ALICE, emulator.channel_by_name("ops").id)).incident
    service.mark_replied(incident.number)
    assert service.drain()
    emulator.inject_fault("conversations.archive", "error", error="restricted_action")
    with pytest.raises(ServiceError) as failed:
        close(service, incident.number, actor=BOB, resolution="rolled back", admin=True)
    assert "stays open" in str(failed.value) and f"!incident retry {incident.number}" in str(failed.value)
    stored = service.store.incidents.get(incident.number)
    assert stored.phase is Phase.OPEN and not emulator.channel(incident.channel_id).is_archived
    assert service.list(include_closed=False, viewer=EVERYONE_ADMIN)[1] == 1

    started = service.unfinished_close(incident.number)
    assert started is not None and started.actor == BOB
    closed, _ = service.finish_close(incident.number)

    assert closed.phase is Phase.CLOSED and (closed.closed_by, closed.resolution) == (BOB, "rolled back")
    assert emulator.channel(incident.channel_id).is_archived
    said = [m["text"] for m in emulator.messages(incident.channel_id)]
    assert len(said) == 2 and f"closed by <@{BOB}>" in said[1]  # the summary and one closing message
    kinds = [e.kind for e in service.store.events.list(incident.number)]
    assert kinds.count(CLOSING_POSTED) == 1 and kinds.count(EventKind.CLOSED) == 1
    assert EventKind.CLOSE_FAILED in kinds
    assert service.unfinished_close(incident.number) is None


def test_retry_of_an_open_incident_without_a_failed_close_does_not_close_it(emulator, tmp_path):
    service = make_service(emulator, tmp_path)
    incident = service.open(OpenRequest("sev1", "still open", ALICE, emulator.channel_by_name("ops").id)).incident
    assert service.finish_close(incident.number) is None
    assert service.store.incidents.get(incident.number).phase is not Phase.CLOSED


def test_a_close_cut_off_by_a_restart_is_finished_at_the_next_start(emulator, tmp_path):
    before = make_service(emulator, tmp_path)
    incident = before.open(OpenRequest("sev1", "crash mid close", ALICE, emulator.channel_by_name("ops").id)).incident
    before.mark_replied(incident.number)
    assert before.drain()
    before.store.incidents.begin_close(incident.number, actor=BOB, resolution="done")  # then the process died
    assert before.list(include_closed=False, viewer=EVERYONE_ADMIN)[0][0].phase is Phase.CLOSING
    before.shutdown()

    after = make_service(emulator, tmp_path)
    recovery.finish_interrupted(after)

    closed = after.store.incidents.get(incident.number)
    assert closed.phase is Phase.CLOSED and closed.closed_by == BOB and closed.resolution == "done"
    assert emulator.channel(incident.channel_id).is_archived


# --- 3. transient archive failures are retried before the reply ------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "error", "times"),
    [
        ("error", "internal_error", 3),
        ("error", "fatal_error", 3),
        ("http502", None, 3),
        ("http500", None, 6),  # the SDK's own three retries of 500/503, then the gateway's
        ("ratelimited", None, 3),
    ],
)
def test_close_tries_the_archive_again_on_transient_failures(emulator, tmp_path, kind, error, times):
    service = make_service(emulator, tmp_path)
    incident = service.open(OpenRequest("sev1", f"archive {kind}", ALICE, emulator.channel_by_name("ops").id)).incident
    emulator.inject_fault("conversations.archive", kind, times=times, retry_after=0, error=error)

    closed, _ = close(service, incident.number)

    assert closed.phase is Phase.CLOSED and emulator.channel(incident.channel_id).is_archived
    statuses = [c.http_status for c in emulator.calls_to("conversations.archive")]
    assert len(statuses) == times + 1 and statuses[-1] == 200


def test_archive_retries_are_bounded_and_the_incident_stays_open(emulator, tmp_path):
    service = make_service(emulator, tmp_path)
    incident = service.open(OpenRequest("sev1", "archive down", ALICE, emulator.channel_by_name("ops").id)).incident
    emulator.inject_fault("conversations.archive", "error", times=50, error="internal_error")
    with pytest.raises(ServiceError) as failed:
        close(service, incident.number)
    assert "Slack had an internal error" in str(failed.value)
    assert len(emulator.calls_to("conversations.archive")) == len(service.gateway.transient_pauses) + 1
    assert service.store.incidents.get(incident.number).phase in (Phase.OPEN, Phase.OPENING)
    emulator.clear_faults()
    closed, _ = service.finish_close(incident.number)
    assert closed.phase is Phase.CLOSED and emulator.channel(incident.channel_id).is_archived


def test_a_closed_incident_has_no_pending_steps_even_with_steps_missing(emulator, tmp_path):
    service = make_service(emulator, tmp_path)
    incident = open_without_channel(emulator, service)
    assert OpenStep.CHANNEL in service.store.incidents.get(incident.number).pending_steps()
    close(service, incident.number)
    assert service.store.incidents.get(incident.number).pending_steps() == []


def test_a_closing_message_slack_failed_to_post_keeps_the_incident_open_until_a_retry(emulator, tmp_path):
    service = make_service(emulator, tmp_path)
    incident = service.open(OpenRequest("sev1", "announce it", ALICE, emulator.channel_by_name("ops").id)).incident
    emulator.inject_fault("chat.postMessage", "error", error="internal_error")
    with pytest.raises(ServiceError, match="could not post the closing message"):
        close(service, incident.number)
    assert service.store.incidents.get(incident.number).phase is not Phase.CLOSED
    assert emulator.calls_to("conversations.archive") == []
    closed, warnings = close(service, incident.number)
    assert closed.phase is Phase.CLOSED and warnings == []
    assert len(emulator.messages(incident.channel_id)) == 2  # the summary and the closing message
