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
    from kb.api.blueprint import address_key, bp, no_bearer, token_key, valid_token_used

    app.register_blueprint(bp)
    app.register_blueprint(docs.bp)
    app.extensions["csrf"].exempt(bp)  # checked in kb.api.blueprint, see there
    limiter = Limiter(
        address_key,
        app=app,
        storage_uri=app.config["KB_RATELIMIT_STORAGE"],
        headers_enabled=True,
        default_limits=[],
    )
    # One count per address and one per valid token, each per endpoint (Flask-Limiter's
    # default scope). The token's count is only tested before the request and deducted
    # afterwards if the token was valid (see kb.api.blueprint.valid_token_used).
    limiter.limit(api_limit, key_func=address_key)(bp)
    limiter.limit(
        api_limit, key_func=token_key, exempt_when=no_bearer, deduct_when=valid_token_used
    )(bp)


def api_limit() -> str:
    return str(current_app.config["KB_RATELIMIT_API"])
