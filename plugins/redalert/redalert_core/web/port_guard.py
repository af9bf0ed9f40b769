"""The report's port serves the report only, and every response on it carries the security headers.

Errbot's Webserver plugin serves one Flask app for every plugin's webhooks, its own `POST /echo` included, which
reflects its body as text/html: on the report's host that would let any web page run script next to the report and
read it with the visitor's cookie. `PortGuard` wraps the app's WSGI callable: paths outside the report answer 404
before any route runs, and every answer (200, 303, 400, 403, 404, 405, 500) gets the headers below.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .html import BASE

# Personal pages: no caching anywhere, no framing, no other site's scripts, styles, forms or referrer leaks.
SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    (
        "Content-Security-Policy",
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'",
    ),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("Cache-Control", "no-store"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)
_NAMES = {name.lower() for name, _ in SECURITY_HEADERS}
NOT_FOUND = (
    b'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Not found</title></head>'
    b"<body><h1>Not found</h1><p>This address serves the RedAlert report only.</p></body></html>\n"
)

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict, StartResponse], Iterable[bytes]]


def is_report_path(path: str) -> bool:
    return path == BASE or path.startswith(BASE + "/")


def secured(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """`headers` with the security headers set (replacing any the app set itself)."""
    return [(name, value) for name, value in headers if name.lower() not in _NAMES] + list(SECURITY_HEADERS)


class PortGuard:
    """WSGI middleware in front of Errbot's Flask app (see the module docstring)."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        def with_headers(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            return start_response(status, secured(headers), exc_info)

        if not is_report_path(environ.get("PATH_INFO", "")):
            with_headers(
                "404 Not Found",
                [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(NOT_FOUND)))],
            )
            return [NOT_FOUND]
        return self.app(environ, with_headers)


def guard(flask_app: Any) -> None:
    """Put a PortGuard in front of the app's WSGI callable, once (Flask calls `app.wsgi_app` for every request)."""
    if not isinstance(flask_app.wsgi_app, PortGuard):
        flask_app.wsgi_app = PortGuard(flask_app.wsgi_app)
