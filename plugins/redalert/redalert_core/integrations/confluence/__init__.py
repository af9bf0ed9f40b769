"""Confluence Cloud REST v2: post-mortem pages created once, then updated version by version."""

from .client import ConfluenceClient, PageRef

__all__ = ["ConfluenceClient", "PageRef"]
