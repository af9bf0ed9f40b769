"""RedAlert benchmarks against the local Slack emulator.

Run `.venv/bin/python benchmarks/run.py [--only P1,P5] [--write docs/benchmarks.md]`.

P1 open latency and sequential Slack round trips; P2 `!incident list` in a 20,000-channel workspace; P3 a burst of 60
opens under Slack's tier limits; P4 idle memory and start-to-ready time of the real process; P5 plugin overhead per
command without Slack; P6 Slack calls per incoming message through the real process.

Everything runs locally (emulator, SQLite in a temporary directory); nothing is written into the repository unless
--write names a file. Every wait is bounded and everything started is stopped, also when a measurement fails: a
failed measurement shows as an error row and the others still run.
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import itertools
import os
import platform
import re
import statistics
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for _path in (ROOT, ROOT / "plugins" / "redalert", ROOT / "tests"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from slack_sdk import WebClient  # noqa: E402
from slack_sdk.web import SlackResponse  # noqa: E402
from slack_workspace import ADMIN, ALICE, APP_TOKEN, BOB, BOT_TOKEN, CAROL, SRE_GROUP, seed_workspace  # noqa: E402

from redalert_core.domain.commands import Mentions  # noqa: E402
from redalert_core.domain.incident import OPEN_STEPS, OpenStep  # noqa: E402
from redalert_core.domain.settings import validate  # noqa: E402
from redalert_core.services.incidents import IncidentService, OpenRequest  # noqa: E402
from redalert_core.slack.gateway import SlackGateway, build_client  # noqa: E402
from redalert_core.store import Store  # noqa: E402
from slack_emulator import SlackEmulator  # noqa: E402
from slack_emulator.rate_limits import (  # noqa: E402
    POST_MESSAGE_BURST,
    POST_MESSAGE_PER_MINUTE,
    SPECIAL_DEFAULT_PER_MINUTE,
    TIER_PER_MINUTE,
)
from slack_emulator.web_api import METHODS  # noqa: E402

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
def service_on(url: str, gateway: SlackGateway) -> Iterator[IncidentService]:
    store = Store(url)
    store.migrate()
    settings = validate({})
    service = IncidentService(store, gateway, lambda: settings)
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
def errbot_testbot(env: dict[str, str | None]) -> Iterator[Any]:
    """Errbot's in-process test backend with RedAlert loaded, as tests/plugin use it."""
    import logging

    from errbot.backends.test import TestBot
    from plugin_support import extra_config, extra_plugin_dir

    with patched_env(**env):
        bot = TestBot(extra_plugin_dir=extra_plugin_dir, loglevel=logging.ERROR, extra_config=extra_config)
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


