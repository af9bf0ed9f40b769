"""PagerDuty Events API v2: trigger, acknowledge and resolve alerts by dedup_key."""

from .client import PagerDutyClient

__all__ = ["PagerDutyClient"]
