"""An OpenAPI 3.0 description vendored in tests/specs/, read as JSON Schema: what a request may be, what comes back.

Only what the emulator tests need: query and path parameters (strings on the wire, read as their declared type),
JSON request bodies, and the declared response schema for a status. OpenAPI 3.0's `nullable` becomes a `null` type;
`oneOf` is read as `anyOf`, since the descriptions use it for alternatives that overlap (Confluence's page body is
`{representation, value}` or `{storage: {...}}`, and the second, with no required keys, matches the first too).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator

SPECS = Path(__file__).resolve().parents[1] / "specs"


def _as_json_schema(node: Any) -> Any:
    if isinstance(node, list):
        return [_as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {("anyOf" if key == "oneOf" else key): _as_json_schema(value) for key, value in node.items()}
    if out.pop("nullable", False) is True:
        if "type" in out:
            out["type"] = [out["type"], "null"] if isinstance(out["type"], str) else [*out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    return out


class Description:
    def __init__(self, filename: str) -> None:
        self.doc: dict[str, Any] = _as_json_schema(json.loads((SPECS / filename).read_text()))

    def _resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            target: Any = self.doc
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            node = target
        return node

    def operation(self, path: str, method: str) -> dict[str, Any]:
        return self.doc["paths"][path][method.lower()]

    def _errors(self, schema: dict[str, Any], value: Any, where: str) -> list[str]:
        validator = Draft7Validator({"components": self.doc.get("components", {}), "allOf": [schema]})
        return [f"{where}{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(value)]

    def request_errors(
        self,
        path: str,
        method: str,
        query: dict[str, Any] | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
        **path_params: str,
    ) -> list[str]:
        """Why the description refuses this request (empty when it allows it). Query values are strings, as sent."""
        op, errors = self.operation(path, method), []
        query, given = dict(query or {}), {"path": path_params, "header": dict(headers or {})}
        given["query"] = query
        for raw in op.get("parameters", []):
            param = self._resolve(raw)
            values = given.get(param["in"], {})
            if param["name"] not in values:
                if param.get("required"):
                    errors.append(f"{param['name']}: required")
                continue
            schema = self._resolve(param.get("schema", {}))
            value = _typed(values[param["name"]], schema, self)
            errors += self._errors(param.get("schema", {}), value, f"{param['name']}: ")
        if "requestBody" in op:
            content = self._resolve(op["requestBody"])["content"]["application/json"]
            errors += self._errors(content["schema"], body, "body/")
        return errors

    def response_schema(self, path: str, method: str, status: int) -> dict[str, Any] | None:
        """The schema declared for this status (or its `4XX`/`5XX` class, or `default`); None when none is declared."""
        responses = self.operation(path, method)["responses"]
        for key in (str(status), f"{str(status)[0]}XX", "default"):
            if key in responses:
                content = self._resolve(responses[key]).get("content") or {}
                return (content.get("application/json") or {}).get("schema")
        return None

    def response_errors(self, path: str, method: str, status: int, body: Any, fallback: str | None = None) -> list[str]:
        """How `body` breaks the schema declared for `status`; `fallback` names a components/responses entry to use
        when the operation declares none (PagerDuty's 400 points at one only in prose)."""
        schema = self.response_schema(path, method, status)
        if schema is None and fallback is not None:
            schema = self.doc["components"]["responses"][fallback]["content"]["application/json"]["schema"]
        return [] if schema is None else self._errors(schema, body, "response/")


@cache
def description(filename: str) -> Description:
    return Description(filename)


def _typed(value: Any, schema: dict[str, Any], desc: Description) -> Any:
    """A query string value read as the declared type (form style: arrays are comma-separated)."""
    kind = schema.get("type")
    if not isinstance(value, str):
        return value
    if kind == "array":
        items = desc._resolve(schema.get("items", {}))
        return [_typed(part, items, desc) for part in value.split(",")]
    if kind in ("integer", "number"):
        try:
            return int(value) if kind == "integer" else float(value)
        except ValueError:
            return value
    if kind == "boolean" and value in ("true", "false"):
        return value == "true"
    if value == "null" and isinstance(kind, list) and "null" in kind:
        return None
    return value
