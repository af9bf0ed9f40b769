"""Container health check over the metrics port: `python -m redalert_core.observability.probe [/readyz|/healthz]`.

Asks the running bot at 127.0.0.1:$REDALERT_METRICS_PORT (deploy/compose.yaml's health check). Exit 0 with the
bot's one-line answer on stdout when it says 200; exit 1 with the reason on stderr otherwise. Standard library only:
it starts fast and works whatever state the bot is in.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence

TIMEOUT_SECONDS = 5
PATHS = ("/readyz", "/healthz")


def probe(path: str, env: Mapping[str, str]) -> tuple[bool, str]:
    port = env.get("REDALERT_METRICS_PORT", "").strip()
    if not port.isdigit():
        return False, "REDALERT_METRICS_PORT is not set: the bot serves /readyz and /healthz only on that port"
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=TIMEOUT_SECONDS) as response:
            return True, response.read().decode(errors="replace").strip()
    except urllib.error.HTTPError as error:
        return False, f"{path} answered {error.code}: {error.read().decode(errors='replace').strip()}"
    except OSError as error:
        return False, f"no answer on port {port}: {error}"


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    path = args[0] if args else "/readyz"
    if path not in PATHS:
        print(f"usage: python -m redalert_core.observability.probe [{'|'.join(PATHS)}]", file=sys.stderr)
        return 2
    healthy, message = probe(path, os.environ if env is None else env)
    print(message, file=sys.stdout if healthy else sys.stderr)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
