"""The HTTP API in the RedAlert plugin (a mixin): its routes on Errbot's webserver and the token commands.

`!incident token create|list|revoke` are for admins, in a DM with the bot: a token is shown once, when it is made.
"""

from __future__ import annotations

from errbot import botcmd

from chat_commands.base import ChatBase, answers
from redalert_core.domain import text as texts
from redalert_core.domain.requester import Requester
from redalert_core.domain.visibility import is_dm
from redalert_core.frontends.api import BASE, ApiRoutes

DM_ONLY = "Manage API tokens in a direct message with me: a token shown in a channel is seen by everyone there."


def _when(moment) -> str:
    return texts.when(moment) if moment else "never"


def _in_dm(asker: Requester, msg) -> bool:
    """A DM with the bot: Slack's D… channel when the event names one, else what Errbot says."""
    return is_dm(asker.here) if asker.here else bool(getattr(msg, "is_direct", False))


class ApiTokenCommands(ChatBase):
    def _start_api(self) -> None:
        """Register the API's routes on Errbot's Flask app (once; they call whatever application is current)."""
        import errbot.core_plugins  # Errbot's webserver serves this Flask app

        ApiRoutes(lambda: self._app).register(errbot.core_plugins.flask_app)
        self.log.debug("HTTP API routes under %s", BASE)

    @botcmd
    @answers
    def incident_token_create(self, asker: Requester, args: str, msg=None):
        """Make an API token (admins, in a DM): shown once, stored only as a hash.

        Scopes: `read` (the default) or `write` (which may also read), and `private` to see private incidents.
        Example: `!incident token create ci-deploys write`
        """
        if not _in_dm(asker, msg):
            return DM_ONLY
        token, secret = self.app.create_api_token(asker, args)
        return (
            f"API token *{token.name}* ({token.scope_text()}) — copy it now, I will not show it again:\n"
            f"`{secret}`\n"
            f"Use it as `Authorization: Bearer <token>` on {BASE}/… (docs/api.md). "
            f"`!incident token revoke {token.name}` ends it."
        )

    @botcmd
    @answers
    def incident_token_list(self, asker: Requester, args: str, msg=None):
        """List the API tokens (admins, in a DM): name, scopes, created, last used — never the token itself.

        Example: `!incident token list`
        """
        if not _in_dm(asker, msg):
            return DM_ONLY
        tokens = self.app.list_api_tokens(asker)
        if not tokens:
            return "There are no API tokens. `!incident token create <name> [read|write] [private]` makes one."
        lines = [
            f"• *{t.name}* — {t.scope_text()} — created {_when(t.created_at)} by <@{t.created_by}>, "
            f"last used {_when(t.last_used_at)}"
            for t in tokens
        ]
        return "API tokens:\n" + "\n".join(lines)

    @botcmd
    @answers
    def incident_token_revoke(self, asker: Requester, args: str, msg=None):
        """Revoke an API token (admins, in a DM): every request with it is refused from now on.

        Example: `!incident token revoke ci-deploys`
        """
        if not _in_dm(asker, msg):
            return DM_ONLY
        token = self.app.revoke_api_token(asker, args)
        return f"API token *{token.name}* is revoked: requests with it are refused (401) from now on."
