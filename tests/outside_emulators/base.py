"""Shared machinery of the outside-system emulators: an aiohttp app on 127.0.0.1 in a background thread,
a call log, fault injection (outage, queued failures) and condition-variable waits for tests."""

from __future__ import annotations

import asyncio
import json
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import web

T = TypeVar("T")
OUTAGE_MODES = ("503", "refuse", "drop")
HOLD_LIMIT_SECONDS = 30.0  # a held answer goes out at the latest after this long, so a forgotten one cannot hang


@dataclass(frozen=True)
class Call:
    """One request as the emulator saw it, with the answer it gave (status 0: connection dropped or refused)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    status: int
    response: bytes
    fault: str | None  # "outage", "fail_next", "drop", "lose_answer", "hold" or None for a normal answer
    at: float = field(default_factory=time.monotonic)

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class _Fault:
    remaining: int
    status: int
    body: Any
    retry_after: float | None
    method: str | None
    path: str | None
    drop: bool = False
    lose_answer: bool = False  # carried out, then the connection is closed without an answer
    hold: HeldAnswer | None = None  # carried out, answered when the test says so

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and (self.path is None or path.startswith(self.path))


class HeldAnswer:
    """One request the emulator carried out and whose answer waits: `wait_arrived()` returns once it was handled
    (the state changed), `release()` sends the answer, `drop()` closes the connection instead."""

    def __init__(self) -> None:
        self._arrived = threading.Event()
        self._released = threading.Event()
        self.dropped = False

    def arrive(self) -> None:
        self._arrived.set()

    def wait_arrived(self, timeout: float = 10.0) -> bool:
        return self._arrived.wait(timeout)

    def release(self) -> None:
        self._released.set()

    def drop(self) -> None:
        self.dropped = True
        self._released.set()

    def wait_released(self) -> bool:
        return self._released.wait(HOLD_LIMIT_SECONDS)


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(status=status, text=json.dumps(body), content_type="application/json", headers=headers)


class RollingLimit:
    """At most `limit` hits per `window` seconds per key, on an injectable clock; `hit` returns the Retry-After."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._hits: dict[str, list[float]] = {}

    def hit(self, key: str) -> int | None:
        """Count one request; None when it may pass, else whole seconds until the window has room again."""
        now = self.clock()
        recent = [t for t in self._hits.get(key, []) if now - t < self.window]
        self._hits[key] = recent
        if len(recent) >= self.limit:
            return max(1, math.ceil(self.window - (now - recent[0])))
        recent.append(now)
        return None


class _Dropped(Exception):
    """The transport was closed on purpose; nothing more is written."""


