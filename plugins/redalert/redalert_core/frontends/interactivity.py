"""Slack interactions: the "Open an incident" modal, the summary's buttons and the Update modal.

A front end like the text commands, calling the same use cases of the application (RedAlertApp): the form opens
through `open_incident`, Join through `join`, Update and Resolve through `set_status` / `post_update`, Close
through `close`, each with that command's permission checks (Errbot's ACLs never see a click).

Every entry point returns the payload for the envelope's ack (None for an empty ack) quickly: Slack wants the ack
within 3 s. Anything slower runs on this front end's own pool after the ack, and its answer reaches the person as an
ephemeral message through the interaction's response_url (chat.postEphemeral, then a DM, when there is none).

A trigger_id works once and expires 3 s after Slack sent it, so views.open is called before any Slack call and is
never retried. Choosing an incident type in the open form is acked at once (empty) and the form is updated with that
type's fields right after, on this front end's pool (views.update with the payload's hash; view_updates.py).

Clicks and submissions are claimed in the store by a key (what, who, which message as it was shown,
or which view), so a double click or a redelivered envelope does one thing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import timedelta
from typing import Any

from ..application.app import RedAlertApp
from ..application.errors import ServiceError
from ..application.results import OpenRequest
from ..domain import status_parsing
from ..domain import text as texts
from ..domain.incident_fields import FieldsRefused
from ..domain.incident_form import FormErrors, preselect, validate_open, validate_update
from ..domain.requester import FrontEnd, Requester
from ..domain.status_parsing import PublishRequest
from ..observability import log_context
from ..slack import blocks, modals
from ..slack.gateway import SlackError
from ..slack.status_modal import read_publish_form
from ..slack.type_form import TYPE_ACTION, TypeView
from . import replies
from .view_updates import ViewUpdates

log = logging.getLogger(__name__)

# A click counts as a repeat of the same click on the same message for this long; after it, it is a new request
# (a Join after leaving the channel, say). An Update click is released as soon as its modal closes.
CLICK_REPEAT_WINDOW = timedelta(seconds=60)


class Interactivity:
    def __init__(self, app: RedAlertApp, workers: int = 4) -> None:
        self.app = app
        self.gateway = app.gateway  # answers shown to the person only (response_url, ephemeral, DM)
        # Its own pool: opening waits on the incident service's pool, which must never be filled by its callers.
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="redalert-interaction")
        self._pending: set[Future] = set()
        self._guard = threading.Lock()
        self.view_updates = ViewUpdates(app.gateway)
        # Form updates get their own threads: Slack's 3 s run while the person looks at the form, so they must never
        # queue behind opens that wait for Slack on the pool above.
        self._view_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="redalert-view-update")

    @property
    def settings(self):
        return self.app.settings

    # --- background work ----------------------------------------------------------------------------------------
    def _later(self, origin: Requester, work: Callable[[], str | None], *, claim: str | None = None) -> None:
        """Run `work` after the ack; its text (or the refusal it raises) goes to the person privately.

        A refused request changed nothing: its claim is released, so that trying again is answered again.
        """

        def run() -> None:
            try:
                text = work()
            except ServiceError as exc:
                text = texts.unping(str(exc))
                if claim:
                    self.app.release_interaction(claim)
            except Exception:
                log.exception("An interaction by %s failed", origin.user)
                text = (
                    "Something went wrong on my side; nothing more was done. Try again, or use the `!incident` command."
                )
            if text:
                self.tell(origin, text)

        self._background(run)

    def _background(self, run: Callable[[], None], pool: ThreadPoolExecutor | None = None) -> None:
        future = (pool or self._pool).submit(log_context.carry(run))
        with self._guard:
            self._pending.add(future)
        future.add_done_callback(self._forget)

    def _forget(self, future: Future) -> None:
        with self._guard:
            self._pending.discard(future)

    def drain(self, timeout: float = 30.0) -> bool:
        """Wait for the answers still being worked out; True when none is left."""
        with self._guard:
            pending = set(self._pending)
        return not wait(pending, timeout=timeout).not_done

    def shutdown(self) -> None:
        self._view_pool.shutdown(wait=True)
        self._pool.shutdown(wait=True)

    def tell(self, origin: Requester, text: str) -> bool:
        """Show `text` to the person only: through the response_url, else as an ephemeral message, else in a DM."""
        if origin.reply_url:
            try:
                self.gateway.respond(origin.reply_url, blocks.ephemeral(text))
                return True
            except SlackError as exc:
                log.info("Could not answer %s through the response_url: %s", origin.user, exc)
        channel = origin.member_of
        if channel and not channel.startswith("D"):
            try:
                self.gateway.post_ephemeral(channel, origin.user, text)
                return True
            except SlackError as exc:
                log.info("Could not answer %s ephemerally in %s: %s", origin.user, channel, exc)
        try:
            self.gateway.send_dm(origin.user, text)
            return True
        except SlackError as exc:
            log.warning("Could not answer %s at all: %s", origin.user, exc)
            return False

    def _claim(self, key: str, stale_after: timedelta | None = None) -> bool:
        return self.app.claim_interaction(key, stale_after)

    # --- /incident with no text: the "Open an incident" modal ---------------------------------------------------
    def show_open_form(
        self, *, trigger_id: str, user: str, channel: str | None, response_url: str | None
    ) -> dict | None:
        """Open the modal (first thing: the trigger is short-lived); the ack payload for the slash command.
        With incident types, the form opens on the file's first type (the one chat takes when none is named)."""
        file = self.app.workflows_file()
        kind = file.default_type()
        shown = None
        if kind is not None:
            severity, private = preselect(None, kind, None, False)
            shown = TypeView(file, kind, severity, private)
        data = {"channel": channel, "response_url": response_url, "type": kind.name if kind else None}
        metadata = modals.encode_metadata(data)
        try:
            self.gateway.open_view(trigger_id, modals.open_incident(self.settings, metadata, shown))
        except SlackError as exc:
            if exc.code == "exchanged_trigger_id":
                return None  # a redelivery of a command whose form is already open
            return blocks.ephemeral(
                f"I could not open the form: {exc.describe()}. "
                "You can also type `/incident open <severity> <description>`."
            )
        return None

    def submit_open_form(self, view: dict, user: str) -> dict | None:
        """A submitted "Open an incident" modal: errors shown in the form, or the incident opened after the ack.
        The type and custom fields are checked as chat checks them (the same words), under their own blocks."""
        form = modals.read_open_form(view)
        meta = modals.decode_metadata(view.get("private_metadata"))
        if form.incident_type is not None and form.incident_type != meta.get("type"):
            # Submitted before the form showed the chosen type's fields (its views.update is on the way).
            return modals.errors({"type": "The form now shows this type's fields: check them and submit again."})
        try:
            severity, description, mentions = validate_open(form, self.settings, self.app.workflows_file())
        except FormErrors as bad:
            return modals.errors(bad.errors, view)
        view_id = view.get("id", "")
        origin = self._requester(user, meta.get("channel"), meta.get("response_url"))
        try:
            request = self.app.typed_open(  # the type's private default and people, as for chat and the API
                OpenRequest(
                    severity=severity,
                    description=description,
                    opened_by=user,
                    origin_channel=origin.member_of,
                    mentions=mentions,
                    dedup_key=f"modal:{view_id}",  # the store's unique key: one incident per form, however often sent
                    is_private=form.is_private,
                    incident_type=form.incident_type,
                    fields=form.fields,
                )
            )
        except FieldsRefused as refused:  # the workflows file changed between the two checks
            return modals.errors(refused.fields, view)
        # Recorded before the ack (a database write, no Slack call): once the modal closes, a crash cannot lose
        # the incident; a restart finishes its channel. The Slack steps run after the ack.
        try:
            recorded = self.app.record_open(request)
        except ServiceError as exc:  # the severity was removed between validation and now
            return modals.errors({"severity": texts.unping(str(exc))})
        if recorded.repeated:  # the same incident from a second form, moments later: say where the first one is
            number, where = recorded.incident.number, _channel(recorded.incident)
            self._later(origin, lambda: f"You opened this a moment ago: Incident {number} in {where}.")
        elif not recorded.duplicate:
            self._later(origin, lambda: replies.opened(self.app.open_incident(request, recorded), self.settings))
        return None  # a duplicate: the same submission again, already being answered

    def _requester(self, user: str, channel: str | None, reply_url: str | None) -> Requester:
        """Who clicked or submitted: a click in a channel proves nothing about membership (`here` stays None),
        but answers to the person go there (`member_of`) when Slack gives no response_url."""
        return Requester(
            user=user,
            is_admin=self.app.is_admin(user),
            member_of=channel,
            front_end=FrontEnd.INTERACTIVITY,
            reply_url=reply_url,
        )

    # --- the open form's type select ---------------------------------------------------------------------------
    def choose_type(self, payload: dict) -> None:
        """A type picked in the open form: the ack is empty at once; the form is updated with the type's fields
        right after (views.update with the payload's hash), keeping what the person entered."""
        view = payload.get("view") or {}
        action = (payload.get("actions") or [{}])[0]
        chosen = (action.get("selected_option") or {}).get("value")
        view_id = view.get("id")
        if not chosen or not view_id:
            return
        form = modals.read_open_form(view)
        meta = modals.decode_metadata(view.get("private_metadata"))
        try:
            picked_at = float(action.get("action_ts") or 0)
        except ValueError:
            picked_at = 0.0

        def build() -> dict:
            file = self.app.workflows_file()
            kind = file.type_named(chosen) or file.default_type()
            if kind is None:
                raise ServiceError("The workflows file has no incident types any more.")
            before = file.type_named(str(meta.get("type") or ""))
            severity, private = preselect(before, kind, form.severity, form.is_private)
            metadata = modals.encode_metadata({**meta, "type": kind.name})
            return modals.open_incident(self.settings, metadata, TypeView(file, kind, severity, private))

        def run() -> None:
            try:
                self.view_updates.show(view_id, picked_at, view.get("hash"), build)
            except (SlackError, ServiceError) as exc:
                log.info("The open form %s was not updated for type %s: %s", view_id, chosen, exc)

        self._background(run, self._view_pool)

    # --- the summary's buttons ----------------------------------------------------------------------------------
    def click(self, payload: dict) -> dict | None:
        """A block_actions payload; the ack is always empty (Slack ignores a message in it)."""
        actions = payload.get("actions") or []
        if not actions:
            return None
        action = actions[0]
        action_id = action.get("action_id")
        if action_id not in blocks.SUMMARY_ACTIONS:
            return None
        user = (payload.get("user") or {}).get("id", "")
        channel = (payload.get("channel") or {}).get("id") or (payload.get("container") or {}).get("channel_id")
        asker = self._requester(user, channel, payload.get("response_url"))
        try:
            number = int(str(action.get("value", "")).strip())
        except ValueError:
            return None
        key = self._click_key(action_id, user, payload)
        if not self._claim(key, CLICK_REPEAT_WINDOW):
            return None  # a double click or a redelivery: the first one is being handled
        if action_id == blocks.UPDATE:
            self._show_update_form(number, asker, payload.get("trigger_id", ""), key)
        elif action_id == blocks.JOIN:
            self._later(asker, lambda: self._join(number, asker), claim=key)
        elif action_id == blocks.RESOLVE:
            self._later(asker, lambda: self._resolve(number, asker), claim=key)
        elif action_id == blocks.CLOSE:
            self._later(asker, lambda: self._close(number, asker), claim=key)
        return None

    @staticmethod
    def _click_key(action_id: str, user: str, payload: dict) -> str:
        """What was clicked, by whom, on which message as it was shown: a later click on the updated summary
        (after a status change, say) is a new click; the same click sent twice is not."""
        message = payload.get("message") or {}
        shown = json.dumps(message.get("blocks") or message.get("text") or "", sort_keys=True)
        digest = hashlib.sha256(shown.encode()).hexdigest()[:16]
        return f"click:{action_id}:{user}:{message.get('ts', '')}:{digest}"

    def _show_update_form(self, number: int, asker: Requester, trigger_id: str, key: str) -> None:
        # Only local reads before views.open: the trigger expires 3 s after Slack sent it.
        origin = asker
        try:
            incident = self.app.find(asker, number, "update")
        except ServiceError as exc:
            self.app.release_interaction(key)
            refusal = texts.unping(str(exc))
            self._later(origin, lambda: refusal)
            return
        status = self.app.current_status(incident.number)
        metadata = modals.encode_metadata(
            {"number": incident.number, "channel": origin.member_of, "response_url": origin.reply_url, "click": key}
        )
        try:
            self.gateway.open_view(trigger_id, modals.update_incident(incident, self.settings, status, metadata))
        except SlackError as exc:
            self.app.release_interaction(key)  # nothing was shown: clicking again must work
            failure = (
                f"I could not open the update form: {exc.describe()}. "
                "Click Update again, or type `!incident update <text>` in the channel."
            )
            self._later(origin, lambda: failure)

    def _join(self, number: int, asker: Requester) -> str:
        joined, already = self.app.join(asker, number)
        incident = joined.incident
        if joined.outcome.failed:
            return f"I could not add you to {_channel(incident)}:{replies.failed_invites_line(joined.outcome.failed)}"
        if already:
            return f"You are already in incident {incident.number}: {_channel(incident)}."
        return f"You joined incident {incident.number}: {_channel(incident)}.{replies.warnings_lines(joined.warnings)}"

    def _resolve(self, number: int, asker: Requester) -> str:
        resolved = self.settings.resolved_status
        outcome = self.app.set_status(asker, number, resolved, None)
        text = (
            f"Incident {outcome.incident.number} is now {resolved} (was {outcome.previous}). "
            "Resolution time recorded; close it with the Close button or `!incident close [resolution]`."
        )
        return text + replies.warnings_lines(outcome.warnings)

    def _close(self, number: int, asker: Requester) -> str:
        # A click in a public channel does not prove membership (`here` is None): close asks Slack.
        closed = self.app.close(asker, number, None)
        incident = closed.incident
        lasted = texts.duration(closed.lasted)
        return (
            f"Incident {incident.number} closed after {lasted}; "
            f"its channel is archived.{replies.warnings_lines(closed.warnings)}"
        )

    # --- the Update modal ---------------------------------------------------------------------------------------
    def submit_update_form(self, view: dict, user: str) -> dict | None:
        meta = modals.decode_metadata(view.get("private_metadata"))
        number = meta.get("number")
        if not isinstance(number, int):
            return modals.errors({"text": "This form lost track of its incident; close it and click Update again."})
        current = self.app.current_status(number)
        form = modals.read_update_form(view)
        try:
            publish = status_parsing.from_form(*read_publish_form(view), self.settings.status_page.names)
            if publish is not None and not (form.text or "").strip() and (form.status or current) == current:
                status, text = None, None  # only a publish
            else:
                status, text = validate_update(form, self.settings.statuses, current)
        except FormErrors as bad:
            return modals.errors(bad.errors)
        if not self._claim(f"submit:{view.get('id', '')}"):
            return None
        if meta.get("click"):  # the modal closes: Update on the same summary may open it again
            self.app.release_interaction(meta["click"])
        asker = self._requester(user, meta.get("channel"), meta.get("response_url"))
        self._later(asker, lambda: self._update(number, asker, status, text, publish))
        return None

    def _update(
        self, number: int, asker: Requester, status: str | None, text: str | None, publish: PublishRequest | None
    ) -> str | None:
        done = self.app.submit_update(asker, number, status, text, publish)
        parts: list[str] = []
        if done.status is not None:
            parts.append(f"Incident {done.incident.number} is now {status} (was {done.status.previous}).")
        if done.update is not None:
            parts.append(f"Update posted in {' and '.join(f'<#{c}>' for c in done.update.where)}.")
        if done.published is not None:
            entry = done.published.entry
            parts.append(f"Published on the status page as “{texts.escape(entry.title)}” ({entry.status}).")
        if not parts:
            return None
        return " ".join(parts) + replies.warnings_lines(done.warnings)

    # --- routing ------------------------------------------------------------------------------------------------
    def interactive(self, payload: dict) -> dict | None:
        """Any `interactive` envelope's payload: the ack payload for it."""
        kind = payload.get("type")
        user = (payload.get("user") or {}).get("id", "")
        view: dict[str, Any] = payload.get("view") or {}
        if kind == "block_actions" and payload.get("container", {}).get("type") != "view":
            return self.click(payload)
        if kind == "block_actions":  # inside a modal: the open form's type select is the one that acts
            action_id = ((payload.get("actions") or [{}])[0]).get("action_id")
            if view.get("callback_id") == modals.OPEN_CALLBACK and action_id == TYPE_ACTION:
                self.choose_type(payload)
            return None
        if kind == "view_submission":
            callback = view.get("callback_id")
            if callback == modals.OPEN_CALLBACK:
                return self.submit_open_form(view, user)
            if callback == modals.UPDATE_CALLBACK:
                return self.submit_update_form(view, user)
        if kind == "view_closed":
            click = modals.decode_metadata(view.get("private_metadata")).get("click")
            if view.get("callback_id") == modals.UPDATE_CALLBACK and isinstance(click, str):
                self.app.release_interaction(click)  # cancelled: Update may open the form again
        return None  # shortcuts and other apps' payloads: an empty ack


def _channel(incident) -> str:
    return f"<#{incident.channel_id}>" if incident.channel_id else "(no channel yet)"
