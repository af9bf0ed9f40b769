"""Try RedAlert without Slack: the local Slack emulator with a demo workspace, and the real bot against it.

    make sandbox            type messages as a Slack user and watch the bot and the workspace
    make sandbox-script     play a whole incident lifecycle and print the transcript

Besides messages: `/incident [text]` runs the slash command (a form is filled in at the prompt) and
`/click join|update|resolve|close` presses a button on the latest incident's pinned summary.

Everything runs on 127.0.0.1; nothing is sent to Slack. Local emulators of PagerDuty, Trello, Jira and Confluence
stand in for those systems: the scripted incident pages PagerDuty, its task becomes a Trello card and a Jira issue,
is done from Slack (the issue moves to Done) and reopened "in Jira" (`/jira reopen`: the signed webhook brings it
back to Slack), and its post-mortem becomes a Confluence page (`/outside` shows them in the interactive sandbox).
"""

from __future__ import annotations

import argparse
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from bot_process import BotProcess
from sandbox_jira import SandboxJira
from slack_workspace import ADMIN, APP_SCOPES, APP_TOKEN, BOT_TOKEN

from outside_emulators import ConfluenceEmulator, PagerDutyEmulator, TrelloEmulator
from slack_emulator import SlackEmulator

ROUTING_KEY = "0123456789abcdef0123456789abcdef"  # the emulator's demo integration key
TRELLO_KEY, TRELLO_TOKEN = "5a11d0b0c0ffee00112233445566778f", "ATTA" + "5a" * 30
CONFLUENCE_EMAIL, CONFLUENCE_TOKEN = "redalert@example.com", "sandbox-confluence-token"
USERS = {"admin": ADMIN, "alice": "U0ALICE", "bob": "U0BOB", "carol": "U0CAROL", "dave": "U0DAVE"}
SETTLE_SECONDS = 0.4  # an interactive tool may wait for the bot to go quiet; tests never do

SCRIPT = [
    ("alice", "#ops", "!incident open sev1 Checkout is down <@U0DAVE> <!subteam^S0SRE|@sre>"),
    ("alice", "#ops", "!incident list"),
    ("bob", "#incident", "!incident invite <@U0ADMIN>"),
    ("bob", "#incident", "!incident lead <@U0BOB>"),
    ("bob", "#incident", "!incident status identified bad deploy of the payment service"),
    ("bob", "#incident", "!incident update Rolling back the 14:02 deploy"),
    ("bob", "#incident", "!task add Add a retry budget to the payment client <@U0BOB> due in 3d"),
    # The task's Jira issue: done from Slack moves it to Done; reopened in Jira, the webhook brings that back.
    ("bob", "#incident", "/jira show"),
    ("bob", "#incident", "!task done T1 retry budget merged"),
    ("bob", "#incident", "/jira show Done"),
    ("carol", "#incident", "/jira reopen"),
    ("carol", "#incident", "!incident timeline"),
    ("bob", "#incident", "!incident close Rolled back the 14:02 deploy"),
    ("alice", "dm", "incident open sev3 Search results are stale"),
    ("carol", "#ops", "!incident list all"),
    # The second door: the slash command's form and the summary's buttons.
    (
        "carol",
        "#ops",
        "/incident",
        {"severity": "sev2", "description": "Search is slow", "people": "dave", "groups": "@sre"},
    ),
    ("admin", "#incident", "/click join"),
    ("bob", "#incident", "/click update", {"status": "identified", "text": "Reindexing the search cluster"}),
    ("bob", "#incident", "/click resolve"),
    ("carol", "#incident", "/click close", {"confirm": "y"}),
    ("alice", "#ops", "/incident list all"),
    ("carol", "#ops", "!incident stats 7d"),
]
ACTIONS = {
    "join": "incident_join",
    "update": "incident_update",
    "resolve": "incident_resolve",
    "close": "incident_close",
}
# Commands that upload a file after their text reply: the transcript waits for it (bounded).
UPLOADING = ("!incident stats", "!incident export")
CHART_COPY = Path(__file__).resolve().parents[1] / "test-artifacts" / "sandbox-stats-chart.png"


