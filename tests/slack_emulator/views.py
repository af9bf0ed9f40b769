"""Modals: trigger ids (3 s, single use), view stacks, and the views.open / views.update / views.push methods.

ViewStore is plain state guarded by the emulator lock, like the Workspace; trigger ages come from the emulator's
clock so tests can expire one with emu.advance_clock(4).

views.update as Slack documents it (tests/slack_api_ref/ref_views.update.json): the view is named by `view_id` or
`external_id`; a `hash` that is not the view's current one is `hash_conflict` (the view changed since the payload
that carried it); the reply is the view with a new hash. What a person entered stays in inputs whose block_id and
action_id the new view keeps ("Preserving input entry"); inputs that are new or renamed start from their initial_*.
"""

from __future__ import annotations

import copy
import itertools
import secrets
import time
from dataclasses import dataclass
from typing import Any

from .clock import EmulatorClock
from .modal_rules import ModalInvalid, validate_modal
from .web_api import ApiContext, ApiError, _str, method
from .workspace import Workspace

TRIGGER_SECONDS = 3.0
MAX_STACK = 3


@dataclass
class Trigger:
    user: str
    issued_at: float
    view_id: str | None  # set when the interaction happened inside a modal (views.push target)
    used: bool = False


class ViewStore:
    def __init__(self, ws: Workspace, clock: EmulatorClock) -> None:
        self.ws = ws
        self.clock = clock
        self.triggers: dict[str, Trigger] = {}
        self.views: dict[str, dict[str, Any]] = {}  # every view ever opened, by id, latest version
        self.owner: dict[str, str] = {}  # view id -> user id
        self.stacks: list[list[str]] = []  # open modal stacks, root first
        self.errors_shown: dict[str, dict[str, str]] = {}  # view id -> last response_action errors
        # view id -> {block_id: (action_id, element type, value)}: what the person entered (enter_in_view)
        self.entered: dict[str, dict[str, tuple[str, str, Any]]] = {}
        self._ids = itertools.count(1)

    # --- triggers --------------------------------------------------------------------------------------------
    def issue_trigger(self, user: str, view_id: str | None = None) -> str:
        n = next(self._ids)
        trigger_id = f"{int(time.time())}{n:04d}.{n * 7919}.{secrets.token_hex(16)}"  # Slack's shape: n.n.hex
        self.triggers[trigger_id] = Trigger(user, self.clock.now(), view_id)
        return trigger_id

    def take_trigger(self, trigger_id: str) -> Trigger:
        trigger = self.triggers.get(trigger_id)
        if trigger is None:
            raise ApiError("invalid_trigger_id")
        if trigger.used:
            raise ApiError("exchanged_trigger_id")
        if self.clock.now() - trigger.issued_at > TRIGGER_SECONDS:
            raise ApiError("expired_trigger_id")
        trigger.used = True
        return trigger

    # --- views -----------------------------------------------------------------------------------------------
    def _render(self, spec: dict[str, Any], view_id: str, root: str, previous: str | None) -> dict[str, Any]:
        blocks = copy.deepcopy(spec.get("blocks", []))
        for block in blocks:
            block.setdefault("block_id", secrets.token_urlsafe(4))  # Slack names blocks that have no block_id
        return {
            "id": view_id,
            "team_id": self.ws.team_id,
            "type": "modal",
            "title": spec.get("title"),
            "submit": spec.get("submit"),
            "close": spec.get("close"),
            "blocks": blocks,
            "private_metadata": spec.get("private_metadata", ""),
            "callback_id": spec.get("callback_id", ""),
            "external_id": spec.get("external_id", ""),
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
            "clear_on_close": bool(spec.get("clear_on_close", False)),
            "notify_on_close": bool(spec.get("notify_on_close", False)),
            "root_view_id": root,
            "previous_view_id": previous,
            "app_id": self.ws.app_id,
            "app_installed_team_id": self.ws.team_id,
            "bot_id": self.ws.bot_id,
        }

    def _check_external_id(self, spec: dict[str, Any], except_id: str | None = None) -> None:
        ext = spec.get("external_id")
        if ext and any(v["external_id"] == ext and vid != except_id for vid, v in self.views.items()):
            raise ApiError("duplicate_external_id")

    def open(self, user: str, spec: dict[str, Any]) -> dict[str, Any]:
        self._check_external_id(spec)
        view_id = f"V0{next(self._ids):08X}"
        self.views[view_id] = self._render(spec, view_id, view_id, None)
        self.owner[view_id] = user
        self.stacks.append([view_id])
        return self.views[view_id]

    def stack_of(self, view_id: str) -> list[str] | None:
        return next((s for s in self.stacks if view_id in s), None)

    def push(self, user: str, spec: dict[str, Any], from_view: str | None) -> dict[str, Any]:
        stack = self.stack_of(from_view) if from_view else None
        if stack is None:
            stack = next((s for s in reversed(self.stacks) if self.owner[s[0]] == user), None)
        if stack is None:
            raise ApiError("not_found")
        if len(stack) >= MAX_STACK:
            raise ApiError("push_limit_reached")
        self._check_external_id(spec)
        view_id = f"V0{next(self._ids):08X}"
        self.views[view_id] = self._render(spec, view_id, stack[0], stack[-1])
        self.owner[view_id] = user
        stack.append(view_id)
        return self.views[view_id]

    def find(self, view_id: str, external_id: str) -> dict[str, Any]:
        if view_id:
            view = self.views.get(view_id)
        else:
            view = next((v for v in self.views.values() if v["external_id"] == external_id), None)
        if view is None or self.stack_of(view["id"]) is None:
            raise ApiError("not_found")
        return view

    def update(self, view_id: str, spec: dict[str, Any]) -> dict[str, Any]:
        old = self.views[view_id]
        self._check_external_id(spec, except_id=view_id)
        self.views[view_id] = self._render(spec, view_id, old["root_view_id"], old["previous_view_id"])
        self.errors_shown.pop(view_id, None)
        kept = _inputs(self.views[view_id])
        self.entered[view_id] = {
            block_id: entry
            for block_id, entry in self.entered.get(view_id, {}).items()
            if kept.get(block_id) == entry[:2]  # the same block_id, action_id (and element type): Slack keeps it
        }
        return self.views[view_id]

    def enter(self, view_id: str, block_id: str, action_id: str, kind: str, value: Any) -> None:
        self.entered.setdefault(view_id, {})[block_id] = (action_id, kind, value)

    def entries(self, view_id: str) -> dict[str, Any]:
        """block_id -> what the person entered there (and the view still shows)."""
        return {block_id: entry[2] for block_id, entry in self.entered.get(view_id, {}).items()}

    def close(self, view_id: str, clear: bool = False) -> None:
        """Close a view and those above it; clear closes the whole stack."""
        stack = self.stack_of(view_id)
        if stack is None:
            return
        if clear:
            stack.clear()
        else:
            del stack[stack.index(view_id) :]
        if not stack:
            self.stacks.remove(stack)

    def open_views(self, user: str | None = None) -> list[dict[str, Any]]:
        return [
            copy.deepcopy(self.views[vid])
            for stack in self.stacks
            for vid in stack
            if user is None or self.owner[vid] == user
        ]


