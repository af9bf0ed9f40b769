"""The RedAlertSlack backend's identifier cache: bounded, expiring, invalidated, and wired into slackv3's classes."""

from __future__ import annotations

import threading
import types
from collections import Counter

import pytest
from cached_identifiers import CachedSlackPerson, CachedSlackRoom, CachedSlackRoomOccupant, use_cached_identifiers
from identifier_cache import ExpiringLru, IdentifierCache
from slack_sdk import WebClient


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class FakeSlack:
    """The four lookups slackv3's identifiers make, answering like Slack and counting calls."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.channel_name = "ops"

    def users_info(self, **kwargs):
        self.calls["users.info"] += 1
        profile = {"real_name": "Alice Liddell", "display_name": "alice", "email": ""}
        return {"ok": True, "user": {"id": kwargs["user"], "team_id": "T1", "profile": profile}}

    def team_info(self, **kwargs):
        self.calls["team.info"] += 1
        return {"ok": True, "team": {"id": "T1", "domain": "acme"}}

    def conversations_info(self, **kwargs):
        self.calls["conversations.info"] += 1
        channel = kwargs["channel"]
        return {
            "ok": True,
            "channel": {"id": channel, "name": self.channel_name, "topic": {"value": ""}, "purpose": {"value": ""}},
        }

    def conversations_setTopic(self, **kwargs):
        self.calls["conversations.setTopic"] += 1
        return {"ok": True}


def test_lru_keeps_the_most_recently_used_and_expires_by_age():
    clock = Clock()
    lru = ExpiringLru(2, clock)
    lru.put("a", 1, ttl=10)
    lru.put("b", 2, ttl=10)
    assert lru.get("a") == 1  # "a" is now the most recent
    lru.put("c", 3, ttl=10)
    assert lru.get("b") is None and lru.get("a") == 1 and lru.get("c") == 3
    clock.now = 10
    assert lru.get("a") is None and len(lru) == 1
    lru.put("forever", 4, ttl=None)
    clock.now = 1e9
    assert lru.get("forever") == 4


def test_fetch_loads_once_and_forget_makes_it_ask_again():
    clock = Clock()
    cache = IdentifierCache(ttl=60, clock=clock)
    loads = []
    assert cache.fetch("user", "U1", lambda: loads.append(1) or "alice") == "alice"
    assert cache.fetch("user", "U1", lambda: loads.append(1) or "other") == "alice"
    cache.forget_user("U1")
    assert cache.fetch("user", "U1", lambda: loads.append(1) or "alice2") == "alice2"
    clock.now = 60
    assert cache.fetch("user", "U1", lambda: loads.append(1) or "alice3") == "alice3"
    assert len(loads) == 3


def test_team_entries_last_until_a_team_event():
    clock = Clock()
    cache = IdentifierCache(ttl=60, clock=clock)
    cache.fetch("team", "T1", lambda: "acme")
    clock.now = 10_000
    assert cache.fetch("team", "T1", lambda: "changed") == "acme"
    cache.forget_teams()
    assert cache.fetch("team", "T1", lambda: "changed") == "changed"


def test_errors_are_not_cached():
    cache = IdentifierCache()

    def fail():
        raise RuntimeError("ratelimited")

    with pytest.raises(RuntimeError):
        cache.fetch("channel", "C1", fail)
    assert cache.fetch("channel", "C1", lambda: "ok") == "ok"


def test_an_answer_loaded_before_a_forget_is_not_kept():
    cache = IdentifierCache()
    loading, forgotten = threading.Event(), threading.Event()

    def slow_old_answer():
        loading.set()
        forgotten.wait(5)
        return "old-name"

    worker = threading.Thread(target=cache.fetch, args=("channel", "C1", slow_old_answer))
    worker.start()
    loading.wait(5)
    cache.forget_channel("C1")  # a channel_rename arrives while the lookup is in flight
    forgotten.set()
    worker.join(5)
    assert cache.fetch("channel", "C1", lambda: "new-name") == "new-name"


def test_lookups_cache_only_the_identifier_calls_and_writes_drop_the_channel():
    slack, cache = FakeSlack(), IdentifierCache()
    lookups = cache.lookups(slack)
    assert cache.lookups(lookups) is lookups  # never wrapped twice
    for _ in range(3):
        lookups.users_info(user="U1")
        lookups.conversations_info(channel="C1")
        lookups.team_info(team="T1")
    assert slack.calls == Counter({"users.info": 1, "conversations.info": 1, "team.info": 1})
    lookups.conversations_info(channel="C1", include_num_members=True)  # another form: straight to Slack
    assert slack.calls["conversations.info"] == 2
    lookups.conversations_setTopic(channel="C1", topic="t")
    lookups.conversations_info(channel="C1")
    assert slack.calls["conversations.setTopic"] == 1 and slack.calls["conversations.info"] == 3


def test_cached_identifiers_are_slackv3s_own_classes_built_from_the_cache():
    slack, cache = FakeSlack(), IdentifierCache()
    module = types.ModuleType("stand_in_for_slackv3_backend")
    use_cached_identifiers(module, cache)
    assert module.SlackRoomOccupant is CachedSlackRoomOccupant

    for _ in range(5):  # what the backend builds for every channel message
        room = CachedSlackRoom(webclient=slack, channelid="C1", bot=None)
        sender = CachedSlackRoomOccupant(slack, "U0ALICE", "C1", None)
    assert slack.calls == Counter({"conversations.info": 1, "users.info": 1, "team.info": 1})
    assert str(sender) == "#ops/alice" and sender.domain == "acme" and room.name == "ops"
    assert isinstance(CachedSlackPerson(slack, "U0ALICE"), CachedSlackPerson)

    slack.channel_name = "ops-renamed"
    cache.forget_channel("C1")
    assert CachedSlackRoom(webclient=slack, channelid="C1", bot=None).name == "ops-renamed"


def test_the_backend_client_gets_retries_whenever_it_is_replaced():
    from redalert_slack import RedAlertSlackBackend

    from redalert_core.slack.gateway import HonestRateLimitRetry

    backend = RedAlertSlackBackend.__new__(RedAlertSlackBackend)  # no connection: only the client property
    for _ in range(2):  # serve_once builds a new client on every reconnect
        backend.slack_web = WebClient(token="xoxb-test")
        kinds = [type(h) for h in backend.slack_web.retry_handlers]
        assert kinds.count(HonestRateLimitRetry) == 1
    backend.slack_web = None
    assert backend.slack_web is None


def test_the_backend_client_talks_to_slack_api_url():
    """slackv3 builds its WebClient without a base URL; the backend points it at config.py's SLACK_API_URL."""
    from redalert_slack import RedAlertSlackBackend

    backend = RedAlertSlackBackend.__new__(RedAlertSlackBackend)
    backend.slack_web = WebClient(token="xoxb-test")
    assert backend.slack_web.base_url == "https://slack.com/api/"
    backend.api_url = "http://127.0.0.1:9/api"
    backend.slack_web = WebClient(token="xoxb-test")
    assert backend.slack_web.base_url == "http://127.0.0.1:9/api/"
