"""Log lines as text (default) or as one JSON object per line (``KB_LOG_FORMAT=json``).

JSON lines are for log collectors (journald → Loki, Graylog, ELK): every line
carries ``time`` (ISO 8601, UTC), ``level``, ``logger`` and ``message``, plus the
fields of the current context — ``request_id`` during a request, ``job_id`` and
``job_kind`` while the worker runs a job — and whatever a call passes as ``extra``
(request logs add ``method``, ``path``, ``status``, ``duration_ms``).

The context lives in a :class:`~contextvars.ContextVar`, so threads (waitress,
the in-process worker) never see each other's fields. Only the standard
library is used: a formatter is a dozen lines, and a dependency for it would
add nothing kb needs.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

FORMATS = ("text", "json")
TEXT_FORMAT = "%(levelname)s %(name)s: %(message)s"

_context: contextvars.ContextVar[dict[str, Any]] = contextvars.ContextVar("kb_log_context")

#: Attributes every LogRecord has; everything else on a record is an extra field.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def context() -> dict[str, Any]:
    return _context.get({})


@contextmanager
def log_context(**fields: Any) -> Iterator[None]:
    """Add ``fields`` to every log record made inside the block (in this thread/context)."""
    token = _context.set({**context(), **fields})
    try:
        yield
    finally:
        _context.reset(token)


def bind(**fields: Any) -> contextvars.Token[dict[str, Any]]:
    """Like :func:`log_context` for code that sets and resets in two places (request hooks)."""
    return _context.set({**context(), **fields})


def unbind(token: contextvars.Token[dict[str, Any]]) -> None:
    _context.reset(token)


class ContextFilter(logging.Filter):
    """Copies the context's fields onto each record (without overwriting ``extra``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in context().items():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record; non-JSON values are written as their ``str``."""

    def format(self, record: logging.LogRecord) -> str:
        created = dt.datetime.fromtimestamp(record.created, dt.UTC)
        line: dict[str, Any] = {
            "time": created.isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_") and key not in line:
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        # One line: json.dumps escapes newlines inside strings (tracebacks included).
        return json.dumps(line, ensure_ascii=False, default=str)


class KbHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """kb's handler on the root logger; its class tells that logging is configured."""


def make_formatter(fmt: str | None = None) -> logging.Formatter:
    fmt = (fmt or os.environ.get("KB_LOG_FORMAT") or "text").strip().lower()
    return JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT)


def configured() -> bool:
    return any(isinstance(h, KbHandler) for h in logging.getLogger().handlers)


def configure_logging(
    fmt: str | None = None,
    level: str | None = None,
    default_level: str = "WARNING",
    stream: IO[str] | None = None,
) -> None:
    """Install kb's handler on the root logger (replacing an earlier one of kb's).

    :param fmt: "text" or "json"; default ``KB_LOG_FORMAT``, else "text". Anything else
        falls back to text with a warning, so a typo never silences the logs.
    :param level: default ``KB_LOG_LEVEL``, else ``default_level`` (WARNING for one-off
        commands, INFO for the long-running ``kb serve``, ``kb worker`` and gunicorn).
    """
    raw_fmt = (fmt or os.environ.get("KB_LOG_FORMAT") or "text").strip().lower()
    raw_level = (level or os.environ.get("KB_LOG_LEVEL") or default_level).strip().upper()
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, KbHandler)]:
        root.removeHandler(old)
    handler = KbHandler(stream or sys.stderr)
    handler.setFormatter(make_formatter(raw_fmt if raw_fmt in FORMATS else "text"))
    handler.addFilter(ContextFilter())
    root.addHandler(handler)
    valid_level = raw_level in logging.getLevelNamesMapping()
    root.setLevel(raw_level if valid_level else default_level)
    if raw_fmt not in FORMATS:
        logging.getLogger(__name__).warning("KB_LOG_FORMAT=%s unknown; using text", raw_fmt)
    if not valid_level:
        logging.getLogger(__name__).warning("KB_LOG_LEVEL=%s unknown", raw_level)


def gunicorn_logconfig() -> dict[str, Any]:
    """gunicorn's ``logconfig_dict`` (see kb/gunicorn_conf.py): its own lines (arbiter,
    worker starts and deaths) go through kb's handler, so with ``KB_LOG_FORMAT=json``
    every line of the service is JSON. gunicorn's access log stays off: kb logs each
    request itself, with its request id."""
    level = (os.environ.get("KB_LOG_LEVEL") or "INFO").upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "kb.logs.ContextFilter"}},
        "formatters": {"kb": {"()": "kb.logs.make_formatter"}},
        "handlers": {
            "kb": {
                "class": "kb.logs.KbHandler",
                "formatter": "kb",
                "filters": ["context"],
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": level, "handlers": ["kb"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
            "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": False},
        },
    }
