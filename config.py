"""Errbot configuration for RedAlert, read from the environment. Start the bot with `errbot -c config.py`.

Every setting is explained in config_template.py.
"""

import logging
import os
import re
import signal
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def _fail(message: str) -> None:
    """Stop the start with one clear line (no traceback)."""
    sys.exit(f"RedAlert cannot start: {message}")


from redalert_core.domain.placeholders import placeholder_variables
from redalert_core.domain.private_urls import OUTSIDE_URL_VARIABLES, allowed_by, refusal

# A value copied unchanged from the project's examples is a secret anybody can read: refuse it (never echo it).
_placeholders = placeholder_variables(os.environ)
if _placeholders:
    _fail(
        f"{', '.join(_placeholders)} still hold(s) a placeholder from the project's examples "
        "(deploy/redalert.env.example, the docs); set the real value."
    )

BOT_TOKEN = os.environ.get("SLACK_BOT_TOKEN", "").strip()
APP_TOKEN = os.environ.get("SLACK_APP_TOKEN", "").strip()
if not BOT_TOKEN:
    _fail("set SLACK_BOT_TOKEN to the Slack app's Bot User OAuth Token (xoxb-…).")
if not re.fullmatch(r"xoxb-[A-Za-z0-9-]+", BOT_TOKEN):
    _fail("SLACK_BOT_TOKEN must be a bot token starting with xoxb- (a user token xoxp- will not work).")
if not APP_TOKEN:
    _fail("set SLACK_APP_TOKEN to an app-level token (xapp-…) with the connections:write scope, for Socket Mode.")
if not re.fullmatch(r"xapp-[A-Za-z0-9-]+", APP_TOKEN):
    _fail("SLACK_APP_TOKEN must be an app-level token starting with xapp- (Basic Information → App-Level Tokens).")

# Outside systems' base URLs may not point inside (loopback, link-local, private) unless ALLOW_PRIVATE_URLS is set.
try:
    ALLOW_PRIVATE_URLS = allowed_by(os.environ.get("ALLOW_PRIVATE_URLS"))
except ValueError as _error:
    _fail(str(_error) + ".")
for _name in OUTSIDE_URL_VARIABLES:
    _refused = None if ALLOW_PRIVATE_URLS else refusal(_name, os.environ.get(_name, ""))
    if _refused:
        _fail(_refused)

SLACK_API_URL = os.environ.get("SLACK_API_URL", "").strip() or "https://slack.com/api/"
if not SLACK_API_URL.endswith("/"):
    SLACK_API_URL += "/"
if not re.match(r"https?://", SLACK_API_URL):
    _fail("SLACK_API_URL must be an http(s) URL such as https://slack.com/api/.")

# The slackv3 backend builds its WebClient without a base URL; errbot runs this file before it imports the backend,
# so a WebClient whose default base_url is SLACK_API_URL reaches Slack, GovSlack or the local emulator alike.
import slack_sdk.web


class _ConfiguredWebClient(slack_sdk.web.WebClient):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("base_url", SLACK_API_URL)
        super().__init__(*args, **kwargs)


slack_sdk.web.WebClient = _ConfiguredWebClient

# Slack's rate limits times this (default 1): the bot paces its calls and replies under them (slack/rate_pacing.py).
_RATE_SCALE = os.environ.get("REDALERT_SLACK_RATE_SCALE", "").strip()
if _RATE_SCALE:
    try:
        if not float(_RATE_SCALE) > 0:
            raise ValueError
    except ValueError:
        _fail(f"REDALERT_SLACK_RATE_SCALE must be a positive number such as 1 or 0.5, not {_RATE_SCALE!r}.")

# Docker and Kubernetes stop containers with SIGTERM; errbot only shuts down cleanly on SIGINT.
signal.signal(signal.SIGTERM, signal.default_int_handler)

# RedAlertSlack (backends/redalert_slack) is the slackv3 backend plus an in-process cache of the user, channel and
# team lookups it makes for every message it sees, and retries on its own replies.
BACKEND = "RedAlertSlack"
BOT_EXTRA_BACKEND_DIR = str(ROOT / "backends")
BOT_IDENTITY = {"token": BOT_TOKEN, "app_token": APP_TOKEN}

BOT_DATA_DIR = str(Path(os.environ.get("REDALERT_DATA_DIR", "").strip() or ROOT / "data").resolve())
Path(BOT_DATA_DIR).mkdir(parents=True, exist_ok=True)
BOT_EXTRA_PLUGIN_DIR = str(ROOT / "plugins")
BOT_LOG_FILE = None
BOT_LOG_LEVEL = getattr(logging, os.environ.get("REDALERT_LOG_LEVEL", "INFO").upper(), logging.INFO)

