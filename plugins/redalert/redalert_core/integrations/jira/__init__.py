"""Jira Cloud platform REST API v3: one issue per task, created once, transitioned and edited as the task changes."""

from .client import JiraClient

__all__ = ["JiraClient"]
