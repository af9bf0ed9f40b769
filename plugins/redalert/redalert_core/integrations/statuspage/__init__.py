"""Atlassian Statuspage REST API v1: an incident created on first publish, then updated; withdrawn by delete."""

from .client import StatuspageClient

__all__ = ["StatuspageClient"]
