"""The refusal every use case raises: its text is what the person reads (front ends show it as their answer)."""

from __future__ import annotations

from ..services.incidents import ServiceError

__all__ = ["ServiceError"]