def seed_demo(emu: SlackEmulator) -> None:
    for name, uid in USERS.items():
        emu.add_user(uid, name, real_name=name.capitalize())
    emu.add_usergroup("S0SRE", "sre", [USERS["bob"], USERS["carol"]], name="SRE on call")
    everyone = [*USERS.values(), emu.bot_user_id]
    emu.add_channel("general", members=everyone, is_general=True)
    emu.add_channel("ops", members=everyone)


class Answers:
    """Form answers: from a scripted step, else typed at the prompt."""

    def __init__(self, given: dict[str, str] | None) -> None:
        self.given = given
        self.scripted = given is not None

    def __call__(self, field: str, prompt: str) -> str:
        if self.given is not None:
            return self.given.get(field, "")
        try:
            return input(f"  {prompt}: ").strip()
        except EOFError:
            return ""


@dataclass
class Outside:
    """The outside-system emulators the sandbox's bot is pointed at."""

    pagerduty: PagerDutyEmulator
    trello: TrelloEmulator
    confluence: ConfluenceEmulator
    jira: SandboxJira
    todo_list: str = ""
    bob_member: str = ""

    @classmethod
    def start(cls) -> Outside:
        outside = cls(
            PagerDutyEmulator(routing_keys=[ROUTING_KEY]).start(),
            TrelloEmulator(api_key=TRELLO_KEY, token=TRELLO_TOKEN).start(),
            ConfluenceEmulator(email=CONFLUENCE_EMAIL, api_token=CONFLUENCE_TOKEN).start(),
            SandboxJira.start({name: uid for name, uid in USERS.items() if name != "admin"}),
        )
        outside.todo_list = outside.trello.add_list(name="Incident follow-ups")
        outside.bob_member = outside.trello.add_member(username="bob")
        outside.confluence.add_space("OPS", "Operations")
        return outside

    def env(self) -> dict[str, str]:
        return {
            "ALLOW_PRIVATE_URLS": "1",  # the emulators listen on 127.0.0.1
            "PAGERDUTY_EVENTS_URL": self.pagerduty.url,
            "SANDBOX_PAGERDUTY_KEY": ROUTING_KEY,
            "TRELLO_API_URL": self.trello.url,
            "TRELLO_API_KEY": TRELLO_KEY,
            "TRELLO_TOKEN": TRELLO_TOKEN,
            "CONFLUENCE_URL": self.confluence.url,
            "CONFLUENCE_EMAIL": CONFLUENCE_EMAIL,
            "CONFLUENCE_API_TOKEN": CONFLUENCE_TOKEN,
            **self.jira.env(),
        }

    def config(self) -> str:
        return (
            "{'PAGERDUTY_ROUTING_KEYS': {'sev1': 'env:SANDBOX_PAGERDUTY_KEY'}, "
            f"'TRELLO_LIST_ID': '{self.todo_list}', 'TRELLO_MEMBERS': {{'{USERS['bob']}': '{self.bob_member}'}}, "
            f"'CONFLUENCE_SPACE_KEY': 'OPS', {self.jira.config(USERS)}}}"
        )

    def wait_for_script(self) -> None:
        """What the scripted incident sends out, delivered by the bot's outbox in the background."""
        self.pagerduty.wait_for_alert("redalert-incident-1", "resolved", timeout=30)
        self.trello.wait_for_cards(1, timeout=30)
        self.confluence.wait_for(lambda: self.confluence.pages, timeout=30)

    def report(self) -> list[str]:
        lines = ["Outside systems:"]
        for event in self.pagerduty.events:
            summary = event.payload.get("summary")
            details = f" {event.payload.get('severity')}: {summary!r}" if summary else ""
            lines.append(f"  PagerDuty: {event.event_action} {event.dedup_key}{details}")
        for card in self.trello.cards.values():
            state = "done" if card.dueComplete else "open"
            lines.append(f"  Trello: card {card.name!r} ({state}, due {card.due}, members {len(card.idMembers)})")
        for page in self.confluence.pages.values():
            lines.append(f"  Confluence: page {page.title!r} version {page.version}: {self.confluence.web_url(page)}")
        return lines + self.jira.report()

    def stop(self) -> None:
        for emulator in (self.pagerduty, self.trello, self.confluence):
            emulator.stop()
        self.jira.stop()


