"""The base of typed event payloads (events.py): one frozen dataclass per event kind, stored as the JSON object
the event log has always held (same keys, same order), so no stored event needs a migration.

A field's stored key is its name unless its metadata says otherwise (`from_` is stored as "from"); a field marked
OMIT_NONE is left out of the stored object when None (a key that older payloads never had).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING, dataclass, fields
from typing import Any, ClassVar, Self

from .incident import EventKind

FROM: Mapping[str, Any] = {"key": "from"}
OMIT_NONE: Mapping[str, Any] = {"omit_none": True}


class MissingField(ValueError):
    """A stored payload lacks a field its kind needs (written by hand, or damaged)."""


@dataclass(frozen=True)
class Payload:
    """What one event says; `kind` names it in the log."""

    kind: ClassVar[EventKind]

    def to_data(self) -> dict[str, Any]:
        """The JSON object stored in the event's `data` column."""
        data: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if value is None and item.metadata.get("omit_none"):
                continue
            data[item.metadata.get("key", item.name)] = value
        return data

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Self:
        """Read a stored payload: absent keys take the field's default; raises MissingField for a needed one.
        Keys this version does not know (a newer version's) are ignored here and stay in `Event.data`."""
        values: dict[str, Any] = {}
        for item in fields(cls):
            key = item.metadata.get("key", item.name)
            if key in data:
                values[item.name] = data[key]
            elif item.default is MISSING and item.default_factory is MISSING:
                raise MissingField(f"{cls.kind}: no {key!r} in {dict(data)!r}")
        return cls(**values)


@dataclass(frozen=True)
class Unknown:
    """The payload of a kind this version does not know (written by a newer one) or that lacks a needed field:
    still readable, as stored."""

    kind: str
    data: Mapping[str, Any]

    def to_data(self) -> dict[str, Any]:
        return dict(self.data)