def _inputs(view: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """block_id -> (action_id, element type) of a view's input blocks."""
    return {
        block["block_id"]: (str(block["element"].get("action_id", "")), str(block["element"].get("type", "")))
        for block in view.get("blocks") or []
        if block.get("type") == "input" and isinstance(block.get("element"), dict)
    }


def _spec(args: dict[str, Any]) -> dict[str, Any]:
    if args.get("view") in (None, ""):
        raise ApiError("invalid_arguments", response_metadata={"messages": ["[ERROR] missing required field: view"]})
    try:
        return validate_modal(args["view"])
    except ModalInvalid as bad:
        extra = {"response_metadata": {"messages": bad.messages}} if bad.messages else {}
        raise ApiError(bad.error, **extra) from None


def _trigger_arg(args: dict[str, Any]) -> str:
    trigger_id = _str(args, "trigger_id")
    if not trigger_id:
        raise ApiError(
            "invalid_arguments", response_metadata={"messages": ["[ERROR] missing required field: trigger_id"]}
        )
    return trigger_id


def _store(ctx: ApiContext) -> ViewStore:
    assert ctx.views is not None
    return ctx.views


@method("views.open", tier="t4")
def views_open(ctx: ApiContext, args: dict[str, Any]) -> dict[str, Any]:
    trigger_id = _trigger_arg(args)
    spec = _spec(args)  # a malformed view does not use up the trigger
    trigger = _store(ctx).take_trigger(trigger_id)
    return {"view": copy.deepcopy(_store(ctx).open(trigger.user, spec))}


@method("views.push", tier="t4")
def views_push(ctx: ApiContext, args: dict[str, Any]) -> dict[str, Any]:
    trigger_id = _trigger_arg(args)
    spec = _spec(args)
    trigger = _store(ctx).take_trigger(trigger_id)
    return {"view": copy.deepcopy(_store(ctx).push(trigger.user, spec, trigger.view_id))}


@method("views.update", tier="t4")
def views_update(ctx: ApiContext, args: dict[str, Any]) -> dict[str, Any]:
    view_id, external_id = _str(args, "view_id"), _str(args, "external_id")
    if not view_id and not external_id:
        raise ApiError(
            "invalid_arguments", response_metadata={"messages": ["[ERROR] view_id or external_id is required"]}
        )
    spec = _spec(args)
    store = _store(ctx)
    current = store.find(view_id, external_id)
    given_hash = _str(args, "hash")
    if given_hash and given_hash != current["hash"]:
        raise ApiError("hash_conflict")
    return {"view": copy.deepcopy(store.update(current["id"], spec))}
