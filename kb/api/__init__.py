"""The JSON API (``/api/v1``): a thin edge over :mod:`kb.services`, like the pages.

``init_api`` registers the blueprint, its rate limit and the human-readable API page;
the OpenAPI document is built from the routes (:mod:`kb.api.spec`).
"""

from __future__ import annotations

from flask import Flask, current_app


def init_api(app: Flask) -> None:
    from flask_limiter import Limiter

    # The routes register on import.
    from kb.api import docs, events, guidance, handouts, items, qa, reads  # noqa: F401
    from kb.api.blueprint import bp, rate_key

    app.register_blueprint(bp)
    app.register_blueprint(docs.bp)
    app.extensions["csrf"].exempt(bp)  # checked in kb.api.blueprint, see there
    limiter = Limiter(
        rate_key,
        app=app,
        storage_uri=app.config["KB_RATELIMIT_STORAGE"],
        headers_enabled=True,
        default_limits=[],
    )
    limiter.limit(lambda: str(current_app.config["KB_RATELIMIT_API"]))(bp)