REDALERT_DATABASE_URL = (
    os.environ.get("REDALERT_DATABASE_URL", "").strip() or f"sqlite:///{Path(BOT_DATA_DIR) / 'redalert.sqlite3'}"
)
# SQLite cannot coordinate replicas: a second process on the same file stops here (PostgreSQL takes any number).
from redalert_core.store import single_process

try:
    single_process.claim(REDALERT_DATABASE_URL)
except single_process.AnotherProcess as _error:
    _fail(str(_error))

# REDALERT_LOG_FORMAT=json: one JSON object a line (replica, request id, command, incident); "text" is Errbot's.
REDALERT_LOG_FORMAT = os.environ.get("REDALERT_LOG_FORMAT", "").strip().lower() or "text"
if REDALERT_LOG_FORMAT not in ("text", "json"):
    _fail(f"REDALERT_LOG_FORMAT must be text or json, not {REDALERT_LOG_FORMAT!r}.")
if REDALERT_LOG_FORMAT == "json":
    import socket

    from redalert_core.observability.json_logs import JsonFormatter

    BOT_LOG_FORMATTER = JsonFormatter(os.environ.get("REDALERT_REPLICA_ID", "").strip() or socket.gethostname())

# Prometheus metrics, /healthz and /readyz on this port (chat_commands/observability.py); unset: none.
REDALERT_METRICS_PORT = os.environ.get("REDALERT_METRICS_PORT", "").strip()
if REDALERT_METRICS_PORT and (not REDALERT_METRICS_PORT.isdigit() or not 0 < int(REDALERT_METRICS_PORT) < 65536):
    _fail(f"REDALERT_METRICS_PORT must be a TCP port number (1-65535), not {REDALERT_METRICS_PORT!r}.")

# Errbot's own storage (plugin configuration) lives in the same database as the incidents.
STORAGE = "RedAlertSQL"
BOT_EXTRA_STORAGE_PLUGINS_DIR = str(ROOT / "storage")
STORAGE_CONFIG = {"url": REDALERT_DATABASE_URL}

BOT_ADMINS = tuple(a.strip() for a in os.environ.get("REDALERT_ADMINS", "").split(",") if a.strip())
for _admin in BOT_ADMINS:
    if not re.fullmatch(r"[UW][A-Z0-9]{2,}", _admin):
        _fail(f"REDALERT_ADMINS must list Slack user IDs like U012AB3CD, separated by commas; {_admin!r} is not one.")
# Errbot builds identifiers from these; bare IDs would make it fail at start.
BOT_ADMINS_NOTIFICATIONS = tuple(f"<@{a}>" for a in BOT_ADMINS)

BOT_PREFIX = "!"
BOT_PREFIX_OPTIONAL_ON_CHAT = True  # in a DM, "incident list" works without the "!"
BOT_ALT_PREFIXES = ("@" + (os.environ.get("REDALERT_BOT_NAME", "").strip() or "redalert"),)
BOT_ALT_PREFIX_CASEINSENSITIVE = True
BOT_ALT_PREFIX_SEPARATORS = (":", ",", ";")

# VersionChecker calls the internet at start; Webserver, Backup and the rest are not needed.
CORE_PLUGINS = ("ACLs", "Help", "Health", "Plugins", "Utils", "CommandNotFoundFilter")
# The HTTP API (docs/api.md) and the read-only web report (`!incident web`) run on Errbot's core Webserver plugin when
# REDALERT_WEB_PORT is set; the RedAlert plugin configures that plugin's port. REDALERT_WEB_SECRET signs the personal
# links (at least 16 characters; unset: the API only, no report); REDALERT_WEB_URL is the address people open
# (default http://localhost:<port>).
REDALERT_WEB_PORT = os.environ.get("REDALERT_WEB_PORT", "").strip()
REDALERT_WEB_SECRET = os.environ.get("REDALERT_WEB_SECRET", "").strip()
REDALERT_WEB_URL = os.environ.get("REDALERT_WEB_URL", "").strip()
if REDALERT_WEB_PORT:
    if not REDALERT_WEB_PORT.isdigit() or not 0 < int(REDALERT_WEB_PORT) < 65536:
        _fail(f"REDALERT_WEB_PORT must be a TCP port number (1-65535), not {REDALERT_WEB_PORT!r}.")
    if REDALERT_WEB_SECRET and len(REDALERT_WEB_SECRET) < 16:  # without one the port serves the HTTP API only
        _fail("REDALERT_WEB_SECRET must be a random string of at least 16 characters (unset: no web report).")
    if REDALERT_WEB_URL and not re.match(r"https?://", REDALERT_WEB_URL):
        _fail("REDALERT_WEB_URL must be an http(s) URL such as https://redalert.example.com.")
    CORE_PLUGINS += ("Webserver",)
