from __future__ import annotations

from conftest import open_app
from flask import request

from kb.app import create_app
from kb.config import PROJECT_ROOT, load_config, load_secret_key


def test_defaults_live_in_the_project(monkeypatch):
    monkeypatch.delenv("KB_DATA_DIR", raising=False)
    monkeypatch.delenv("KB_DATABASE_URL", raising=False)
    config = load_config()
    assert config["KB_UPLOAD_DIR"] == PROJECT_ROOT / "uploads"
    assert config["KB_INDEX_DIR"] == PROJECT_ROOT / "index"
    assert config["KB_DATABASE_URL"] == f"sqlite:///{PROJECT_ROOT / 'instance' / 'kb.sqlite3'}"


def test_kb_data_dir_moves_all_runtime_data(monkeypatch, tmp_path):
    monkeypatch.setenv("KB_DATA_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("KB_MAX_UPLOAD_MB", "7")
    config = load_config()
    assert config["KB_UPLOAD_DIR"] == tmp_path / "elsewhere" / "uploads"
    assert config["KB_INDEX_DIR"] == tmp_path / "elsewhere" / "index"
    assert config["KB_DATABASE_URL"].endswith("elsewhere/kb.sqlite3")
    assert config["MAX_CONTENT_LENGTH"] == 7 * 1024 * 1024


def test_database_url_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("KB_DATABASE_URL", f"sqlite:///{tmp_path}/other.db")
    assert (
        load_config({"KB_DATA_DIR": tmp_path})["KB_DATABASE_URL"]
        == f"sqlite:///{tmp_path}/other.db"
    )


def test_secret_key_is_made_once_and_kept(tmp_path):
    first = load_secret_key(tmp_path)
    assert len(first) == 64
    assert load_secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_app_takes_secret_from_instance(tmp_path):
    app = create_app({"KB_DATA_DIR": tmp_path})
    try:
        assert app.config["SECRET_KEY"] == (tmp_path / "secret_key").read_text()
    finally:
        app.extensions["kb"].close()


def test_forwarded_headers_are_trusted_only_when_configured(tmp_path, template_db):
    for hops, expected in ((0, "http"), (1, "https")):
        app = open_app(tmp_path / str(hops), template_db, KB_PROXY_HOPS=hops)
        app.add_url_rule("/_scheme", "scheme", lambda: request.scheme)
        try:
            response = app.test_client().get("/_scheme", headers={"X-Forwarded-Proto": "https"})
            assert response.get_data(as_text=True) == expected
        finally:
            app.extensions["kb"].close()
            template_db.release(app.config["KB_DATABASE_URL"])
