"""The key-value queries behind Errbot's storage."""

from __future__ import annotations


def test_set_get_overwrite_delete(store) -> None:
    assert store.kv_get("core", "configs") is None
    store.kv_set("core", "configs", b"one")
    store.kv_set("core", "configs", b"two")
    assert store.kv_get("core", "configs") == b"two"
    assert store.kv_delete("core", "configs") is True
    assert store.kv_delete("core", "configs") is False
    assert store.kv_get("core", "configs") is None


def test_keys_and_count_are_per_namespace(store) -> None:
    store.kv_set("core", "b", b"1")
    store.kv_set("core", "a", b"2")
    store.kv_set("RedAlert", "a", b"3")
    assert store.kv_keys("core") == ["a", "b"]
    assert store.kv_count("core") == 2
    assert store.kv_get("RedAlert", "a") == b"3"
    assert store.kv_keys("empty") == []
    assert store.kv_count("empty") == 0


def test_values_are_binary_safe(store) -> None:
    value = bytes(range(256)) * 40
    store.kv_set("core", "blob", value)
    assert store.kv_get("core", "blob") == value
