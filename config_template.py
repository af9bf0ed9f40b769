##########################################################################
#                                                                        #
#  RedAlert's Errbot configuration template.                             #
#                                                                        #
#  config.py (next to this file) is what `errbot -c config.py` runs: it  #
#  reads every setting below from the environment, so most people never #
#  edit it. This template documents each setting, in the style of        #
#  Errbot's own config-template.py. To hard-code values instead of using #
#  the environment, copy this file to config.py and edit the values.     #
#                                                                        #
##########################################################################

import logging
import signal
from pathlib import Path

##########################################################################
# Slack connection                                                       #
##########################################################################

# SLACK_BOT_TOKEN: the Bot User OAuth Token (xoxb-…) from your Slack app's
# "OAuth & Permissions" page. A user token (xoxp-…) does not work.
# SLACK_APP_TOKEN: an app-level token (xapp-…) with the connections:write
# scope, from "Basic Information → App-Level Tokens". RedAlert connects
# with Socket Mode, so it needs no public URL.
#
# RedAlertSlack (in backends/) is errbot's slackv3 backend with two
# additions: the user, channel and team lookups the backend makes for
# every message it sees are cached in the process (up to 4096 entries,
# 10 minutes each, refreshed sooner by rename and user events), so chatter
# in a busy incident channel costs no Slack call; and its own replies are
# retried when Slack rate-limits them. BACKEND = "SlackV3" also works,
# without those two.
BACKEND = "RedAlertSlack"
BOT_EXTRA_BACKEND_DIR = "backends"
BOT_IDENTITY = {
    "token": "xoxb-your-bot-token",
    "app_token": "xapp-your-app-token",
}

# SLACK_API_URL: the Web API base URL. Slack's own is the default; GovSlack
# workspaces use https://slack-gov.com/api/, and the test suite points it at
# its local Slack emulator. The RedAlertSlack backend reads it (the plain
# SlackV3 backend ignores it and always talks to Slack).
SLACK_API_URL = "https://slack.com/api/"

# Docker and Kubernetes stop containers with SIGTERM. Errbot only shuts
# down cleanly on SIGINT, so SIGTERM is turned into SIGINT.
signal.signal(signal.SIGTERM, signal.default_int_handler)

##########################################################################
# Data and storage                                                       #
##########################################################################

# REDALERT_DATA_DIR: where the bot keeps its files (default ./data). With
# the default database it holds redalert.sqlite3; mount it as a volume.
BOT_DATA_DIR = str(Path("data").resolve())

# REDALERT_DATABASE_URL: where incidents are stored. Default: an SQLite
# file in the data dir. In production use PostgreSQL, for example
# postgresql://redalert:secret@db.internal:5432/redalert
# Migrations are applied at start.
REDALERT_DATABASE_URL = f"sqlite:///{BOT_DATA_DIR}/redalert.sqlite3"

# Errbot's own storage (the plugin configuration set with !plugin config)
# is kept in the same database through the RedAlertSQL storage plugin in
# storage/, so a container without a volume keeps its configuration in
# PostgreSQL, and a killed process never corrupts it (Errbot's default
# Shelf storage can be corrupted by SIGTERM).
STORAGE = "RedAlertSQL"
BOT_EXTRA_STORAGE_PLUGINS_DIR = "storage"
STORAGE_CONFIG = {"url": REDALERT_DATABASE_URL}

# Where Errbot finds the RedAlert plugin.
BOT_EXTRA_PLUGIN_DIR = "plugins"

# Logs go to the console (docker logs, journald). REDALERT_LOG_LEVEL sets
# the level (DEBUG, INFO, WARNING, ERROR); tokens are never logged.
BOT_LOG_FILE = None
BOT_LOG_LEVEL = logging.INFO
# REDALERT_LOG_FORMAT=json: one JSON object a line with the replica, the
# request id, the command and the incident (docs/operations.md); config.py
# then sets Errbot's BOT_LOG_FORMATTER to RedAlert's JSON formatter.
# BOT_LOG_FORMATTER = JsonFormatter(replica="redalert-1")

