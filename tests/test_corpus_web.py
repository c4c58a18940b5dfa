"""The whole pipeline on the real documents: one upload of the entire corpus through the web.

All files go up in one multi-file request, as after a workshop, broken ones included. Then:
every text-bearing file is found by its own text, every broken/encrypted/image-only/unsupported
one is stored with a German reason on its page, no sibling is lost, every file downloads byte
for byte, and ``kb check`` reports clean.
"""

from __future__ import annotations

import hashlib
import io

import pytest
from conftest import open_app, post_multipart
from corpus_expectations import CORPUS, CORPUS_AVAILABLE, ERRORS, SKIP_REASON, TEXT
from sqlalchemy import select

from kb.errors import CorruptFile, EncryptedFile, NoTextFound, UnsupportedType
from kb.models import FileVersion
from kb.services import jobs
from kb.services.access import ANONYMOUS
from kb.services.search import run_search

pytestmark = pytest.mark.corpus
if not CORPUS_AVAILABLE:
    pytest.skip(SKIP_REASON, allow_module_level=True)

FILES = sorted(set(TEXT) | set(ERRORS))
#: Search queries where the expected text is not a good query on its own.
QUERIES = {
    "pdfjs_issue2074_umlaute.pdf": '"German Sz"',
    "pdfjs_german-umlaut-r.pdf": "üä",
    "tika_testODTnotaZipFile.odt": '"not a zip file"',
    "pdfjs_copy_paste_ligatures.pdf": "abcdeffffiflffifflststghijklmno",  # one long token
    "pdfjs_issue19802_garbled.pdf": "UBOEJTRVF",  # a whole (garbled) word of its text
}
#: What the file's page must say about why no text could be read.
REASONS = {
    EncryptedFile: "verschlüsselt",
    CorruptFile: "beschädigt",
    NoTextFound: "kein",
    UnsupportedType: "nicht unterstützt",
}
#: Read as what its bytes are (plain text), not what its name claims.
READ_AS_TEXT = {"tika_testODTnotaZipFile.odt"}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory, template_db):
    app = open_app(tmp_path_factory.mktemp("corpus"), template_db)
    kb = app.extensions["kb"]
    client = app.test_client()
    payload = {
        "kind": "praesentation",
        "files": [(io.BytesIO((CORPUS / name).read_bytes()), name) for name in FILES],
    }
    response = post_multipart(client, "/upload", payload)
    assert response.status_code == 201, response.get_data(as_text=True)[:2000]
    jobs.run_until_idle(kb)
    with kb.db.reading() as session:
        versions = {fv.filename: fv for fv in session.scalars(select(FileVersion))}
    yield app, client, versions
    kb.close()


def test_no_file_of_the_upload_was_lost(loaded):
    app, client, versions = loaded
    assert sorted(versions) == FILES
    for name, fv in versions.items():
        with client.get(f"/items/{fv.item_id}/files/{fv.id}") as download:
            assert download.status_code == 200, name
            assert hashlib.sha256(download.data).hexdigest() == fv.sha256
        assert fv.sha256 == hashlib.sha256((CORPUS / name).read_bytes()).hexdigest()
    assert jobs.pending_jobs(app.extensions["kb"]) == 0


@pytest.mark.parametrize("name", sorted(set(TEXT) | READ_AS_TEXT))
def test_found_by_its_own_text(loaded, name):
    app, _client, versions = loaded
    assert versions[name].status == "done", versions[name].status_message_de
    query = QUERIES.get(name) or f'"{TEXT[name]}"'
    result = run_search(app.extensions["kb"], query, ANONYMOUS, page_size=100)
    found = {f["name"] for hit in result.hits for f in hit.files}
    assert name in found, f"{query!r} found {sorted(found)}"


@pytest.mark.parametrize("name", sorted(set(ERRORS) - READ_AS_TEXT))
def test_unreadable_file_is_kept_with_its_reason(loaded, name):
    _app, client, versions = loaded
    fv = versions[name]
    assert fv.status == "failed"
    reason = REASONS[ERRORS[name]]
    assert reason in fv.status_message_de.lower() or reason in fv.status_message_de
    page = client.get(f"/items/{fv.item_id}").get_data(as_text=True)
    assert "Kein Text gelesen" in page
    assert fv.status_message_de in page.replace("&#34;", '"')


def test_check_is_clean_after_all_of_it(loaded):
    app, _client, _versions = loaded
    result = app.test_cli_runner().invoke(args=["check", "--json"])
    assert result.exit_code == 0, result.output