@dataclass
class Sandbox:
    emu: SlackEmulator
    bot: BotProcess
    outside: Outside | None = None
    last_incident: str | None = None
    printed: set[str] = field(default_factory=set)  # the ts of every bot message the transcript has shown

    def names(self, text: str) -> str:
        """Slack markup made readable: <@U0BOB> -> @bob, <#C1> -> #channel-name."""
        users = {uid: name for name, uid in USERS.items()} | {self.emu.bot_user_id: "RedAlert"}
        text = re.sub(r"<@(\w+)(?:\|[^>]*)?>", lambda m: "@" + users.get(m.group(1), m.group(1)), text)
        text = re.sub(r"<!subteam\^\w+\|(@[^>]+)>", r"\1", text)

        def channel(match: re.Match) -> str:
            found = next((c for c in self.emu.channels() if c.id == match.group(1)), None)
            return "#" + (found.name if found else match.group(1))

        return re.sub(r"<#(\w+)(?:\|[^>]*)?>", channel, text).replace("&amp;", "&").replace("&lt;", "<")

    def channel_id(self, where: str, user: str) -> str:
        if where == "dm":
            return self.emu.open_dm(USERS[user])
        if where == "#incident":
            if not self.last_incident:
                raise SystemExit("no incident channel yet")
            return self.last_incident
        found = self.emu.channel_by_name(where.lstrip("#"))
        if found is None:
            raise SystemExit(f"no channel {where}")
        return found.id

    def snapshot(self) -> dict[str, tuple]:
        channels = [c for c in self.emu.channels() if not c.id.startswith("D")]  # DMs are not news
        files = {c.id: tuple(f["title"] or f["filename"] for f in self.emu.files(c.id)) for c in channels}
        return {c.id: (c.name, c.topic, c.is_archived, frozenset(c.members), files[c.id]) for c in channels}

    def send(self, user: str, where: str, text: str) -> list[str]:
        """Post as `user`, wait for the bot to answer and go quiet, return the transcript lines."""
        channel = self.channel_id(where, user)
        label = where if where != "#incident" else "#" + self.emu.channel(channel).name
        before = self.snapshot()
        seen = {c: len(self.emu.messages(c)) for c in before}
        lines = [f"[{label}] {user}: {self.names(text)}"]
        ts = self.emu.post_user_message(USERS[user], channel, text)
        files_before = len(self.emu.files(channel))
        chart = None
        try:
            self.emu.wait_for_message(channel, after_ts=ts, timeout=15)
            if text.startswith(UPLOADING) and "No incidents" not in self.emu.messages(channel)[-1]["text"]:
                self.emu.wait_for(lambda: len(self.emu.files(channel)) > files_before, timeout=30)
                chart = self.emu.files(channel)[-1]
        except TimeoutError:
            lines.append("  (no reply from the bot)")
        self._settle()
        for cid in sorted({*self.snapshot(), channel}):
            for msg in self.emu.messages(cid)[seen.get(cid, 0) :]:
                if msg["user"] == self.emu.bot_user_id:
                    self.printed.add(msg["ts"])
                    where_said = label if cid == channel else "#" + self.emu.channel(cid).name
                    body = self.names(msg["text"]).replace("\n", "\n      ")
                    lines.append(f"[{where_said}] RedAlert: {body}")
        lines += self.changes(before)
        if chart is not None:
            self._keep_chart(chart, lines)
        return lines

    # --- Jira: what the task's issue looks like, and a person's change made there ----------------------------------
    def jira(self, user: str, where: str, text: str) -> list[str]:
        """`/jira show [<status>]`, `/jira done`, `/jira reopen` (sandbox_jira.py), with what the bot said about it."""
        if self.outside is None:
            raise SystemExit("no outside systems in this sandbox")
        channel = self.channel_id(where, user)
        label = where if where != "#incident" else "#" + self.emu.channel(channel).name

        def count(needle: str) -> int:
            return len(
                [m for m in self.emu.messages(channel) if m["user"] == self.emu.bot_user_id and needle in m["text"]]
            )

        def said(needle: str, more_than: int) -> list[str]:
            """Wait for the bot's message with `needle` (the outbox posts it in the background), then show the bot's
            messages here not shown yet."""
            try:
                self.emu.wait_for(lambda: count(needle) > more_than, timeout=30)
            except TimeoutError:
                return ["  (no message from the bot)"]
            self._settle()
            lines = []
            for msg in self.emu.messages(channel):
                if msg["user"] == self.emu.bot_user_id and msg["ts"] not in self.printed:
                    self.printed.add(msg["ts"])
                    lines.append(f"[{label}] RedAlert: {self.names(msg['text'])}".replace("\n", "\n      "))
            return lines

        return [f"[{label}] {user}: {text}", *self.outside.jira.step(user, text.split()[1:], count, said)]

    # --- the slash command, forms and buttons -----------------------------------------------------------------
    def interact(self, user: str, where: str, text: str, answers: dict[str, str] | None = None) -> list[str]:
        """`/incident [text]` or `/click <button>` as `user`; forms are filled from `answers` or at the prompt."""
        channel = self.channel_id(where, user)
        label = where if where != "#incident" else "#" + self.emu.channel(channel).name
        before = self.snapshot()
        seen = {c: len(self.emu.messages(c)) for c in before}
        shown = len(self.emu.ephemerals_for(USERS[user]))
        lines = [f"[{label}] {user}: {self.names(text)}"]
        ask = Answers(answers)
        if text.startswith("/click"):
            envelope = self._click(user, channel, text.split()[1:], ask, lines)
        else:
            envelope = self.emu.send_slash_command(USERS[user], channel, "/incident", text[len("/incident") :].strip())
        if envelope:
            self.emu.wait_for_ack(envelope, timeout=15)
            self._fill_forms(user, ask, lines)
        self._settle()
        for cid in sorted({*self.snapshot(), channel}):
            for msg in self.emu.messages(cid)[seen.get(cid, 0) :]:
                if msg["user"] == self.emu.bot_user_id:
                    self.printed.add(msg["ts"])
                    where_said = "#" + self.emu.channel(cid).name if not cid.startswith("D") else "dm"
                    lines.append(f"[{where_said}] RedAlert: {self.names(msg['text'])}".replace("\n", "\n      "))
        for msg in self.emu.ephemerals_for(USERS[user])[shown:]:
            body = self.names(msg["text"]).replace("\n", "\n      ")
            lines.append(f"[{label}] RedAlert (only {user} sees this): {body}")
        return lines + self.changes(before)

    def _click(self, user: str, channel: str, words: list[str], ask: Answers, lines: list[str]) -> str | None:
        action = ACTIONS.get(words[0] if words else "")
        if action is None:
            raise SystemExit(f"/click {' | '.join(ACTIONS)}")
        pins = self.emu.pins(channel)
        if not pins:
            raise SystemExit("no pinned summary here: /in #incident first")
        summary = next(m for m in self.emu.messages(channel) if m["ts"] == pins[0])
        blocks = summary.get("blocks") or []
        buttons = {e["action_id"]: e for b in blocks if b["type"] == "actions" for e in b["elements"]}
        if action not in buttons:
            lines.append("  (the summary has no such button now)")
            return None
        confirm = buttons[action].get("confirm")
        if confirm:
            lines.append(f"  Slack asks: {confirm['title']['text']} {self.names(confirm['text']['text'])}")
            if ask("confirm", f"{confirm['confirm']['text']}? [y/N]").lower() not in ("y", "yes"):
                lines.append(f"  {user} pressed {confirm['deny']['text']}")
                return None
        return self.emu.click_button(USERS[user], channel, summary["ts"], action)

    def _fill_forms(self, user: str, ask: Answers, lines: list[str]) -> None:
        """Fill in and submit the form the bot opened for `user` (it does so before acking), until it is accepted."""
        if not self.emu.open_views(USERS[user]):
            return
        view = self.emu.open_views(USERS[user])[-1]
        lines.append(f"  (form {view['title']['text']!r} opened for {user})")
        while True:
            values, typed = {}, {}
            for block in view["blocks"]:
                element = block.get("element") or {}
                if block.get("type") != "input":
                    continue
                options = [o["value"] for o in element.get("options") or []]
                hint = f" ({', '.join(options)})" if options else ""
                answer = ask(block["block_id"], f"{block['label']['text']}{hint}")
                if answer:
                    values[block["block_id"]] = self._form_value(element, answer)
                    typed[block["block_id"]] = answer
            shown = ", ".join(f"{k}={v}" for k, v in typed.items())
            lines.append(f"  {user} submits: {self.names(shown)}")
            envelope = self.emu.submit_view(USERS[user], view["id"], values)
            self.emu.wait_for_ack(envelope, timeout=15)
            errors = self.emu.view_errors(view["id"])
            if not errors or ask.scripted:
                lines += [f"  form error on {field}: {text}" for field, text in errors.items()]
                return
            lines += [f"  form error on {field}: {text}" for field, text in errors.items()]

    @staticmethod
    def _form_value(element: dict, answer: str):
        kind = element.get("type")
        if kind == "multi_users_select":
            return [USERS.get(name.strip().lstrip("@"), name.strip()) for name in answer.replace(",", " ").split()]
        if kind in ("multi_static_select", "checkboxes"):
            if kind == "checkboxes":
                return [o["value"] for o in element["options"]] if answer.lower() in ("y", "yes") else []
            return answer.replace(",", " ").split()
        return answer

    def _keep_chart(self, upload: dict, lines: list[str]) -> None:
        """A PNG the bot uploaded is copied where a person can open it (test-artifacts/ is not committed)."""
        content = upload.get("content") or b""
        if isinstance(content, bytes) and content.startswith(b"\x89PNG"):
            CHART_COPY.parent.mkdir(exist_ok=True)
            CHART_COPY.write_bytes(content)
            where = CHART_COPY.relative_to(CHART_COPY.parents[1])
            lines.append(f"  (the chart {upload['filename']} is saved as {where})")

    def _settle(self) -> None:
        while True:
            count = len(self.emu.calls)
            try:
                self.emu.wait_for(lambda seen=count: len(self.emu.calls) != seen, timeout=SETTLE_SECONDS)
            except TimeoutError:
                return

    def changes(self, before: dict[str, tuple]) -> list[str]:
        users = {uid: name for name, uid in USERS.items()} | {self.emu.bot_user_id: "RedAlert"}
        out = []
        for cid, (name, topic, archived, members, files) in self.snapshot().items():
            if cid not in before:
                self.last_incident = cid
                who = ", ".join(sorted(users.get(m, m) for m in members))
                out.append(f"  workspace: #{name} created, topic {topic!r}, members: {who}")
                continue
            _, old_topic, old_archived, old_members, old_files = before[cid]
            for title in files[len(old_files) :]:
                out.append(f"  workspace: #{name} got the file {title!r}")
            if archived and not old_archived:
                out.append(f"  workspace: #{name} archived")
            if topic != old_topic:
                out.append(f"  workspace: #{name} topic is now {topic!r}")
            added = members - old_members
            if added:
                out.append(f"  workspace: #{name} gained {', '.join(sorted(users.get(m, m) for m in added))}")
        return out


