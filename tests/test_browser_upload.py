"""The upload page in a real browser when things go wrong: a file over the limit, a broken
file, a double click, no network, the back button, and a session that expires mid-upload.

One server of its own (``kb init`` + ``kb users add`` + ``kb serve``) with a per-file limit
of 1 MB, Debian's Chromium through Playwright, a fresh browser context per test. Every test
counts the POSTs to /upload the browser really made, so a resent file cannot hide.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator

import pytest
from browser_support import ARTIFACTS_DIR, KB_SCRIPT, KbServer, browser, playwright  # noqa: F401 (shared fixtures)
from conftest import build_pdf
from extract_files import text_image
from playwright.sync_api import Browser, BrowserContext, Page, Request, Route, expect

pytestmark = pytest.mark.browser

PASSWORD = "autorin-passwort-1"
SEARCHABLE_MS = 30_000
FILES_LABEL = "Dateien (mehrere möglich; auch hierher ziehen)"


class LimitedServer(KbServer):
    """``kb serve`` with a per-file limit small enough to test in a browser."""

    @property
    def env(self) -> dict[str, str]:
        return {**super().env, "KB_MAX_FILE_MB": "1"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KbServer]:
    with LimitedServer(tmp_path_factory.mktemp("kb-upload")) as running:
        running.add_user("autorin", "autor", PASSWORD)
        yield running


@pytest.fixture
def context(browser: Browser, server: KbServer) -> Iterator[BrowserContext]:  # noqa: F811 (fixture)
    context = browser.new_context(base_url=server.base_url, locale="de-DE")
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def posts(context: BrowserContext) -> list[Request]:
    """Every POST /upload the browser sent (whatever its answer)."""
    sent: list[Request] = []
    context.on(
        "request",
        lambda r: sent.append(r) if r.method == "POST" and r.url.endswith("/upload") else None,
    )
    return sent


def _sign_in(page: Page) -> None:
    page.goto("/login")
    page.get_by_label("Benutzername").fill("autorin")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_label("Passwort").press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("Willkommen")


@pytest.fixture
def page(context: BrowserContext) -> Page:
    page = context.new_page()
    _sign_in(page)
    page.goto("/upload")
    return page


def _text_file(name: str, text: str) -> dict[str, object]:
    return {"name": name, "mimeType": "text/plain", "buffer": text.encode()}


def _shot(page: Page, name: str) -> None:
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS_DIR / f"upload-{name}.png"), full_page=True)


def _rows(page: Page):  # type: ignore[no-untyped-def]
    return page.locator("#upload-progress li.outcome")


def _count_bars(page: Page) -> None:
    """Record every <progress> the script puts into the page (they go once a file is sent)."""
    page.evaluate(
        """() => {
          window.kbBars = [];
          new MutationObserver((changes) => changes.forEach((c) => c.addedNodes.forEach((n) => {
            if (n.nodeType !== 1) return;
            const bars = n.tagName === "PROGRESS" ? [n] : n.querySelectorAll("progress");
            bars.forEach((b) => { if (!window.kbBars.includes(b)) window.kbBars.push(b); });
          }))).observe(document.querySelector("#upload-progress ul"),
                       {childList: true, subtree: true});
        }"""
    )


def test_size_limit_before_transfer_bars_and_a_broken_file_live(
    page: Page, posts: list[Request]
) -> None:
    big = {"name": "gross.txt", "mimeType": "text/plain", "buffer": b"x" * (1024 * 1024 + 10)}
    page.get_by_label(FILES_LABEL).set_input_files(files=[big, _text_file("klein.txt", "klein")])
    error = page.locator("#size-error")
    expect(error).to_be_visible()
    expect(error).to_have_text(
        "Größer als 1 MB pro Datei: gross.txt. Bitte wählen Sie diese Dateien ab."
    )
    page.get_by_role("button", name="Hochladen").click()
    expect(error).to_be_visible()
    assert posts == [], "nothing is sent while a file is over the limit"
    _shot(page, "size-limit")

    broken = build_pdf(["Seite eins mit Text " * 30, "Seite zwei"])[:1500]
    page.get_by_label(FILES_LABEL).set_input_files(
        files=[
            {"name": "kaputt.pdf", "mimeType": "application/pdf", "buffer": broken},
            _text_file("heil.txt", "Ein heiler Text über Holunderblüten"),
        ]
    )
    expect(error).to_be_hidden()
    _count_bars(page)
    page.get_by_role("button", name="Hochladen").click()
    rows = _rows(page)
    expect(rows).to_have_count(2)
    broken_row = rows.filter(has_text="kaputt.pdf")
    expect(broken_row.locator(".state")).to_have_text(
        "gespeichert, aber kein Text lesbar: Die Datei ist beschädigt oder unvollständig und "
        "kann nicht gelesen werden.",
        timeout=SEARCHABLE_MS,
    )
    expect(rows.filter(has_text="heil.txt").locator(".state")).to_have_text(
        "durchsuchbar", timeout=SEARCHABLE_MS
    )
    labels = page.evaluate("window.kbBars.map((b) => b.getAttribute('aria-label'))")
    assert labels == ["Übertragung von kaputt.pdf", "Übertragung von heil.txt"]
    assert len(posts) == 2
    _shot(page, "broken-live")


def test_double_click_sends_each_file_once(page: Page, posts: list[Request]) -> None:
    page.get_by_label(FILES_LABEL).set_input_files(
        files=[_text_file("eins.txt", "Erste Datei Doppelklick"), _text_file("zwei.txt", "Zweite")]
    )
    page.get_by_label("Titel für zwei.txt").fill("Die zweite Datei")
    page.get_by_role("button", name="Hochladen").dblclick()
    rows = _rows(page)
    expect(rows).to_have_count(2)
    for row in (rows.nth(0), rows.nth(1)):
        expect(row.locator(".state")).to_have_text("durchsuchbar", timeout=SEARCHABLE_MS)
    page.wait_for_timeout(500)  # room for a late second send to show up in the count
    assert len(posts) == 2, [p.url for p in posts]
    expect(rows).to_have_count(2)
    expect(page.get_by_text("bereits gespeichert")).to_have_count(0)
    rows.nth(1).get_by_role("link", name="zwei.txt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Die zweite Datei")


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract-ocr is not installed")
def test_a_scan_says_live_that_its_text_came_from_ocr(page: Page) -> None:
    """Sent with a text file, the image gets its own alt text field (required for images)."""
    scan = text_image(["Verwendungsnachweis"])
    page.get_by_label(FILES_LABEL).set_input_files(
        files=[
            {"name": "scan.png", "mimeType": "image/png", "buffer": scan},
            _text_file("notiz.txt", "Notiz zum Verwendungsnachweis"),
        ]
    )
    expect(page.get_by_label("Alternativtext für notiz.txt", exact=False)).to_have_count(0)
    page.get_by_label("Alternativtext für scan.png", exact=False).fill("Gescanntes Formular")
    page.get_by_role("button", name="Hochladen").click()
    expect(_rows(page).locator(".state")).to_have_text(
        [
            "durchsuchbar – Text per Texterkennung (OCR) gelesen; er kann Fehler enthalten.",
            "durchsuchbar",
        ],
        timeout=SEARCHABLE_MS,
    )


def test_offline_keeps_the_files_and_retry_sends_them(
    page: Page, context: BrowserContext, posts: list[Request]
) -> None:
    page.get_by_label(FILES_LABEL).set_input_files(
        files=[_text_file("funkloch.txt", "Geschrieben im Funkloch bei Quedlinburg")]
    )
    page.get_by_label("Titel (bei einer Datei").fill("Funkloch")
    context.set_offline(True)
    page.get_by_role("button", name="Hochladen").click()
    row = _rows(page)
    expect(row.locator(".state")).to_have_text(
        "nicht gespeichert: Keine Verbindung zum Server. Die Datei bleibt ausgewählt: Wählen "
        "Sie „Erneut versuchen“, sobald die Verbindung wieder steht."
    )
    retry = page.get_by_role("button", name="Erneut versuchen")
    expect(retry).to_be_visible()
    _shot(page, "offline")
    context.set_offline(False)
    retry.click()
    expect(row.get_by_role("link", name="funkloch.txt")).to_be_visible()
    expect(row.locator(".state")).to_have_text("durchsuchbar", timeout=SEARCHABLE_MS)
    expect(retry).to_be_hidden()
    row.get_by_role("link", name="funkloch.txt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Funkloch")
    assert len(posts) == 2  # the failed attempt and the retry


def test_going_back_after_an_upload_resends_nothing(page: Page, posts: list[Request]) -> None:
    page.get_by_label(FILES_LABEL).set_input_files(
        files=[_text_file("zurueck.txt", "Die Zurücktaste nach dem Hochladen")]
    )
    page.get_by_role("button", name="Hochladen").click()
    row = _rows(page)
    expect(row.locator(".state")).to_have_text("durchsuchbar", timeout=SEARCHABLE_MS)
    row.get_by_role("link", name="zurueck.txt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("zurueck")
    page.go_back()
    expect(page).to_have_url(re.compile(r"/upload$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Materialien hochladen")
    expect(page.get_by_role("button", name="Hochladen")).to_be_enabled()
    page.go_forward()
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Materialien hochladen")
    assert len(posts) == 1
    _shot(page, "back")


def test_going_back_from_the_plain_result_page_resends_nothing(
    browser: Browser,  # noqa: F811 (fixture)
    server: KbServer,
) -> None:
    """Without the script the form posts itself; the result page is one step in history."""
    context = browser.new_context(
        base_url=server.base_url, locale="de-DE", java_script_enabled=False
    )
    try:
        page = context.new_page()
        sent: list[Request] = []
        page.on("request", lambda r: sent.append(r) if r.method == "POST" else None)
        _sign_in(page)
        page.goto("/upload")
        page.get_by_label(FILES_LABEL).set_input_files(
            files=[_text_file("ohne-skript.txt", "Hochgeladen ohne Skript")]
        )
        page.get_by_role("button", name="Hochladen").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Ergebnis des Hochladens")
        page.go_back()
        expect(page.get_by_role("heading", level=1)).to_have_text("Materialien hochladen")
        assert [r.url for r in sent if r.url.endswith("/upload")] == [f"{server.base_url}/upload"]
    finally:
        context.close()


def test_an_expired_session_mid_upload_keeps_the_file_for_after_sign_in(
    page: Page, context: BrowserContext, posts: list[Request], server: KbServer
) -> None:
    """The first file goes through; before the second is sent the session has ended on the
    server (the cookie still comes along, but names an ended session)."""
    routed: list[str] = []  # counted here: the page's request events may come after the route

    def expire_on_second(route: Route) -> None:
        if route.request.method == "POST":
            routed.append(route.request.url)
        if route.request.method == "POST" and len(routed) == 2:
            server.end_sessions("autorin")
        route.continue_()

    page.route("**/upload", expire_on_second)
    page.get_by_label(FILES_LABEL).set_input_files(
        files=[
            _text_file("erste.txt", "Erste Datei vor dem Ablauf"),
            _text_file("zweite.txt", "Zweite Datei nach dem Ablauf mit Kranichzug"),
        ]
    )
    page.get_by_role("button", name="Hochladen").click()
    rows = _rows(page)
    expect(rows.nth(0).get_by_role("link", name="erste.txt")).to_be_visible()
    second = rows.nth(1)
    expect(second.locator(".state")).to_contain_text(
        "nicht gespeichert: Sie sind nicht mehr angemeldet"
    )
    sign_in = second.get_by_role("link", name="Anmelden (öffnet einen neuen Tab)")
    expect(sign_in).to_have_attribute("target", "_blank")
    _shot(page, "session-expired")

    with context.expect_page() as opened:
        sign_in.click()
    tab = opened.value
    tab.get_by_label("Benutzername").fill("autorin")
    tab.get_by_label("Passwort").fill(PASSWORD)
    tab.get_by_label("Passwort").press("Enter")
    expect(tab.get_by_role("heading", level=1)).to_have_text("Wieder angemeldet")
    tab.close()

    page.get_by_role("button", name="Erneut versuchen").click()
    expect(second.get_by_role("link", name="zweite.txt")).to_be_visible()
    expect(second.locator(".state")).to_have_text("durchsuchbar", timeout=SEARCHABLE_MS)
    expect(page.get_by_role("link", name="Anmelden (öffnet einen neuen Tab)")).to_have_count(0)
    assert len(posts) == 3
