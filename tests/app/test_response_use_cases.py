"""The response workflow, follow-ups and the Update form, each one call into the application."""

from __future__ import annotations

from datetime import date, timedelta

from slack_workspace import ALICE, BOB

from redalert_core.application.app import RedAlertApp
from redalert_core.application.results import OpenRequest
from redalert_core.domain.problem_commands import TaskAdd, TaskTarget
from redalert_core.domain.requester import FrontEnd, Requester


def open_one(app: RedAlertApp):
    incident = app.open_incident(OpenRequest(severity="sev1", description="Checkout down", opened_by=ALICE)).incident
    return incident, Requester(ALICE, here=incident.channel_id)


def test_status_role_and_update(app, emulator):
    incident, alice = open_one(app)
    outcome = app.set_status(alice, None, "identified", "bad deploy")
    assert outcome.previous == "investigating" and app.current_status(incident.number) == "identified"
    role = app.assign_role(alice, None, "commander", BOB)
    assert role.incident.number == incident.number
    update = app.post_update(alice, None, "Rolling back")
    assert incident.channel_id in update.where
    assert any("Rolling back" in m["text"] for m in emulator.messages(incident.channel_id))


def test_the_update_form_sets_the_status_then_posts_the_update(app):
    incident, _ = open_one(app)
    clicker = Requester(ALICE, member_of=incident.channel_id, front_end=FrontEnd.INTERACTIVITY)
    done = app.submit_update(clicker, incident.number, "monitoring", "Traffic drained", None)
    assert done.status is not None and done.status.previous == "investigating"
    assert done.update is not None and done.published is None
    _, entries = app.timeline(Requester(ALICE, here="D0ALICE"), incident.number)
    texts = [text for _, text in entries]
    assert texts.index(next(t for t in texts if "monitoring" in t)) < texts.index(
        next(t for t in texts if "Traffic drained" in t)
    )


def test_a_task_on_the_incident_and_its_due_date_follow_the_one_clock(app):
    incident, alice = open_one(app)
    today = app.clock().date()
    added = app.add_task(alice, TaskAdd(TaskTarget(None, None), "Add a canary", BOB, today + timedelta(days=7)))
    task = added.task
    assert task.owner == BOB and task.due == today + timedelta(days=7)
    listing = app.list_tasks(alice, _scope("incident", incident.number))
    assert [t.number for t in listing.tasks] == [task.number]
    assert app.finish_task(alice, task.number, None).task.is_open is False


def test_the_clock_is_set_once_for_every_service(app):
    moment = app.clock() + timedelta(days=3)
    app.clock.set(moment)
    services = (app.incidents, app.response, app.integrations, app.analysis, app.status_page)
    assert all(_clock_of(service)() == moment for service in services)
    assert app.tasks.now() == moment and app.problems.now() == moment
    assert date.fromisoformat(str(moment.date())) == app.clock().date()


def _scope(kind: str, number: int):
    from redalert_core.domain.problem_commands import TaskListScope

    return TaskListScope(kind, number)


def _clock_of(service):
    return getattr(service, "clock", None) or service._clock
