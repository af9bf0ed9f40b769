"""Confluence Cloud REST v2 emulator (spaces and pages) per Atlassian's v2 OpenAPI, under /wiki/api/v2.

Basic auth (email:api_token). Errors use v2's `{"errors":[{"status","code","title","detail"}]}` shape. Titles are
unique among a space's current pages (400); a PUT must carry version.number = current + 1 (409 otherwise).
The deprecated v1 endpoints (/wiki/rest/api/...) are not served: they answer 404."""

from __future__ import annotations

import base64
import itertools
import json
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from .base import EmulatorBase, json_response
from .confluence_body import parse_body

API = "/wiki/api/v2"
# The description's PrimaryBodyRepresentation (GET /pages) and PrimaryBodyRepresentationSingle (GET /pages/{id}).
LIST_BODY_FORMATS = ("storage", "atlas_doc_format")
PAGE_BODY_FORMATS = (*LIST_BODY_FORMATS, "view", "export_view", "anonymous_export_view", "styled_view", "editor")
CODES = {400: "BAD_REQUEST", 401: "UNAUTHORIZED", 404: "NOT_FOUND", 409: "CONFLICT", 429: "TOO_MANY_REQUESTS"}


@dataclass(frozen=True)
class PageVersion:
    number: int
    title: str
    status: str
    body: str
    representation: str
    message: str
    created_at: str


@dataclass
class Page:
    id: str
    space_id: str
    parent_id: str | None
    versions: list[PageVersion] = field(default_factory=list)

    @property
    def current(self) -> PageVersion:
        return self.versions[-1]

    @property
    def title(self) -> str:
        return self.current.title

    @property
    def body(self) -> str:
        return self.current.body

    @property
    def version(self) -> int:
        return self.current.number


class ApiError(Exception):
    def __init__(self, status: int, title: str) -> None:
        super().__init__(title)
        self.status = status
        self.title = title


def error_body(status: int, title: str) -> dict[str, Any]:
    return {"errors": [{"status": status, "code": CODES.get(status, "ERROR"), "title": title, "detail": None}]}


