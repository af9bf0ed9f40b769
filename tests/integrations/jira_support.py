"""The Jira emulator with the bot's environment pointed at it, for tests/integrations and tests/app."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from outside_emulators import JiraEmulator

JIRA_EMAIL, JIRA_TOKEN, JIRA_SECRET = "redalert@example.com", "jira-api-token-123", "jira-webhook-secret-456"


@contextmanager
def jira_for_bot(monkeypatch: pytest.MonkeyPatch) -> Iterator[JiraEmulator]:
    with JiraEmulator(email=JIRA_EMAIL, api_token=JIRA_TOKEN, projects=("OPS", "SEC")) as jira:
        monkeypatch.setenv("JIRA_URL", jira.url)
        monkeypatch.setenv("JIRA_EMAIL", JIRA_EMAIL)
        monkeypatch.setenv("JIRA_API_TOKEN", JIRA_TOKEN)
        monkeypatch.setenv("JIRA_WEBHOOK_SECRET", JIRA_SECRET)
        jira.alice = jira.add_user("Alice Jira", "alice@example.com")
        jira.bob = jira.add_user("Bob Jira", "bob-in-jira@example.com")
        yield jira


@contextmanager
def serving_hooks(app: object) -> Iterator[str]:
    """RedAlert's API routes (the Jira webhook among them) on a local HTTP server; yields the hook's URL."""
    import threading

    from flask import Flask
    from werkzeug.serving import make_server

    from redalert_core.frontends.api import ApiRoutes

    flask_app = Flask("jira-hooks")
    ApiRoutes(lambda: app).register(flask_app)  # type: ignore[arg-type, return-value]
    server = make_server("127.0.0.1", 0, flask_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/redalert/api/v1/hooks/jira"
    finally:
        server.shutdown()
        thread.join(5)