# Prometheus metrics (/metrics) and the probes' /healthz and /readyz on
# this port, all interfaces (REDALERT_METRICS_HOST narrows it, e.g. to
# 127.0.0.1). Unset: no metrics server (docs/operations.md).
REDALERT_METRICS_PORT = ""

##########################################################################
# Who may administer the bot                                             #
##########################################################################

# The read-only web report (`!incident web` sends a personal link, valid
# 12 hours). REDALERT_WEB_PORT turns it on: Errbot's core Webserver plugin
# listens there (REDALERT_WEB_HOST, default 0.0.0.0). REDALERT_WEB_SECRET
# (16+ random characters) signs the links; REDALERT_WEB_URL is the address
# people open, e.g. https://redalert.example.com (default
# http://localhost:<port>). Put a TLS-terminating proxy in front of it.
# With a port set, add "Webserver" to CORE_PLUGINS below.
# RedAlert then serves only /redalert/... there: Errbot's own webhooks
# (its POST /echo) answer 404 on that port.
REDALERT_WEB_PORT = ""
REDALERT_WEB_SECRET = ""
REDALERT_WEB_URL = ""

# The public status page (docs/status-page.md): its own small HTTP server on
# REDALERT_STATUS_PORT (REDALERT_STATUS_HOST, default 0.0.0.0), no login,
# separate from the web report. REDALERT_STATUS_URL is its public address,
# for links in chat and in the Atom feed. Statuspage: STATUSPAGE_API_URL
# (default https://api.statuspage.io/v1) and STATUSPAGE_API_KEY.
REDALERT_STATUS_PORT = ""
REDALERT_STATUS_URL = ""

# REDALERT_ADMINS: comma-separated Slack user IDs (U012AB3CD). Only they
# may change the configuration with !plugin config RedAlert {...}.
BOT_ADMINS = ("U012AB3CD",)
# Errbot warns admins by DM; it needs the <@U…> form here, not bare IDs.
BOT_ADMINS_NOTIFICATIONS = tuple(f"<@{admin}>" for admin in BOT_ADMINS)

##########################################################################
# Commands                                                               #
##########################################################################

# "!incident …" everywhere; in a DM the prefix is optional ("incident list").
BOT_PREFIX = "!"
BOT_PREFIX_OPTIONAL_ON_CHAT = True
# "@redalert incident …" works too. REDALERT_BOT_NAME: the bot user's
# name in Slack, if the app's bot is not called redalert.
BOT_ALT_PREFIXES = ("@redalert",)
BOT_ALT_PREFIX_CASEINSENSITIVE = True
BOT_ALT_PREFIX_SEPARATORS = (":", ",", ";")

# Core plugins to load. VersionChecker is left out: it calls the internet
# at start. Webserver only serves the web report (REDALERT_WEB_PORT).
CORE_PLUGINS = ("ACLs", "Help", "Health", "Plugins", "Utils", "CommandNotFoundFilter")
SUPPRESS_CMD_NOT_FOUND = False
HIDE_RESTRICTED_COMMANDS = True
DIVERT_TO_PRIVATE = ()

# Errbot's access controls, keyed by "Plugin:command". Slack user IDs and
# channel IDs are matched, e.g. restrict closing to admins:
# ACCESS_CONTROLS = {"RedAlert:incident_close": {"allowusers": BOT_ADMINS}}
ACCESS_CONTROLS = {}

##########################################################################
# RedAlert's defaults                                                    #
##########################################################################

