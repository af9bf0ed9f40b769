"""Which request a log line belongs to: a request id, the command and the incident, carried by a context variable.

A command is received on one thread (the Socket Mode handler), runs on another (an Errbot worker) and may hand work
to more (the incident service's pool): each hand-off copies the context (`carry`), so every line it logs names the
same request id.
"""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


@dataclass
class RequestContext:
    request_id: str
    command: str | None = None
    incident: int | None = None


_CURRENT: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar("redalert_request", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex[:16]


def current() -> RequestContext | None:
    return _CURRENT.get()


@contextmanager
def request_scope(request_id: str | None = None, command: str | None = None) -> Iterator[RequestContext]:
    """Everything logged inside (on this thread, and in work it `carry`s elsewhere) names this request."""
    context = RequestContext(request_id or new_request_id(), command)
    token = _CURRENT.set(context)
    try:
        yield context
    finally:
        _CURRENT.reset(token)


def bind_command(name: str) -> None:
    context = _CURRENT.get()
    if context is not None:
        context.command = name


def bind_incident(number: int | None) -> None:
    """Name the incident the current request is about (no effect outside a request)."""
    context = _CURRENT.get()
    if context is not None and number is not None:
        context.incident = number


def carry(fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn`, to run on another thread within the caller's request (a fresh copy of the context per call)."""
    context = contextvars.copy_context()
    return lambda *args, **kwargs: context.run(fn, *args, **kwargs)
