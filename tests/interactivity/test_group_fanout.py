"""User-group mentions are bounded: at most 10 groups in one command (form and service, before any Slack call), and
each group's members are read from Slack once a minute however often it is mentioned (the service's clock)."""

from __future__ import annotations

import pytest
from slack_workspace import ALICE, BOB, CAROL, SRE_GROUP

from redalert_core.domain.commands import Mentions
from redalert_core.services.incidents import OpenRequest, ServiceError

from .test_open_form import open_form

ELEVEN = [f"S0G{i:02d}" for i in range(11)]
REFUSAL = "That is 11 user groups; one command takes at most 10. Nothing changed."


def test_more_than_ten_groups_are_refused_before_any_slack_call(stack):
    _, view = open_form(stack)
    stack.emu.clear_calls()
    handles = " ".join(f"@team{i}" for i in range(11))
    ack = stack.handle(
        stack.emu.submit_view(ALICE, view["id"], {"severity": "sev2", "description": "x", "groups": handles})
    )
    assert ack == {"response_action": "errors", "errors": {"groups": REFUSAL}}
    # The service refuses too, whoever calls it (chat, form, the API).
    with pytest.raises(ServiceError, match="at most 10"):
        stack.incidents.open(OpenRequest("sev2", "db slow", ALICE, mentions=Mentions(groups=ELEVEN)))
    with pytest.raises(ServiceError, match="at most 10"):
        stack.incidents.invite(number=1, here=None, mentions=Mentions(groups=ELEVEN), actor=ALICE)
    stack.done()
    assert stack.emu.calls == []
    assert stack.incidents.store.incidents.list(include_closed=True, limit=10)[1] == 0


def test_a_groups_members_are_read_once_a_minute(stack):
    report = stack.incidents.open(OpenRequest("sev2", "db slow", ALICE, mentions=Mentions(groups=[SRE_GROUP])))
    number = report.incident.number
    for _ in range(3):
        stack.incidents.invite(number=number, here=None, mentions=Mentions(groups=[SRE_GROUP]), actor=ALICE)
    assert len(stack.emu.calls_to("usergroups.users.list")) == 1
    stack.clock.advance(61)
    _, outcome, _ = stack.incidents.invite(number=number, here=None, mentions=Mentions(groups=[SRE_GROUP]), actor=ALICE)
    assert len(stack.emu.calls_to("usergroups.users.list")) == 2
    members = set(stack.emu.channel(report.incident.channel_id).members)
    assert {ALICE, BOB, CAROL} <= members and outcome is not None
