"""The HTTP API through Flask's test client on an application built as the plugin builds it (tests/app's fixture),
every response checked against openapi.json (contract.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from app_support import build_app, stop_app
from contract import BASE, check
from flask import Flask
from slack_workspace import ADMIN

from redalert_core.application.app import RedAlertApp
from redalert_core.domain.requester import Requester
from redalert_core.frontends.api import ApiRoutes


@pytest.fixture
def config() -> dict[str, Any]:
    return {}


@pytest.fixture
def app(emulator, tmp_path, config, workflows_file) -> Iterator[RedAlertApp]:
    """Built as tests/app builds it (bootstrap.build on the Slack emulator and an SQLite file)."""
    built = build_app(emulator, tmp_path, config=config, workflows_file=workflows_file)
    yield built
    stop_app(built)


class Api:
    """A client whose every answer is checked against the document."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def call(
        self, method: str, path: str, token: str | None = None, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> tuple[int, Any, Any]:
        headers = {**({"Authorization": f"Bearer {token}"} if token else {}), **(headers or {})}
        response = self.client.open(BASE + path, method=method, headers=headers, **kwargs)
        return response.status_code, check(response, BASE + path, method), response


@pytest.fixture
def api(app) -> Api:
    flask_app = Flask("redalert-api-test")
    ApiRoutes(lambda: app).register(flask_app)
    return Api(flask_app.test_client())


@pytest.fixture
def tokens(app) -> dict[str, str]:
    """read, write and write+private tokens, by name."""
    admin = Requester(ADMIN, here="D0ADMIN", is_admin=True)
    made = {}
    for args in ("reader read", "writer write", "secret write private"):
        made[args.split()[0]] = app.create_api_token(admin, args)[1]
    return made