# --- P1 -----------------------------------------------------------------------------------------------------------
def measure_p1(opts: Options) -> list[Figure]:
    latency = opts.latency
    mentions = Mentions(users=[ALICE], groups=[SRE_GROUP])
    with emulator(latency) as emu, tempfile.TemporaryDirectory() as tmp:
        ops = emu.channel_by_name("ops").id
        gateway = make_gateway(build_client(BOT_TOKEN, emu.api_url))
        ours_times, ours_waves, ours_calls = [], [], []
        with service_on(sqlite_url(tmp), gateway) as service:
            # A running bot knows its own user ID and has warm connections: open one incident before measuring.
            service.open(OpenRequest(severity="sev1", description="warm up", opened_by=ADMIN, mentions=mentions))
            settle(emu, quiet=0.3)  # steps that finish in the background (a pin) must not count for the next open
            for i in range(3):
                emu.clear_calls()
                started = time.perf_counter()
                report = service.open(
                    OpenRequest(
                        severity="sev1",
                        description=f"checkout is down {i}",
                        opened_by=BOB if i % 2 else ALICE,
                        origin_channel=ops,
                        mentions=mentions,
                        dedup_key=f"{ops}:p1-{i}",
                    )
                )
                ours_times.append(time.perf_counter() - started)
                returned = time.monotonic()  # the emulator stamps calls with time.monotonic()
                if not report.incident.channel_id:
                    raise RuntimeError(f"open failed: {report.warnings}")
                settle(emu, quiet=0.3)
                calls = emu.calls
                ours_calls.append(len(calls))
                # The critical path ends when open() returns and the reply can go; later calls run in the background.
                ours_waves.append(sequential_waves([c.at for c in calls if c.at <= returned], latency))

        # The original redalert: six calls, each waiting for the previous one.
        client = WebClient(token=BOT_TOKEN, base_url=emu.api_url)
        original_times, original_waves = [], []
        for i in range(3):
            emu.clear_calls()
            started = time.perf_counter()
            client.conversations_join(channel=ops)
            channel = client.conversations_create(name=f"original-sev1-checkout-{i}")["channel"]["id"]
            client.users_info(user=ALICE)
            client.conversations_setPurpose(channel=channel, purpose="SEV1 checkout is down")
            client.conversations_invite(channel=channel, users=[ALICE, BOB, CAROL])
            client.chat_postMessage(channel=channel, text="Incident opened")
            original_times.append(time.perf_counter() - started)
            original_waves.append(sequential_waves([c.at for c in emu.calls], latency))

    ours_t, orig_t = statistics.median(ours_times), statistics.median(original_times)
    waves, orig_waves = max(ours_waves), max(original_waves)
    return [
        Figure(
            "P1",
            f"open latency at {latency * 1000:.0f} ms per Slack call (median of 3)",
            ms(ours_t),
            f"original {ms(orig_t)} (ours/original {ours_t / orig_t:.2f})",
        ),
        Figure(
            "P1",
            "sequential Slack round trips in an open",
            f"{waves} ({max(ours_calls)} calls in all; {ours_t / latency:.1f} x latency)",
            f"original {orig_waves} ({ORIGINAL_OPEN_CALLS} calls)",
            "<= 3",
            waves <= 3,
        ),
    ]


# --- P2 -----------------------------------------------------------------------------------------------------------
def _seed_incidents(url: str, count: int) -> None:
    store = Store(url)
    try:
        store.migrate()
        start = datetime.now(UTC) - timedelta(days=count)
        for i in range(count):
            incident = store.incidents.create(
                severity=f"sev{i % 5 + 1}",
                description=f"benchmark incident {i}",
                opened_by=ALICE,
                opened_at=start + timedelta(hours=i),
                origin_channel=None,
                dedup_key=f"bench:{i}",
            )
            store.steps.set_channel(incident.number, f"C8{i:08d}", f"sev1-bench-{i}")
            # Fully opened: an incident left "opening" would be resumed by the bot at start, with Slack calls.
            for step in OPEN_STEPS:
                if step not in (OpenStep.RECORDED, OpenStep.CHANNEL):
                    store.steps.done(incident.number, step)
            if i % 2:  # half of them closed, as in a workspace that has used RedAlert for a while
                store.incidents.close(
                    incident.number, closed_by=ALICE, closed_at=start + timedelta(hours=i, minutes=30), resolution="ok"
                )
        if store.incidents.unfinished():
            raise RuntimeError("seeded incidents are still opening; the bot would resume them during the run")
    finally:
        store.dispose()


