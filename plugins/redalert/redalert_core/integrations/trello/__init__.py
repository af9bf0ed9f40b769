"""Trello REST API: one card per task, created once and updated as the task changes."""

from .client import TrelloClient

__all__ = ["TrelloClient"]
