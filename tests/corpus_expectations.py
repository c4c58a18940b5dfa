"""What each real document in the shared corpus must yield, chosen by reading it once.

Shared by the extraction tests (stage level) and the web tests (whole pipeline). Every file in
the corpus's MANIFEST.tsv has an expectation: a text its extraction must contain, or the error a
user must see. OCR is an optional component: where Tesseract is installed the scans
are read by OCR and expected to yield text, elsewhere they are expected to say why not.
"""

from __future__ import annotations

import os
from pathlib import Path

from kb.errors import CorruptFile, EncryptedFile, KbError, NoTextFound
from kb.extract import ocr

CORPUS = Path(
    os.environ.get(
        "KB_CORPUS_DIR", Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "real"
    )
).resolve()
CORPUS_AVAILABLE = (CORPUS / "MANIFEST.tsv").is_file()
SKIP_REASON = f"corpus folder {CORPUS} (KB_CORPUS_DIR) is missing"

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
    "poi_DataTableCities.xlsx": "Big City Average Location",
    "poi_stress002.xlsx": "Georgia Child Support Guidelines",
    "tika_LibreOfficeCalc_ods_1.3.ods": "This | is | an | example | spreadsheet",
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
    "tika_testMasterFooter.odp": NoTextFound,  # its only text is the master-page footer
}
# Scans without a text layer: what OCR must read in them.
OCR_TEXT = {
    "tika_testOCR.pdf": "Happy New Year",
    "ocrmypdf_masks_Linux_de_scan.pdf": "Betriebssystem",
    "ocrmypdf_ccitt.pdf": "LinnSequencer",
    "ocrmypdf_skew.pdf": "LinnSequencer",
}
IMAGE_ONLY = set(OCR_TEXT)
OCR_AVAILABLE = ocr.available()
if OCR_AVAILABLE:
    TEXT.update(OCR_TEXT)
else:
    ERRORS.update(dict.fromkeys(OCR_TEXT, NoTextFound))
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
    "poi_DataTableCities.xlsx": (3, "sheet"),  # one per sheet
    "tika_LibreOfficeCalc_ods_1.3.ods": (1, "sheet"),
}