def measure_p2(opts: Options) -> list[Figure]:
    with emulator(opts.latency) as emu, tempfile.TemporaryDirectory() as tmp:
        for i in range(opts.channels):
            emu.add_channel(f"channel-{i:05d}")
        url = sqlite_url(tmp)
        _seed_incidents(url, opts.incidents)
        env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": emu.api_url, "REDALERT_DATABASE_URL": url}
        with errbot_testbot(env) as bot:
            ask(bot, "!incident list")  # the first command pays for Errbot's lazy imports
            times, calls = [], []
            for text in ("!incident list", "!incident list all") * 5:
                emu.clear_calls()
                reply, elapsed = ask(bot, text)
                if "Incident" not in reply:
                    raise RuntimeError(f"unexpected reply: {reply[:200]}")
                times.append(elapsed)
                calls.append(len(emu.calls))

        # The original: every channel, 100 per page, to find the incident ones.
        client = WebClient(token=BOT_TOKEN, base_url=emu.api_url)
        emu.clear_calls()
        started = time.perf_counter()
        cursor, pages = None, 0
        while pages < opts.channels:  # bounded: one page per channel at worst
            response = client.conversations_list(limit=100, cursor=cursor, types="public_channel")
            pages += 1
            cursor = response["response_metadata"]["next_cursor"]
            if not cursor:
                break
        scan = time.perf_counter() - started
    ours_t = statistics.median(times)
    tier2 = TIER_PER_MINUTE["t2"]
    floor_min = max(0.0, pages - tier2) / tier2  # conversations.list is Tier 2: 20 a minute after the first 20
    return [
        Figure(
            "P2",
            f"!incident list, {opts.channels:,} channels, {opts.incidents} incidents: Slack calls",
            str(max(calls)),
            f"original {pages} conversations.list calls",
            "0",
            max(calls) == 0,
        ),
        Figure(
            "P2",
            "!incident list reply time (median of 10)",
            ms(ours_t),
            f"original scan {scan:.1f} s at {opts.latency * 1000:.0f} ms/call, >= {floor_min:.1f} min under Tier 2",
            "< 100 ms",
            ours_t < 0.1,
        ),
    ]


# --- P3 -----------------------------------------------------------------------------------------------------------
def tier_floor(calls: list[Any], scale: float) -> tuple[float, str]:
    """The least time the emulator's tier limits allow for these successful calls, and the method that sets it.

    Buckets start full (a minute's budget, as in the emulator), then refill at the tier rate.
    """
    counts: Counter[tuple[str, str]] = Counter()
    for call in calls:
        if call.http_status == 200:
            channel = str(call.args.get("channel") or "") if call.method == "chat.postMessage" else ""
            counts[(call.method, channel)] += 1
    best, which = 0.0, "none"
    for (method, _channel), n in counts.items():
        if method == "chat.postMessage":
            per_minute, burst = POST_MESSAGE_PER_MINUTE * scale, POST_MESSAGE_BURST * scale
        else:
            spec = METHODS.get(method)
            per_minute = TIER_PER_MINUTE.get(spec.tier if spec else "t3", SPECIAL_DEFAULT_PER_MINUTE) * scale
            burst = per_minute
        floor = max(0.0, n - max(1.0, float(int(burst)))) / (per_minute / 60.0)
        if floor > best:
            best, which = floor, f"{method} x{n}"
    return best, which


