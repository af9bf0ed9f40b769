"""The aiohttp server: Web API dispatch, the upload endpoint and the Socket Mode link, on one port."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.parse
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import views as _views  # noqa: F401  (registers views.open / views.update / views.push)
from .faults import HOLD_LIMIT_SECONDS, RequestHold
from .web_api import METHODS, ApiContext, ApiError
from .workspace import Call

if TYPE_CHECKING:
    from .emulator import SlackEmulator

JSON_TYPE = "application/json; charset=utf-8"


class _Dropped(Exception):
    """Raised after the transport was closed on purpose (fault kind "drop")."""


async def _parse_args(request: web.Request) -> dict[str, Any]:
    args: dict[str, Any] = dict(request.query)
    raw = await request.read()
    if not raw.strip():
        return args
    ctype = request.content_type
    if ctype == "application/json":
        body = json.loads(raw.decode("utf-8"))  # ValueError -> invalid_json
        if not isinstance(body, dict):
            raise ValueError("JSON body must be an object")
        args.update(body)
    elif ctype.startswith("multipart/"):
        form = await request.post()
        args.update({k: v for k, v in form.items() if isinstance(v, str)})
    else:
        args.update(urllib.parse.parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
    return args


async def _released_while_connected(request: web.Request, hold: RequestHold) -> bool:
    """Wait for the test to release a held request (at most HOLD_LIMIT_SECONDS); False, and the hold dropped, when
    the caller's connection closed first (a killed process: Slack never read the whole request)."""
    hold.arrive()
    deadline = time.monotonic() + HOLD_LIMIT_SECONDS
    try:
        while not hold.released and time.monotonic() < deadline:
            transport = request.transport
            if transport is None or transport.is_closing():
                hold.drop()
                return False
            await asyncio.sleep(0.02)  # the server's own poll of the connection, not a test's wait
    except asyncio.CancelledError:  # aiohttp cancels a handler whose client went away
        hold.drop()
        raise
    return True


