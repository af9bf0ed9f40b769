"""The API's OpenAPI document as the contract: every response a test gets is checked against it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

DOCUMENT_PATH = Path(__file__).resolve().parents[2] / "plugins/redalert/redalert_core/frontends/api/openapi.json"
DOCUMENT: dict[str, Any] = json.loads(DOCUMENT_PATH.read_text())
BASE = "/redalert/api/v1"
_REGISTRY = Registry().with_resource("urn:api", Resource(contents=DOCUMENT, specification=DRAFT202012))


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = DOCUMENT
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _operation(path: str, method: str) -> dict[str, Any]:
    relative = path.split("?")[0].removeprefix(BASE)
    for template, item in DOCUMENT["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, relative) and method.lower() in item:
            return item[method.lower()]
    raise AssertionError(f"{method} {path} is not in the document")


def check(response: Any, path: str, method: str) -> Any:
    """Assert that `response` (a Flask test response or an httpx one) is one the document allows; return its JSON."""
    status = str(response.status_code)
    operation = _operation(path, method)
    assert status in operation["responses"], f"{method} {path}: {status} is not documented: {response.text[:300]}"
    documented = _resolve(operation["responses"][status])
    for name in documented.get("headers", {}):
        assert response.headers.get(name), f"{method} {path}: {status} lacks the {name} header"
    assert response.headers["Content-Type"].startswith("application/json")
    body = json.loads(response.text if hasattr(response, "text") else response.data)
    schema = {"$ref": "urn:api#/" + _pointer(documented["content"]["application/json"]["schema"])}
    validator = Draft202012Validator(schema, registry=_REGISTRY, format_checker=FormatChecker())
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(body)]
    assert not errors, f"{method} {path} {status}: {errors}"
    return body


def _pointer(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return schema["$ref"].removeprefix("#/")
    # An inline schema: find where it sits in the document.
    for template, item in DOCUMENT["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, answer in operation["responses"].items():
                if answer.get("content", {}).get("application/json", {}).get("schema") is schema:
                    escaped = template.replace("~", "~0").replace("/", "~1")
                    return f"paths/{escaped}/{method}/responses/{status}/content/application~1json/schema"
    raise AssertionError("schema not found in the document")
