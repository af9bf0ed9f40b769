"""PagerDuty: the Events API v2 (trigger, acknowledge and resolve alerts by dedup_key) and the REST API (who is on
call now)."""

from .client import PagerDutyClient
from .rest import PagerDutyRestClient

__all__ = ["PagerDutyClient", "PagerDutyRestClient"]