class ConfluenceEmulator(EmulatorBase):
    """`email`/`api_token`: the Basic credentials that are valid. Spaces are seeded with add_space."""

    name = "confluence"
    url_suffix = "/wiki"

    def __init__(self, email: str = "bot@example.com", api_token: str = "confluence-test-token", port: int = 0):
        super().__init__(port=port)
        self.email = email
        self.api_token = api_token
        self.spaces: dict[str, dict[str, Any]] = {}  # by id
        self._pages: dict[str, Page] = {}
        self._ids = itertools.count(98305)

    def add_space(self, key: str, name: str | None = None) -> str:
        """Create a space (with its homepage) and return its id."""
        with self._cond:
            space_id = str(next(self._ids))
            home = Page(str(next(self._ids)), space_id, None)
            home.versions.append(PageVersion(1, f"{name or key} Home", "current", "", "storage", "", _now()))
            self._pages[home.id] = home
            self.spaces[space_id] = {"id": space_id, "key": key, "name": name or key, "homepageId": home.id}
        return space_id

    # --- state for tests ---------------------------------------------------------------------------------------
    @property
    def pages(self) -> dict[str, Page]:
        """Pages created through the API (space homepages left out)."""
        with self._cond:
            homes = {s["homepageId"] for s in self.spaces.values()}
            return {pid: p for pid, p in self._pages.items() if pid not in homes}

    def page(self, page_id: str) -> Page | None:
        with self._cond:
            return self._pages.get(page_id)

    def page_titled(self, title: str) -> Page | None:
        with self._cond:
            return next((p for p in self._pages.values() if p.title == title), None)

    def wait_for_page(self, title: str, version: int = 1, timeout: float = 10.0) -> Page:
        def found() -> Page | None:
            page = self.page_titled(title)
            return page if page is not None and page.version >= version else None

        return self.wait_for(found, timeout)

    def web_url(self, page: Page) -> str:
        return self.url + self._webui(page)

    # --- HTTP --------------------------------------------------------------------------------------------------
    def _add_routes(self, app: web.Application) -> None:
        app.router.add_get(f"{API}/spaces", self._list_spaces)
        app.router.add_get(f"{API}/pages", self._list_pages)
        app.router.add_post(f"{API}/pages", self._create)
        app.router.add_get(f"{API}/pages/{{id}}", self._get)
        app.router.add_put(f"{API}/pages/{{id}}", self._update)

    def _error_body(self, status: int) -> Any:
        return error_body(status, "Rate limit exceeded" if status == 429 else "Injected failure")

    async def _serve(self, request: web.Request, action: Any) -> web.Response:
        auth = request.headers.get("Authorization", "")
        expected = base64.b64encode(f"{self.email}:{self.api_token}".encode()).decode()
        if auth != f"Basic {expected}":
            return json_response(401, error_body(401, "Unauthorized"))
        try:
            payload = None
            if request.method in ("POST", "PUT"):
                try:
                    payload = json.loads(await request.read())
                except ValueError:
                    raise ApiError(400, "Invalid JSON in the request body") from None
                if not isinstance(payload, dict):
                    raise ApiError(400, "The request body must be a JSON object")
            with self._cond:
                result = action(request, payload)
                self._cond.notify_all()
        except ApiError as exc:
            return json_response(exc.status, error_body(exc.status, exc.title))
        return json_response(200, result)

    async def _list_spaces(self, request: web.Request) -> web.Response:
        def run(req: web.Request, _: Any) -> dict[str, Any]:
            keys = [k for k in req.query.get("keys", "").split(",") if k]
            found = [s for s in self.spaces.values() if not keys or s["key"] in keys]
            results = [{**s, "type": "global", "status": "current", "_links": {"webui": f"/spaces/{s['key']}"}}
                       for s in found]  # fmt: skip
            return {"results": results, "_links": {"base": self.url}}

        return await self._serve(request, run)

    async def _list_pages(self, request: web.Request) -> web.Response:
        def run(req: web.Request, _: Any) -> dict[str, Any]:
            space_ids = [s for s in req.query.get("space-id", "").split(",") if s]
            if not all(s.isdigit() for s in space_ids):
                raise ApiError(400, "space-id must be a list of integers")
            title = req.query.get("title")
            found = [p for p in self._pages.values()
                     if (not space_ids or p.space_id in space_ids) and (title is None or p.title == title)]  # fmt: skip
            with_body = _body_format(req, LIST_BODY_FORMATS) == "storage"
            return {"results": [self._json(p, with_body) for p in found], "_links": {"base": self.url}}

        return await self._serve(request, run)

    async def _get(self, request: web.Request) -> web.Response:
        def run(req: web.Request, _: Any) -> dict[str, Any]:
            page = self._find(req.match_info["id"])
            return self._json(page, _body_format(req, PAGE_BODY_FORMATS) == "storage")

        return await self._serve(request, run)

    async def _create(self, request: web.Request) -> web.Response:
        def run(req: web.Request, data: dict[str, Any]) -> dict[str, Any]:
            space_id = str(data.get("spaceId") or "")
            if not space_id:
                raise ApiError(400, "spaceId is required")
            if space_id not in self.spaces:
                raise ApiError(404, f"No space with id {space_id} was found")
            status, title = self._status_title(data, draft_may_omit_title=True)
            parent = data.get("parentId")
            if parent is not None:
                parent = str(parent)
                if parent not in self._pages or self._pages[parent].space_id != space_id:
                    raise ApiError(400, f"The parent page {parent} does not exist in space {space_id}")
            else:
                parent = self.spaces[space_id]["homepageId"]
            self._check_title(space_id, title, None)
            value, representation = _body(data.get("body"))
            page = Page(str(next(self._ids)), space_id, parent)
            page.versions.append(PageVersion(1, title, status, value, representation, "", _now()))
            self._pages[page.id] = page
            return self._json(page, True)

        return await self._serve(request, run)

    async def _update(self, request: web.Request) -> web.Response:
        def run(req: web.Request, data: dict[str, Any]) -> dict[str, Any]:
            page = self._find(req.match_info["id"])
            if str(data.get("id", "")) != page.id:
                raise ApiError(400, "The id in the body must match the page id in the path")
            if "status" not in data:
                raise ApiError(400, "status is required")
            status, title = self._status_title(data, draft_may_omit_title=False)
            version = data.get("version")
            number = version.get("number") if isinstance(version, dict) else None
            if not isinstance(number, int):
                raise ApiError(400, "version.number is required")
            if number != page.version + 1:
                raise ApiError(409, f"Version must be incremented on update. Current version is: {page.version}")
            if "body" not in data:
                raise ApiError(400, "body is required")
            self._check_title(page.space_id, title, page.id)
            value, representation = _body(data["body"])
            if data.get("parentId") is not None:
                page.parent_id = str(data["parentId"])
            message = str(version.get("message") or "")
            page.versions.append(PageVersion(number, title, status, value, representation, message, _now()))
            return self._json(page, True)

        return await self._serve(request, run)

    # --- helpers (called under the lock) -----------------------------------------------------------------------
    def _find(self, page_id: str) -> Page:
        if not page_id.isdigit():
            raise ApiError(400, "The page id must be an integer")
        page = self._pages.get(page_id)
        if page is None:
            raise ApiError(404, f"No page with id {page_id} was found")
        return page

    @staticmethod
    def _status_title(data: dict[str, Any], draft_may_omit_title: bool) -> tuple[str, str]:
        status = data.get("status", "current")
        if status not in ("current", "draft"):
            raise ApiError(400, "status must be current or draft")
        title = data.get("title")
        if not isinstance(title, str) or not title.strip():
            if not (draft_may_omit_title and status == "draft"):
                raise ApiError(400, "title is required")
            title = ""
        if len(title) > 255:
            raise ApiError(400, "title is longer than 255 characters")
        return status, title

    def _check_title(self, space_id: str, title: str, page_id: str | None) -> None:
        for other in self._pages.values():
            if other.space_id == space_id and other.id != page_id and title and other.title == title:
                raise ApiError(400, "A page with this title already exists: A page already exists with the same TITLE")

    def _webui(self, page: Page) -> str:
        key = self.spaces[page.space_id]["key"]
        return f"/spaces/{key}/pages/{page.id}/{urllib.parse.quote_plus(page.title)}"

    def _json(self, page: Page, with_body: bool) -> dict[str, Any]:
        cur = page.current
        out: dict[str, Any] = {
            "id": page.id, "status": cur.status, "title": cur.title, "spaceId": page.space_id,
            "parentId": page.parent_id, "parentType": "page" if page.parent_id else None,
            "authorId": "emulator-account", "ownerId": "emulator-account", "createdAt": page.versions[0].created_at,
            "version": {"number": cur.number, "message": cur.message, "minorEdit": False,
                        "authorId": "emulator-account", "createdAt": cur.created_at},
            "body": {},
            "_links": {"webui": self._webui(page), "editui": f"/pages/resumedraft.action?draftId={page.id}",
                       "tinyui": f"/x/{page.id}", "base": self.url},
        }  # fmt: skip
        if page.parent_id is None:  # a space's homepage: the description types both as strings, so leave them out
            del out["parentId"], out["parentType"]
        if with_body:
            out["body"] = {cur.representation: {"representation": cur.representation, "value": cur.body}}
        return out


def _body_format(request: web.Request, allowed: tuple[str, ...]) -> str | None:
    """The `body-format` query parameter, refused (400) when it is not one the description lists for the operation."""
    wanted = request.query.get("body-format")
    if wanted is not None and wanted not in allowed:
        raise ApiError(400, f"body-format must be one of {', '.join(allowed)}")
    return wanted


def _body(body: Any) -> tuple[str, str]:
    try:
        return parse_body(body)
    except ValueError as exc:
        raise ApiError(400, str(exc)) from None


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
