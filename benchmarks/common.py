"""What every benchmark shares: the figures it reports, its options, the emulator and service it runs against, and
small timing helpers. Importing it puts the repository, the plugin and tests/ on sys.path (the benchmarks use the
product code and the test emulator as they are)."""

from __future__ import annotations

import contextlib
import inspect
import itertools
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for _path in (ROOT, ROOT / "plugins" / "redalert", ROOT / "tests"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from slack_sdk import WebClient  # noqa: E402
from slack_sdk.web import SlackResponse  # noqa: E402
from slack_workspace import APP_TOKEN, BOT_TOKEN, seed_workspace  # noqa: E402

from redalert_core.application.app import RedAlertApp  # noqa: E402
from redalert_core.application.bootstrap import AppConfig, build  # noqa: E402
from redalert_core.application.clock import Clock  # noqa: E402
from redalert_core.domain.settings import validate  # noqa: E402
from redalert_core.services.incidents import IncidentService  # noqa: E402
from redalert_core.slack.gateway import SlackGateway  # noqa: E402
from redalert_core.store import Store  # noqa: E402
from slack_emulator import SlackEmulator  # noqa: E402

DEFAULT_LATENCY = 0.050  # seconds added to every emulated Slack call: a plausible round trip to Slack
ORIGINAL_OPEN_CALLS = 6  # join, create, users.info, setPurpose, invite, post: the original redalert, in a row
ERRBOT_POOL = 10  # Errbot's default BOT_ASYNC_POOLSIZE: at most this many commands run at once


@dataclass
class Figure:
    key: str
    measure: str
    ours: str
    reference: str = ""
    target: str = ""
    met: bool | None = None  # None: no target for this row


@dataclass
class Options:
    latency: float = DEFAULT_LATENCY
    channels: int = 20_000
    incidents: int = 500
    burst: int = 60
    burst_seconds: float = 10.0
    rate_scale: float = 2.0
    overhead_iterations: int = 100
    chat_messages: int = 100
    chat_commands: int = 10


# --- helpers ---------------------------------------------------------------------------------------------------------
@contextlib.contextmanager
def emulator(latency: float = 0.0) -> Iterator[SlackEmulator]:
    emu = SlackEmulator(bot_token=BOT_TOKEN, app_token=APP_TOKEN).start()
    try:
        seed_workspace(emu)
        emu.latency = latency
        yield emu
    finally:
        emu.stop()


@contextlib.contextmanager
def patched_env(**values: str | None) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    try:
        for key, value in values.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def make_gateway(client: WebClient, rate_scale: float | None = None) -> SlackGateway:
    """The product gateway; with client-side pacing (when the gateway has it) set to the emulator's rate scale."""
    if rate_scale is not None and "pacer" in inspect.signature(SlackGateway).parameters:
        from redalert_core.slack.rate_pacing import RatePacer

        return SlackGateway(lambda: client, pacer=RatePacer(scale=rate_scale))
    return SlackGateway(lambda: client)


@contextlib.contextmanager
def app_on(url: str, client: WebClient) -> Iterator[RedAlertApp]:
    """The application as the plugin builds it (bootstrap.build), on `url`, calling Slack through `client`."""
    settings = validate({})
    app = build(AppConfig(database_url=url, slack_client=lambda: client, settings=lambda: settings))
    try:
        yield app
    finally:
        app.drain()
        app.incidents.shutdown()
        app.store.dispose()


@contextlib.contextmanager
def service_on(url: str, gateway: SlackGateway) -> Iterator[IncidentService]:
    store = Store(url)
    store.migrate()
    settings = validate({})
    service = IncidentService(store, gateway, lambda: settings, clock=Clock())
    try:
        yield service
    finally:
        service.shutdown()
        store.dispose()


def sqlite_url(directory: str) -> str:
    return f"sqlite:///{Path(directory) / 'redalert.sqlite3'}"


def sequential_waves(call_ends: list[float], latency: float) -> int:
    """Longest chain of calls that ran one after another: the round trips on the critical path.

    The emulator logs when a call finished (`at`, after its `latency` sleep), so a call occupied [at - latency, at].
    Calls whose intervals overlap ran concurrently; the greedy chain by end time is the longest non-overlapping one.
    """
    waves, free_from = 0, float("-inf")
    for end in sorted(call_ends):
        if end - latency >= free_from - 1e-4:  # 0.1 ms of slack for clock granularity
            waves += 1
            free_from = end
    return waves


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def settle(emu: SlackEmulator, quiet: float = 0.7, limit: float = 10.0) -> None:
    """Wait until the emulator saw no call for `quiet` seconds (bounded by `limit`)."""
    deadline = time.monotonic() + limit
    last = len(emu.calls)
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.05)
        now = len(emu.calls)
        if now != last:
            last, quiet_since = now, time.monotonic()
        elif time.monotonic() - quiet_since >= quiet:
            return


