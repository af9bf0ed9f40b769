"""SQLite cannot coordinate replicas: a second process on the same database file is refused at start."""

from __future__ import annotations

import subprocess

import pytest
from bot_process import ERRBOT, ROOT, BotProcess

pytestmark = pytest.mark.e2e


def test_a_second_process_on_the_same_sqlite_file_is_refused_with_a_clear_message(emulator, tmp_path):
    first = BotProcess(emulator.api_url, tmp_path / "data").start()
    try:
        second = subprocess.run(
            [str(ERRBOT), "-c", "config.py"],
            cwd=ROOT,
            env=first.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert second.returncode != 0
        message = second.stderr.strip().splitlines()[-1]
        assert message.startswith("RedAlert cannot start: pid ")
        assert f"already runs RedAlert on the SQLite database {tmp_path / 'data' / 'redalert.sqlite3'}" in message
        assert "run several replicas on PostgreSQL (set REDALERT_DATABASE_URL)" in message
        assert "Traceback" not in second.stderr
    finally:
        assert first.stop() == 0
    # The lock goes with the process: the next start on that file works.
    BotProcess(emulator.api_url, tmp_path / "data").start().stop()
