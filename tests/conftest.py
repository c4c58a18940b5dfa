"""Fixtures in the flaskr shape: ``app`` with all state under ``tmp_path``,
``client``, ``runner``, and factories that build real files with the project's
own tools.

The schema is migrated once per session into a template database that each
test copies, instead of migrating for every test: a file on SQLite, a database on
PostgreSQL when ``KB_TEST_DATABASE_URL`` is set (``tests/databases.py``). Tests marked
``postgres`` need that server and are skipped without it.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from databases import PostgresTemplate, SqliteTemplate, TemplateDatabase
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy.exc import OperationalError

from kb.app import create_app
from kb.db import normalise_url
from kb.services import jobs
from kb.services.context import Kb
from kb.services.setup import init_instance

CORPUS_DIR = Path(
    os.environ.get(
        "KB_CORPUS_DIR", Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "real"
    )
).resolve()


#: A PostgreSQL server for a second run of the whole suite (``make test-pg`` sets it).
POSTGRES_URL = os.environ.get("KB_TEST_DATABASE_URL", "").strip()


def pytest_configure(config: pytest.Config) -> None:
    if POSTGRES_URL and not normalise_url(POSTGRES_URL).startswith("postgresql+psycopg://"):
        raise pytest.UsageError(
            "KB_TEST_DATABASE_URL must name a PostgreSQL database "
            f"(postgresql://user@host:port/db), not {POSTGRES_URL!r}"
        )


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres") and not POSTGRES_URL:
        pytest.skip(
            "needs a PostgreSQL server: set KB_TEST_DATABASE_URL or run `make test-pg` "
            "(see CONTRIBUTING.md)"
        )


def _config(data_dir: Path) -> dict[str, object]:
    return {
        "KB_DATA_DIR": str(data_dir),
        "TESTING": True,
        "WTF_CSRF_ENABLED": False,
        "SECRET_KEY": "test-secret",
        "KB_BASE_URL": "http://kb.test",
        # Page images cost a render per PDF; tests/test_previews.py switches them on.
        "KB_PREVIEWS": False,
    }


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TemplateDatabase]:
    """A migrated database, made once and copied for every app (see ``tests/databases.py``)."""
    data_dir = tmp_path_factory.mktemp("template")
    template: TemplateDatabase
    if POSTGRES_URL:
        try:
            template = PostgresTemplate(POSTGRES_URL, data_dir, _config(data_dir))
        except OperationalError as exc:  # every test would fail with the same trace
            pytest.exit(f"KB_TEST_DATABASE_URL: no PostgreSQL server to use ({exc})", 2)
    else:
        template = SqliteTemplate(data_dir, _config(data_dir))
    yield template
    template.close()


def open_app(data_dir: Path, template_db: TemplateDatabase, **overrides: object) -> Flask:
    """A ready app with all state in ``data_dir``, on a fresh copy of the template database.

    The caller closes it with ``app.extensions["kb"].close()``; a PostgreSQL copy is
    dropped at the end of the session, or earlier by ``template_db.release(url)``.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    url = template_db.new(data_dir)
    app = create_app({**_config(data_dir), "KB_DATABASE_URL": url, **overrides})
    init_instance(app.extensions["kb"])
    return app


@pytest.fixture
def app(tmp_path: Path, template_db: TemplateDatabase) -> Iterator[Flask]:
    app = open_app(tmp_path / "data", template_db)
    yield app
    app.extensions["kb"].close()
    template_db.release(app.config["KB_DATABASE_URL"])


@pytest.fixture
def kb(app: Flask) -> Kb:
    return app.extensions["kb"]


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


