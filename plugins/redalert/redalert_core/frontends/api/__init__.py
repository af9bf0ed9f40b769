"""The HTTP API (issue 20): JSON under `/redalert/api/v1/` on the web port, described by `openapi.json`.

Each route reads the request, authenticates its bearer token (`app.authenticate`), builds the token's `Requester`
(front end API), calls one method of `RedAlertApp` and renders the result as JSON. docs/api.md tells users how.
"""

from .routes import BASE, ApiRoutes

__all__ = ["BASE", "ApiRoutes"]
