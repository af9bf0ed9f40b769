"""A small client of Confluence Cloud's REST v2 pages API (the v1 content endpoints are deprecated: not used).

CONFLUENCE_URL is the site's wiki base (https://example.atlassian.net/wiki); requests go to <base>/api/v2 with
HTTP Basic auth of CONFLUENCE_EMAIL and CONFLUENCE_API_TOKEN.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...domain.outbox import DeliveryFailed
from ..atlassian import AtlassianClient


@dataclass(frozen=True)
class PageRef:
    id: str
    version: int
    url: str  # where people read it


class ConfluenceClient(AtlassianClient):
    product = "Confluence"
    variables = ("CONFLUENCE_URL", "CONFLUENCE_EMAIL", "CONFLUENCE_API_TOKEN")
    api_path = "/api/v2"

    def _call(self, method: str, path: str, **kwargs: Any) -> dict:
        return self._json(self._send(method, path, **kwargs))

    def _ref(self, page: dict) -> PageRef:
        links = page.get("_links") or {}
        base = links.get("base") or self.base_url
        return PageRef(id=str(page["id"]), version=int(page["version"]["number"]), url=base + links.get("webui", ""))

    def space_id(self, key: str) -> str:
        found = self._call("GET", "/spaces", params={"keys": key}).get("results") or []
        if not found:
            raise DeliveryFailed(f"there is no Confluence space {key} (or no access to it)", retryable=False)
        return str(found[0]["id"])

    def find_page(self, space_id: str, title: str) -> PageRef | None:
        found = self._call("GET", "/pages", params={"space-id": space_id, "title": title}).get("results") or []
        return self._ref(found[0]) if found else None

    def page(self, page_id: str) -> PageRef:
        return self._ref(self._call("GET", f"/pages/{page_id}"))

    def create_page(self, space_id: str, title: str, storage: str, parent_id: str | None = None) -> PageRef:
        body: dict = {
            "spaceId": space_id,
            "status": "current",
            "title": title,
            "body": {"representation": "storage", "value": storage},
        }
        if parent_id:
            body["parentId"] = parent_id
        return self._ref(self._call("POST", "/pages", json=body))

    def update_page(self, page_id: str, title: str, storage: str, version: int, message: str = "") -> PageRef:
        body = {
            "id": page_id,
            "status": "current",
            "title": title,
            "body": {"representation": "storage", "value": storage},
            "version": {"number": version, "message": message},
        }
        return self._ref(self._call("PUT", f"/pages/{page_id}", json=body))
