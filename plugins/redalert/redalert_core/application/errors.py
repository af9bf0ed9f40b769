"""The refusal every use case raises: its text is what the person reads (front ends show it as their answer)."""

from __future__ import annotations

from ..services.incidents import NoSuchIncident, ServiceError


class Forbidden(ServiceError):
    """The requester may not do this at all (the HTTP API answers 403)."""


__all__ = ["Forbidden", "NoSuchIncident", "ServiceError"]
