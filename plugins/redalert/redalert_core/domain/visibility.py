"""Who may see a private incident: the one rule behind every lookup by number, listing, figure and follow-up list.

To a person who is neither one of its people (opener or participant) nor an admin, a private incident does not
exist: a lookup answers exactly as for a number nobody ever used. An answer shown where others read it too (a
channel) shows only what everyone there may see: public incidents, and a private incident in its own channel only.
The store's SQL filter (store/visibility.py) is this rule written as a query; tests hold the two together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .incident import Incident


@dataclass(frozen=True)
class Viewer:
    """Who reads an answer.

    `user` None is nobody in particular (everyone in a channel): only public incidents, and the private incident
    whose own channel `channel` is. `channel` is a channel the reader is known to be in.
    """

    user: str | None = None
    is_admin: bool = False
    channel: str | None = None


def no_such_incident(number: int) -> str:
    """The answer for a number nobody used, and for a private incident the asker may not see: the same words."""
    return f"There is no incident {number}. See !incident list all."


def is_dm(channel_id: str | None) -> bool:
    """A direct message with the bot (Slack's D… ids): only the person reads what is posted there."""
    return channel_id is not None and channel_id.startswith("D")


def person(user: str, is_admin: bool, here: str | None = None, member_of: str | None = None) -> Viewer:
    """The person asking, for what they may act on (and read in a DM or an answer shown to them only)."""
    return Viewer(user, is_admin, here or member_of)


def audience(user: str, is_admin: bool, here: str | None, *, shown_to_person_only: bool = False) -> Viewer:
    """Who reads an answer given in `here`: the person in a DM (or an answer only they see), else the channel."""
    if here is None or is_dm(here) or shown_to_person_only:
        return person(user, is_admin, here)
    return Viewer(None, False, here)


def may_see(incident: Incident, viewer: Viewer, is_participant: Callable[[str], bool]) -> bool:
    """Public incidents to anyone; a private one to admins, its opener, its participants and in its own channel.

    `is_participant(user)` is asked only when it decides (it reads the store).
    """
    if not incident.is_private or viewer.is_admin:
        return True
    if incident.channel_id and incident.channel_id == viewer.channel:
        return True
    if viewer.user is None:
        return False
    return viewer.user == incident.opened_by or is_participant(viewer.user)