# The public status page (docs/status-page.md): its own small HTTP server, no login, when REDALERT_STATUS_PORT is set.
REDALERT_STATUS_PORT = os.environ.get("REDALERT_STATUS_PORT", "").strip()
if REDALERT_STATUS_PORT and (not REDALERT_STATUS_PORT.isdigit() or not 0 < int(REDALERT_STATUS_PORT) < 65536):
    _fail(f"REDALERT_STATUS_PORT must be a TCP port number (1-65535), not {REDALERT_STATUS_PORT!r}.")
REDALERT_STATUS_URL = os.environ.get("REDALERT_STATUS_URL", "").strip()
if REDALERT_STATUS_URL and not re.match(r"https?://", REDALERT_STATUS_URL):
    _fail("REDALERT_STATUS_URL must be an http(s) URL such as https://status.example.com.")
SUPPRESS_CMD_NOT_FOUND = False
HIDE_RESTRICTED_COMMANDS = True
DIVERT_TO_PRIVATE = ()
ACCESS_CONTROLS = {}

# Defaults of RedAlert's plugin configuration; `!plugin config RedAlert {...}` overrides any of them at runtime.
REDALERT_DEFAULT_CONFIG = {
    "SEVERITY_LEVELS": [
        {"label": "SEV1 - Critical", "value": "sev1"},
        {"label": "SEV2 - Major", "value": "sev2"},
        {"label": "SEV3 - Minor", "value": "sev3"},
        {"label": "SEV4 - Low", "value": "sev4"},
        {"label": "SEV5 - Informational", "value": "sev5"},
    ],
    "INCLUDE_IN_INCIDENT": {"always": []},
    "CHANNEL_NAME_TEMPLATE": "{severity}-{date}-{slug}",
    "LIST_LIMIT": 20,
    "CLOSE_ALLOWED": "members",
    "ROLES": ["commander", "communications", "scribe"],
    "STATUSES": ["investigating", "identified", "monitoring", "resolved"],
    "ANNOUNCE_CHANNELS": {},
    "REMINDER_MINUTES": {"sev1": 30, "sev2": 60},
    "POSTMORTEM_SEVERITIES": ["sev1", "sev2"],
    "SUMMARY_UPDATE_SECONDS": 10,
    "PAGERDUTY_ROUTING_KEYS": {},
    "PAGERDUTY_SEVERITIES": {},
    "TRELLO_LIST_ID": "",
    "TRELLO_DONE_LIST_ID": "",
    "TRELLO_MEMBERS": {},
    "CONFLUENCE_SPACE_KEY": "",
    "CONFLUENCE_PARENT_PAGE_ID": "",
    "WEBHOOKS": [],
    "OUTBOX_GIVE_UP_HOURS": 24,
    # Webhook URLs on loopback, link-local or private addresses are refused unless True (or the environment
    # variable ALLOW_PRIVATE_URLS=1): for tests and on-premise targets.
    "ALLOW_PRIVATE_URLS": False,
    # How long a webhook receiver may take to answer, 15-30 s (the Standard Webhooks recommendation).
    "WEBHOOK_TIMEOUT_SECONDS": 15,
    # The weekly metrics digest: a channel ID ("" = no digest) and when, e.g. "mon 09:00 UTC".
    "DIGEST_CHANNEL": "",
    "DIGEST_SCHEDULE": "mon 09:00 UTC",
    # Problem management: who closes tasks ("owners", "admins", "anyone"),
    # who changes a problem's status (same choices), and after how many
    # days an `investigating` problem whose incidents are all closed is
    # brought up with their commanders (then weekly).
    "TASK_CLOSE_ALLOWED": "owners",
    "PROBLEM_STATUS_ALLOWED": "owners",
    "PROBLEM_STALE_DAYS": 14,
    "FORM_GROUPS": [],
    # The public status page (docs/status-page.md): the components the public sees, a list of
    # {"name": "api", "description": "The public API", "group": "Platform"} (group optional); who may publish
    # besides the commander and admins; the page's name.
    "STATUS_COMPONENTS": [],
    "PUBLISH_ROLES": ["commander", "communications"],
    "STATUS_PAGE_NAME": "Service status",
    # Atlassian Statuspage: the page id and our component name -> Statuspage component id (empty: not used).
    "STATUSPAGE_PAGE_ID": "",
    "STATUSPAGE_COMPONENTS": {},
    # Alert intake (docs/api.md, "Alert intake"): the label that picks the severity, its values -> severities, the
    # severity of every other alert, values that never open an incident (of the severity label, or label=value),
    # and label=value -> people or user groups to invite, e.g. {"team=payments": ["@payments-oncall"]}.
    "ALERT_SEVERITY_LABEL": "severity",
    "ALERT_SEVERITY_MAP": {"critical": "sev1", "error": "sev2", "warning": "sev3"},
    "ALERT_DEFAULT_SEVERITY": "sev3",
    "ALERT_IGNORE": ["none", "info"],
    "ALERT_INVITE_BY_LABEL": {},
}
