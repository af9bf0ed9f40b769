"""Channel names that Slack accepts: lowercase, accents folded, only a-z 0-9 - _, at most 80 characters."""

from __future__ import annotations

import re
import string
import unicodedata
from datetime import datetime

MAX_NAME_LENGTH = 80
# Room kept at the end of every generated name for a collision suffix such as "-12".
SUFFIX_RESERVE = 4
FALLBACK_SLUG = "incident"
TEMPLATE_FIELDS = frozenset({"severity", "date", "slug", "number"})
DEFAULT_TEMPLATE = "{severity}-{date}-{slug}"

_INVALID = re.compile(r"[^a-z0-9_-]+")
_DASHES = re.compile(r"-{2,}")
_MARKUP = re.compile(r"<[^<>]*>")


def slugify(text: str) -> str:
    """Turn free text into the slug part of a channel name; '' when nothing usable is left."""
    text = _MARKUP.sub(" ", text)  # Slack mentions and links say nothing about the incident
    folded = unicodedata.normalize("NFKD", text.casefold())
    ascii_only = "".join(ch for ch in folded if not unicodedata.combining(ch))
    slug = _INVALID.sub("-", ascii_only)
    return _DASHES.sub("-", slug).strip("-_")


def cut_at_word(slug: str, limit: int) -> str:
    """Shorten a slug to `limit` characters, at a dash when one is near enough to keep most of the text."""
    if len(slug) <= limit:
        return slug
    cut = slug[:limit]
    dash = cut.rfind("-")
    if dash >= limit // 2:
        cut = cut[:dash]
    return cut.strip("-_")


def template_fields(template: str) -> list[str]:
    """The placeholder names a template uses, in order; raises ValueError on a malformed template.

    Format options ({number:d}, {slug!r}) are refused: channel_name fills every field with plain text.
    """
    fields = []
    for _, field, spec, conversion in string.Formatter().parse(template):
        if field is None:
            continue
        if spec or conversion:
            raise ValueError(f"{{{field}}} takes no format options")
        fields.append(field)
    return fields


def channel_name(
    template: str, *, severity: str, opened_at: datetime, description: str, number: int, prefix: str = ""
) -> str:
    """The channel name for an incident: the template filled in (after a type's `channel_prefix`), the slug cut so
    the whole fits."""
    values = {"severity": slugify(severity), "date": opened_at.strftime("%Y%m%d"), "number": str(number)}
    if prefix:
        template = f"{prefix}-{template}"
    skeleton = template.format(**values, slug="")
    room = MAX_NAME_LENGTH - SUFFIX_RESERVE - len(skeleton)
    slug = cut_at_word(slugify(description) or FALLBACK_SLUG, max(room, 1))
    name = _DASHES.sub("-", slugify(template.format(**values, slug=slug)))
    return name[: MAX_NAME_LENGTH - SUFFIX_RESERVE].strip("-_") or FALLBACK_SLUG


def with_suffix(name: str, attempt: int) -> str:
    """The name to try after `name_taken`: attempt 1 is the name itself, then -2, -3, …"""
    if attempt <= 1:
        return name
    suffix = f"-{attempt}"
    return name[: MAX_NAME_LENGTH - len(suffix)].rstrip("-_") + suffix
