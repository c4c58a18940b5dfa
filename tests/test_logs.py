"""Structured logs: ``KB_LOG_FORMAT=json`` makes every line one JSON object, with the
request id (from ``X-Request-ID`` or generated) on request lines and job fields on the
worker's lines."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from conftest import post_multipart
from fault_support import Gunicorn, get

from kb.logs import configure_logging, log_context
from kb.services import jobs
from kb.web.requestlog import MAX_ID_LENGTH, clean_request_id


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    """kb's handler writing JSON into a buffer; the root logger restored afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    stream = io.StringIO()
    configure_logging(fmt="json", level="INFO", stream=stream)
    yield stream
    root.handlers[:] = handlers
    root.setLevel(level)


def _lines(stream: io.StringIO) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_json_line_has_time_level_logger_message_and_the_context(log_stream):
    with log_context(job_id=7, job_kind="extract"):
        logging.getLogger("kb.test").warning("Zeile mit %s\nzweite Zeile", "Umlauten äöü")
    logging.getLogger("kb.test").info("ohne Kontext")
    first, second = _lines(log_stream)  # the newline stayed inside the JSON string
    assert first["level"] == "WARNING" and first["logger"] == "kb.test"
    assert first["message"] == "Zeile mit Umlauten äöü\nzweite Zeile"
    assert first["time"].endswith("+00:00") and "T" in first["time"]
    assert (first["job_id"], first["job_kind"]) == (7, "extract")
    assert "job_id" not in second


def test_an_exception_is_one_line_too(log_stream):
    try:
        raise ValueError("kaputt")
    except ValueError:
        logging.getLogger("kb.test").exception("Fehler")
    (line,) = _lines(log_stream)
    assert "ValueError: kaputt" in line["exception"]


def test_request_lines_carry_id_method_path_status_duration(client, log_stream):
    response = client.get("/search?q=Geheimwort", headers={"X-Request-ID": "nginx-abc.123"})
    assert response.headers["X-Request-ID"] == "nginx-abc.123"
    (line,) = [x for x in _lines(log_stream) if x["logger"] == "kb.request"]
    assert line["request_id"] == "nginx-abc.123"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/search", 200)
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert "Geheimwort" not in log_stream.getvalue()  # search words are not logged


def test_lines_written_during_a_request_carry_its_id(client, log_stream):
    files = [(io.BytesIO(b"Protokoll der Sitzung"), "sitzung.txt")]
    response = post_multipart(client, "/upload", {"kind": "protokoll", "files": files})
    assert response.status_code == 201
    rid = response.headers["X-Request-ID"]
    uploaded = [x for x in _lines(log_stream) if x["message"].startswith("Uploaded")]
    assert uploaded and all(x["request_id"] == rid for x in uploaded)


def test_a_request_id_is_generated_when_none_is_sent_and_differs_per_request(client):
    first = client.get("/").headers["X-Request-ID"]
    second = client.get("/").headers["X-Request-ID"]
    assert len(first) == 32 and first != second


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("abc\r\nX-Evil: 1", "abcX-Evil:1"),
        ('"><script>', "script"),
        ("a" * 500, "a" * MAX_ID_LENGTH),
    ],
)
def test_a_request_id_from_outside_is_cleaned_and_bounded(client, sent, kept):
    assert clean_request_id(sent) == kept
    if "\n" not in sent:  # the test client refuses header values with newlines
        assert client.get("/", headers={"X-Request-ID": sent}).headers["X-Request-ID"] == kept


def test_an_id_of_nothing_but_unsafe_characters_is_replaced(client):
    rid = client.get("/", headers={"X-Request-ID": "<<>>"}).headers["X-Request-ID"]
    assert len(rid) == 32 and rid.isalnum()


def test_worker_lines_carry_job_id_and_kind(client, kb, log_stream):
    files = [(io.BytesIO(b"Protokoll der Sitzung\n\nTagesordnung"), "sitzung.txt")]
    post_multipart(client, "/upload", {"kind": "protokoll", "files": files})
    jobs.run_until_idle(kb)
    (extracted,) = [x for x in _lines(log_stream) if x["message"].startswith("Extracted")]
    assert extracted["job_kind"] == "extract" and isinstance(extracted["job_id"], int)
    assert "request_id" not in extracted


def test_text_is_the_default_and_unknown_formats_fall_back_to_it(monkeypatch):
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        for value in ("", "yaml"):
            monkeypatch.setenv("KB_LOG_FORMAT", value)
            stream = io.StringIO()
            configure_logging(level="INFO", stream=stream)
            logging.getLogger("kb.test").info("Hallo")
            assert "INFO kb.test: Hallo" in stream.getvalue()
            assert ("unknown; using text" in stream.getvalue()) == (value == "yaml")
            assert not stream.getvalue().lstrip().startswith("{")
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def test_gunicorn_with_kbs_config_writes_only_json_lines(app, tmp_path):
    log = tmp_path / "gunicorn.log"
    args = ("-c", "python:kb.gunicorn_conf")
    with Gunicorn(app, log, args=args, KB_LOG_FORMAT="json") as server:
        status, _ = get(f"{server.base_url}/search?q=Integration")
        assert status == 200
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    loggers = {line["logger"] for line in lines}
    assert "gunicorn.error" in loggers  # the arbiter's own lines ("Booting worker" …)
    requests = [x for x in lines if x["logger"] == "kb.request" and x["path"] == "/search"]
    assert requests and requests[0]["status"] == 200 and requests[0]["request_id"]
