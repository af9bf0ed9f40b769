"""What every outside-system client shares: timeouts, turning HTTP outcomes into DeliveryFailed, secret hygiene."""

from __future__ import annotations

import logging
import os
from typing import overload

import httpx

from ..domain.outbox import DeliveryFailed, failure_for_status
from ..domain.placeholders import is_placeholder

# Connect fast or not at all; a slow answer is retried later instead of holding up the other deliveries.
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
USER_AGENT = "RedAlert incident bot"
MAX_DETAIL = 200

# httpx logs every request URL at INFO; URLs can hold credentials (webhook URLs often do), so its loggers stay quiet
# below WARNING whatever level the bot runs at.
for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).setLevel(logging.WARNING)


def new_client(**kwargs) -> httpx.Client:
    """An httpx client with RedAlert's timeouts; redirects are never followed (a moved endpoint is a config error)."""
    headers = {"User-Agent": USER_AGENT, **kwargs.pop("headers", {})}
    return httpx.Client(timeout=TIMEOUT, follow_redirects=False, headers=headers, **kwargs)


@overload
def env(name: str, default: str) -> str: ...
@overload
def env(name: str, default: None = None) -> str | None: ...
def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or default


def secret(spec: str) -> str:
    """A configured secret: "env:NAME" is read from the environment, anything else is the value itself."""
    if not spec.startswith("env:"):
        return spec
    name = spec[4:]
    value = os.environ.get(name, "").strip()
    if not value:
        raise DeliveryFailed(f"the environment variable {name} is not set", retryable=False)
    if is_placeholder(value):
        raise DeliveryFailed(f"the environment variable {name} holds a placeholder, not a secret", retryable=False)
    return value


def scrub(text: str, secrets: list[str]) -> str:
    for value in secrets:
        if value and len(value) >= 4:
            text = text.replace(value, "***")
    return text


def detail(response: httpx.Response) -> str:
    """The useful part of an error answer: a JSON message/errors, or the start of a text body."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:MAX_DETAIL]
    if isinstance(body, dict):
        parts = [str(body[k]) for k in ("message", "title", "error") if body.get(k)]
        errors = body.get("errors")
        if isinstance(errors, list):
            for error in errors[:3]:
                if isinstance(error, dict):
                    parts.append(str(error.get("title") or error.get("detail") or error.get("message") or error))
                else:
                    parts.append(str(error))
        return "; ".join(parts)[:MAX_DETAIL] or str(body)[:MAX_DETAIL]
    return str(body)[:MAX_DETAIL]


def send(client: httpx.Client, request: httpx.Request, *, secrets: list[str]) -> httpx.Response:
    """Send; a network failure or a non-2xx answer raises DeliveryFailed with a reason free of `secrets`."""
    try:
        response = client.send(request)
    except httpx.TimeoutException as exc:
        raise DeliveryFailed(f"timed out ({type(exc).__name__})", retryable=True) from None
    except httpx.TransportError as exc:
        raise DeliveryFailed(scrub(f"connection failed ({type(exc).__name__})", secrets), retryable=True) from None
    if response.is_success:
        return response
    reason = scrub(detail(response), secrets)
    raise failure_for_status(response.status_code, reason, response.headers.get("Retry-After"))
