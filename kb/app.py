"""The application factory: configuration, services, blueprints, errors, CLI.

Nothing is created at import time; ``create_app`` builds everything for one
app, so tests get a fresh instance under ``tmp_path`` each time.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask

from kb.config import load_config, load_secret_key
from kb.services.context import Kb, make_kb

logger = logging.getLogger(__name__)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Create the kb web application.

    :param config: overrides for tests (``KB_DATA_DIR`` under ``tmp_path`` …).
    """
    settings = load_config(config)
    app = Flask(
        __name__,
        template_folder=str(settings["TEMPLATES_DIR"]),
        static_folder=str(settings["STATIC_DIR"]),
        instance_path=str(settings["KB_INSTANCE_DIR"]),
    )
    app.config.update(settings)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_secret_key(settings["KB_INSTANCE_DIR"])
    init_logging(app)
    init_kb(app)
    init_proxy(app)
    init_csrf(app)
    init_security_headers(app)
    init_assets(app)
    init_i18n(app)
    register_blueprints(app)
    register_errors(app)
    register_cli(app)
    return app


def init_logging(app: Flask) -> None:
    """kb's log handler (text or JSON, see kb/logs.py) unless the ``kb`` command or
    gunicorn's config installed it already; tests keep pytest's capture. Then the
    request id and one log line per request."""
    from kb.logs import configure_logging, configured
    from kb.web.requestlog import init_request_log

    if not app.testing and not configured():
        configure_logging(default_level="INFO")
    init_request_log(app)


def init_kb(app: Flask) -> None:
    app.extensions["kb"] = make_kb(app.config)


def init_proxy(app: Flask) -> None:
    """Behind nginx, take scheme, host and client address from its X-Forwarded-* headers.

    Off unless ``KB_PROXY_HOPS`` says how many proxies to trust: without a proxy that
    overwrites them, these headers come straight from the client and can be forged.
    """
    hops = int(app.config["KB_PROXY_HOPS"])
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )


def init_csrf(app: Flask) -> None:
    from flask_wtf.csrf import CSRFProtect

    CSRFProtect(app)


def init_security_headers(app: Flask) -> None:
    """A Content-Security-Policy without inline scripts, and the usual hardening headers."""
    from kb.web.security import add_security_headers, refuse_nul_bytes

    app.after_request(add_security_headers)
    app.before_request(refuse_nul_bytes)


def init_assets(app: Flask) -> None:
    """Fingerprinted static URLs with a year-long cache, see kb/web/assets.py."""
    from kb.web.assets import init_assets as init

    init(app)


def init_i18n(app: Flask) -> None:
    """Flask-Babel: German UI (the source language) or English, see kb/web/i18n.py."""
    from kb.web.i18n import init_i18n as init

    init(app)


def get_kb(app: Flask) -> Kb:
    return app.extensions["kb"]


def register_blueprints(app: Flask) -> None:
    from kb.api import init_api
    from kb.web import (
        admin,
        auth,
        directory,
        discovery,
        editing,
        events,
        guidance,
        mappe,
        network,
        pages,
        site,
        tokens,
        trash,
        upload,
        versions,
    )

    app.register_blueprint(auth.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(upload.bp)
    app.register_blueprint(discovery.bp)
    app.register_blueprint(editing.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(mappe.bp)
    app.register_blueprint(versions.bp)
    app.register_blueprint(events.bp)
    app.register_blueprint(network.bp)
    app.register_blueprint(directory.bp)
    app.register_blueprint(guidance.bp)
    app.register_blueprint(tokens.bp)
    app.register_blueprint(trash.bp)
    app.register_blueprint(site.bp)
    init_api(app)
    auth.register_context(app)
    from kb.web.filters import register_filters

    register_filters(app)


def register_errors(app: Flask) -> None:
    from kb.web.errors import register

    register(app)


def register_cli(app: Flask) -> None:
    from kb.cli import register_commands

    register_commands(app)
