"""The metrics port (REDALERT_METRICS_PORT): /metrics for Prometheus, /healthz and /readyz for probes.

- /healthz: 200 whenever the process answers (liveness);
- /readyz: 200 when `ready()` says so, else 503; the body is the reason, one line;
- /metrics: the process's registry in Prometheus' text format.

A thread of its own (ThreadingHTTPServer), so a slow scrape never holds up a probe or a command.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

log = logging.getLogger(__name__)

Readiness = Callable[[], tuple[bool, str]]


class MetricsServer:
    def __init__(self, registry: CollectorRegistry, ready: Readiness, port: int, host: str = "127.0.0.1") -> None:
        handler = _handler(registry, ready)
        self._server = ThreadingHTTPServer((host, port), handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="redalert-metrics", daemon=True)

    def start(self) -> MetricsServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def _handler(registry: CollectorRegistry, ready: Readiness) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/healthz":
                self._send(200, b"ok\n")
            elif path == "/readyz":
                try:
                    is_ready, reason = ready()
                except Exception as error:  # a check that crashes means not ready, and says which way
                    is_ready, reason = False, f"readiness check failed: {type(error).__name__}"
                self._send(200 if is_ready else 503, (reason + "\n").encode())
            elif path == "/metrics":
                self._send(200, generate_latest(registry), CONTENT_TYPE_LATEST)
            else:
                self._send(404, b"not found: try /metrics, /healthz or /readyz\n")

        def _send(self, status: int, body: bytes, content_type: str = "text/plain; charset=utf-8") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            log.debug("metrics port: " + format, *args)  # probes every few seconds: not worth INFO

    return Handler