def measure_p3(opts: Options) -> list[Figure]:
    scale = opts.rate_scale
    with emulator(0.0) as emu, tempfile.TemporaryDirectory() as tmp:
        ops = emu.channel_by_name("ops").id
        people = [ADMIN, ALICE, BOB, CAROL]
        emu.enable_rate_limits(per_minute_scale=scale)
        gateway = make_gateway(build_client(BOT_TOKEN, emu.api_url), rate_scale=scale)
        with service_on(sqlite_url(tmp), gateway) as service, ThreadPoolExecutor(ERRBOT_POOL) as pool:
            spacing = opts.burst_seconds / opts.burst
            started = time.perf_counter()
            futures = []
            for i in range(opts.burst):
                delay = started + i * spacing - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                request = OpenRequest(
                    severity="sev2",
                    description=f"burst incident {i}",
                    opened_by=people[i % len(people)],
                    origin_channel=ops,
                    mentions=Mentions(users=[ALICE]),
                    dedup_key=f"{ops}:burst-{i}",
                )
                futures.append(pool.submit(_timed, service.open, request))
            done, pending = wait(futures, timeout=180)
            for future in pending:
                future.cancel()
            finished = [f.result() for f in done if f.exception() is None]
            errors = [f.exception() for f in done if f.exception() is not None]
            total = max((end for _report, end in finished), default=time.perf_counter()) - started
            _stored, count = service.store.incidents.list(include_closed=True, limit=1000)
        calls = emu.calls
    complete = sum(1 for report, _ in finished if report.incident.channel_id and report.complete)
    channels = Counter(c.response.get("channel", {}).get("id") for c in calls if c.method == "conversations.create")
    created = sum(1 for c in calls if c.method == "conversations.create" and c.response.get("ok"))
    duplicates = max(0, count - opts.burst) + max(0, created - count) + sum(n - 1 for n in channels.values() if n > 1)
    floor, limiting = tier_floor(calls, scale)
    floor = max(floor, (opts.burst - 1) * opts.burst_seconds / opts.burst)  # nothing ends before the last command
    limited = sum(1 for c in calls if c.http_status == 429)
    note = f"{len(errors)} errors, {len(pending)} unfinished" if errors or pending else ""
    return [
        Figure(
            "P3",
            f"{opts.burst} opens in {opts.burst_seconds:.0f} s under tier limits x{scale:g}: complete",
            f"{complete}/{opts.burst}" + (f" ({note})" if note else ""),
            "",
            f"{opts.burst}/{opts.burst}",
            complete == opts.burst,
        ),
        Figure("P3", "duplicate incidents or channels", str(duplicates), "", "0", duplicates == 0),
        Figure(
            "P3",
            "burst total time vs rate-limit floor",
            f"{total:.1f} s = {total / floor:.2f} x floor",
            f"floor {floor:.1f} s ({limiting}); {limited} calls got 429",
            "<= 1.1 x floor",
            total <= 1.1 * floor,
        ),
    ]


def _timed(func: Callable[..., Any], *args: Any) -> tuple[Any, float]:
    result = func(*args)
    return result, time.perf_counter()


# --- P4 + P6: the real process ----------------------------------------------------------------------------------------
def vm_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc status")


def measure_process(opts: Options) -> list[Figure]:
    from bot_process import BotProcess

    figures: list[Figure] = []
    with emulator(0.0) as emu, tempfile.TemporaryDirectory() as tmp:
        bot = BotProcess(emu.api_url, Path(tmp))
        started = time.perf_counter()
        try:
            bot.start(timeout=60)
            ready = time.perf_counter() - started
            settle(emu, quiet=1.0)  # the setup check and interrupted-open recovery run right after ready
            rss = vm_rss_mb(bot.proc.pid)
            figures += [
                Figure("P4", "idle memory (VmRSS after ready)", f"{rss:.0f} MB", "", "<= 120 MB", rss <= 120),
                Figure("P4", "start to ready (BotProcess.start)", f"{ready:.2f} s", "", "<= 2 s", ready <= 2),
            ]
            figures += _chat_calls(emu, opts)
        finally:
            bot.stop()
    return figures


def _open_by_chat(emu: SlackEmulator, channel: str, text: str) -> str:
    ts = emu.post_user_message(ALICE, channel, text)
    reply = emu.wait_for_message(channel, lambda m: "is open in" in m["text"], timeout=30, after_ts=ts)["text"]
    return re.search(r"<#(C\w+)", reply).group(1)


