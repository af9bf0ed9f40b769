"""The backend's interaction router: which ack each envelope gets, and slow slash commands answered later."""

from __future__ import annotations

import threading

import pytest
from interaction_router import FAILED, NOT_READY, WORKING, InteractionRouter

SLASH = {"command": "/incident", "text": "list", "response_url": "http://127.0.0.1:1/response/x"}


class Responses:
    def __init__(self) -> None:
        self.posted: list[tuple[str, dict]] = []
        self.arrived = threading.Event()

    def __call__(self, url: str, body: dict) -> None:
        self.posted.append((url, body))
        self.arrived.set()


@pytest.fixture
def responses() -> Responses:
    return Responses()


@pytest.fixture
def router(responses):
    router = InteractionRouter(responses, budget=0.5)
    yield router
    router.shutdown()


def test_a_quick_handler_answers_in_the_ack(router):
    router.register("slash_commands", lambda payload: {"response_type": "ephemeral", "text": payload["text"]})
    assert router.handle("slash_commands", SLASH) == {"response_type": "ephemeral", "text": "list"}


def test_nothing_registered_yet(router):
    assert router.handle("slash_commands", SLASH) == NOT_READY
    assert router.handle("interactive", {"type": "block_actions"}) is None


def test_a_failing_handler_still_gets_an_ack(router):
    def broken(payload):
        raise RuntimeError("boom")

    router.register("slash_commands", broken)
    router.register("interactive", broken)
    assert router.handle("slash_commands", SLASH) == FAILED
    assert router.handle("interactive", {"type": "view_submission"}) is None


def test_a_slow_slash_command_acks_at_once_and_answers_through_the_response_url(router, responses):
    release = threading.Event()

    def slow(payload):
        release.wait(10)  # finishes only once the test has seen the ack
        return {"response_type": "ephemeral", "text": "done"}

    router.register("slash_commands", slow)
    assert router.handle("slash_commands", SLASH) == WORKING
    assert responses.posted == []
    release.set()
    assert responses.arrived.wait(10)
    assert responses.posted == [(SLASH["response_url"], {"response_type": "ephemeral", "text": "done"})]


def test_a_slow_interaction_is_acked_empty(router, responses):
    release = threading.Event()
    router.register("interactive", lambda payload: release.wait(10) and {"response_action": "errors"})
    assert router.handle("interactive", {"type": "view_submission"}) is None
    release.set()


def test_unknown_kinds_are_refused_at_registration(router):
    with pytest.raises(ValueError, match="unknown interaction kind"):
        router.register("events_api", lambda payload: None)
    router.register("interactive", lambda payload: {"x": 1})
    router.unregister("interactive")
    assert router.handle("interactive", {}) is None
