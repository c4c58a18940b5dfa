"""Tests of normalize_text and the page/section chunking shared by all extractors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.extract import normalize_text
from kb.extract.chunks import SECTION_CHARS, chunk_blocks


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Die Ergebnisse ﬁnden sich im Anhang", "Die Ergebnisse finden sich im Anhang"),
        ("Arbeits\u00admarkt\u200bintegration", "Arbeitsmarktintegration"),
        ("Arbeitsmarkt-\nintegration", "Arbeitsmarktintegration"),
        ("der EU-\nMigrationsdienst", "der EU-Migrationsdienst"),
        ("Asyl-, Migrations-\nund Integrationsfonds", "Asyl-, Migrations- und Integrationsfonds"),
        ("Zeile eins\r\nZeile zwei\rZeile drei", "Zeile eins\nZeile zwei\nZeile drei"),
        ("a \t  b   \n  c  ", "a b\nc"),
        ("eins\n\n\n\n\nzwei", "eins\n\nzwei"),
        ("gen\ufffeeral", "general"),
        ("Preis:\u00a05\u2009€\x00", "Preis: 5 €"),
        ("Zeile\vmit Umbruch", "Zeile\nmit Umbruch"),
    ],
)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


@settings(max_examples=300, database=None, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from("-\n \t\u00ad\ufffe")))
def test_normalize_text_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once


def test_chunk_blocks_cuts_only_overlong_paragraphs() -> None:
    huge = "Wort " * 3000  # 15000 characters in one paragraph
    chunks = chunk_blocks(["kurz", huge, "Ende"])
    assert len(chunks) >= 5
    assert all(len(chunk) <= SECTION_CHARS for chunk in chunks)
    assert " ".join(chunks).split() == ["kurz", *huge.split(), "Ende"]
