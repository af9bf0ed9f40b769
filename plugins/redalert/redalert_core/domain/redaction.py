"""Keeping secrets out of what people read: token-like text scrubbed from error bodies, configuration masked.

Outside systems echo what they were sent (a URL with its token in the path, a query string with a key); Slack
tokens and signing secrets look alike everywhere. What is kept: a URL's scheme and host, the names of settings and
query parameters, and short ordinary words. What goes: URL paths, queries and credentials, anything shaped like a
token, and the value of any setting whose name says key, token, secret or password.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

MASK = "[masked]"

_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s<>\"'`|]+", re.IGNORECASE)
_KNOWN = re.compile(r"\b(?:xox[a-z]|xapp|whsec|sk|rk|ghp|gho|glpat)[-_][A-Za-z0-9_.\-]+", re.IGNORECASE)
_AUTH = re.compile(r"\b(Bearer|Basic|Token|Digest)\s+[A-Za-z0-9._~+/=\-]+", re.IGNORECASE)
_PAIR = re.compile(
    r"\b([\w.-]*(?:key|token|secret|password|passwd|signature|sig|auth|credential)s?[\w.-]*)"
    r"(\s*[=:]\s*[\"']?)([^\s\"'&,;]+)",
    re.IGNORECASE,
)
_LOOSE_PATH = re.compile(r"(?<![\w/:.])/[\w.~%+=\-]+(?:/[\w.~%+=\-]*)+")
_RUN = re.compile(r"[A-Za-z0-9_+/=\-]{16,}")
_SECRET_NAME = re.compile(r"key|token|secret|password|passwd|credential", re.IGNORECASE)


def _token_like(word: str) -> bool:
    """A piece long enough and mixed like a generated secret (`T0A1B2C3D`, 24+ characters in one run); words,
    dates and hyphenated names such as channel names stay."""
    for piece in re.split(r"[-_.~]", word):
        mixed = any(c.isalpha() for c in piece) and any(c.isdigit() for c in piece)
        if (len(piece) >= 8 and mixed) or len(piece) >= 24:
            return True
    return False


def mask_url(url: str) -> str:
    """Scheme and host (and port) only: the path, the query, the fragment and any user:password are masked."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return MASK
    if not parts.scheme or not host:
        return MASK
    host = f"[{host}]" if ":" in host else host
    masked = f"{parts.scheme}://{host}{port}"
    if parts.path.strip("/") or parts.query or parts.fragment or parts.username:
        masked += "/" + MASK
    return masked


def _mask_segments(path: str) -> str:
    return "/".join(MASK if _token_like(segment) else segment for segment in path.split("/"))


def scrub_tokens(text: str) -> str:
    """`text` with URLs reduced to their host, token-shaped words and secret-named values replaced by MASK."""
    text = _URL.sub(lambda m: mask_url(m.group(0)), text)
    text = _KNOWN.sub(MASK, text)
    text = _AUTH.sub(lambda m: f"{m.group(1)} {MASK}", text)
    text = _PAIR.sub(lambda m: m.group(1) + m.group(2) + (m.group(3) if m.group(3) == MASK else MASK), text)
    text = _LOOSE_PATH.sub(lambda m: _mask_segments(m.group(0)), text)
    return _RUN.sub(lambda m: MASK if _token_like(m.group(0)) else m.group(0), text)


def mask_config(value: Any, name: str = "") -> Any:
    """A configuration (dicts, lists, text) fit to show: values of secret-named settings, URLs' paths and queries,
    and token-shaped text masked. `env:NAME` references stay: they name where a secret is, not the secret."""
    if isinstance(value, dict):
        return {key: mask_config(item, str(key) if isinstance(key, str) else name) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(mask_config(item, name) for item in value)
    if not isinstance(value, str) or not value or value.startswith("env:"):
        return value
    if _SECRET_NAME.search(name):
        return MASK
    return scrub_tokens(value)
