"""The SQL filter (store/visibility.py) selects exactly the incidents domain/visibility.py's rule lets a viewer see."""

from __future__ import annotations

import itertools

from redalert_core.domain import visibility
from redalert_core.domain.visibility import Viewer

OPENER, MEMBER, STRANGER = "U_OPENER", "U_MEMBER", "U_STRANGER"


def test_the_sql_filter_and_the_rule_agree(store, new_incident):
    public = new_incident()
    secret = new_incident(is_private=True, description="payroll")
    other = new_incident(is_private=True, opened_by="U_ELSE", description="breach")
    unopened = new_incident(is_private=True, opened_by="U_ELSE", description="no channel yet")
    store.steps.set_channel(public.number, "C_PUBLIC", "inc-1")
    store.steps.set_channel(secret.number, "C_SECRET", "inc-2")
    store.steps.set_channel(other.number, "C_OTHER", "inc-3")
    store.participants.add(secret.number, [MEMBER], source="invite")
    everything = [public, secret, other, unopened]
    users = (None, OPENER, MEMBER, STRANGER)
    channels = (None, "C_PUBLIC", "C_SECRET", "D_DM")
    for user, is_admin, channel in itertools.product(users, (False, True), channels):
        viewer = Viewer(user, is_admin, channel)
        listed, total = store.incidents.list(include_closed=True, limit=10, viewer=viewer)
        fresh = [store.incidents.get(i.number) for i in everything]
        expected = [
            i.number
            for i in fresh
            if visibility.may_see(i, viewer, lambda u, n=i.number: store.participants.contains(n, u))
        ]
        assert sorted(i.number for i in listed) == expected and total == len(expected), viewer


def test_a_channel_reads_only_public_incidents_and_its_own(store, new_incident):
    new_incident()
    secret = new_incident(is_private=True)
    store.steps.set_channel(secret.number, "C_SECRET", "inc-2")
    assert visibility.audience(OPENER, True, "C_OPS") == Viewer(None, False, "C_OPS")
    assert visibility.audience(OPENER, False, "D_DM") == Viewer(OPENER, False, "D_DM")
    in_ops = store.incidents.list(viewer=visibility.audience(OPENER, True, "C_OPS"))[1]
    in_own = store.incidents.list(viewer=visibility.audience(STRANGER, False, "C_SECRET"))[1]
    in_dm = store.incidents.list(viewer=visibility.audience(OPENER, False, "D_DM"))[1]
    assert (in_ops, in_own, in_dm) == (1, 2, 2)