class EmulatorBase:
    """Subclasses add routes in `_add_routes` and answer under `self._cond` when they touch state."""

    name = "emulator"
    url_suffix = ""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        if host != "127.0.0.1":
            raise ValueError("the emulators listen on 127.0.0.1 only")
        self.host = host
        self.port = port
        self._cond = threading.Condition()
        self._calls: list[Call] = []
        self._faults: list[_Fault] = []
        self._outage: str | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    # --- lifecycle ---------------------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def url(self) -> str:
        """The base URL the bot is pointed at."""
        return self.base_url + self.url_suffix

    def start(self) -> EmulatorBase:
        self._thread = threading.Thread(target=self._run, name=f"{self.name}-emulator", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError(f"{self.name} emulator did not start within 10 s")
        if self._error is not None:
            raise RuntimeError(f"{self.name} emulator failed to start: {self._error!r}") from self._error
        return self

    def stop(self) -> None:
        if self._loop is None or self._thread is None:
            return
        try:
            self._run_coro(self._cleanup())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop = None

    def __enter__(self: T) -> T:
        self.start()  # type: ignore[attr-defined]
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._setup())
        except BaseException as exc:  # surface bind errors to start()
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self._loop.shutdown_asyncgens())
        self._loop.close()

    async def _setup(self) -> None:
        app = web.Application(middlewares=[self._middleware], client_max_size=8 * 1024 * 1024)
        self._add_routes(app)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        await self._listen()

    async def _listen(self) -> None:
        assert self._runner is not None
        self._site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True)
        await self._site.start()
        self.port = self._runner.addresses[0][1]

    async def _cleanup(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def _run_coro(self, coro: Any) -> Any:
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(10)

    def _add_routes(self, app: web.Application) -> None:
        raise NotImplementedError

    # --- fault injection ---------------------------------------------------------------------------------------
    def outage(self, on: bool = True, mode: str = "503") -> None:
        """Every request fails until turned off: "503" answers 503, "drop" closes the connection without an
        answer, "refuse" stops listening (connection refused) and listens again on the same port when turned off."""
        if mode not in OUTAGE_MODES:
            raise ValueError(f"outage mode must be one of {OUTAGE_MODES}")
        with self._cond:
            previous, self._outage = self._outage, (mode if on else None)
            self._cond.notify_all()
        if previous == "refuse" and self._outage != "refuse" and self._site is None:
            self._run_coro(self._listen())
        elif self._outage == "refuse" and self._site is not None:
            site, self._site = self._site, None
            self._run_coro(site.stop())

    def fail_next(
        self,
        n: int = 1,
        status: int = 503,
        body: Any = None,
        retry_after: float | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        """The next n matching requests (optionally one HTTP method / a path prefix) get `status` with `body`
        (dict → JSON, str → text, None → the system's usual error body) and a Retry-After header when given."""
        with self._cond:
            self._faults.append(_Fault(n, status, body, retry_after, method, path))

    def drop_next(self, n: int = 1, method: str | None = None, path: str | None = None) -> None:
        """The next n matching requests have their connection closed without an answer."""
        with self._cond:
            self._faults.append(_Fault(n, 0, None, None, method, path, drop=True))

    def lose_answer_next(self, n: int = 1, method: str | None = None, path: str | None = None) -> None:
        """The next n matching requests are carried out, then their connection is closed without an answer: the
        caller cannot tell whether they happened (a crash or a network cut after the system acted)."""
        with self._cond:
            self._faults.append(_Fault(n, 0, None, None, method, path, lose_answer=True))

    def hold_next(self, method: str | None = None, path: str | None = None) -> HeldAnswer:
        """The next matching request is carried out at once and answered only on `release()` (see HeldAnswer)."""
        held = HeldAnswer()
        with self._cond:
            self._faults.append(_Fault(1, 0, None, None, method, path, hold=held))
        return held

    def clear_faults(self) -> None:
        with self._cond:
            for fault in self._faults:
                if fault.hold is not None:
                    fault.hold.release()
            self._faults.clear()
        self.outage(False, self._outage or "503")

    def _take_fault(self, method: str, path: str) -> _Fault | None:
        for fault in self._faults:
            if fault.matches(method, path):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _error_body(self, status: int) -> Any:
        """The body this system sends with an injected error status; subclasses shape it like the real one."""
        return {"status": status, "message": "injected failure"}

    def _fault_response(self, status: int, body: Any, retry_after: float | None) -> web.Response:
        body = self._error_body(status) if body is None else body
        headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else None
        if isinstance(body, str):
            return web.Response(status=status, text=body, headers=headers)
        return json_response(status, body, headers)

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Callable[..., Any]) -> web.StreamResponse:
        raw = await request.read()
        with self._cond:
            outage = self._outage
            fault = None if outage else self._take_fault(request.method, request.path)
        kind: str | None = None
        try:
            if outage is not None:
                kind = "outage"
                if outage != "503":
                    self._drop(request)
                response = self._fault_response(503, None, None)
            elif fault is not None and (fault.lose_answer or fault.hold is not None):
                kind = "lose_answer" if fault.lose_answer else "hold"
                response = await handler(request)
                if fault.hold is not None:
                    fault.hold.arrive()
                    await asyncio.get_running_loop().run_in_executor(None, fault.hold.wait_released)
                if fault.lose_answer or (fault.hold is not None and fault.hold.dropped):
                    self._drop(request)
            elif fault is not None:
                kind = "drop" if fault.drop else "fail_next"
                if fault.drop:
                    self._drop(request)
                response = self._fault_response(fault.status, fault.body, fault.retry_after)
            else:
                try:
                    response = await handler(request)
                except web.HTTPException as exc:  # unknown path or method: aiohttp's own 404/405
                    response = web.Response(status=exc.status, text=exc.text)
        except _Dropped:
            self._record(request, raw, 0, b"", kind)
            return web.Response(status=500)  # never written: the transport is already closed
        body = response.body if isinstance(response, web.Response) and isinstance(response.body, bytes) else b""
        self._record(request, raw, response.status, body, kind)
        return response

    @staticmethod
    def _drop(request: web.Request) -> None:
        if request.transport is not None:
            request.transport.close()
        raise _Dropped()

    # --- call log and waits ------------------------------------------------------------------------------------
    def _record(self, request: web.Request, raw: bytes, status: int, response: bytes, kind: str | None) -> None:
        headers = {k.lower(): v for k, v in request.headers.items()}
        call = Call(request.method, request.path, dict(request.query), headers, raw, status, response, kind)
        with self._cond:
            self._calls.append(call)
            self._cond.notify_all()

    @property
    def calls(self) -> list[Call]:
        with self._cond:
            return list(self._calls)

    def wait_for(self, predicate: Callable[[], T], timeout: float = 10.0) -> T:
        """Block until predicate() (called under the state lock after every change) is truthy; return its value."""
        with self._cond:
            result = self._cond.wait_for(predicate, timeout)
        if not result:
            raise TimeoutError(f"{self.name} emulator: condition not met within {timeout} s")
        return result

    def wait_for_calls(self, n: int, timeout: float = 10.0) -> list[Call]:
        """Block until at least n requests were answered (or dropped); return the log."""
        return self.wait_for(lambda: list(self._calls) if len(self._calls) >= n else None, timeout)
