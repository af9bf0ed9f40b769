"""API: `POST /redalert/api/v1/incidents` time to 201 with every Slack call taking `latency` (50 ms by default).

The application is built as the plugin builds it (bootstrap.build) on SQLite in a temporary directory; requests go
through Flask's test client to the API's routes (auth, validation, the use case that waits up to 2 s for the channel,
the JSON), so the figure is RedAlert's own answer time without a network hop. One warm-up open, then `API_OPENS`
opens one after the other; median and p95. Also counts how many answers carried the channel rather than "pending".
"""

from __future__ import annotations

import tempfile
import time

from common import Figure, Options, app_on, emulator, median_p95, ms, settle, sqlite_url
from flask import Flask
from slack_workspace import ADMIN, ALICE, BOT_TOKEN

from redalert_core.domain.requester import Requester
from redalert_core.frontends.api import BASE, ApiRoutes
from redalert_core.slack.gateway import build_client

API_OPENS = 20
TARGET_SECONDS = 2.0  # the API waits this long for Slack's channel before answering "pending"


def measure_api(opts: Options) -> list[Figure]:
    with (
        emulator(opts.latency) as emu,
        tempfile.TemporaryDirectory() as tmp,
        app_on(sqlite_url(tmp), build_client(BOT_TOKEN, emu.api_url)) as app,
    ):
        admin = Requester(ADMIN, here="D0ADMIN", is_admin=True)
        _, secret = app.create_api_token(admin, "bench write")
        flask_app = Flask("redalert-api-benchmark")
        ApiRoutes(lambda: app).register(flask_app)
        client = flask_app.test_client()
        headers = {"Authorization": f"Bearer {secret}"}

        def open_one(i: int) -> tuple[float, dict]:
            body = {"severity": "sev2", "description": f"checkout is down {i}", "people": [ALICE]}
            started = time.perf_counter()
            response = client.post(f"{BASE}/incidents", json=body, headers=headers)
            took = time.perf_counter() - started
            if response.status_code != 201:
                raise RuntimeError(f"POST /incidents answered {response.status_code}: {response.data[:200]!r}")
            return took, response.get_json()

        open_one(-1)  # warm up: the bot's own user id, connections
        settle(emu, quiet=0.3)
        times, with_channel = [], 0
        for i in range(API_OPENS):
            took, body = open_one(i)
            times.append(took)
            with_channel += "channel" in body
            settle(emu, quiet=0.3)  # the pin after the answer must not count for the next open
    median, p95 = median_p95(times)
    return [
        Figure(
            "API",
            f"POST /incidents to 201, Slack at {opts.latency * 1000:.0f} ms per call (median / p95 of {API_OPENS})",
            f"{ms(median)} / {ms(p95)}",
            f'{with_channel}/{API_OPENS} answers with the channel (the rest "pending")',
            f"< {TARGET_SECONDS:.0f} s",
            p95 < TARGET_SECONDS,
        )
    ]
