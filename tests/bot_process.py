"""The real RedAlert process, started as the README says (`errbot -c config.py`), pointed at the Slack emulator."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ports import free_port
from slack_workspace import ADMIN, APP_TOKEN, BOT_TOKEN

ROOT = Path(__file__).resolve().parents[1]
ERRBOT = Path(sys.executable).with_name("errbot")
READY = "Unregistered 'hello' handler"  # logged by slackv3 once plugins are active


class BotProcess:
    def __init__(self, api_url: str, data_dir: Path, *, database_url: str | None = None, **extra_env: str) -> None:
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "REDALERT_"))},
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_APP_TOKEN": APP_TOKEN,
            "SLACK_API_URL": api_url,
            "REDALERT_ADMINS": ADMIN,
            "REDALERT_DATA_DIR": str(data_dir),
            "PYTHONUNBUFFERED": "1",
            **({"REDALERT_DATABASE_URL": database_url} if database_url else {}),
            **extra_env,
        }
        self.proc: subprocess.Popen[str] | None = None
        self.lines: list[str] = []
        self._cond = threading.Condition()

    def start(self, timeout: float = 30) -> BotProcess:
        self.lines = []
        self.proc = subprocess.Popen(
            [str(ERRBOT), "-c", "config.py"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        threading.Thread(target=self._read, args=(self.proc,), daemon=True).start()
        self.wait_for_log(READY, timeout)
        return self

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            with self._cond:
                self.lines.append(line.rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    @property
    def log(self) -> str:
        with self._cond:
            return "\n".join(self.lines)

    def wait_for_log(self, pattern: str, timeout: float = 20) -> str:
        regex = re.compile(re.escape(pattern))

        def found() -> str | None:
            return next((line for line in self.lines if regex.search(line)), None)

        with self._cond:
            ok = self._cond.wait_for(lambda: found() or self.proc.poll() is not None, timeout)
            line = found()
        if not ok or line is None:
            raise AssertionError(f"bot never logged {pattern!r}; exit={self.proc.poll()}\n{self.log[-6000:]}")
        return line

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 45) -> int:
        """Send `sig` and wait for the exit code (a clean stop may drain accepted commands for up to 20 s first)."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"bot did not stop on {sig!r} within {timeout}s\n{self.log[-4000:]}") from None


@contextmanager
def serving_api(slack_api_url: str, data_dir: Path, **extra_env: str) -> Iterator[BotProcess]:
    """A started bot whose HTTP API listens on a free port of 127.0.0.1 (its base URL in `.api_url`), paced for
    many opens a minute; stopped afterwards."""
    port = free_port()
    env = {
        "REDALERT_WEB_PORT": str(port),
        "REDALERT_WEB_HOST": "127.0.0.1",
        "REDALERT_SLACK_RATE_SCALE": "100",  # many opens in a minute: Slack's tiers would make them "pending"
        **extra_env,
    }
    process = BotProcess(slack_api_url, data_dir, **env).start()
    try:
        process.wait_for_log("HTTP API on port")
        process.api_url = f"http://127.0.0.1:{port}/redalert/api/v1"
        yield process
    finally:
        process.stop()
