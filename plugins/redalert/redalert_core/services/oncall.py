"""Who is on call now: PagerDuty's REST API (`GET /oncalls`) for the people, Slack (`users.lookupByEmail`) for
their accounts. Never raises for an outside failure: what could not be found is said in `OnCallLookup.missing`, so
an open that invites the on-call goes on without them."""

from __future__ import annotations

import logging
from collections.abc import Callable

from ..domain.oncall import OnCallLookup, OnCallTarget
from ..domain.outbox import DeliveryFailed
from ..integrations.pagerduty.rest import PagerDutyRestClient, configured
from ..slack.gateway import SlackError, SlackGateway

log = logging.getLogger(__name__)


class OnCallService:
    def __init__(
        self,
        gateway: SlackGateway,
        client: Callable[[], PagerDutyRestClient] = PagerDutyRestClient,
        is_configured: Callable[[], bool] = configured,
    ) -> None:
        self.gateway = gateway
        self._client = client
        self.is_configured = is_configured

    def lookup(self, target: OnCallTarget) -> OnCallLookup:
        result = OnCallLookup(target)
        if not target:
            return result
        if not self.is_configured():
            result.missing.append(f"the on-call of {target.describe()}: PAGERDUTY_API_TOKEN is not set")
            return result
        client = self._client()
        try:
            result.people = client.oncalls(target)
        except DeliveryFailed as exc:
            log.warning("PagerDuty on-call lookup failed: %s", exc.reason)
            result.missing.append(f"the on-call of {target.describe()}: PagerDuty could not be reached ({exc.reason})")
            return result
        finally:
            client.close()
        if not result.people:
            result.missing.append(f"the on-call of {target.describe()}: nobody is on call")
        for person in result.people:
            if person.pagerduty_id in result.slack_ids:
                continue
            slack_id = self._slack_id(person.email)
            if slack_id is None:
                result.missing.append(f"{person.name} (on call for {person.escalation_policy}): not found in Slack")
            else:
                result.slack_ids[person.pagerduty_id] = slack_id
        return result

    def _slack_id(self, email: str) -> str | None:
        if not email:
            return None
        try:
            return self.gateway.user_by_email(email)
        except SlackError as exc:
            log.warning("users.lookupByEmail failed: %s", exc.describe())
            return None
