"""Fuzzing every extractor with hypothesis on mutated files.

Seeds are small real files of each format built here; hypothesis flips, inserts and
deletes bytes, cuts the file, and for ZIP-based formats also mutates the XML inside a
member and re-packs it (so the parser, not just the ZIP checksum, meets the damage).
Examples are derandomized, so every run executes the same fixed cases.

Three properties:
- in-process, ``extract`` returns pages or raises a user-safe KbError, never anything
  else (40 cases per format);
- through the child process, as the worker runs it, nothing but pages or a KbError
  reaches the parent, whatever the child does (8 cases per format);
- the same through the child with the worker's limits, on mutated *real* files: one small
  file per format from the shared corpus (``KB_CORPUS_DIR``, see its MANIFEST.tsv; marked
  ``corpus``, skipped with the folder named when it is absent), 8 cases per format for
  PDF, PPTX, DOCX, XLSX, ODT, ODP, ODS, TXT and MD (72 in all; the corpus has no CSV or
  image). Each prints how many cases ran and how they ended; the last recorded run is in
  docs/benchmarks.md, "Fuzzing".
"""

from __future__ import annotations

import functools
import io
import tempfile
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from conftest import build_pdf
from corpus_expectations import CORPUS, CORPUS_AVAILABLE, SKIP_REASON
from extract_files import (
    CSV,
    DOCX,
    JPEG,
    MD,
    ODP,
    ODS,
    ODT,
    PDF,
    PNG,
    PPTX,
    TXT,
    XLSX,
    docx_file,
    odp,
    ods,
    odt,
    pptx,
    text_image,
    xlsx,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.config import load_config
from kb.errors import KbError
from kb.extract import Extracted, extract, extract_in_child, messages, sniff_mime

ZIPPED = {PPTX, DOCX, XLSX, ODT, ODP, ODS}
FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
CHILD_FUZZ = settings(FUZZ, max_examples=8)


@functools.cache
def seed(mime: str) -> bytes:
    """A small, valid file of ``mime`` with some text in it."""
    builders = {
        PDF: lambda: build_pdf(["Förderung der Integration", "Zweite Seite"]),
        PPTX: lambda: pptx(["Ideenwerkstatt", "Zweite Folie"]),
        DOCX: lambda: docx_file(["Verwendungsnachweis", "Kostenplan"]),
        XLSX: lambda: xlsx({"Plan": [["Posten", "Betrag"], ["Kurs", 12.5]]}),
        ODT: lambda: odt(["Protokoll", "Fragerunde"]),
        ODP: lambda: odp(["Titel eins", "Titel zwei"]),
        ODS: lambda: ods({"Liste": [["Kreis", "Harz"]]}),
        CSV: lambda: "Kreis;Betrag\nHarz;1,5\n".encode("cp1252"),
        TXT: lambda: "Grüße aus Halle\fZweite Seite\n".encode(),
        MD: lambda: b"# Titel\n\n- Punkt **fett**\n",
        PNG: lambda: text_image(["Tafel"], size=(300, 100)),
        JPEG: lambda: text_image(["Tafel"], fmt="JPEG", size=(300, 100)),
    }
    return builders[mime]()


@st.composite
def byte_mutation(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with a few bytes replaced, inserted or deleted, and perhaps cut short."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 6))):
        where = draw(st.integers(0, max(len(out) - 1, 0)))
        chunk = draw(st.binary(min_size=1, max_size=8))
        action = draw(st.sampled_from(["replace", "insert", "delete"]))
        if action == "replace":
            out[where : where + len(chunk)] = chunk
        elif action == "insert":
            out[where:where] = chunk
        else:
            del out[where : where + len(chunk)]
    if draw(st.booleans()):
        out = out[: draw(st.integers(0, len(out)))]
    return bytes(out)


@st.composite
def mutated(draw: st.DrawFn, mime: str, data: bytes | None = None) -> bytes:
    """A damaged variant of ``data`` (default: the built seed); for ZIP formats often
    damage inside a member."""
    data = seed(mime) if data is None else data
    if mime not in ZIPPED or draw(st.booleans()):
        return draw(byte_mutation(data))
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        names = src.namelist()
        target = draw(st.sampled_from(sorted(n for n in names if n.endswith(".xml"))))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for name in names:
                content = src.read(name)
                if name == target:
                    content = draw(byte_mutation(content))
                dst.writestr(name, content)
    return out.getvalue()


FORMATS = [PDF, PPTX, DOCX, XLSX, ODT, ODP, ODS, CSV, TXT, MD, PNG, JPEG]


def _run(data: bytes, mime: str, in_child: bool) -> Extracted | KbError:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "3f9a0c"  # hash-named, as in the blob store
        path.write_bytes(data)
        try:
            if in_child:
                return extract_in_child(path, mime, use_ocr=False, timeout=60)
            return extract(path, mime, use_ocr=False)
        except KbError as exc:  # anything else fails the test
            return exc


@pytest.mark.parametrize("mime", FORMATS)
def test_fuzz_in_process(mime: str) -> None:
    outcomes: list[str] = []

    @FUZZ
    @given(data=mutated(mime))
    def check(data: bytes) -> None:
        outcome = _run(data, mime, in_child=False)
        if isinstance(outcome, Extracted):
            assert all(isinstance(page, str) for page in outcome.pages)
        else:
            assert outcome.message_de and outcome.message_en
        outcomes.append(type(outcome).__name__)

    check()
    assert len(outcomes) >= FUZZ.max_examples  # the fixed number of cases really ran
    print(f"fuzz {mime}: {len(outcomes)} cases, {sorted(Counter(outcomes).items())}")


@pytest.mark.parametrize("mime", FORMATS)
def test_fuzz_through_the_child(mime: str) -> None:
    outcomes: list[str] = []

    @CHILD_FUZZ
    @given(data=mutated(mime))
    def check(data: bytes) -> None:
        outcome = _run(data, mime, in_child=True)
        assert isinstance(outcome, Extracted | KbError)
        outcomes.append(type(outcome).__name__)

    check()
    assert len(outcomes) >= CHILD_FUZZ.max_examples
    print(f"fuzz in child {mime}: {len(outcomes)} cases, {sorted(Counter(outcomes).items())}")


def test_seeds_are_readable() -> None:
    """The fuzz starts from files that extract cleanly, so damage is what it tests."""
    for mime in FORMATS:
        outcome = _run(seed(mime), mime, in_child=False)
        if mime in (PNG, JPEG):  # OCR is off in the fuzz: images say so
            assert isinstance(outcome, KbError)
        else:
            assert isinstance(outcome, Extracted), (mime, outcome)


#: One small, readable file per format of the shared corpus (see its MANIFEST.tsv).
REAL_SEEDS = {
    PDF: "pdfjs_german-umlaut-r.pdf",
    PPTX: "tika_testPPT_comment.pptx",
    DOCX: "poi_footnotes.docx",
    XLSX: "poi_DataTableCities.xlsx",
    ODT: "tika_testFooter.odt",
    ODP: "tika_LibreOfficeImpress_odp_1.3.odp",
    ODS: "tika_LibreOfficeCalc_ods_1.3.ods",
    TXT: "tika_testTXTNonASCIIUTF8.txt",
    MD: "revosax_Auslaenderbeauftragte_Gesetz.md",
}
REAL_FUZZ = settings(FUZZ, max_examples=8)
#: How the worker sees a reading process that crashed (as opposed to one that said why).
CRASHED = messages.aborted_crash().message_de


def _real_seed(mime: str) -> bytes:
    if not CORPUS_AVAILABLE:
        pytest.skip(SKIP_REASON)
    path = CORPUS / REAL_SEEDS[mime]
    if not path.is_file():
        pytest.skip(f"{path.name} is missing from the corpus folder {CORPUS}")
    return path.read_bytes()


def _worker_run(data: bytes, mime: str) -> Extracted | KbError:
    """As the worker's job runs it: the child process with the configured limits."""
    config = load_config()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "3f9a0c"
        path.write_bytes(data)
        try:
            return extract_in_child(
                path,
                mime,
                cpu_seconds=int(config["KB_EXTRACT_CPU_SECONDS"]),
                memory_mb=int(config["KB_EXTRACT_MEMORY_MB"]),
                use_ocr=False,
            )
        except KbError as exc:
            return exc


def _outcome(result: Extracted | KbError) -> str:
    if isinstance(result, Extracted):
        return "Extracted"
    return "child crashed" if result.message_de == CRASHED else type(result).__name__


@pytest.mark.corpus
@pytest.mark.parametrize("mime", list(REAL_SEEDS))
def test_fuzz_real_files_through_the_child(mime: str) -> None:
    """Mutated real files reach the worker only as pages or a user-safe error.

    8 cases per format, 72 for the 9 formats; the printed line counts the cases that ran
    and how they ended ("child crashed" if the reading process died).
    """
    data = _real_seed(mime)
    assert sniff_mime_of(data, REAL_SEEDS[mime]) == mime  # the seed is the format it claims
    assert isinstance(_worker_run(data, mime), Extracted)  # and reads cleanly before damage
    outcomes: list[str] = []

    @REAL_FUZZ
    @given(damaged=mutated(mime, data))
    def check(damaged: bytes) -> None:
        result = _worker_run(damaged, mime)
        assert isinstance(result, Extracted | KbError)
        assert result.pages if isinstance(result, Extracted) else result.message_de
        outcomes.append(_outcome(result))

    check()
    assert len(outcomes) >= REAL_FUZZ.max_examples
    print(
        f"fuzz real {REAL_SEEDS[mime]}: {len(outcomes)} cases, {sorted(Counter(outcomes).items())}"
    )


def sniff_mime_of(data: bytes, name: str) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "3f9a0c"
        path.write_bytes(data)
        return sniff_mime(path, name)
