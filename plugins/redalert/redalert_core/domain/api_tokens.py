"""API tokens: their names, scopes, shape and hash, and how an API caller appears as an actor (no I/O).

A token is `ra_` followed by 43 URL-safe characters (256 random bits); only its SHA-256 is stored, so whoever reads
the database cannot call the API. The actor an API call records in events is `api:<name>`: the timeline and Slack
texts show it as the token, never as a Slack mention, and nobody is invited for it.
"""

from __future__ import annotations

import enum
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

PREFIX = "ra_"
SHAPE = re.compile(r"\bra_[A-Za-z0-9_-]{43}\b")  # what observability/log_redaction.py masks
NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,47}$")
ACTOR_PREFIX = "api:"


class Scope(enum.StrEnum):
    READ = "read"
    WRITE = "write"  # a write token may also read
    PRIVATE = "private"  # sees private incidents (and may open them)


@dataclass(frozen=True)
class ApiToken:
    name: str
    scopes: frozenset[Scope]
    created_at: datetime
    created_by: str
    last_used_at: datetime | None = None

    @property
    def may_write(self) -> bool:
        return Scope.WRITE in self.scopes

    @property
    def sees_private(self) -> bool:
        return Scope.PRIVATE in self.scopes

    def scope_text(self) -> str:
        return ", ".join(s.value for s in Scope if s in self.scopes)


@dataclass(frozen=True)
class TokenRequest:
    """`!incident token create <name> [read|write] [private]`, parsed."""

    name: str
    scopes: frozenset[Scope]


CREATE_USAGE = "Usage: !incident token create <name> [read|write] [private] (e.g. !incident token create ci write)"


def parse_create(args: str) -> TokenRequest:
    """The name and scopes of a token to create; ValueError with the refusal a person reads."""
    words = args.split()
    if not words:
        raise ValueError(CREATE_USAGE)
    name = check_name(words[0])
    scopes = {Scope.READ}
    access = [w.lower() for w in words[1:] if w.lower() in ("read", "write")]
    extra = [w for w in words[1:] if w.lower() not in ("read", "write", "private")]
    if extra or len(access) > 1:
        raise ValueError(CREATE_USAGE)
    if access == ["write"]:
        scopes.add(Scope.WRITE)
    if any(w.lower() == "private" for w in words[1:]):
        scopes.add(Scope.PRIVATE)
    return TokenRequest(name, frozenset(scopes))


def check_name(name: str) -> str:
    if not NAME.match(name):
        raise ValueError(
            f'"{name[:60]}" is not a token name: use up to 48 lowercase letters, digits, ".", "_" or "-", '
            "starting with a letter or digit."
        )
    return name


def new_secret() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def digest(token: str) -> str:
    """What is stored and looked up: the SHA-256 of the token (a 256-bit random token needs no slow hash)."""
    return hashlib.sha256(token.encode()).hexdigest()


def actor(name: str) -> str:
    return ACTOR_PREFIX + name


def token_name(actor_id: str | None) -> str | None:
    """The token's name when `actor_id` is an API caller, else None."""
    if actor_id and actor_id.startswith(ACTOR_PREFIX):
        return actor_id[len(ACTOR_PREFIX) :]
    return None


def describe_actor(actor_id: str) -> str:
    """How texts name an API caller: never a mention."""
    return f"token '{token_name(actor_id)}'"
