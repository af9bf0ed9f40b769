"""Opens that a restart interrupted are finished, reported where they were typed, and never leave a stray channel."""

from __future__ import annotations

from service_support import ManualClock, assert_no_orphans_or_duplicates, make_service
from slack_workspace import ALICE, BOB

from redalert_core.domain import naming
from redalert_core.domain.incident import OpenStep, Phase
from redalert_core.services import recovery
from redalert_core.services.incidents import OpenRequest


def record(service, description: str, origin: str, by: str = ALICE):
    return service.store.incidents.create(
        severity="sev1",
        description=description,
        opened_by=by,
        opened_at=service._clock(),
        origin_channel=origin,
    )


def intended_name(service, incident) -> str:
    return naming.channel_name(
        service.settings.channel_name_template,
        severity=incident.severity,
        opened_at=incident.opened_at,
        description=incident.description,
        number=incident.number,
    )


def test_every_interrupted_open_is_finished_and_reported(emulator, tmp_path):
    ops = emulator.channel_by_name("ops").id
    before = make_service(emulator, tmp_path)
    only_recorded = record(before, "only recorded", ops)
    half = record(before, "channel but nothing else", ops)
    channel = before.gateway.create_channel("sev1-half-done")
    before.store.steps.set_channel(half.number, channel.id, channel.name)
    unanswered = before.open(OpenRequest("sev1", "everything but the reply", BOB, ops)).incident
    assert before.drain()  # the pin runs after the reply and is recorded as its own step
    unanswered = before.store.incidents.get(unanswered.number)
    assert unanswered.pending_steps() == [OpenStep.REPLY]
    before.shutdown()

    after = make_service(emulator, tmp_path)  # the restart
    results = recovery.finish_interrupted(after)

    assert [r.incident.number for r in results] == [only_recorded.number, half.number, unanswered.number]
    assert all(r.complete for r in results)
    for number in (only_recorded.number, half.number, unanswered.number):
        incident = after.store.incidents.get(number)
        assert incident.phase is Phase.OPEN, incident
        assert emulator.channel(incident.channel_id).purpose.startswith(f"RedAlert incident {number} ")
    said = [m["text"] for m in emulator.messages(ops)]
    first_channel = results[0].incident.channel_id
    assert said[0] == f"Incident {only_recorded.number} was interrupted and is now complete: <#{first_channel}>."
    assert said[1].startswith(f"Incident {half.number} was interrupted and is now complete: <#{channel.id}>")
    assert said[2] == f"Incident {unanswered.number} (SEV1 - Critical) is open in <#{unanswered.channel_id}>."
    assert recovery.finish_interrupted(after) == []  # nothing left: a second start says nothing
    assert_no_orphans_or_duplicates(emulator, after)


def test_a_summary_left_unpinned_is_pinned_at_the_next_start_without_a_second_answer(emulator, tmp_path):
    ops = emulator.channel_by_name("ops").id
    before = make_service(emulator, tmp_path)
    emulator.inject_fault("pins.add", "error", error="channel_not_found")  # the pin fails (or the process dies)
    report = before.open(OpenRequest("sev1", "pin me later", ALICE, ops))
    assert report.complete and report.pin_running  # the reply does not wait for the pin
    before.mark_replied(report.incident.number)
    assert before.drain()
    stored = before.store.incidents.get(report.incident.number)
    assert stored.pending_steps() == [OpenStep.PIN] and stored.phase is Phase.OPEN  # the pin does not hold it back
    assert emulator.pins(stored.channel_id) == []
    before.shutdown()

    after = make_service(emulator, tmp_path)  # the restart
    results = recovery.finish_interrupted(after)

    assert [(r.incident.number, r.complete, r.notice) for r in results] == [(stored.number, True, None)]
    finished = after.store.incidents.get(stored.number)
    assert finished.phase is Phase.OPEN and finished.pending_steps() == []
    assert emulator.pins(stored.channel_id) == [stored.summary_ts]
    assert [m["text"] for m in emulator.messages(ops)] == []  # the opener had the answer already
    assert len(emulator.messages(stored.channel_id)) == 1  # the summary, not posted again
    assert recovery.finish_interrupted(after) == []


