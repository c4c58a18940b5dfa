"""Configuration: defaults, then ``KB_*`` environment variables, then a test mapping.

All paths are made absolute once, here, so that no other module has to guess
what a relative path is relative to. A fresh clone runs with no configuration:
data lives in ``uploads/``, ``index/`` and ``instance/kb.sqlite3`` in the
project root unless ``KB_DATA_DIR`` moves it (and ``KB_BLOB_DIR`` the blob store alone).
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: Upload limits per request and per file; named in the error messages and shown on the form.
DEFAULT_MAX_UPLOAD_MB = 500
DEFAULT_MAX_FILE_MB = 100


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value and value.strip().isdigit() else default


def load_config(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Build the app configuration.

    :param overrides: values that win over the environment (tests pass
        ``KB_DATA_DIR`` under ``tmp_path`` here).
    :return: a plain dict ready for ``app.config.update``.
    """
    overrides = dict(overrides or {})
    data_dir_raw = overrides.get("KB_DATA_DIR") or os.environ.get("KB_DATA_DIR")
    if data_dir_raw:
        data_dir = Path(data_dir_raw).expanduser().resolve()
        upload_dir, index_dir, instance_dir = data_dir / "uploads", data_dir / "index", data_dir
    else:
        data_dir = PROJECT_ROOT
        upload_dir = PROJECT_ROOT / "uploads"
        index_dir = PROJECT_ROOT / "index"
        instance_dir = PROJECT_ROOT / "instance"
    # Several app servers on one PostgreSQL share one blob store (a shared volume) while
    # each keeps its own index under its KB_DATA_DIR.
    blob_dir_raw = overrides.get("KB_BLOB_DIR") or os.environ.get("KB_BLOB_DIR")
    if blob_dir_raw:
        upload_dir = Path(blob_dir_raw)
    db_url = (
        overrides.get("KB_DATABASE_URL")
        or os.environ.get("KB_DATABASE_URL")
        or f"sqlite:///{instance_dir / 'kb.sqlite3'}"
    )
    max_mb = int(
        overrides.get("KB_MAX_UPLOAD_MB") or _env_int("KB_MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB)
    )
    config: dict[str, Any] = {
        "KB_DATA_DIR": data_dir,
        "KB_UPLOAD_DIR": upload_dir,
        "KB_INDEX_DIR": index_dir,
        "KB_INSTANCE_DIR": instance_dir,
        "KB_DATABASE_URL": db_url,
        "KB_BASE_URL": os.environ.get("KB_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "KB_MAX_UPLOAD_MB": max_mb,
        # How long a request waits for a locked SQLite file or a PostgreSQL connection
        # before it is answered with 503 "Datenbank nicht erreichbar".
        "KB_DB_TIMEOUT_SECONDS": _env_int("KB_DB_TIMEOUT_SECONDS", 30),
        "KB_MAX_FILE_MB": _env_int("KB_MAX_FILE_MB", DEFAULT_MAX_FILE_MB),
        "MAX_CONTENT_LENGTH": max_mb * 1024 * 1024,
        # The in-process worker thread; tests switch it off and drive jobs explicitly.
        "KB_START_WORKER": False,
        "KB_EXTRACT_CPU_SECONDS": _env_int("KB_EXTRACT_CPU_SECONDS", 120),
        # A job "running" longer than this when a `kb worker` starts belonged to a dead worker.
        "KB_JOB_STALE_SECONDS": _env_int("KB_JOB_STALE_SECONDS", 900),
        "KB_EXTRACT_MEMORY_MB": _env_int("KB_EXTRACT_MEMORY_MB", 2048),
        "KB_SEARCH_PAGE_SIZE": 10,
        # Page images of PDFs (and office files when LibreOffice is installed), made by a job.
        "KB_PREVIEWS": os.environ.get("KB_PREVIEWS", "1") not in ("0", "false", "no"),
        # Sessions: the cookie is HttpOnly and SameSite=Lax; Secure behind TLS.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("KB_SECURE_COOKIES", "") in ("1", "true", "yes"),
        "PERMANENT_SESSION_LIFETIME": dt.timedelta(hours=_env_int("KB_SESSION_HOURS", 8)),
        # Personal data (addresses, typed login names) in the audit log is blanked after this.
        "KB_AUDIT_RETENTION_DAYS": _env_int("KB_AUDIT_RETENTION_DAYS", 90),
        # Proxies in front (nginx: 1) whose X-Forwarded-* headers are trusted; 0 trusts none.
        "KB_PROXY_HOPS": _env_int("KB_PROXY_HOPS", 0),
        # Rendered handouts kept for instant second downloads; least recently used go first.
        "KB_HANDOUT_CACHE_MB": _env_int("KB_HANDOUT_CACHE_MB", 200),
        # The date validity banners, deadlines and feeds compare with (ISO); empty = today.
        "KB_TODAY": os.environ.get("KB_TODAY", ""),
        # Deleted items stay this many days in the trash (restorable), then the worker purges.
        "KB_TRASH_DAYS": _env_int("KB_TRASH_DAYS", 30),
        # Index-log pruning: an index folder (replica) not seen for this many days no longer
        # holds it back (it rebuilds when it comes back); the newest N entries always stay.
        "KB_REPLICA_STALE_DAYS": _env_int("KB_REPLICA_STALE_DAYS", 7),
        "KB_INDEX_LOG_KEEP": _env_int("KB_INDEX_LOG_KEEP", 1000),
        # API rate limit per address and per token, Flask-Limiter notation; storage URI
        # ("memory://" per process; "redis://host:6379" shares counts across processes).
        "KB_RATELIMIT_API": os.environ.get("KB_RATELIMIT_API", "300/minute"),
        "KB_RATELIMIT_STORAGE": os.environ.get("KB_RATELIMIT_STORAGE", "memory://"),
        # The district list `kb init` seeds; its state(s) decide which districts the map,
        # the lists and the forms show (other states' rows may stay in the database).
        "KB_DISTRICTS_FILE": os.environ.get("KB_DISTRICTS_FILE")
        or PROJECT_ROOT / "kb" / "data" / "districts_sachsen_anhalt.csv",
        "TEMPLATES_DIR": PROJECT_ROOT / "templates",
        "STATIC_DIR": PROJECT_ROOT / "kb" / "web" / "static",
    }
    config.update(overrides)
    for key in (
        "KB_DATA_DIR",
        "KB_UPLOAD_DIR",
        "KB_INDEX_DIR",
        "KB_INSTANCE_DIR",
        "KB_DISTRICTS_FILE",
    ):
        config[key] = Path(config[key]).expanduser().resolve()
    config["MAX_CONTENT_LENGTH"] = int(config["KB_MAX_UPLOAD_MB"]) * 1024 * 1024
    return config


def load_secret_key(instance_dir: Path) -> str:
    """Return the instance's secret key, creating it once (never kept in the repo)."""
    instance_dir.mkdir(parents=True, exist_ok=True)
    path = instance_dir / "secret_key"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.write_text(secrets.token_hex(32))
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    return path.read_text().strip()
