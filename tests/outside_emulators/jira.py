"""Jira Cloud platform REST API v3 emulator (issues, transitions, users, priorities) per Atlassian's OpenAPI
description (tests/specs/jira-platform-openapi-v3.subset.json), sending signed webhooks as Jira Cloud does.

Basic auth (email:api_token) else 401. Errors are Jira's ErrorCollection `{"errorMessages": [...], "errors":
{field: message}}`; an unknown issue is 404; more than `requests_per_minute` per account → 429 + Retry-After.
Every change — through the API (the bot's account) or made "in Jira" by a person (`transition_as`, `edit_as`,
`delete_as`) — sends `jira:issue_updated` (with a changelog) or `jira:issue_deleted` to the registered webhook,
signed `X-Hub-Signature: sha256=<hex HMAC-SHA256 of the body>`, with `X-Atlassian-Webhook-Identifier`."""

from __future__ import annotations

import base64
import itertools
import json
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from .base import EmulatorBase, RollingLimit, json_response
from .jira_model import (
    DEFAULT_PRIORITIES,
    STATUSES,
    TRANSITIONS,
    FieldErrors,
    Issue,
    User,
    check_fields,
    status_json,
    transition_json,
)
from .jira_search import parse as parse_jql
from .jira_webhooks import WebhookSender

API = "/rest/api/3"
NO_ISSUE = "Issue does not exist or you do not have permission to see it."