def test_retry_pins_a_summary_whose_pin_failed(emulator, tmp_path):
    service = make_service(emulator, tmp_path)
    emulator.inject_fault("pins.add", "error", error="internal_error")
    report = service.open(OpenRequest("sev1", "pin on retry", ALICE, emulator.channel_by_name("ops").id))
    service.mark_replied(report.incident.number)
    assert service.drain()
    assert service.store.incidents.get(report.incident.number).pending_steps() == [OpenStep.PIN]
    retried = service.resume(report.incident.number)
    assert retried.complete and retried.incident.phase is Phase.OPEN
    assert emulator.pins(retried.incident.channel_id) == [retried.incident.summary_ts]


def test_a_channel_created_just_before_a_crash_is_adopted_not_duplicated(emulator, tmp_path):
    service = make_service(emulator, tmp_path)
    incident = record(service, "db down", emulator.channel_by_name("ops").id)
    name = intended_name(service, incident)
    service.store.steps.set_intended_channel_name(incident.number, name)
    # Slack created it (the bot is its creator and member) but the process died before storing the id.
    lost = emulator.add_channel(name, members=[emulator.bot_user_id])

    report = service.resume(incident.number)

    assert report.incident.channel_id == lost
    assert [c.http_status for c in emulator.calls_to("conversations.create")] == [200]
    assert emulator.calls_to("conversations.create")[0].response["error"] == "name_taken"
    assert [c.name for c in emulator.channels() if c.name.startswith(name)] == [name]
    assert_no_orphans_or_duplicates(emulator, service)


def test_a_name_held_by_an_archived_channel_is_never_adopted(emulator, tmp_path):
    service = make_service(emulator, tmp_path)
    incident = record(service, "db down", emulator.channel_by_name("ops").id)
    name = intended_name(service, incident)
    old = emulator.add_channel(name, members=[emulator.bot_user_id], is_archived=True)

    report = service.resume(incident.number)

    assert report.incident.channel_id != old
    assert report.incident.channel_name == f"{name}-2"


def test_a_channel_claimed_by_another_incident_is_never_adopted(emulator, tmp_path):
    service = make_service(emulator, tmp_path)
    ops = emulator.channel_by_name("ops").id
    first = service.open(OpenRequest("sev1", "db down", ALICE, ops)).incident
    second = service.open(OpenRequest("sev1", "db down", BOB, ops)).incident  # same day, same words
    assert second.channel_name == f"{first.channel_name}-2"
    # The second incident never even asked Slack for the first one's name.
    asked = [c.args["name"] for c in emulator.calls_to("conversations.create")]
    assert asked == [first.channel_name, second.channel_name]


def test_the_same_open_sent_twice_by_hand_opens_one_incident(emulator, tmp_path):
    clock = ManualClock()
    service = make_service(emulator, tmp_path, clock=clock)
    ops = emulator.channel_by_name("ops").id
    first = service.open(OpenRequest("sev1", "DB  is down", ALICE, ops, dedup_key="C:1"))
    clock.advance(29)
    again = service.open(OpenRequest("SEV1", "db is DOWN ", ALICE, ops, dedup_key="C:2"))
    assert again.repeated and again.incident.number == first.incident.number
    other_person = service.open(OpenRequest("sev1", "db is down", BOB, ops, dedup_key="C:3"))
    assert not other_person.duplicate
    other_words = service.open(OpenRequest("sev1", "db is up", ALICE, ops, dedup_key="C:4"))
    assert not other_words.duplicate
    redelivered = service.open(OpenRequest("sev1", "db is down", ALICE, ops, dedup_key="C:1"))
    assert redelivered.duplicate and not redelivered.repeated  # the same Slack event: silent, as before
    clock.advance(31)
    later = service.open(OpenRequest("sev1", "db is down", ALICE, ops, dedup_key="C:5"))
    assert not later.duplicate and later.incident.number not in (first.incident.number, other_person.incident.number)
    assert_no_orphans_or_duplicates(emulator, service)