def _chat_calls(emu: SlackEmulator, opts: Options) -> list[Figure]:
    ops = emu.channel_by_name("ops").id
    channels = [
        _open_by_chat(emu, ops, f"!incident open sev3 Benchmark chatter {n} <@{BOB}> <@{CAROL}>") for n in (1, 2)
    ]
    settle(emu)
    emu.clear_calls()
    speakers = [ALICE, BOB, CAROL]
    first_envelope = len(emu.envelopes)
    for i in range(opts.chat_messages):
        emu.post_user_message(speakers[i % 3], channels[i % 2], f"status update {i}: still looking at the graphs")
    envelopes = [e["envelope_id"] for e in emu.envelopes[first_envelope:]]
    emu.wait_for(lambda: set(envelopes) <= emu.acked, timeout=30)
    settle(emu, quiet=1.0)
    chat_calls = emu.calls
    emu.clear_calls()
    for i in range(opts.chat_commands):
        channel = channels[i % 2]
        ts = emu.post_user_message(speakers[i % 3], channel, "!incident list" if i % 2 else "!incident list all")
        emu.wait_for_message(channel, timeout=30, after_ts=ts)
    settle(emu, quiet=1.0)
    command_calls = emu.calls
    per_chat = len(chat_calls) / opts.chat_messages
    per_command = len(command_calls) / opts.chat_commands
    chat_methods = dict(Counter(c.method for c in chat_calls).most_common(3))
    command_methods = dict(Counter(c.method for c in command_calls).most_common(3))
    return [
        Figure(
            "P6",
            f"Slack calls per chat message ({opts.chat_messages} in incident channels)",
            f"{per_chat:.2f}",
            f"{len(chat_calls)} calls {chat_methods or ''}",
            "0",
            len(chat_calls) == 0,
        ),
        Figure(
            "P6",
            f"Slack calls per command ({opts.chat_commands} x !incident list, reply included)",
            f"{per_command:.2f}",
            f"{len(command_calls)} calls {command_methods}",
            "<= 1",
            per_command <= 1,
        ),
    ]


# --- P5 -----------------------------------------------------------------------------------------------------------
def measure_p5(opts: Options, *, through_errbot: bool = True) -> list[Figure]:
    """Per-command cost of RedAlert itself: Slack answered instantly by NoSlack, SQLite in a temporary directory."""
    n = max(1, opts.overhead_iterations)
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as tmp:
        gateway = make_gateway(WebClient(token=BOT_TOKEN, base_url="http://127.0.0.1:9/api/"))
        gateway._call = NoSlack()  # type: ignore[method-assign]
        timings: dict[str, list[float]] = {"open": [], "list": [], "close": []}
        with service_on(sqlite_url(tmp), gateway) as service:
            service.open(OpenRequest(severity="sev1", description="warm up", opened_by=ADMIN))
            for i in range(n):
                started = time.perf_counter()
                report = service.open(
                    OpenRequest(severity="sev2", description=f"overhead {i}", opened_by=ALICE, dedup_key=f"D:{i}")
                )
                timings["open"].append(time.perf_counter() - started)
                started = time.perf_counter()
                service.list(include_closed=False)
                timings["list"].append(time.perf_counter() - started)
                started = time.perf_counter()
                service.close(
                    number=report.incident.number,
                    channel_id=None,
                    here=None,
                    actor=ADMIN,
                    resolution="fixed",
                    actor_is_admin=True,
                )
                timings["close"].append(time.perf_counter() - started)
        figures.append(_overhead_figure("service + store", timings, n))
    if through_errbot:
        figures.append(_overhead_through_errbot(n))
    return figures


def _overhead_figure(layer: str, timings: dict[str, list[float]], n: int) -> Figure:
    medians = {kind: median_p95(samples) for kind, samples in timings.items()}
    worst = max(median for median, _ in medians.values())
    text = ", ".join(f"{kind} {median * 1000:.2f}" for kind, (median, _) in medians.items())
    p95 = ", ".join(f"{kind} {p95 * 1000:.2f}" for kind, (_, p95) in medians.items())
    return Figure(
        "P5", f"ms per command, {layer}, no Slack (median of {n})", text, f"p95: {p95}", "<= 5 ms", worst <= 0.005
    )