def interactive(sandbox: Sandbox) -> None:
    user, where = "alice", "#ops"
    print(
        "You are alice in #ops. Type a message (e.g. !incident open sev1 Checkout is down <@U0BOB>).\n"
        "  /as <admin|alice|bob|carol|dave>   speak as someone else\n"
        "  /in <#ops|#general|#incident|dm>   move (#incident: the latest incident channel)\n"
        "  /channels                          list channels\n"
        "  /incident [text]                   the slash command (alone: the form to open an incident)\n"
        "  /click join|update|resolve|close   press a button on the pinned summary (in #incident)\n"
        "  /jira show|done|reopen             the task's Jira issue; done/reopen: change it as yourself in Jira\n"
        "  /outside                           what PagerDuty, Trello, Jira and Confluence received\n"
        "  /quit"
    )
    while True:
        try:
            text = input(f"{user}@{where}> ").strip()
        except EOFError:
            return
        if not text:
            continue
        if text == "/quit":
            return
        if text.startswith("/as "):
            user = text.split()[1] if text.split()[1] in USERS else user
            continue
        if text.startswith("/in "):
            where = text.split()[1]
            continue
        if text == "/outside" and sandbox.outside is not None:
            print("\n".join(sandbox.outside.report()))
            continue
        if text == "/channels":
            for c in sandbox.emu.channels():
                print(f"  #{c.name}{' (archived)' if c.is_archived else ''}: {c.topic}")
            continue
        try:
            if text.startswith("/jira"):
                print("\n".join(sandbox.jira(user, where, text)))
            elif text.startswith(("/incident", "/click")):
                print("\n".join(sandbox.interact(user, where, text)))
            else:
                print("\n".join(sandbox.send(user, where, text)))
        except SystemExit as exc:
            print(f"  {exc}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--script", action="store_true", help="play a whole incident lifecycle and print it")
    opts = parser.parse_args()
    emu = SlackEmulator(bot_token=BOT_TOKEN, app_token=APP_TOKEN, scopes=APP_SCOPES).start()
    seed_demo(emu)
    outside = Outside.start()
    with tempfile.TemporaryDirectory(prefix="redalert-sandbox-") as data:
        bot = BotProcess(emu.api_url, Path(data), **outside.env())
        print(f"Slack emulator on {emu.api_url}; starting the bot (errbot -c config.py)…", flush=True)
        print(
            f"PagerDuty on {outside.pagerduty.url}, Trello on {outside.trello.url}, "
            f"Confluence on {outside.confluence.url}, Jira on {outside.jira.emulator.url}",
            flush=True,
        )
        bot.start()
        bot.wait_for_log("HTTP API on port")  # where Jira's webhooks arrive
        sandbox = Sandbox(emu, bot, outside)
        try:
            print("\n".join(sandbox.send("admin", "dm", f"!plugin config RedAlert {outside.config()}")), flush=True)
            if opts.script:
                for user, where, text, *answers in SCRIPT:
                    if text.startswith("/jira"):
                        lines = sandbox.jira(user, where, text)
                    elif text.startswith(("/incident", "/click")):
                        lines = sandbox.interact(user, where, text, answers[0] if answers else {})
                    else:
                        lines = sandbox.send(user, where, text)
                    print("\n".join(lines), flush=True)
                outside.wait_for_script()
                print("\n".join(outside.report()), flush=True)
            else:
                interactive(sandbox)
        finally:
            bot.stop()
            emu.stop()
            outside.stop()


if __name__ == "__main__":
    main()
