"""``python -m server.healthcheck``: exit 0 when the server on this machine answers ``/api/health`` with
``"status": "ok"``, 1 otherwise. The container's HEALTHCHECK runs it.

Standard library only, and the same settings as the server (``PRECURSOR_PORT``, TLS when
``PRECURSOR_SSL_CERTFILE`` is set), so the check follows whatever the container was configured with.
The certificate is not verified: it names the server's public host, and this asks 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import ssl
import sys
import urllib.request


def health_url(env: dict[str, str]) -> str:
    scheme = "https" if env.get("PRECURSOR_SSL_CERTFILE") else "http"
    port = env.get("PRECURSOR_PORT") or "8765"
    return f"{scheme}://127.0.0.1:{port}/api/health"


def check(url: str, timeout: float = 3.0) -> tuple[bool, str]:
    """Whether the server is healthy, and a line saying what was seen."""
    handlers: list[urllib.request.BaseHandler] = [urllib.request.ProxyHandler({})]  # never via a proxy
    if url.startswith("https:"):
        handlers.append(urllib.request.HTTPSHandler(context=ssl._create_unverified_context()))
    try:
        with urllib.request.build_opener(*handlers).open(url, timeout=timeout) as r:
            body = json.load(r)
    except (OSError, ValueError) as exc:
        return False, f"{url}: {exc}"
    status = body.get("status") if isinstance(body, dict) else None
    return status == "ok", f"{url}: status {status!r}"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    ok, line = check(args[0] if args else health_url(dict(os.environ)))
    print(line)
    return 0 if ok else 1


if __name__ == "__main__":  # pragma: no cover - run as a module
    raise SystemExit(main())