def _overhead_through_errbot(n: int) -> Figure:
    timings: dict[str, list[float]] = {"open": [], "list": [], "close": []}
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_API_URL": "http://127.0.0.1:9/api/",
            "REDALERT_DATABASE_URL": sqlite_url(tmp),
        }
        with errbot_testbot(env) as bot:
            plugin = bot.bot.plugin_manager.get_plugin_obj_by_name("RedAlert")
            plugin.service.gateway._call = NoSlack()
            ask(bot, "!incident open sev1 warm up")
            for i in range(n):
                reply, elapsed = ask(bot, f"!incident open sev2 overhead {i}")
                number = re.search(r"Incident (\d+)", reply)
                if not number:
                    raise RuntimeError(f"unexpected reply: {reply[:200]}")
                timings["open"].append(elapsed)
                timings["list"].append(ask(bot, "!incident list")[1])
                timings["close"].append(ask(bot, f"!incident close {number.group(1)} fixed")[1])
    return _overhead_figure("Errbot test backend + plugin + service + store", timings, n)


# --- running -------------------------------------------------------------------------------------------------------
MEASUREMENTS: dict[str, Callable[[Options], list[Figure]]] = {
    "P1": measure_p1,
    "P2": measure_p2,
    "P3": measure_p3,
    "P4": measure_process,  # P4 and P6 share one start of the real process
    "P5": measure_p5,
}


def run(keys: list[str], opts: Options) -> tuple[list[Figure], dict[str, float]]:
    figures: list[Figure] = []
    durations: dict[str, float] = {}
    for key in keys:
        started = time.perf_counter()
        try:
            figures += MEASUREMENTS[key](opts)
        except Exception as exc:  # one broken measurement must not hide the others
            traceback.print_exc()
            figures.append(Figure(key, "measurement failed", f"{type(exc).__name__}: {str(exc)[:120]}", met=False))
        durations[key] = time.perf_counter() - started
        print(f"[{key} done in {durations[key]:.1f} s]", file=sys.stderr, flush=True)
    return figures, durations


def table(figures: list[Figure]) -> str:
    rows = [("", "Measure", "RedAlert", "Reference / detail", "Target", "Met")]
    for f in figures:
        met = "" if f.met is None else ("yes" if f.met else "NO")
        rows.append((f.key, f.measure, f.ours, f.reference, f.target, met))
    lines = ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    lines.insert(1, "|" + "|".join("---" for _ in rows[0]) + "|")
    return "\n".join(lines)


DOC_NOTES = """
## Reading the misses

- **P5 open (about 7 ms against 5 ms).** Opening stores every step as it completes (record, intended channel name,
  channel, topic, purpose, invites, summary, reply: about ten short transactions), so that a crash or a Slack failure
  at any point leaves an incident that shows what is done and can be finished. That durability is the cost; list and
  close are well under the target. PostgreSQL adds its network round trips on top.
- **P6 chat (0.02 calls per message).** Each of the two new incident channels costs one `conversations.info` the
  first time the bot sees a message in it; every later message costs nothing (the cache in backends/redalert_slack).
  On Slack the bot also receives its own summary post in a new channel, which warms that entry before people talk;
  the emulator does not echo the bot's own posts, so the benchmark pays it on the first chat message.
"""