class JiraEmulator(EmulatorBase):
    """`email`/`api_token`: the bot's valid Basic credentials (its account is `bot_account_id`). Projects, users
    and the webhook are seeded with add_project, add_user and register_webhook."""

    name = "jira"
    url_suffix = ""

    def __init__(
        self,
        email: str = "redalert@example.com",
        api_token: str = "jira-token",
        projects: tuple[str, ...] = ("OPS",),
        requests_per_minute: int = 300,
        clock: Callable[[], float] = time.monotonic,
        port: int = 0,
    ) -> None:
        super().__init__(port=port)
        self.email, self.api_token = email, api_token
        self.projects = set(projects)
        self.limit = RollingLimit(requests_per_minute, 60, clock)
        self._account_ids = itertools.count(1)
        self._issue_ids = itertools.count(10001)
        self._numbers: dict[str, itertools.count] = {}
        self.users: dict[str, User] = {}
        self.priorities = {str(i + 1): name for i, name in enumerate(DEFAULT_PRIORITIES)}
        self._issues: dict[str, Issue] = {}
        self.bot_account_id = self.add_user("RedAlert", email)
        self.webhooks = WebhookSender(self._cond)

    # --- seeding and state for tests ---------------------------------------------------------------------------
    def add_project(self, key: str) -> None:
        with self._cond:
            self.projects.add(key)

    def add_user(self, name: str, email: str) -> str:
        with self._cond:
            account = f"5b10a2844c20165700ede{next(self._account_ids):03d}"
            self.users[account] = User(account, name, email)
        return account

    def register_webhook(self, url: str, secret: str | None) -> None:
        self.webhooks.register(url, secret)

    @property
    def issues(self) -> dict[str, Issue]:
        with self._cond:
            return dict(self._issues)

    def issue(self, key: str) -> Issue | None:
        with self._cond:
            return self._issues.get(key)

    def wait_for_issue(self, predicate: Callable[[Issue], bool], timeout: float = 10.0) -> Issue:
        return self.wait_for(lambda: next((i for i in self._issues.values() if predicate(i)), None), timeout)

    def browse_url(self, key: str) -> str:
        return f"{self.base_url}/browse/{key}"

    # --- changes made "in Jira" by a person (they send webhooks like any change) ---------------------------------
    def transition_as(self, key: str, category: str, account: str, fields: dict[str, Any] | None = None) -> None:
        """Move the issue to the status of `category` (new, indeterminate, done) as `account`, setting `fields` in
        the same change when given (a transition screen): one webhook tells both."""
        target = next(s for s, (_, cat) in STATUSES.items() if cat == category)
        with self._cond:
            self._change(self._issues[key], self._check(fields or {}, create=False), target, account)

    def edit_as(self, key: str, fields: dict[str, Any], account: str) -> None:
        with self._cond:
            self._change(self._issues[key], self._check(fields, create=False), None, account)

    def delete_as(self, key: str, account: str) -> None:
        with self._cond:
            issue = self._issues[key]
            issue.deleted = True
            self.webhooks.send("jira:issue_deleted", self._issue_json(issue), self._user_json(account), None)
            self._cond.notify_all()

    # --- HTTP ----------------------------------------------------------------------------------------------------
    def _add_routes(self, app: web.Application) -> None:
        app.router.add_post(f"{API}/issue", self._create)
        app.router.add_get(f"{API}/issue/{{key}}", self._get)
        app.router.add_put(f"{API}/issue/{{key}}", self._edit)
        app.router.add_get(f"{API}/issue/{{key}}/transitions", self._transitions)
        app.router.add_post(f"{API}/issue/{{key}}/transitions", self._transition)
        app.router.add_get(f"{API}/user/search", self._user_search)
        app.router.add_get(f"{API}/priority", self._priorities)
        app.router.add_get(f"{API}/myself", self._myself)
        app.router.add_get(f"{API}/search/jql", self._search)
        app.router.add_post(f"{API}/search/jql", self._search)

    def _error_body(self, status: int) -> Any:
        messages = {429: "Rate limit exceeded.", 401: "Client must be authenticated to access this resource."}
        return {"errorMessages": [messages.get(status, "Internal server error")], "errors": {}}

    async def _handle(self, request: web.Request, action: Callable[[Any], Any], status: int = 200) -> web.Response:
        expected = base64.b64encode(f"{self.email}:{self.api_token}".encode()).decode()
        if request.headers.get("Authorization") != f"Basic {expected}":
            return json_response(401, self._error_body(401))
        body: Any = None
        raw = await request.read()
        if raw.strip():
            try:
                body = json.loads(raw)
            except ValueError:
                return json_response(400, {"errorMessages": ["Unexpected character."], "errors": {}})
        with self._cond:
            retry_after = self.limit.hit(self.bot_account_id)
            if retry_after is not None:
                return json_response(429, self._error_body(429), {"Retry-After": str(retry_after)})
            try:
                result = action(body)
            except FieldErrors as exc:
                return json_response(exc.status, exc.body)
            self._cond.notify_all()
        if status == 204:
            return web.Response(status=204)
        return json_response(status, result)

    def _find(self, key: str) -> Issue:
        issue = self._issues.get(key) or next((i for i in self._issues.values() if i.id == key), None)
        if issue is None or issue.deleted:
            raise FieldErrors(messages=[NO_ISSUE], status=404)
        return issue

    def _check(self, fields: Any, create: bool) -> dict[str, Any]:
        return check_fields(fields, users=self.users, priorities=self.priorities, projects=self.projects, create=create)

    async def _create(self, request: web.Request) -> web.Response:
        def create(body: Any) -> dict[str, Any]:
            fields = self._check((body or {}).get("fields"), create=True)
            project = fields.pop("project")
            number = next(self._numbers.setdefault(project, itertools.count(1)))
            issue = Issue(str(next(self._issue_ids)), f"{project}-{number}", project, fields)
            issue.fields.setdefault("priority", "3")
            issue.history.append(body)
            self._issues[issue.key] = issue
            return {"id": issue.id, "key": issue.key, "self": f"{self.base_url}{API}/issue/{issue.id}"}

        return await self._handle(request, create, 201)

    async def _get(self, request: web.Request) -> web.Response:
        return await self._handle(request, lambda body: self._issue_json(self._find(request.match_info["key"])))

    async def _edit(self, request: web.Request) -> web.Response:
        def edit(body: Any) -> None:
            issue = self._find(request.match_info["key"])
            fields = self._check((body or {}).get("fields", {}), create=False)
            issue.history.append(body)
            self._change(issue, fields, None, self.bot_account_id)

        return await self._handle(request, edit, 204)

    async def _transitions(self, request: web.Request) -> web.Response:
        def offered(body: Any) -> dict[str, Any]:
            issue = self._find(request.match_info["key"])
            ids = [t for t, (_, target) in TRANSITIONS.items() if target != issue.status]
            return {"expand": "transitions", "transitions": [transition_json(self.base_url, t) for t in ids]}

        return await self._handle(request, offered)

    async def _transition(self, request: web.Request) -> web.Response:
        def move(body: Any) -> None:
            issue = self._find(request.match_info["key"])
            wanted = ((body or {}).get("transition") or {}).get("id")
            if wanted not in TRANSITIONS or TRANSITIONS[wanted][1] == issue.status:
                raise FieldErrors(messages=[f"Transition id '{wanted}' is not valid for this issue."])
            issue.history.append(body)
            self._change(issue, {}, TRANSITIONS[wanted][1], self.bot_account_id)

        return await self._handle(request, move, 204)

    async def _user_search(self, request: web.Request) -> web.Response:
        query = request.query.get("query", "").lower()

        def search(body: Any) -> list[dict[str, Any]]:
            if not query:
                raise FieldErrors(messages=["One of 'query' or 'accountId' query parameters must be provided."])
            found = [u for u in self.users.values() if u.emailAddress.lower().startswith(query)]
            found += [u for u in self.users.values() if u.displayName.lower().startswith(query) and u not in found]
            return [u.to_json(self.base_url) for u in found]

        return await self._handle(request, search)

    async def _priorities(self, request: web.Request) -> web.Response:
        def listed(body: Any) -> list[dict[str, Any]]:
            base = f"{self.base_url}{API}/priority"
            return [{"self": f"{base}/{i}", "id": i, "name": n} for i, n in self.priorities.items()]

        return await self._handle(request, listed)

    async def _myself(self, request: web.Request) -> web.Response:
        return await self._handle(request, lambda body: self.users[self.bot_account_id].to_json(self.base_url))

    async def _search(self, request: web.Request) -> web.Response:
        """The enhanced JQL search (GET with query parameters, POST with SearchAndReconcileRequestBean): issues
        in the query's order, `fields` as asked (only `id` by default), pages of `maxResults` with nextPageToken."""
        query = request.query

        def search(body: Any) -> dict[str, Any]:
            asked = body if request.method == "POST" else {
                "jql": query.get("jql"), "nextPageToken": query.get("nextPageToken"),
                "maxResults": query.get("maxResults"), "fields": ",".join(query.getall("fields", [])) or None,
            }  # fmt: skip
            if not isinstance(asked, dict):
                raise FieldErrors(messages=["The request body is not a search request."])
            found = parse_jql(str(asked.get("jql") or "")).run(list(self._issues.values()))
            try:
                size = max(1, min(5000, int(asked.get("maxResults") or 50)))
                start = int(asked.get("nextPageToken") or 0)
            except (TypeError, ValueError):
                raise FieldErrors(messages=["The value of 'maxResults' or 'nextPageToken' is not valid."]) from None
            fields = asked.get("fields") or ["id"]
            names = [f for part in ([fields] if isinstance(fields, str) else fields) for f in str(part).split(",")]
            page = [self._found_json(issue, names) for issue in found[start : start + size]]
            result: dict[str, Any] = {"issues": page, "isLast": start + size >= len(found)}
            if not result["isLast"]:
                result["nextPageToken"] = str(start + size)
            return result

        return await self._handle(request, search)

    def _found_json(self, issue: Issue, names: list[str]) -> dict[str, Any]:
        full = self._issue_json(issue)
        wanted = set(full["fields"]) if "*all" in names or "*navigable" in names else set(names)
        found = {"expand": "", "id": full["id"], "key": full["key"], "self": full["self"]}
        fields = {name: value for name, value in full["fields"].items() if name in wanted}
        return {**found, "fields": fields} if fields else found

    # --- changes and their webhooks (under the lock) --------------------------------------------------------------
    def _change(self, issue: Issue, fields: dict[str, Any], status: str | None, account: str) -> None:
        items = []
        for name, value in fields.items():
            before = issue.fields.get(name)
            if before != value:
                items.append(self._item(name, before, value))
                issue.fields[name] = value
        if status is not None and status != issue.status:
            names = STATUSES[issue.status][0], STATUSES[status][0]
            item = {"field": "status", "fieldtype": "jira", "fieldId": "status", "from": issue.status, "to": status}
            items.append({**item, "fromString": names[0], "toString": names[1]})
            issue.status = status
        if items:
            changelog = {"id": str(10000 + sum(len(i.history) for i in self._issues.values())), "items": items}
            self.webhooks.send("jira:issue_updated", self._issue_json(issue), self._user_json(account), changelog)
        self._cond.notify_all()

    def _item(self, name: str, before: Any, after: Any) -> dict[str, Any]:
        def shown(value: Any) -> str | None:
            if name == "assignee" and value:
                return self.users[value].displayName
            return None if value is None else str(value)

        plain = None if isinstance(before, (dict, list)) else before
        return {"field": name, "fieldtype": "jira", "fieldId": name, "from": plain, "fromString": shown(plain),
                "to": None if isinstance(after, (dict, list)) else after, "toString": shown(after)}  # fmt: skip

    def _user_json(self, account: str) -> dict[str, Any]:
        return self.users[account].to_json(self.base_url)

    def _issue_json(self, issue: Issue) -> dict[str, Any]:
        f = issue.fields
        assignee = f.get("assignee")
        return {
            "id": issue.id,
            "key": issue.key,
            "self": f"{self.base_url}{API}/issue/{issue.id}",
            "fields": {
                "summary": f.get("summary"),
                "issuetype": {"name": f.get("issuetype")},
                "project": {"key": issue.project},
                "description": f.get("description"),
                "labels": f.get("labels", []),
                "duedate": f.get("duedate"),
                "assignee": self._user_json(assignee) if assignee else None,
                "priority": {"id": f["priority"], "name": self.priorities[f["priority"]]},
                "status": status_json(self.base_url, issue.status),
            },
        }
