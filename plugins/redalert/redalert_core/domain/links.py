"""Links between incidents: related, duplicate, caused-by. A link is one row seen from both incidents."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class LinkKind(enum.StrEnum):
    RELATED = "related"
    DUPLICATE = "duplicate"  # source is a duplicate of target
    CAUSED_BY = "caused-by"  # source was caused by target


LINK_KINDS = tuple(kind.value for kind in LinkKind)


@dataclass(frozen=True)
class Link:
    """`!incident link <source> <target> <kind>`; listings show it from either end."""

    source: int
    target: int
    kind: LinkKind
    created_by: str | None
    created_at: datetime

    def other(self, number: int) -> int:
        return self.target if number == self.source else self.source

    def describe_from(self, number: int) -> str:
        """How the link reads from incident `number`'s side, e.g. "caused by incident 5"."""
        other = self.other(number)
        forward = number == self.source
        if self.kind == LinkKind.DUPLICATE:
            return f"duplicate of incident {other}" if forward else f"has duplicate incident {other}"
        if self.kind == LinkKind.CAUSED_BY:
            return f"caused by incident {other}" if forward else f"caused incident {other}"
        return f"related to incident {other}"


def parse_kind(word: str) -> LinkKind | None:
    cleaned = word.strip().lower().replace("_", "-")
    if cleaned in ("caused", "causedby"):
        cleaned = "caused-by"
    return next((kind for kind in LinkKind if kind.value == cleaned), None)
