"""gunicorn's logger, with the access log's fields worked out only as far as its format names them.

gunicorn builds every field it knows for each request (each request and response header, each WSGI variable,
the time formatted) before formatting a line that uses five of them: a few per cent of a search's cost. A
format that names another field gets gunicorn's own.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from gunicorn import glogging

_NAMED = re.compile(r"%\((.*?)\)")


def _fields(resp: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
    """The fields that are cheap to give, each as gunicorn gives it."""
    status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
    sent = getattr(resp, "sent", None)
    return {
        "h": environ.get("REMOTE_ADDR", "-"),
        "r": f"{environ['REQUEST_METHOD']} {environ['RAW_URI']} {environ['SERVER_PROTOCOL']}",
        "s": status,
        "b": str(sent) if sent is not None else "-",
        "M": request_time.seconds * 1000 + request_time.microseconds // 1000,
    }


_CHEAP = frozenset(("h", "r", "s", "b", "M"))


@lru_cache(maxsize=4)
def _cheap(log_format: str) -> bool:
    return set(_NAMED.findall(log_format)) <= _CHEAP


class Logger(glogging.Logger):
    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        if _cheap(self.cfg.access_log_format):
            return _fields(resp, environ, request_time)
        return super().atoms(resp, req, environ, request_time)