DOC_HEAD = """# RedAlert benchmarks

Produced by `.venv/bin/python benchmarks/run.py --write docs/benchmarks.md`; run it again after a change and compare.
Everything runs locally against the Slack emulator (tests/slack_emulator) with SQLite in a temporary directory.

## Method

- **P1 open latency.** The incident service opens an incident (one mentioned user, one user group) with
  {latency_ms:.0f} ms added to every emulated Slack call, after one warm-up open (a running bot knows its user ID).
  Round trips on the critical path come from the emulator's call log: a call occupied `[at - latency, at]`,
  calls whose intervals do not overlap ran one after the other, and the longest such chain is the number of
  sequential round trips. The original redalert is simulated by a WebClient making its six calls in a row
  (join, create, users.info, setPurpose, invite, post) against the same emulator. Median of 3. The reply posted by
  the backend is not included on either side.
- **P2 list.** A workspace of {channels:,} channels and {incidents} stored incidents (half closed); `!incident list`
  and `!incident list all` go through Errbot's test backend and the plugin, 10 times; Slack calls are counted by the
  emulator. The original found incident channels by paging conversations.list (100 per page) through every channel;
  that scan is run against the same emulator, and its floor under Slack's Tier 2 limit (20 a minute) is computed.
- **P3 burst.** {burst} opens submitted evenly over {burst_seconds:.0f} s to the service from {pool} threads (Errbot's
  default pool), with the emulator enforcing Slack's tier limits scaled by {scale:g} (the client-side pacer, when
  the gateway has one, gets the same scale). Complete = channel created and every step done. Duplicates = stored
  incidents beyond {burst}, plus channels created beyond the incidents. The floor is the least time the emulator's
  buckets (a minute's budget at first, then the tier rate) allow for the successful calls made, and never less
  than the time the last command arrives.
- **P4 process.** The real `errbot -c config.py` (tests/bot_process.py) against the emulator: seconds for
  `BotProcess.start` (until slackv3 logs that plugins are active), then VmRSS from /proc once startup calls stop.
- **P5 overhead.** RedAlert's own cost per command, with every Slack call answered instantly in process (the
  gateway's `_call` is replaced; nothing goes over the network) and SQLite in a temporary directory: first the
  service and store alone, then the whole path through Errbot's test backend and the plugin. Median of {iterations}.
- **P6 calls per message.** In the real process (P4's), two incidents are opened by chat; then
  {chat_messages} plain messages from three people in those channels (counted once every Socket Mode envelope is
  acknowledged and the emulator has been quiet for a second), then {chat_commands} `!incident list` commands there
  (the reply counts as one call).

## Figures

Run {when} on {machine}, Python {python}; measurement times: {durations}.

"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated subset, e.g. P1,P5 (P6 runs with P4)")
    parser.add_argument("--latency", type=float, default=DEFAULT_LATENCY, help="seconds added to each Slack call")
    parser.add_argument("--rate-scale", type=float, default=Options.rate_scale, help="tier-limit scale for P3")
    parser.add_argument("--write", type=Path, help="also write the method and figures to this Markdown file")
    args = parser.parse_args(argv)
    keys = [k.strip().upper() for k in args.only.split(",")] if args.only else list(MEASUREMENTS)
    unknown = [k for k in keys if k not in MEASUREMENTS]
    if unknown:
        parser.error(f"unknown measurement(s) {', '.join(unknown)}; choose from {', '.join(MEASUREMENTS)}")
    opts = Options(latency=args.latency, rate_scale=args.rate_scale)
    started = time.perf_counter()
    figures, durations = run(keys, opts)
    output = table(figures)
    print(output)
    print(f"\nTotal {time.perf_counter() - started:.1f} s", file=sys.stderr)
    if args.write:
        head = DOC_HEAD.format(
            latency_ms=opts.latency * 1000,
            channels=opts.channels,
            incidents=opts.incidents,
            burst=opts.burst,
            burst_seconds=opts.burst_seconds,
            pool=ERRBOT_POOL,
            scale=opts.rate_scale,
            iterations=opts.overhead_iterations,
            chat_messages=opts.chat_messages,
            chat_commands=opts.chat_commands,
            when=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            machine=f"{platform.machine()} with {os.cpu_count()} CPUs",
            python=platform.python_version(),
            durations=", ".join(f"{k} {v:.0f} s" for k, v in durations.items()),
        )
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(head + output + "\n" + DOC_NOTES)
    # Missed targets are findings, not failures; only a measurement that could not run fails the command.
    return 1 if any(f.measure == "measurement failed" for f in figures) else 0


if __name__ == "__main__":
    threading.current_thread().name = "benchmarks"
    sys.exit(main())
