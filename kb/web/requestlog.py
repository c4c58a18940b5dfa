"""A request id for every request, and one log line per request.

The id comes from the ``X-Request-ID`` header when a proxy (nginx's
``$request_id``) or client sends one — cleaned to letters, digits and ``.-_:``
and at most 64 characters, so a header cannot inject text into the logs — or
is generated. It is returned in the response header and attached to every log
line written while the request runs (see :mod:`kb.logs`).

The request line has method, path (never the query string: search words may be
personal), status and duration. Static files are logged at DEBUG only.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, request

from kb import logs

logger = logging.getLogger("kb.request")

HEADER = "X-Request-ID"
MAX_ID_LENGTH = 64
_UNSAFE = re.compile(r"[^A-Za-z0-9._:-]")


def clean_request_id(raw: str | None) -> str:
    """The caller's id made safe, or a new one.

    >>> clean_request_id("abc 123\\n")
    'abc123'
    >>> len(clean_request_id(None))
    32
    """
    cleaned = _UNSAFE.sub("", raw or "")[:MAX_ID_LENGTH]
    return cleaned or uuid.uuid4().hex


def init_request_log(app: Flask) -> None:
    @app.before_request
    def start() -> None:
        g.request_started = time.perf_counter()
        g.request_id = clean_request_id(request.headers.get(HEADER))
        g.log_token = logs.bind(request_id=g.request_id)

    @app.after_request
    def finish(response: Response) -> Response:
        request_id = g.get("request_id")
        if request_id is None:  # before_request did not run (an early routing error)
            return response
        response.headers[HEADER] = request_id
        duration = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
        static = request.endpoint == "static"
        logger.log(
            logging.DEBUG if static else logging.INFO,
            "%s %s %s %.1f ms",
            request.method,
            request.path,
            response.status_code,
            duration,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round(duration, 1),
            },
        )
        return response

    @app.teardown_request
    def reset(_exc: BaseException | None) -> None:
        token = g.pop("log_token", None)
        if token is not None:
            try:
                logs.unbind(token)
            except (ValueError, RuntimeError):  # another context, or reset already; harmless
                pass
