"""Accounts and the workflow in a real browser: an Autor uploads and submits, the Redaktion
publishes, and only then do anonymous visitors find the material.

A server of its own (``kb init`` + ``kb users add`` + ``kb serve``), Debian's
Chromium through Playwright, one browser context per person.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from browser_support import ARTIFACTS_DIR, CHROMIUM, CHROMIUM_ARGS, KbServer
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

pytestmark = pytest.mark.browser

WORD = "Obstbaumschnittkurs"
PASSWORDS = {"autorin": "autorin-passwort-1", "redakteur": "redakteur-passwort-1"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KbServer]:
    with KbServer(tmp_path_factory.mktemp("kb-workflow")) as running:
        for name, role in (("autorin", "autor"), ("redakteur", "redaktion")):
            running.add_user(name, role, PASSWORDS[name])
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found; install it with `scripts/system-deps.sh test`")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _context(browser: Browser, server: KbServer) -> BrowserContext:
    context = browser.new_context(base_url=server.base_url, locale="de-DE")
    context.set_default_timeout(10_000)
    return context


def _sign_in(page: Page, name: str) -> None:
    """Through the login link and form, submitted with the Enter key."""
    page.goto("/")
    page.get_by_role("link", name="Anmelden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmelden")
    page.get_by_label("Benutzername").fill(name)
    page.get_by_label("Passwort").fill(PASSWORDS[name])
    page.get_by_label("Passwort").press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("Willkommen")


def _shot(page: Page, name: str) -> None:
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS_DIR / f"workflow-{name}.png"), full_page=True)


def _anonymous_hits(page: Page) -> int:
    page.goto(f"/search?q={WORD}")
    text = page.locator("p.total").inner_text()
    match = re.match(r"(\d+) Treffer", text)
    return int(match.group(1)) if match else 0


def test_author_submits_editor_publishes_then_everyone_finds_it(
    browser: Browser, server: KbServer
) -> None:
    author = _context(browser, server).new_page()
    _sign_in(author, "autorin")
    author.goto("/upload")
    author.get_by_label("Dateien").set_input_files(
        files=[
            {
                "name": "kurs.txt",
                "mimeType": "text/plain",
                "buffer": f"Einladung zum {WORD} im Herbst".encode(),
            }
        ]  # fmt: skip
    )
    author.get_by_label("Titel").fill("Einladung Obstbaum")
    expect(author.get_by_label("Zugriff"), "signed-in uploads default to intern").to_have_value(
        "internal"
    )
    author.get_by_label("Zugriff").select_option("public")
    author.get_by_role("button", name="Hochladen").click()
    row = author.locator("li.outcome")
    expect(row.locator(".state")).to_have_text("durchsuchbar", timeout=30_000)
    row.get_by_role("link", name="kurs.txt").click()
    expect(author.get_by_role("note").first).to_contain_text("nicht veröffentlicht (Entwurf)")
    author.get_by_label("Kommentar (optional)").fill("Bitte bis Freitag prüfen")
    author.get_by_role("button", name="Zur Prüfung einreichen").click()
    expect(author.get_by_role("status").first).to_contain_text("Status ist geändert")
    _shot(author, "submitted")

    visitor = _context(browser, server).new_page()
    assert _anonymous_hits(visitor) == 0, "a draft under review is invisible to visitors"

    editor = _context(browser, server).new_page()
    _sign_in(editor, "redakteur")
    editor.get_by_role("link", name="Prüfen").click()
    editor.get_by_role("link", name="Einladung Obstbaum").click()
    expect(editor.locator("ol.history")).to_contain_text("„Bitte bis Freitag prüfen“")
    editor.get_by_role("button", name="Veröffentlichen").click()
    expect(editor.locator("dl.facts")).to_contain_text("Veröffentlicht")
    _shot(editor, "published")

    # The index follows the log within moments; allow a slow CI machine some seconds.
    expect(visitor.locator("p.total")).to_be_visible()
    for _ in range(60):
        if _anonymous_hits(visitor) == 1:
            break
        visitor.wait_for_timeout(500)
    assert _anonymous_hits(visitor) == 1, "published material is found by visitors"
    _shot(visitor, "found")


def test_several_files_with_progress_and_a_duplicate(browser: Browser, server: KbServer) -> None:
    """Three files at once: each gets its own progress bar and row; the repeated one is
    reported as already stored, with the way to the existing item."""
    page = _context(browser, server).new_page()
    _sign_in(page, "autorin")
    page.goto("/upload")
    same = b"Protokoll der Fragerunde mit dem Landesverwaltungsamt"
    page.get_by_label("Dateien (mehrere möglich; auch hierher ziehen)").set_input_files(
        files=[
            {"name": "runde.txt", "mimeType": "text/plain", "buffer": same},
            {"name": "notizen.txt", "mimeType": "text/plain", "buffer": b"Notizen zum Termin"},
            {"name": "runde-kopie.txt", "mimeType": "text/plain", "buffer": same},
        ]
    )
    page.get_by_label("Titel (bei einer Datei").fill("Wird bei mehreren Dateien nicht verwendet")
    # Several files: each gets its own title and kind before sending.
    page.get_by_label("Titel für notizen.txt").fill("Notizen zum Termin im Mai")
    page.locator("#pf-kind-1").select_option("protokoll")
    page.get_by_role("button", name="Hochladen").click()
    rows = page.locator("#upload-progress li.outcome")
    expect(rows).to_have_count(3)
    expect(rows.nth(0).locator(".state")).to_have_text("durchsuchbar", timeout=30_000)
    expect(rows.nth(1).locator(".state")).to_have_text("durchsuchbar", timeout=30_000)
    expect(rows.nth(2)).to_contain_text("bereits gespeichert")
    expect(rows.nth(2).get_by_role("link", name="Zum vorhandenen Eintrag")).to_be_visible()
    expect(rows.nth(0).get_by_role("link", name="runde.txt")).to_be_visible()
    _shot(page, "several")
    rows.nth(1).get_by_role("link", name="notizen.txt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notizen zum Termin im Mai")
    expect(page.locator("dl.facts")).to_contain_text("Protokoll/Dokumentation")
