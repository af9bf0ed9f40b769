"""A change made in Jira (actor `jira:<accountId>`) is told with the name Jira gave and where it happened, in the
timeline, the post-mortem's task list and Slack texts; never as a Slack mention of the account id."""

from datetime import UTC, datetime

import pytest

from redalert_core.domain import outside_actors, postmortem, timeline
from redalert_core.domain import problem_events as pe
from redalert_core.domain.incident import Event, Incident, Phase
from redalert_core.domain.response_state import ResponseState
from redalert_core.domain.settings import validate
from redalert_core.domain.tasks import Task
from redalert_core.slack import messages

AT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
ACTOR = outside_actors.jira_actor("5b10a2844c20165700ede021")


def told(payload: pe.Payload, actor: str = ACTOR) -> str | None:
    return timeline.describe(Event(7, payload.kind, AT, actor=actor, data=payload.to_data()), messages.user, str)


@pytest.mark.parametrize(
    ("payload", "line"),
    [
        (pe.TaskDone(task=3, text="fix", by_name="Alice Jira"), "Task T3 done in Jira by Alice Jira"),
        (pe.TaskReopened(task=3, text="fix", by_name="Alice Jira"), "Task T3 reopened in Jira by Alice Jira"),
        (
            pe.TaskAssigned(task=3, text="fix", owner="U0BOB", by_name="Alice Jira"),
            "Task T3 assigned to <@U0BOB> in Jira by Alice Jira",
        ),
        (
            pe.TaskDueChanged(task=3, text="fix", due="2030-01-02", by_name="Alice Jira"),
            "Task T3 now due 2030-01-02 (set in Jira by Alice Jira)",
        ),
        (pe.TaskDone(task=3, text="fix"), "Task T3 done in Jira by someone"),  # an event from before names were kept
    ],
)
def test_the_timeline_names_the_person_jira_named(payload, line):
    assert told(payload) == line


def test_slack_people_read_as_before_and_the_name_is_only_stored_when_given():
    assert told(pe.TaskDone(task=3, text="fix"), actor="U0BOB") == "Task T3 done by <@U0BOB>"
    assert "by_name" not in pe.TaskDone(task=3, text="fix").to_data()
    assert pe.TaskDone(task=3, text="fix", by_name="A").to_data()["by_name"] == "A"
    assert messages.user(ACTOR) == "someone in Jira"  # never <@jira:…>


def test_the_postmortem_says_who_closed_a_task_in_jira():
    incident = Incident(7, "sev1", "db down", "U0ALICE", AT, phase=Phase.OPEN, channel_id="C0", channel_name="inc")
    done = Task(3, "Rotate keys", "U0ALICE", AT, incident_number=7, done_at=AT, done_by=ACTOR)
    follow_up = postmortem.FollowUp(tasks=[done], names={ACTOR: "Alice Jira"})
    document = postmortem.render(incident, ResponseState(7), [], [], validate({}), AT, follow_up)
    assert "- [x] T3 Rotate keys (no owner; done 2026-11-30 by Alice Jira in Jira)" in document
    unnamed = postmortem.render(incident, ResponseState(7), [], [], validate({}), AT, postmortem.FollowUp(tasks=[done]))
    assert "done 2026-11-30 by someone in Jira" in unnamed and "jira:" not in unnamed
