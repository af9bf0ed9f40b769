"""The API's routes on Errbot's Flask app: each reads the request, authenticates the token, calls one use case and
answers JSON (see http.py for the error format and openapi.json for the contract)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, request

from ...application.app import RedAlertApp
from ...application.errors import Forbidden, NoSuchIncident, ServiceError
from ...application.results import InvalidAlerts
from ...application.trello_hooks import NotTrello
from ...domain.api_requests import (
    FieldErrors,
    close_fields,
    list_query,
    open_fields,
    set_fields_body,
    severity_field,
    update_fields,
)
from ...domain.incident_fields import FieldsRefused
from ...domain.requester import Requester
from . import render
from .http import ApiError, bearer, document, error_response, json_body, respond

BASE = "/redalert/api/v1"
NO_TOKEN = "Send a valid API token: Authorization: Bearer <token> (admins make one with !incident token create)."  # noqa: S105
READ_ONLY = "This token may only read; writing needs a token with the write scope."

Handler = Callable[..., Response]


class ApiRoutes:
    """The routes, registered once per Flask app; the application they call is looked up on every request (the
    plugin builds it at activation)."""

    def __init__(self, app: Callable[[], RedAlertApp | None]) -> None:
        self._app = app

    def register(self, flask_app: Any) -> None:
        if any(rule.rule == f"{BASE}/openapi.json" for rule in flask_app.url_map.iter_rules()):
            return
        routes: list[tuple[str, str, Handler, bool | None]] = [
            ("/openapi.json", "GET", lambda: document(), None),
            ("/incidents", "POST", self.open, True),
            ("/incidents", "GET", self.list, False),
            ("/incidents/<number>", "GET", self.show, False),
            ("/incidents/<number>/updates", "POST", self.update, True),
            ("/incidents/<number>/severity", "POST", self.severity, True),
            ("/incidents/<number>/close", "POST", self.close, True),
            ("/incidents/<number>/fields", "POST", self.set_fields, True),
            ("/alerts/alertmanager", "POST", self.alertmanager, True),
            ("/alerts/grafana", "POST", self.grafana, True),
            # Trello's webhook: no token, Trello signs each request (application/trello_hooks.py).
            ("/hooks/trello", "HEAD", lambda: Response(status=200), None),
            ("/hooks/trello", "POST", self.trello_hook, None),
            ("/hooks/jira", "POST", self.jira, None),  # signed by Jira with its secret, not a RedAlert token
        ]
        methods: dict[str, list[str]] = {}
        for path, method, handler, writes in routes:
            methods.setdefault(path, []).append(method)
            view = handler if writes is None else self._guarded(handler, writes=writes)
            endpoint = (
                f"redalert_api_{method.lower()}_{path.strip('/').replace('/', '_').replace('<', '').replace('>', '')}"
            )
            flask_app.add_url_rule(BASE + path, endpoint, view, methods=[method], strict_slashes=False)
        # Everything else under the API answers in JSON too, never with the web report's pages (its rule takes
        # every GET under /redalert/): another method on a known path is 405, any other path 404.
        for index, (path, allowed) in enumerate(methods.items()):
            others = [m for m in ("GET", "POST", "PUT", "PATCH", "DELETE") if m not in allowed]
            flask_app.add_url_rule(
                BASE + path, f"redalert_api_405_{index}", _not_allowed(allowed), methods=others, strict_slashes=False
            )
        flask_app.add_url_rule(
            BASE + "/<path:rest>",
            "redalert_api_404",
            lambda rest: error_response(
                ApiError(404, "There is no such API address; see /redalert/api/v1/openapi.json.")
            ),
            methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        )

    # --- the frame of every route ---------------------------------------------------------------------------
    def _guarded(self, handler: Handler, *, writes: bool) -> Callable[..., Response]:
        def view(**path: str) -> Response:
            try:
                app = self._app()
                if app is None:
                    raise ApiError(503, "RedAlert is starting; try again in a moment.")
                token = app.authenticate(bearer())
                if token is None:
                    raise ApiError(401, NO_TOKEN)
                if writes and not token.may_write:
                    raise ApiError(403, READ_ONLY)
                return handler(app, app.api_requester(token), **path)
            except ApiError as exc:
                return error_response(exc)
            except InvalidAlerts as exc:
                return error_response(ApiError(422, "This is not an alert notification; nothing changed.", exc.faults))
            except (FieldErrors, FieldsRefused) as exc:
                return error_response(ApiError(422, "Some fields are not right; nothing changed.", exc.fields))
            except NoSuchIncident as exc:
                return error_response(ApiError(404, str(exc)))
            except Forbidden as exc:
                return error_response(ApiError(403, str(exc)))
            except ServiceError as exc:  # a rule of the incident's state: closed, no channel yet, not allowed…
                return error_response(ApiError(409, str(exc)))

        view.__name__ = handler.__name__
        return view

    # --- routes ---------------------------------------------------------------------------------------------
    def open(self, app: RedAlertApp, requester: Requester) -> Response:
        opened = app.open_from_api(requester, open_fields(json_body(), app.settings, app.workflows_file()))
        body = render.incident(opened.view)
        location = {"Location": f"{BASE}/incidents/{opened.view.incident.number}"}
        return respond(body, 201 if opened.created else 200, location)

    def list(self, app: RedAlertApp, requester: Requester) -> Response:
        query = list_query({key: request.args.get(key, "") for key in request.args}, app.settings)
        page = app.list_api_incidents(requester, query)
        return respond({"items": [render.incident(item) for item in page.items], "next_cursor": page.next_cursor})

    def show(self, app: RedAlertApp, requester: Requester, number: str) -> Response:
        return respond(render.incident(app.api_incident(requester, _number(number))))

    def update(self, app: RedAlertApp, requester: Requester, number: str) -> Response:
        text, status = update_fields(json_body(), app.settings)
        return respond(render.incident(app.api_update(requester, _number(number), text, status)))

    def severity(self, app: RedAlertApp, requester: Requester, number: str) -> Response:
        severity = severity_field(json_body(), app.settings)
        return respond(render.incident(app.api_change_severity(requester, _number(number), severity)))

    def close(self, app: RedAlertApp, requester: Requester, number: str) -> Response:
        resolution = close_fields(json_body())
        return respond(render.incident(app.api_close(requester, _number(number), resolution)))

    def set_fields(self, app: RedAlertApp, requester: Requester, number: str) -> Response:
        values = set_fields_body(json_body(), app.workflows_file())
        return respond(render.incident(app.api_set_fields(requester, _number(number), values)))

    # --- alert intake: one use case, two senders ----------------------------------------------------------------
    def alertmanager(self, app: RedAlertApp, requester: Requester) -> Response:
        return respond(render.alerts_received(app.receive_alerts(requester, "alertmanager", json_body())))

    def grafana(self, app: RedAlertApp, requester: Requester) -> Response:
        return respond(render.alerts_received(app.receive_alerts(requester, "grafana", json_body())))

    # --- Trello's webhook -------------------------------------------------------------------------------------------
    def trello_hook(self) -> Response:
        """A card's change from Trello: 401 unless Trello signed it for this address; else 200, applied once."""
        app = self._app()
        if app is None:
            return error_response(ApiError(503, "RedAlert is starting; try again in a moment."))
        try:
            applied = app.receive_trello_webhook(request.get_data(), request.headers.get("X-Trello-Webhook"))
        except NotTrello as exc:
            return respond({"message": str(exc)}, 401)
        return respond({"task": applied.task, "changed": applied.changed, "why": applied.why})

    def jira(self) -> Response:
        return _jira_hook(self._app)


