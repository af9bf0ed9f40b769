"""Slack's published OpenAPI description (tests/specs/, MIT) as JSON Schema validators, one per method's success."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator, ValidationError

SPEC_PATH = Path(__file__).resolve().parents[1] / "specs" / "slack_web_openapi_v2_without_examples.json"


def _read_as_meant(node: Any) -> Any:
    """Two habits of Slack's description, read as its authors meant them.

    - `items: [a, b]` means "one of a, b": on a schema that is not an array, for the value itself (`objs_user`, `tz`,
      `channel_actions_ts`), where JSON Schema would check nothing at all; on an array, for each element (`pins.list`
      holds file and message pins in any order), where JSON Schema would read a fixed-position tuple.
    - `additionalProperties: false` is dropped: the description predates keys Slack sends today
      (`response_metadata` on history pages, `app_id` on messages); what it *requires* is what we hold the emulator to.
    """
    if isinstance(node, list):
        return [_read_as_meant(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _read_as_meant(value) for key, value in node.items() if key != "additionalProperties"}
    if isinstance(out.get("items"), list):
        choices = out.pop("items")
        if out.get("type") == "array":
            out["items"] = {"anyOf": choices}
        else:
            out["anyOf"] = choices
    return out


@cache
def slack_spec() -> dict[str, Any]:
    return _read_as_meant(json.loads(SPEC_PATH.read_text()))


def has_method(method: str) -> bool:
    return f"/{method}" in slack_spec()["paths"]


def success_validator(method: str) -> Draft4Validator:
    """The 200 response schema of `method`, with `#/definitions/...` resolvable (Swagger 2.0 is JSON Schema draft 4)."""
    spec = slack_spec()
    operations = spec["paths"][f"/{method}"]
    (operation,) = operations.values()
    schema = operation["responses"]["200"]["schema"]
    return Draft4Validator({"definitions": spec["definitions"], "allOf": [schema]})


def schema_errors(method: str, body: dict[str, Any]) -> list[str]:
    """Every way `body` breaks the published success schema, as 'path: message' lines (empty when it conforms)."""
    return [line for error in success_validator(method).iter_errors(body) for line in _explain(error)]


def _explain(error: ValidationError) -> list[str]:
    """An `anyOf` failure is told through its closest branch (fewest errors), so the missing field is named."""
    if error.context:
        branches: dict[int, list[ValidationError]] = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        closest = min(branches.values(), key=len)
        return [line for sub in closest for line in _explain(sub)]
    return [f"{'/'.join(map(str, error.absolute_path)) or '<root>'}: {error.message}"]
