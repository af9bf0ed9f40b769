"""P4: idle memory and start-to-ready time of the real process; it then hosts P6 (one start of errbot for both)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from common import Figure, Options, emulator, settle
from p6_calls_per_message import calls_per_message


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
            figures += calls_per_message(emu, opts)
        finally:
            bot.stop()
    return figures
