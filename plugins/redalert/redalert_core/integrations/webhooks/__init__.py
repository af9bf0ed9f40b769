"""Outgoing webhooks signed per the Standard Webhooks specification."""

from .client import WebhookClient
from .signing import sign, verify

__all__ = ["WebhookClient", "sign", "verify"]