def build_pptx(slides: list[str], notes: dict[int, str] | None = None) -> bytes:
    """A real PPTX: one slide per text (first line is the title)."""
    from pptx import Presentation

    prs = Presentation()
    for number, text in enumerate(slides, start=1):
        slide = prs.slides.add_slide(prs.slide_layouts[1])
        title, _, body = text.partition("\n")
        slide.shapes.title.text = title
        slide.placeholders[1].text = body or title
        if notes and number in notes:
            slide.notes_slide.notes_text_frame.text = notes[number]
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def build_pdf(pages: list[str]) -> bytes:
    """A real PDF with one page per text, rendered by WeasyPrint."""
    from weasyprint import HTML

    body = "".join(
        f'<section style="page-break-before: always"><p>{text}</p></section>' for text in pages
    )
    return HTML(string=f"<html lang='de'><body>{body}</body></html>").write_pdf()


@pytest.fixture
def make_pptx() -> Callable[..., bytes]:
    return build_pptx


@pytest.fixture
def make_pdf() -> Callable[[list[str]], bytes]:
    return build_pdf


def post_multipart(  # type: ignore[no-untyped-def]
    client: FlaskClient, path: str, data: dict[str, object], headers: dict[str, str] | None = None
):
    """POST a multipart form and close the encoded body afterwards.

    Werkzeug's test client spools large bodies to a temporary file and never
    closes it, which our warnings-as-errors run reports as a ResourceWarning.
    """
    from werkzeug.test import EnvironBuilder

    builder = EnvironBuilder(
        path=path, method="POST", data=data, content_type="multipart/form-data", headers=headers
    )
    environ = builder.get_environ()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()


@pytest.fixture
def upload(client: FlaskClient, kb: Kb) -> Callable[..., object]:
    """Post files to /upload like a browser, then let the worker finish them.

    :param files: list of (file name, bytes)
    """

    def _upload(files: list[tuple[str, bytes]], wait: bool = True, **fields: str):
        data: dict[str, object] = {"kind": "praesentation", **fields}
        data["files"] = [(io.BytesIO(content), name) for name, content in files]
        response = post_multipart(client, "/upload", data)
        if wait:
            jobs.run_until_idle(kb)
        return response

    return _upload


@pytest.fixture
def corpus_dir() -> Path:
    if not CORPUS_DIR.is_dir():
        pytest.skip(f"real-document corpus not found at {CORPUS_DIR} (set KB_CORPUS_DIR)")
    return CORPUS_DIR


@pytest.fixture
def make_item(kb: Kb) -> Callable[..., int]:
    """Create an item from plain text through the service layer and make it searchable."""
    from kb.services.access import ANONYMOUS
    from kb.services.items import ItemMeta, UploadFile, upload_files

    def _make(text: str, title: str = "Testeintrag", wait: bool = True, **meta: object) -> int:
        item_meta = ItemMeta(title=title, **meta)  # type: ignore[arg-type]
        upload = UploadFile(f"{title}.txt", io.BytesIO(text.encode("utf-8")))
        outcome = upload_files(kb, [upload], item_meta, ANONYMOUS)[0]
        if wait:
            jobs.run_until_idle(kb)
        assert outcome.item_id is not None
        return outcome.item_id

    return _make


PASSWORD = "richtig-geheim-42"


@pytest.fixture
def add_user(kb: Kb) -> Callable[..., int]:
    """Create an account through the service layer; returns its id."""
    from kb.services.access import SYSTEM
    from kb.services.accounts import add_user as add

    def _add(name: str, role: str = "leser", password: str = PASSWORD) -> int:
        return add(kb, name, role, SYSTEM, password=password)

    return _add


def login(client: FlaskClient, name: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    """Sign ``client`` in through the real login form."""
    return client.post("/login", data={"username": name, "password": password})


@pytest.fixture
def set_item(kb: Kb) -> Callable[..., None]:
    """Put an item into a state/access/owner directly, as a finished history would, and reindex."""
    from kb.models import Item
    from kb.services.indexing import append_index_log

    def _set(item_id: int, **values: object) -> None:
        with kb.db.writing() as session:
            item = session.get(Item, item_id)
            assert item is not None
            for key, value in values.items():
                setattr(item, key, value)
            append_index_log(session, item_id)
        jobs.run_until_idle(kb)

    return _set
