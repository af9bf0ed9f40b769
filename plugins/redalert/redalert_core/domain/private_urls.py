"""Outside URLs that point inside: loopback, link-local, private and other non-public addresses.

A webhook (or an outside system's base URL) aimed at 127.0.0.1, 169.254.169.254 (cloud metadata) or 10.x would let
whoever configures it make the bot call its own network. Refused unless ALLOW_PRIVATE_URLS is set (tests, on-premise
targets). What is checked is the URL as written: literal IPv4 and IPv6 addresses (the short and numeric forms a
resolver accepts too, such as 127.1 or 2130706433), and `localhost` names. Host names are not resolved.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

# OUTSIDE_URL_VARIABLES: the outside systems' base URLs, read from the environment; checked at start (config.py).
OUTSIDE_URL_VARIABLES = (
    "PAGERDUTY_EVENTS_URL",
    "PAGERDUTY_API_URL",
    "CONFLUENCE_URL",
    "TRELLO_API_URL",
    "STATUSPAGE_API_URL",
    "JIRA_URL",
)
_YES, _NO = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")
_NUMBER = re.compile(r"^(0x[0-9a-f]+|0[0-7]*|[1-9][0-9]*)\Z", re.IGNORECASE)


def _number(part: str) -> int:
    if part[:2].lower() == "0x":
        return int(part, 16)
    return int(part, 8) if len(part) > 1 and part.startswith("0") else int(part)


def _inet_aton(host: str) -> ipaddress.IPv4Address | None:
    """The IPv4 address a C resolver reads from `host`: 1 to 4 parts, each decimal, octal (0…) or hex (0x…)."""
    parts = host.split(".")
    if not 1 <= len(parts) <= 4 or not all(_NUMBER.match(p) for p in parts):
        return None
    numbers = [_number(p) for p in parts]
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(parts)):
        return None
    value = 0
    for n in head:
        value = value * 256 + n
    value = value * 256 ** (5 - len(parts)) + last
    return ipaddress.IPv4Address(value) if value < 2**32 else None


def private_address(url: str) -> str | None:
    """The host of `url` when it is loopback, link-local, private or otherwise not public; None when public (or a
    name, which is not resolved here)."""
    try:
        host = (urlsplit(url.strip()).hostname or "").rstrip(".").lower()
    except ValueError:
        return None
    if not host:
        return None
    if host == "localhost" or host.endswith(".localhost"):
        return host
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address | None = ipaddress.ip_address(host)
    except ValueError:
        address = _inet_aton(host)
    if address is None:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return host if not address.is_global or address.is_multicast else None


def refusal(what: str, url: str) -> str | None:
    """A clear fault for `what` (e.g. "WEBHOOKS item 1") when `url` points inside, else None."""
    host = private_address(url)
    if host is None:
        return None
    return (
        f"{what} points to a loopback, link-local or private address ({host}); RedAlert refuses those unless "
        "ALLOW_PRIVATE_URLS is set (for tests and on-premise targets)."
    )


def allowed_by(value: str | None) -> bool:
    """The environment variable ALLOW_PRIVATE_URLS as a switch; ValueError for anything but yes/no words."""
    text = (value or "").strip().lower()
    if text in _YES or text in _NO:
        return text in _YES
    raise ValueError("ALLOW_PRIVATE_URLS must be 1/true/yes/on or 0/false/no/off")