# --- inbound webhooks: verified by their own signature, then one use case ----------------------------------------
def _jira_hook(app: Callable[[], RedAlertApp | None]) -> Response:
    current = app()
    if current is None:
        return error_response(ApiError(503, "RedAlert is starting; try again in a moment."))
    headers = request.headers
    applied = current.receive_jira_webhook(
        request.get_data(), headers.get("X-Hub-Signature"), headers.get("X-Atlassian-Webhook-Identifier")
    )
    if applied is None:
        return error_response(ApiError(401, "The webhook is not signed with JIRA_WEBHOOK_SECRET; nothing changed."))
    if applied.pending:  # Jira retries a 5xx with the same identifier; by then the key is stored
        message = f"Task T{applied.task}'s Jira issue is being linked; nothing changed yet, try again shortly."
        return respond({"message": message, "task": applied.task}, 503, {"Retry-After": "5"})
    return respond({"task": applied.task, "changes": applied.changes, "duplicate": applied.duplicate})


def _not_allowed(allowed: list[str]) -> Callable[..., Response]:
    def view(**_path: str) -> Response:
        response = error_response(ApiError(405, f"This address takes {' and '.join(allowed)} only."))
        response.headers["Allow"] = ", ".join(allowed)
        return response

    return view


def _number(text: str) -> int:
    """An incident number from the path; anything else is a number nobody used."""
    if not text.isdigit() or not 0 < int(text) < 2**31:
        raise ApiError(404, f"There is no incident {text[:20]}.")
    return int(text)
