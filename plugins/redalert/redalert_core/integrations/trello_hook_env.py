"""Where Trello's webhook comes back and how it is signed, from the environment: REDALERT_WEB_URL (the bot's public
address, reachable by Trello) and TRELLO_APP_SECRET (the Trello app's secret). Apart from the trello package, so the
application reads them without importing httpx at start."""

from __future__ import annotations

import os

from ..domain.trello_inbound import callback_url


def env(name: str) -> str:
    return os.environ.get(name, "").strip()


def app_secret() -> str:
    return env("TRELLO_APP_SECRET")


def trello_callback() -> str | None:
    """The callback URL, with both variables set; else None (no webhook)."""
    web_url = env("REDALERT_WEB_URL")
    if not web_url or not app_secret():
        return None
    return callback_url(web_url)
