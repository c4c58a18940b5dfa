"""kb.extract against real-world documents (the shared corpus, see its MANIFEST.tsv).

Every file in the manifest has an expectation below, chosen by reading that file once:
a distinctive word its text must contain, or the error a user must see. Extraction
runs through the pipeline's own path: the type sniffed from the bytes, then the
resource-limited child process.
"""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import pytest

from kb.errors import CorruptFile, EncryptedFile, KbError, NoTextFound, UnsupportedType
from kb.extract import extract, extract_in_child, sniff_mime

pytestmark = pytest.mark.corpus

CORPUS = Path(
    os.environ.get(
        "KB_CORPUS_DIR", Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "real"
    )
).resolve()
if not (CORPUS / "MANIFEST.tsv").is_file():
    pytest.skip(f"corpus folder {CORPUS} (KB_CORPUS_DIR) is missing", allow_module_level=True)

MIME_BY_FORMAT = {
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "txt": "text/plain",
    "md": "text/markdown",
}
ENCRYPTED_OOXML = "application/x-encrypted-ooxml"

# file -> text its extraction must contain
TEXT = {
    "CG-Jung-Forum_eJournal.docx": "Dreiländertagung",
    "Förderantrag_TIM_Linz.docx": "Förderung",
    "KI-Vorlesung_MLP_Backpropagation_Beispiel.pdf": "Gradientengraph",
    "KI-Vorlesung_intro1-overview.md": "Prädikatenkalkül",
    "KI-Vorlesung_nb3-nb-text.md": "Text-Klassifikation",
    "Präsentation_Scheinecker_Coaching.pptx": "Ausstrahlung",
    "Vertiefungsvortrag_Elektronik.pptx": "Elektronikschrott",
    "mustang_EN16931_Teilrechnung.pdf": "Kunstrasen grün",
    "mustang_ZTESTZUGFERD_Fuhrpark.pdf": "Fuhrparkmanagement",
    "mustang_validV1WithAdditionalData.pdf": "MUSTERLIEFERANT",
    "mustang_zugferd_invoice.pdf": "Flugzeugallee",
    "ocrmypdf_multipage.pdf": "Percentage",
    "pdfjs_bug1669099_CCC_Antrag.pdf": "zu finden",  # set with an "fi" ligature glyph
    "pdfjs_copy_paste_ligatures.pdf": "ffifflst",  # ﬀ ﬁ ﬂ ﬃ ﬄ ﬅ glyphs
    "pdfjs_german-umlaut-r.pdf": "ö„üä“Äß",
    "pdfjs_issue19802_garbled.pdf": "OHFMQJEJ",  # broken ToUnicode: garbled, but text
    "pdfjs_issue2074_umlaute.pdf": "German ae: ä\nGerman oe: ö\nGerman ue: ü\nGerman Sz: ß",
    "poi_alterman_security_notes.pptx": "Interfederation",
    "poi_footnotes.docx": "prostoy",
    "revosax_Auslaenderbeauftragte_Gesetz.md": "Ausländerbeauftragten",
    "revosax_Fluechtlinge_soziale_Betreuung_FRL.md": "Flüchtlinge",
    "revosax_Integrations-_und_Teilhabegesetz.md": "Teilhabegesetz",
    "revosax_Kommunalintegrationsarbeitsverordnung.md": "Kommunalintegrationsarbeitsverordnung",
    "tika_LibreOfficeImpress_odp_1.3.odp": "An example Impress file",
    "tika_LibreOfficeWriter_odt_1.3.odt": "This is an example document",
    "tika_multi-language.txt": "doação uno negócios",  # Windows-1252, not cp1250
    "tika_testFooter.odt": "Here is some text on page 2",
    "tika_testMARKDOWN.md": "italic",
    "tika_testOptionalHyphen.pdf": "optionalhyphen",
    "tika_testPDF_JBIG2.pdf": "compressed using JBIG2",
    "tika_testPDF_protected.pdf": "Haldane",  # owner password only
    "tika_testPDF_rotated.pdf": "Content Analysis Toolkit",
    "tika_testPPT_comment.pptx": "subtitle",
    "tika_testPPT_masterFooter.pptx": "Master footer is here",
    "tika_testPPT_various.pptx": "ゾルゲと尾崎",
    "tika_testTXTNonASCIIUTF8.txt": "springt über den faulen Hund",
    "tika_testTXT_win-1252.txt": "“windows” encoding",
    "unstructured_DA-619p.pdf": "Vashoth",
    "unstructured_UDHR_first_article_all.txt": "Alle Menschen sind frei und gleich an Würde",
    "unstructured_copy-protected.pdf": "LayoutParser",
    "unstructured_eng_spa_mult.odt": "dignidad",
    "unstructured_fake-power-point-malformed.pptx": "Test Slide",  # python-pptx reads it
    "unstructured_fake-power-point-table.pptx": "Tangerine | Pink | Aqua",
    "unstructured_handbook-872p.docx": "STANDING TRUSTEE",
    "unstructured_multi-column.pdf": "on the development set",  # "devel-\nopment" rejoined
    "unstructured_pdf-with-ocr-text.pdf": "Foundation",
    "unstructured_umlauts-utf8.md": "äöüß",
}
ERRORS: dict[str, type[KbError]] = {
    "poi_bug53475_password-is-pass.docx": EncryptedFile,
    "tika_testPPT_protected_passtika.pptx": EncryptedFile,
    "tika_testEXCEL_protected_passtika.xlsx": EncryptedFile,
    "tika_testODTEncrypted.odt": EncryptedFile,
    "unstructured_password.pdf": EncryptedFile,
    "tika_testUnicodePassword.pdf": EncryptedFile,
    "tika_testODTnotaZipFile.odt": CorruptFile,  # read as the ODT it claims to be
    "ocrmypdf_invalid.pdf": CorruptFile,
    "tika_testWORD_truncated.docx": CorruptFile,
    "tika_testOCR.pdf": NoTextFound,
    "ocrmypdf_masks_Linux_de_scan.pdf": NoTextFound,
    "ocrmypdf_ccitt.pdf": NoTextFound,
    "ocrmypdf_skew.pdf": NoTextFound,
    "tika_testMasterFooter.odp": NoTextFound,  # its only text is the master-page footer
    "poi_DataTableCities.xlsx": UnsupportedType,
    "poi_stress002.xlsx": UnsupportedType,
    "tika_LibreOfficeCalc_ods_1.3.ods": UnsupportedType,
}
IMAGE_ONLY = {"tika_testOCR.pdf", "ocrmypdf_masks_Linux_de_scan.pdf", "ocrmypdf_ccitt.pdf"}
IMAGE_ONLY |= {"ocrmypdf_skew.pdf"}
# Where the bytes say something other than the manifest's format column.
SNIFFED = {
    "poi_bug53475_password-is-pass.docx": ENCRYPTED_OOXML,
    "tika_testPPT_protected_passtika.pptx": ENCRYPTED_OOXML,
    "tika_testEXCEL_protected_passtika.xlsx": ENCRYPTED_OOXML,
    "tika_testODTnotaZipFile.odt": "text/plain",
}
PAGE_COUNTS = {
    "unstructured_DA-619p.pdf": (619, "page"),
    "tika_testFooter.odt": (2, "page"),
    "Förderantrag_TIM_Linz.docx": (4, "page"),
    "Vertiefungsvortrag_Elektronik.pptx": (34, "slide"),
    "poi_footnotes.docx": (1, "section"),
}
_LIGATURES = re.compile("[\ufb00-\ufb06]")


