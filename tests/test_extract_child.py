"""Tests of extract_in_child: the answer, the errors and the limits of the child process."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import docx
import pytest

from kb.errors import CorruptFile, ExtractionError
from kb.extract import Extracted, Notice, extract, extract_in_child, messages
from kb.extract.sandbox import _abort_cause, _result

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TXT = "text/plain"


def test_child_success(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Grüße aus Magdeburg")
    document.add_page_break()
    document.add_paragraph("Seite zwei")
    path = tmp_path / "brief.docx"
    document.save(path)
    result = extract_in_child(path, DOCX)
    assert result.pages == ["Grüße aus Magdeburg", "Seite zwei"]
    assert result == extract(path, DOCX)


def test_child_error_maps_back_to_the_same_class(tmp_path: Path) -> None:
    path = tmp_path / "kaputt.pdf"
    path.write_bytes(os.urandom(1024))
    with pytest.raises(CorruptFile) as info:
        extract_in_child(path, PDF)
    assert info.value.message_de.startswith("Die Datei ist beschädigt")
    assert info.value.message_en.startswith("The file is damaged")


def test_child_memory_limit_aborts(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Hallo Welt\n" * 1000, encoding="cp1252")
    with pytest.raises(ExtractionError) as info:
        extract_in_child(path, TXT, memory_mb=50)
    assert type(info.value) is ExtractionError
    assert info.value.message_de == (
        "Das Lesen der Datei wurde abgebrochen: Speicherlimit von 50 MB pro Datei überschritten."
    )


def test_child_timeout_aborts(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Hallo")
    with pytest.raises(ExtractionError) as info:
        extract_in_child(path, TXT, timeout=0.01)
    assert info.value.message_de == (
        "Das Lesen der Datei wurde abgebrochen: Zeitlimit von 0,01 Sekunden pro Datei "
        "überschritten."
    )


def test_child_killed_by_cpu_limit_reports_time_limit() -> None:
    assert _abort_cause(-signal.SIGXCPU, "") == "time"
    assert _abort_cause(-signal.SIGSEGV, "") == "crash"
    assert _abort_cause(1, "MemoryError") == "memory"
    assert messages.aborted_time(120, cpu=True).message_de == (
        "Das Lesen der Datei wurde abgebrochen: Rechenzeitlimit von 120 Sekunden pro Datei "
        "überschritten."
    )


def test_answer_carries_notices_and_ocr_pages() -> None:
    result = Extracted(
        pages=["Text", "Scan"],
        unit="page",
        ocr_pages=(2,),
        notices=(Notice("Hinweis", "Notice"),),
    )
    payload = json.loads(json.dumps(result.to_json()))
    assert _result(json.dumps(payload).encode(), Path("x")) == result
    assert result.ocr and result.message() == "Hinweis" and result.message("en") == "Notice"


@pytest.mark.parametrize(
    "change",
    [
        {"unit": "folio"},
        {"pages": ["a", 1]},
        {"ocr_pages": [True]},
        {"ocr_pages": "1"},
        {"notices": [["nur deutsch"]]},
        {"notices": [[1, 2]]},
    ],
)
def test_malformed_answer_is_a_crash_not_a_result(change: dict[str, object]) -> None:
    payload = {"ok": True, "pages": ["a"], "unit": "page", "ocr_pages": [], "notices": []}
    with pytest.raises(ExtractionError) as info:
        _result(json.dumps({**payload, **change}).encode(), Path("x"))
    assert "abgestürzt" in info.value.message_de
