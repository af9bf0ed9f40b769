"""The key-value queries behind Errbot's storage."""

from __future__ import annotations


def test_set_get_overwrite_delete(store) -> None:
    assert store.kv.get("core", "configs") is None
    store.kv.set("core", "configs", b"one")
    store.kv.set("core", "configs", b"two")
    assert store.kv.get("core", "configs") == b"two"
    assert store.kv.delete("core", "configs") is True
    assert store.kv.delete("core", "configs") is False
    assert store.kv.get("core", "configs") is None


def test_keys_and_count_are_per_namespace(store) -> None:
    store.kv.set("core", "b", b"1")
    store.kv.set("core", "a", b"2")
    store.kv.set("RedAlert", "a", b"3")
    assert store.kv.keys("core") == ["a", "b"]
    assert store.kv.count("core") == 2
    assert store.kv.get("RedAlert", "a") == b"3"
    assert store.kv.keys("empty") == []
    assert store.kv.count("empty") == 0


def test_values_are_binary_safe(store) -> None:
    value = bytes(range(256)) * 40
    store.kv.set("core", "blob", value)
    assert store.kv.get("core", "blob") == value
