"""The RedAlertSQL storage plugin, loaded and used the way Errbot does."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from errbot.bootstrap import get_storage_plugin
from errbot.storage import StoreMixin

STORAGE_DIR = Path(__file__).resolve().parents[2] / "storage"


def load_plugin(database):
    """Find and load the plugin through Errbot's own loader, as `STORAGE = "RedAlertSQL"` would."""
    config = SimpleNamespace(
        STORAGE="RedAlertSQL",
        BOT_EXTRA_STORAGE_PLUGINS_DIR=str(STORAGE_DIR),
        STORAGE_CONFIG=database.storage_config,
    )
    return get_storage_plugin(config)


class Namespace(StoreMixin):
    """What a bot plugin (or Errbot's core) is, storage-wise."""


def test_plugin_round_trip_across_reopen(database) -> None:
    plugin = load_plugin(database)
    assert type(plugin).__name__ == "RedAlertSQLStoragePlugin"
    holder = Namespace()
    holder.open_storage(plugin, "RedAlert")
    holder["configuration"] = {"ALWAYS_INVITE": ["U_BOSS"], "SEVERITIES": ("sev1", "sev2")}
    with holder.mutable("counter", 0) as _:
        pass
    holder.close_storage()

    reloaded = Namespace()
    reloaded.open_storage(load_plugin(database), "RedAlert")
    assert reloaded["configuration"] == {"ALWAYS_INVITE": ["U_BOSS"], "SEVERITIES": ("sev1", "sev2")}
    assert sorted(reloaded.keys()) == ["configuration", "counter"]
    assert len(reloaded) == 2
    reloaded.close_storage()


def test_storage_contract(database) -> None:
    plugin = load_plugin(database)
    core, other = plugin.open("core"), plugin.open("Other")
    with pytest.raises(KeyError):
        core.get("missing")
    with pytest.raises(KeyError):
        core.remove("missing")
    core.set("k", [1, 2])
    other.set("k", "other")
    assert (core.get("k"), other.get("k")) == ([1, 2], "other")
    assert (core.len(), list(core.keys())) == (1, ["k"])
    core.remove("k")
    assert core.len() == 0
    assert other.get("k") == "other"
    core.close()
    other.close()


def test_missing_url_is_a_clear_error() -> None:
    config = SimpleNamespace(STORAGE="RedAlertSQL", BOT_EXTRA_STORAGE_PLUGINS_DIR=str(STORAGE_DIR), STORAGE_CONFIG={})
    with pytest.raises(ValueError, match="STORAGE_CONFIG"):
        get_storage_plugin(config)


WRITER = """
import json, sys, time
from types import SimpleNamespace
sys.path.insert(0, sys.argv[1])
from redalert_sql import RedAlertSQLStoragePlugin

storage = RedAlertSQLStoragePlugin(SimpleNamespace(STORAGE_CONFIG=json.loads(sys.argv[2]))).open("core")
for i in range(20):
    storage.set(f"key-{i}", {"i": i})
print("written", flush=True)
time.sleep(60)
"""


def test_completed_writes_survive_sigkill(database) -> None:
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(STORAGE_DIR), json.dumps(database.storage_config)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout.readline().strip() == "written"
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=10)
        writer.stdout.close()
    assert writer.returncode == -signal.SIGKILL

    storage = load_plugin(database).open("core")
    assert [storage.get(f"key-{i}") for i in range(20)] == [{"i": i} for i in range(20)]
    storage.close()
