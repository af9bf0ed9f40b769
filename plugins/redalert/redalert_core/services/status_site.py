"""The public status page's server: `/`, `/incidents/<id>`, `/feed.atom` and `/api/v2/summary.json`.

Its own small HTTP server on REDALERT_STATUS_PORT (not Errbot's webserver, not the private web report), no login.
It reads the database only, so it keeps serving while Slack is down; it shows only published entries of public
incidents.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from ..domain import status_page as sp
from ..domain.settings import Settings
from ..store import Store
from ..web import status_html

log = logging.getLogger(__name__)

_INCIDENT = re.compile(r"^/incidents/([0-9]{1,9})/?\Z")
HEADERS = [
    (
        "Content-Security-Policy",
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
    ("Cache-Control", "public, max-age=30"),
]
HTML = "text/html; charset=utf-8"


class StatusSite:
    """The pages as a WSGI application over the store."""

    def __init__(
        self,
        store: Store,
        settings: Callable[[], Settings],
        base_url: str | None = None,
        *,
        clock: Callable[[], datetime],
    ) -> None:
        self.store = store
        self._settings = settings
        self.base_url = (base_url or "").rstrip("/")
        self.clock = clock

    def view(self) -> status_html.PageView:
        settings = self._settings().status_page
        now = self.clock()
        entries = self.store.status_page.shown(now - timedelta(days=sp.DAYS_SHOWN))
        states = sp.component_states(settings, entries)
        return status_html.PageView(
            name=settings.page_name,
            now=now,
            components=[(component, states[component.name]) for component in settings.components],
            entries=entries,
        )

    def summary(self, view: status_html.PageView, base_url: str) -> dict:
        """Statuspage's public summary shape, so tools that read a Statuspage read this page too."""
        page_id = "redalert"
        updated = max([e.updated_at for e in view.entries], default=view.now)
        level, description = view.indicator
        return {
            "page": {
                "id": page_id,
                "name": view.name,
                "url": base_url,
                "time_zone": "Etc/UTC",
                "updated_at": _iso(updated),
            },
            "status": {"indicator": level, "description": description},
            "components": _components(view, page_id, _iso(updated)),
            "incidents": [_incident(entry, base_url, page_id) for entry in view.open],
            "scheduled_maintenances": [],
        }

    # --- WSGI -------------------------------------------------------------------------------------------------
    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "/") or "/"
        if method not in ("GET", "HEAD"):
            return self._answer(
                start_response, "405 Method Not Allowed", "text/plain", b"GET only\n", method, [("Allow", "GET, HEAD")]
            )
        base = self.base_url or _request_base(environ)
        try:
            view = self.view()
            status, kind, body = self._route(view, path, base)
        except Exception:
            log.exception("The status page failed for %s", path)
            return self._answer(
                start_response, "503 Service Unavailable", "text/plain", b"Temporarily unavailable\n", method
            )
        return self._answer(start_response, status, kind, body, method)

    def _route(self, view: status_html.PageView, path: str, base: str) -> tuple[str, str, bytes]:
        if path in ("/", "/index.html"):
            return "200 OK", HTML, status_html.index(view).encode()
        if path == "/feed.atom":
            return "200 OK", "application/atom+xml; charset=utf-8", status_html.feed(view, base)
        if path == "/api/v2/summary.json":
            return "200 OK", "application/json", json.dumps(self.summary(view, base)).encode()
        match = _INCIDENT.match(path)
        if match:
            entry = next((x for x in view.entries if x.number == int(match.group(1))), None)
            if entry is not None:
                return "200 OK", HTML, status_html.incident(view, entry).encode()
        return "404 Not Found", HTML, status_html.not_found(view).encode()

    @staticmethod
    def _answer(start_response, status, kind, body, method, extra=()):
        start_response(status, [("Content-Type", kind), ("Content-Length", str(len(body))), *HEADERS, *extra])
        return [b""] if method == "HEAD" else [body]


def _components(view: status_html.PageView, page_id: str, updated: str | None) -> list[dict]:
    """Statuspage's component list: a group is a component of its own (`group: true`, its members' ids, the worst
    of their states), and each member names it in `group_id`."""
    members: dict[str, list[tuple[str, str]]] = {}
    for component, state in view.components:
        if component.group:
            members.setdefault(component.group, []).append((component.name, state))

    def row(position: int, **fields: object) -> dict:
        base = {"description": None, "group_id": None, "group": False, "page_id": page_id, "position": position}
        return {**base, "created_at": updated, "updated_at": updated, "only_show_if_degraded": False, **fields}

    rows = [
        row(
            position,
            id=component.name,
            name=component.name,
            status=state,
            description=component.description or None,
            group_id=f"group:{component.group}" if component.group else None,
        )
        for position, (component, state) in enumerate(view.components, start=1)
    ]
    rows += [
        row(
            len(rows) + position,
            id=f"group:{group}",
            name=group,
            status=sp.worst([state for _, state in grouped]),
            group=True,
            components=[name for name, _ in grouped],
        )
        for position, (group, grouped) in enumerate(members.items(), start=1)
    ]
    return rows


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def _incident(entry: sp.PublicEntry, base_url: str, page_id: str) -> dict:
    return {
        "id": str(entry.number),
        "name": entry.title,
        "status": entry.status,
        "impact": entry.impact,
        "shortlink": f"{base_url}/incidents/{entry.number}",
        "created_at": _iso(entry.published_at),
        "updated_at": _iso(entry.updated_at),
        "monitoring_at": next((_iso(u.at) for u in reversed(entry.updates) if u.status == sp.MONITORING), None),
        "resolved_at": _iso(entry.resolved_at),
        "page_id": page_id,
        "incident_updates": [
            {
                "id": str(update.id),
                "incident_id": str(entry.number),
                "status": update.status,
                "body": update.body,
                "created_at": _iso(update.at),
                "display_at": _iso(update.at),
                "updated_at": _iso(update.at),
            }
            for update in entry.updates
        ],
    }


def _request_base(environ: dict) -> str:
    scheme = environ.get("HTTP_X_FORWARDED_PROTO") or environ.get("wsgi.url_scheme", "http")
    host = environ.get("HTTP_X_FORWARDED_HOST") or environ.get("HTTP_HOST") or "localhost"
    return f"{scheme.split(',')[0].strip()}://{host.split(',')[0].strip()}"


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        log.debug("status page: " + format, *args)


class StatusServer:
    """The site in a background thread on (host, port); port 0 picks a free one (tests)."""

    def __init__(self, site: StatusSite, port: int, host: str) -> None:
        self._httpd = make_server(host, port, site, server_class=_Server, handler_class=_QuietHandler)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="redalert-status-page", daemon=True)

    def start(self) -> StatusServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)