class NoSlack:
    """Stands in for SlackGateway._call: answers every method at once, as Slack would on success."""

    def __init__(self) -> None:
        self.calls = 0
        self._ids = itertools.count(1)

    def __call__(self, method: str, **kwargs: Any) -> SlackResponse:
        self.calls += 1
        n = next(self._ids)
        data: dict[str, Any] = {"ok": True}
        if method == "auth.test":
            data.update(user_id="U0BOT", bot_id="B0BOT", team_id="T0TEAM", user="redalert", url="https://x/")
        elif method == "conversations.create":
            data["channel"] = {"id": f"C9{n:08d}", "name": kwargs.get("name", "incident")}
        elif method == "chat.postMessage":
            data.update(ts=f"1800000000.{n:06d}", channel=kwargs.get("channel"))
        elif method == "conversations.members":
            data.update(members=[], response_metadata={"next_cursor": ""})
        elif method == "usergroups.users.list":
            data["users"] = []
        elif method == "usergroups.list":
            data["usergroups"] = []
        elif method == "users.info":
            data["user"] = {"id": kwargs.get("user"), "name": "someone", "deleted": False}
        elif method == "conversations.info":
            data["channel"] = {"id": kwargs.get("channel"), "name": "incident", "is_archived": False}
        return SlackResponse(
            client=None,
            http_verb="POST",
            api_url=f"https://slack.com/api/{method}",
            req_args={},
            data=data,
            headers={"x-oauth-scopes": ""},
            status_code=200,
        )


@contextlib.contextmanager
def errbot_testbot(env: dict[str, str | None], config: dict[str, Any] | None = None) -> Iterator[Any]:
    """Errbot's in-process test backend with RedAlert loaded, as tests/plugin use it (`config`: more settings)."""
    import logging

    from errbot.backends.test import TestBot
    from plugin_support import extra_config, extra_plugin_dir

    with patched_env(**env):
        settings = {**extra_config, **(config or {})}
        bot = TestBot(extra_plugin_dir=extra_plugin_dir, loglevel=logging.ERROR, extra_config=settings)
        bot.start(timeout=10)
        try:
            yield bot
        finally:
            bot.stop()


def ask(bot: Any, text: str, channel: str = "D0ADMIN", timeout: float = 30) -> tuple[str, float]:
    """Send a command through the test backend; return the reply and the seconds until it came."""
    from plugin_support import say

    started = time.perf_counter()
    reply = say(bot, text, channel=channel, timeout=timeout)
    return reply, time.perf_counter() - started


def median_p95(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def table(figures: list[Figure]) -> str:
    rows = [("", "Measure", "RedAlert", "Reference / detail", "Target", "Met")]
    for f in figures:
        met = "" if f.met is None else ("yes" if f.met else "NO")
        rows.append((f.key, f.measure, f.ours, f.reference, f.target, met))
    lines = ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    lines.insert(1, "|" + "|".join("---" for _ in rows[0]) + "|")
    return "\n".join(lines)


def timed(func: Callable[..., Any], *args: Any) -> tuple[Any, float]:
    result = func(*args)
    return result, time.perf_counter()
