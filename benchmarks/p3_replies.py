"""P3 with replies: 50 commands in one channel, answered by the real process under Slack's per-channel limit.

Run `.venv/bin/python benchmarks/p3_replies.py [--scale 2] [--commands 50]`.

One real `errbot -c config.py` process (SQLite) against the local Slack emulator, which enforces Slack's limits
times `--scale` (chat.postMessage: one a second per channel with a burst of 3, times the scale) and adds 50 ms to
every call; the bot paces under the same limits (REDALERT_SLACK_RATE_SCALE). A person sends `--commands`
`!incident retry <n>` in one channel, all at once. The figure is the time from the first message to the last
answer, against the floor the per-channel limit allows for that many answers: (commands - burst) / rate. Also
reported: answers in the order of the commands, and how many chat.postMessage calls got a 429.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for _path in (ROOT, ROOT / "plugins" / "redalert", ROOT / "tests"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))
from bot_process import BotProcess  # noqa: E402
from slack_workspace import ALICE, running_workspace  # noqa: E402

from slack_emulator.rate_limits import POST_MESSAGE_BURST, POST_MESSAGE_PER_MINUTE  # noqa: E402

LATENCY = 0.050  # a plausible round trip to Slack, as in benchmarks/run.py
ANSWER = re.compile(r"There is no incident (\d+)\.")


def floor_seconds(commands: int, scale: float) -> float:
    """The least time the per-channel limit allows for `commands` posts in one channel (a full bucket first)."""
    burst = max(1.0, float(int(POST_MESSAGE_BURST * scale)))
    return max(0.0, commands - burst) / (POST_MESSAGE_PER_MINUTE * scale / 60.0)


def measure(commands: int, scale: float) -> dict:
    with running_workspace() as slack, tempfile.TemporaryDirectory() as tmp:
        room = slack.channel_by_name("ops").id
        slack.enable_rate_limits(per_minute_scale=scale)
        bot = BotProcess(slack.api_url, Path(tmp) / "data", REDALERT_SLACK_RATE_SCALE=str(scale)).start()
        try:
            slack.latency = LATENCY
            seen = len(slack.calls)
            started = time.perf_counter()
            for n in range(1, commands + 1):
                slack.post_user_message(ALICE, room, f"!incident retry {n}")

            def answers() -> list[int]:
                found = (ANSWER.search(m["text"] or "") for m in slack.messages(room))
                return [int(m.group(1)) for m in found if m]

            slack.wait_for(lambda: len(answers()) >= commands, timeout=30 + 3 * floor_seconds(commands, scale))
            total = time.perf_counter() - started
            posts = [c for c in slack.calls[seen:] if c.method == "chat.postMessage"]
            return {
                "commands": commands,
                "scale": scale,
                "seconds": total,
                "floor": floor_seconds(commands, scale),
                "in_order": answers() == list(range(1, commands + 1)),
                "refused": sum(1 for c in posts if c.http_status == 429),
            }
        finally:
            slack.latency = 0.0
            bot.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--commands", type=int, default=50)
    parser.add_argument("--scale", type=float, default=2.0)
    args = parser.parse_args(argv)
    result = measure(args.commands, args.scale)
    ratio = result["seconds"] / result["floor"] if result["floor"] else float("nan")
    print(
        f"P3 replies: {result['commands']} commands in one channel, limits x{result['scale']:g}: "
        f"{result['seconds']:.1f} s = {ratio:.2f} x floor ({result['floor']:.1f} s); "
        f"in order: {'yes' if result['in_order'] else 'NO'}; chat.postMessage 429s: {result['refused']}"
    )
    return 0 if result["in_order"] and result["refused"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
