"""The slackv3 identifier classes, built on cached lookups instead of a bare WebClient.

Each class is the backend's own, unchanged, except that the client it is given is wrapped in `CachedLookups`, so the
users.info / bots.info / team.info / conversations.info calls it makes while being built come from the shared
`IdentifierCache`. Every other call (topic, join, members…) still reaches the real client.

`use_cached_identifiers` points the backend module's names at these classes: the backend builds identifiers by
calling `SlackPerson(...)`, `SlackRoom(...)` and so on through its module globals, in long methods (the per-message
handler among them) that a subclass could only replace by rewriting them.
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING, Any, ClassVar

from identifier_cache import IdentifierCache
from slackv3.person import SlackPerson
from slackv3.room import SlackBot, SlackRoom, SlackRoomBot, SlackRoomOccupant

if TYPE_CHECKING:  # mixed into slackv3's identifier classes, whose __init__ it extends (untyped: mypy sees Any)
    from slackv3.person import SlackPerson as _Identifier
else:
    _Identifier = object


class _BuiltFromCache(_Identifier):
    """Mixin: swap the `webclient` argument (always the first) for the cached stand-in."""

    cache: ClassVar[IdentifierCache | None] = None

    def __init__(self, webclient: Any = None, *args: Any, **kwargs: Any) -> None:
        if webclient is not None and self.cache is not None:
            webclient = self.cache.lookups(webclient)
        super().__init__(webclient, *args, **kwargs)


class CachedSlackPerson(_BuiltFromCache, SlackPerson):
    pass


class CachedSlackRoom(_BuiltFromCache, SlackRoom):
    pass


class CachedSlackRoomOccupant(_BuiltFromCache, SlackRoomOccupant):
    pass


class CachedSlackBot(_BuiltFromCache, SlackBot):
    pass


class CachedSlackRoomBot(_BuiltFromCache, SlackRoomBot):
    pass


REPLACEMENTS: dict[str, type] = {
    "SlackPerson": CachedSlackPerson,
    "SlackRoom": CachedSlackRoom,
    "SlackRoomOccupant": CachedSlackRoomOccupant,
    "SlackBot": CachedSlackBot,
    "SlackRoomBot": CachedSlackRoomBot,
}


def use_cached_identifiers(backend_module: ModuleType, cache: IdentifierCache) -> None:
    """Make `backend_module` (slackv3.slackv3) build the cached classes, all drawing on `cache`."""
    _BuiltFromCache.cache = cache
    for name, cached_class in REPLACEMENTS.items():
        setattr(backend_module, name, cached_class)