# RedAlert's plugin configuration. Admins change any key at runtime, in
# Slack, and the change survives restarts:
#   !plugin config RedAlert {'INCLUDE_IN_INCIDENT': {'always': 'U0105K7EFNX'}}
# Keys not given keep their defaults. The defaults are written in one
# place, DEFAULT_CONFIG in plugins/redalert/redalert_core/domain/settings.py;
# `!plugin config RedAlert` shows the values in effect. The keys:
#
# SEVERITY_LEVELS: the severities `!incident open <severity> …` accepts, a
#   list of {"label": …, "value": …}. "value" starts the channel name (1-30
#   characters of a-z 0-9 - _); "label" is shown.
# INCLUDE_IN_INCIDENT: who is invited to every incident ("always") and to
#   incidents of one severity (key = severity value). Entries: user IDs
#   (U…/W…), user-group IDs (S…) or user-group handles (@sre), as a list or
#   a comma-separated string. User groups are expanded to their members.
# CHANNEL_NAME_TEMPLATE: the incident channel's name. Fields: {severity},
#   {date} (YYYYMMDD), {slug} (the description made channel-safe) and
#   {number}. Must contain {slug} or {number}. On a name clash -2, -3, … is
#   appended.
# LIST_LIMIT: how many incidents `!incident list` shows before it cuts the
#   list.
# CLOSE_ALLOWED: who may close an incident: "members" (anyone in its
#   channel) and admins, "admins" only, or "anyone". Nothing but a RedAlert
#   incident channel is ever archived, whoever asks.
# ROLES: incident roles for `!incident role <role> @person`; must include
#   "commander" (`!incident lead @person`; by default the opener).
# STATUSES: statuses for `!incident status <status> [note]`, in order: the
#   first is where an incident starts, the last one marks it resolved (the
#   resolution time is recorded; closing still archives the channel).
# ANNOUNCE_CHANNELS: announcement channel per severity (key = severity
#   value, value = a channel ID C…, with the bot as a member). Each
#   incident's first announcement is posted there when it opens, and
#   `!incident update` replies in its thread. Private incidents are never
#   announced.
# REMINDER_MINUTES: minutes without an `!incident update` after which the
#   commander is nudged in the incident channel, per severity (others: no
#   reminder). Incidents resolved but not closed for a day are nudged to
#   close. REDALERT_REMINDER_INTERVAL (seconds, default 60) sets how often
#   the bot checks.
# POSTMORTEM_SEVERITIES: severities whose post-mortem draft (Markdown) is
#   uploaded to the channel on close; `!incident postmortem` makes one at
#   any time.
# SUMMARY_UPDATE_SECONDS: at most one edit of an incident's pinned summary
#   every this many seconds (0 to 300); the last state always lands.
#
# Outside systems (docs/integrations.md). Everything goes through a
# durable outbox: delivered after the chat reply, retried, never lost.
# PAGERDUTY_ROUTING_KEYS: PagerDuty Events v2 routing key per severity: the
#   32-character integration key or "env:NAME" (an environment variable
#   holding it). Opening such an incident pages; the first status change
#   acknowledges; resolved or close resolves. PAGERDUTY_EVENTS_URL
#   overrides the URL.
# PAGERDUTY_SEVERITIES: PagerDuty's severity per severity value (critical,
#   error, warning, info); default: the first severity critical, the second
#   error, the rest warning.
# TRELLO_LIST_ID, TRELLO_DONE_LIST_ID, TRELLO_MEMBERS: the Trello list
#   (24-character id) where task cards go, the list done cards move to
#   (optional), and Slack user id -> Trello member id. Needs TRELLO_API_KEY
#   and TRELLO_TOKEN in the environment; TRELLO_APP_SECRET and REDALERT_WEB_URL
#   (reachable by Trello) also bring card changes back (docs/integrations.md).
# JIRA_PROJECT_KEY: the Jira project where task issues go (like "OPS"), or
#   a dict from severity (and "default", for problems' tasks and other
#   severities) to a project key; empty turns Jira off. Needs JIRA_URL,
#   JIRA_EMAIL and JIRA_API_TOKEN in the environment (JIRA_WEBHOOK_SECRET
#   for changes made in Jira to come back; docs/integrations.md).
# JIRA_ISSUE_TYPE: the issue type of task issues (default Task).
# JIRA_INCIDENT_ISSUE_TYPE: also make each (non-private) incident an issue of
#   this type, like "Incident", updated on severity and status changes and
#   resolved at close; empty (the default) turns this off.
# JIRA_PRIORITIES: severity -> Jira priority name, like {"sev1": "Highest"}.
# JIRA_USERS: Slack user id -> Jira accountId. Without an entry the owner's
#   Jira account is found by their Slack email (needs users:read.email),
#   else the issue stays unassigned (said once in the channel).
# CONFLUENCE_SPACE_KEY, CONFLUENCE_PARENT_PAGE_ID: the Confluence space key
#   for post-mortem pages, and an optional parent page id. Needs
#   CONFLUENCE_URL, CONFLUENCE_EMAIL and CONFLUENCE_API_TOKEN in the
#   environment.
# WEBHOOKS: signed outgoing webhooks (docs/webhooks.md): a list of
#   {"url": "https://…", "events": ["incident.opened", …],
#    "secret": "env:NAME"}.
# WEBHOOK_TIMEOUT_SECONDS: how long a webhook receiver may take to answer,
#   15-30 s (the Standard Webhooks recommendation).
# OUTBOX_GIVE_UP_HOURS: hours after which an undeliverable call stops being
#   retried (dead; `!incident outbox retry` requeues it).
# ALLOW_PRIVATE_URLS: webhook URLs that point to loopback, link-local or
#   private addresses (127.0.0.1, 169.254.169.254, 10.x, localhost…) are
#   refused unless this is True or the environment sets
#   ALLOW_PRIVATE_URLS=1 (for tests and on-premise targets). Host names are
#   not resolved.
#
# DIGEST_CHANNEL, DIGEST_SCHEDULE: the weekly digest (docs/metrics.md):
#   last week's incident figures and chart beside the week before's,
#   posted once a week in this channel (a channel ID C…, with the bot as a
#   member; "" = no digest) at DIGEST_SCHEDULE: "<day> <HH:MM> <zone>",
#   e.g. "mon 09:00 UTC" or "fri 16:30 Europe/Paris". Private incidents are
#   left out.
# TASK_CLOSE_ALLOWED: who may close or reopen a follow-up task (`!task
#   done`): "owners" = the task's owner, the commander of its incident (for
#   a problem's task: the problem's opener and its incidents' commanders)
#   and admins; "admins" only; or "anyone". Anyone may add and assign tasks.
# PROBLEM_STATUS_ALLOWED: who may change a problem's status (`!problem
#   status`): "owners" = its opener, the commanders of its incidents and
#   admins; "admins"; or "anyone".
# PROBLEM_STALE_DAYS: days a problem may stay `investigating` after all its
#   incidents closed before their commanders are reminded by DM (then
#   weekly).
# FORM_GROUPS: user groups offered in the "Open an incident" form
#   (`/incident`), as IDs (S…) or @handles. Empty: the form has a text
#   field where people type @handles instead.
#
# The public status page (docs/status-page.md):
# STATUS_COMPONENTS: the components the public sees, a list of
#   {"name": "api", "description": "The public API", "group": "Platform"}
#   (group optional).
# PUBLISH_ROLES: who may publish besides the commander and admins.
# STATUS_PAGE_NAME: the page's name.
# STATUSPAGE_PAGE_ID, STATUSPAGE_COMPONENTS: Atlassian Statuspage: the page
#   id and our component name -> Statuspage component id (empty: not used).
#
# Alert intake (docs/api.md, "Alert intake"):
# ALERT_SEVERITY_LABEL: the label whose value picks the severity.
# ALERT_SEVERITY_MAP: that label's values -> severities, e.g.
#   {"critical": "sev1", "warning": "sev3"}.
# ALERT_DEFAULT_SEVERITY: the severity of every other alert.
# ALERT_IGNORE: values that never open an incident: a value of the severity
#   label ("info"), or "label=value".
# ALERT_INVITE_BY_LABEL: "label=value" -> people or user groups invited when
#   such an alert opens an incident, e.g.
#   {"team=payments": ["@payments-oncall"]}.
#
# REDALERT_DEFAULT_CONFIG (optional): this deployment's own starting values
# for some keys, e.g. {"LIST_LIMIT": 50}; they replace the built-in
# defaults until an admin changes them in Slack.
REDALERT_DEFAULT_CONFIG = {}