def _manifest() -> list[dict[str, str]]:
    with (CORPUS / "MANIFEST.tsv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


ROWS = {row["file"]: row for row in _manifest()}


def test_every_file_has_an_expectation() -> None:
    missing = sorted(set(ROWS) - set(TEXT) - set(ERRORS))
    assert not missing, f"add an expectation for {missing}"
    assert not set(TEXT) & set(ERRORS)


@pytest.mark.parametrize("name", sorted(ROWS))
def test_sniff(name: str) -> None:
    expected = SNIFFED.get(name, MIME_BY_FORMAT[ROWS[name]["format"]])
    assert sniff_mime(CORPUS / name, name) == expected


@pytest.mark.parametrize("name", sorted(TEXT))
def test_text(name: str) -> None:
    path = CORPUS / name
    result = extract_in_child(path, sniff_mime(path, name))
    text = "\n".join(result.pages)
    assert TEXT[name] in text
    assert not _LIGATURES.search(text)
    assert "\ufffe" not in text and "\u00ad" not in text and "\r" not in text
    if name in PAGE_COUNTS:
        assert (len(result.pages), result.unit) == PAGE_COUNTS[name]


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_error(name: str) -> None:
    path = CORPUS / name
    mime = sniff_mime(path, name)
    if name == "tika_testODTnotaZipFile.odt":
        mime = MIME_BY_FORMAT["odt"]
    expected = ERRORS[name]
    if expected is UnsupportedType:
        with pytest.raises(UnsupportedType):
            extract(path, mime)
        return
    with pytest.raises(expected) as info:
        extract_in_child(path, mime)
    assert type(info.value) is expected
    if name in IMAGE_ONLY:
        assert "Texterkennung (OCR)" in info.value.message_de


def test_text_file_misnamed_odt_is_read_as_text() -> None:
    """The pipeline trusts bytes: a text file named .odt is indexed as the text it is."""
    path = CORPUS / "tika_testODTnotaZipFile.odt"
    assert extract_in_child(path, sniff_mime(path, path.name)).pages == ["This is not a zip file!"]
