"""Who typed `/incident` and where, as Errbot identifiers: what RedAlert's commands and Errbot's ACLs read.

Built from the slash command's payload alone (no Slack call: the ack is due within 3 s). Like slackv3's own
identifiers, the ACL attribute of a person is the user ID and that of a channel is the channel ID, so
ACCESS_CONTROLS written for `!incident` (allowrooms, denyrooms, allowmuc, allowprivate) apply to `/incident` too.
"""

from __future__ import annotations

from errbot.backends.base import Identifier, Person, Room, RoomOccupant


class SlashCommandUser(Person):
    """The person who typed a slash command, as Errbot identifiers look to RedAlert's commands and ACLs."""

    def __init__(self, user_id: str, name: str = "") -> None:
        self.userid = user_id
        self._name = name or user_id

    person = property(lambda self: self.userid)
    client = property(lambda self: "")
    nick = property(lambda self: self._name)
    username = property(lambda self: self._name)
    aclattr = property(lambda self: self.userid)
    fullname = property(lambda self: self._name)
    email = property(lambda self: "")

    def __str__(self) -> str:
        return f"<@{self.userid}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SlashCommandUser) and other.userid == self.userid

    def __hash__(self) -> int:
        return hash(self.userid)


class SlashCommandRoom(Room):
    """The channel a slash command was typed in."""

    def __init__(self, channel_id: str) -> None:
        self.id = channel_id

    aclattr = property(lambda self: self.id)

    def __str__(self) -> str:
        return f"<#{self.id}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SlashCommandRoom) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)


class SlashCommandOccupant(SlashCommandUser, RoomOccupant):
    """The person, in the channel they typed the command in."""

    def __init__(self, user_id: str, name: str, room: SlashCommandRoom) -> None:
        super().__init__(user_id, name)
        self._room = room

    room = property(lambda self: self._room)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SlashCommandOccupant) and (other.userid, other.room) == (self.userid, self.room)

    def __hash__(self) -> int:
        return hash((self.userid, self.room.id))


def sender_and_place(user_id: str, name: str, channel_id: str | None, bot: Identifier) -> tuple[Person, Identifier]:
    """(frm, to) of the message a slash command stands for: in a channel (C…, G…) a room message, so room-scoped
    ACLs see the channel; anywhere else (a DM, D…) a direct message to the bot."""
    if channel_id and channel_id[0] in "CG":
        room = SlashCommandRoom(channel_id)
        return SlashCommandOccupant(user_id, name, room), room
    return SlashCommandUser(user_id, name), bot
