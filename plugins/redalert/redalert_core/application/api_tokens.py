"""The HTTP API's tokens as use cases: create, list and revoke (admins, in a DM), and authenticate a request.

A mixin of RedAlertApp (app.py), kept apart so that the application's one class stays readable.
"""

from __future__ import annotations

from datetime import datetime

from ..domain import api_tokens
from ..domain.api_tokens import ApiToken
from ..domain.requester import FrontEnd, Requester
from ..store import Store
from ..store.api_tokens import DuplicateToken
from .clock import Clock
from .errors import ServiceError

ADMINS_ONLY = "Only admins may manage API tokens."


class TokenUseCases:
    store: Store
    clock: Clock

    def _now(self) -> datetime:
        return self.clock()

    @staticmethod
    def _check_token_admin(requester: Requester) -> None:
        """Admins only; the chat front end also keeps these commands to a DM (a token shown in a channel leaks)."""
        if not requester.is_admin or requester.front_end is FrontEnd.API:
            raise ServiceError(ADMINS_ONLY)

    def create_api_token(self, requester: Requester, args: str) -> tuple[ApiToken, str]:
        """A new token (name and scopes from `args`) and its secret, which is shown this once and stored hashed."""
        self._check_token_admin(requester)
        try:
            wanted = api_tokens.parse_create(args)
        except ValueError as exc:
            raise ServiceError(str(exc)) from exc
        secret = api_tokens.new_secret()
        token = ApiToken(wanted.name, wanted.scopes, self._now(), requester.user)
        try:
            self.store.api_tokens.create(token, api_tokens.digest(secret))
        except DuplicateToken:
            raise ServiceError(
                f"There is already a token named {wanted.name}. Revoke it first "
                f"(!incident token revoke {wanted.name}) or choose another name."
            ) from None
        return token, secret

    def list_api_tokens(self, requester: Requester) -> list[ApiToken]:
        self._check_token_admin(requester)
        return self.store.api_tokens.all()

    def revoke_api_token(self, requester: Requester, name: str) -> ApiToken:
        """Revoke the token named `name`: every request with it is refused (401) from now on."""
        self._check_token_admin(requester)
        name = name.strip()
        if not name or len(name.split()) > 1:
            raise ServiceError("Usage: !incident token revoke <name>")
        found = next((t for t in self.store.api_tokens.all() if t.name == name), None)
        if found is None or not self.store.api_tokens.revoke(name):
            raise ServiceError(f"There is no token named {name[:60]}. See !incident token list.")
        return found

    def authenticate(self, secret: str | None) -> ApiToken | None:
        """The token a request presents, if it is one (its use is recorded); None for none, a wrong or revoked one."""
        if not secret or not secret.startswith(api_tokens.PREFIX) or len(secret) > 200:
            return None
        token = self.store.api_tokens.by_hash(api_tokens.digest(secret))
        if token is not None:
            self.store.api_tokens.touch(token.name, self._now())
        return token

    @staticmethod
    def api_requester(token: ApiToken) -> Requester:
        """Who an API call is: the token, acting with an admin's rights (an admin made it for writing), seeing
        private incidents only with the private scope."""
        return Requester(
            user=api_tokens.actor(token.name),
            is_admin=True,
            front_end=FrontEnd.API,
            token=token.name,
            sees_private=token.sees_private,
        )
