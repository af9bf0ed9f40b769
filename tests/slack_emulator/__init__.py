"""A local Slack Web API + Socket Mode emulator for RedAlert's tests."""

from .emulator import SlackEmulator
from .workspace import DEFAULT_BOT_SCOPES, Call, Channel

__all__ = ["DEFAULT_BOT_SCOPES", "Call", "Channel", "SlackEmulator"]
