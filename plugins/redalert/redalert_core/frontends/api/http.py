"""JSON in and out: the answers every route shares (errors carry `message`, a 422 also `fields`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import Response, request

DOCUMENT = Path(__file__).with_name("openapi.json")


class ApiError(Exception):
    """An answer other than success: its status, the message and, for 422, one message per field."""

    def __init__(self, status: int, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.fields = fields


def respond(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def error_response(exc: ApiError) -> Response:
    body: dict[str, Any] = {"message": exc.message}
    if exc.fields is not None:
        body["fields"] = exc.fields
    headers = {"WWW-Authenticate": 'Bearer realm="redalert"'} if exc.status == 401 else None
    return respond(body, exc.status, headers)


def bearer() -> str | None:
    """The token of `Authorization: Bearer <token>`, if the header has that form."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def json_body() -> dict[str, Any]:
    """The request's JSON object; 422 for anything else."""
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        raise ApiError(422, "The request body must be a JSON object.", {"body": "The body must be a JSON object."})
    return body


_document: bytes | None = None


def document() -> Response:
    global _document
    if _document is None:
        _document = DOCUMENT.read_bytes()
    return Response(_document, mimetype="application/json")
