"""Helpers shared by the API tests: tokens made through the service, Bearer headers."""

from __future__ import annotations

from kb.services.access import Viewer
from kb.services.tokens import create_token


def token_for(kb, user_id: int, scope: str = "write", role: str = "leser") -> str:
    return create_token(kb, Viewer(user_id, (role,)), f"test-{scope}", scope)


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The one error shape: JSON with ``error`` and ``message``, never HTML."""
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) >= {"error", "message"} and body["message"]
    if code is not None:
        assert body["error"] == code, body
    return body