def _bearer(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return None


class EmulatorServer:
    def __init__(self, emu: SlackEmulator, host: str, port: int) -> None:
        self.emu = emu
        self.host = host
        self.port = port
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    # --- lifecycle ------------------------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="slack-emulator", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("slack emulator did not start within 10 s")
        if self._error is not None:
            raise RuntimeError(f"slack emulator failed to start: {self._error!r}") from self._error

    def _run(self) -> None:
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self._setup())
        except BaseException as exc:  # surface bind errors to start()
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        self.loop.run_forever()
        self.loop.run_until_complete(self.loop.shutdown_asyncgens())
        self.loop.close()

    async def _setup(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/upload/v1/{file_id}", self._handle_upload)
        app.router.add_get("/link/", self.emu._hub.handle)
        app.router.add_get("/link", self.emu._hub.handle)
        app.router.add_post("/response/{token}", self.emu._responses.handle)
        await self.emu._hub.start()
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]

    def stop(self) -> None:
        if self.loop is None or self._thread is None:
            return
        fut = asyncio.run_coroutine_threadsafe(self._shutdown(), self.loop)
        try:
            fut.result(10)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(10)

    async def _shutdown(self) -> None:
        await self.emu._hub.shutdown()
        if self._runner is not None:
            await self._runner.cleanup()

    def run_coro(self, coro: Any, timeout: float = 10) -> Any:
        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    # --- handlers -------------------------------------------------------------------------------------------
    def _record(
        self,
        method: str,
        args: dict[str, Any],
        token: str | None,
        ctype: str,
        status: int,
        body: dict[str, Any],
        started: float = 0.0,
    ) -> None:
        emu = self.emu
        now = time.monotonic()
        with emu._cond:
            emu._calls.append(Call(method, args, token, ctype, status, body, now, started or now))
            emu._cond.notify_all()

    def _drop(self, request: web.Request) -> None:
        if request.transport is not None:
            request.transport.close()
        raise _Dropped()

    async def _apply_fault(
        self, request: web.Request, method: str, args: dict[str, Any], token: str | None
    ) -> web.Response | None:
        emu = self.emu
        with emu._cond:
            fault = emu._faults.next_for(method)
        if fault is None:
            return None
        ctype = request.headers.get("Content-Type", "")
        headers: dict[str, str] = {}
        if fault.kind == "drop":
            self._record(method, args, token, ctype, 0, {})
            self._drop(request)
        if fault.kind == "ratelimited":
            status, body = 429, {"ok": False, "error": "ratelimited"}
            headers["Retry-After"] = str(int(fault.retry_after))
        elif fault.kind.startswith("http"):
            status, body = int(fault.kind[4:]), {"ok": False, "error": "internal_error"}
        else:
            status, body = 200, {"ok": False, "error": fault.error or "internal_error"}
        self._record(method, args, token, ctype, status, body)
        return web.json_response(body, status=status, headers=headers)

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        started = time.monotonic()
        emu = self.emu
        method = request.match_info["method"]
        ctype = request.headers.get("Content-Type", "")
        try:
            args = await _parse_args(request)
        except (ValueError, UnicodeDecodeError):
            body = {"ok": False, "error": "invalid_json"}
            self._record(method, {}, _bearer(request), ctype, 200, body)
            return web.json_response(body)
        header_token = _bearer(request)
        form_token = args.pop("token", None)
        token = header_token or (str(form_token) if form_token else None)
        if emu.latency > 0:
            await asyncio.sleep(emu.latency)
        try:
            faulted = await self._apply_fault(request, method, args, token)
        except _Dropped:
            return web.Response(status=500)  # never written: the transport is already closed
        if faulted is not None:
            return faulted
        with emu._cond:
            waiting = emu._faults.take_request_hold(method, args)
        if waiting is not None and not await _released_while_connected(request, waiting):
            return web.Response(status=500)  # never carried out: its caller went away while it waited
        status, body, headers = self._dispatch(method, args, token, header_token)
        self._record(method, args, token, ctype, status, body, started)
        with emu._cond:
            hold = emu._faults.take_hold(method)
        if hold is not None:  # done, but the caller hears of it only when the test releases the hold
            hold.arrive()
            await asyncio.get_running_loop().run_in_executor(None, hold.wait_released)
        return web.json_response(body, status=status, headers=headers)

    def _dispatch(
        self, method: str, args: dict[str, Any], token: str | None, header_token: str | None
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        emu = self.emu
        spec = METHODS.get(method)
        if spec is None:
            return 200, {"ok": False, "error": "unknown_method"}, {}
        headers: dict[str, str] = {}
        if spec.token_kind == "app":
            # apps.connections.open only takes the app-level token, and only in the header.
            if not header_token:
                return 200, {"ok": False, "error": "not_authed"}, {}
            if header_token != emu.app_token:
                error = "not_allowed_token_type" if header_token == emu.bot_token else "invalid_auth"
                return 200, {"ok": False, "error": error}, {}
        else:
            if not token:
                return 200, {"ok": False, "error": "not_authed"}, {}
            if token != emu.bot_token:
                error = "not_allowed_token_type" if token == emu.app_token else "invalid_auth"
                return 200, {"ok": False, "error": error}, {}
            # Lowercase on purpose: errbot-backend-slackv3 reads headers["x-oauth-scopes"].
            headers["x-oauth-scopes"] = ",".join(emu.scopes)
            headers["x-accepted-oauth-scopes"] = ",".join(spec.scopes)
        with emu._cond:
            if emu._limiter is not None:
                channel = str(args.get("channel") or "")
                retry_after = emu._limiter.check(method, spec.tier, channel)
                if retry_after:
                    headers["Retry-After"] = str(retry_after)
                    return 429, {"ok": False, "error": "ratelimited"}, headers
            if spec.scopes and not set(spec.scopes) & set(emu.scopes):
                body = {
                    "ok": False,
                    "error": "missing_scope",
                    "needed": ",".join(spec.scopes),
                    "provided": ",".join(emu.scopes),
                }
                return 200, body, headers
            ctx = ApiContext(emu._ws, emu._base_url, emu._hub.new_ticket, emu._views)
            try:
                result = spec.handler(ctx, args)
                body = {"ok": True, **result}
            except ApiError as err:
                body = {"ok": False, "error": err.error, **err.extra}
            except Exception as exc:  # a handler bug must not look like a Slack outage
                body = {"ok": False, "error": "internal_error", "detail": repr(exc)}
            emu._cond.notify_all()
        return 200, body, headers

    async def _handle_upload(self, request: web.Request) -> web.StreamResponse:
        emu = self.emu
        file_id = request.match_info["file_id"]
        data = await request.read()
        args = {"file_id": file_id, "length": len(data)}
        ctype = request.headers.get("Content-Type", "")
        if emu.latency > 0:
            await asyncio.sleep(emu.latency)
        try:
            faulted = await self._apply_fault(request, "upload", args, None)
        except _Dropped:
            return web.Response(status=500)
        if faulted is not None:
            return faulted
        with emu._cond:
            pending = emu._ws.pending_uploads.get(file_id)
            if pending is not None:
                pending["content"] = data
        status = 200 if pending is not None else 404
        text = f"OK - {len(data)}" if pending is not None else "file_not_found"
        self._record("upload", args, None, ctype, status, {"status": status, "body": text})
        return web.Response(status=status, text=text)
