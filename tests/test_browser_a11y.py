"""Accessibility, small screens and speed in a real browser (issue #10).

axe-core (bundled by axe-playwright-python, no Node) checks every main page of the demo
(``kb demo`` as after ``make run``), signed out and signed in, for WCAG 2.1 A/AA rules and
four best-practice rules (headings in order, landmarks): zero violations. Then the
keyboard-only path, a 320 px wide viewport without horizontal scrolling, the print view,
and the first contentful paint of each page (printed; recorded in docs/benchmarks.md, not
asserted). Screenshots go to test-artifacts/browser/ (a few, made small, are in
docs/screenshots/, see README.md).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_support import (  # noqa: F401 (shared fixtures)
    ARTIFACTS_DIR,
    CHROMIUM,
    CHROMIUM_ARGS,
    KB_SCRIPT,
    KbServer,
    browser,
    playwright,
)
from conftest import build_pdf
from databases import TemplateDatabase
from playwright.sync_api import Browser, Locator, Page, expect

pytestmark = pytest.mark.browser

PASSWORD = "barrierefrei-2027"
#: Best-practice rules run beside the WCAG-tagged ones: headings in order, all content in
#: landmarks, exactly one main, and an h1 on every page (a rule named in ``rules`` with
#: ``enabled`` runs even though its tags are not in ``runOnly``).
BEST_PRACTICE = ("heading-order", "region", "landmark-one-main", "page-has-heading-one")
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "rules": {rule: {"enabled": True} for rule in BEST_PRACTICE},
    "resultTypes": ["violations"],
}


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, template_db: TemplateDatabase
) -> Iterator[KbServer]:
    data_dir = tmp_path_factory.mktemp("kb-a11y")
    url = template_db.new(data_dir) if template_db.is_postgres else None
    with KbServer(data_dir, database_url=url) as running:
        demo = subprocess.run(
            [str(KB_SCRIPT), "demo"], env=running.env, capture_output=True, text=True, timeout=600
        )
        assert demo.returncode == 0, demo.stderr[-2000:]
        running.add_user("pruefer", "admin", PASSWORD)
        yield running


@pytest.fixture
def page(browser: Browser, server: KbServer) -> Iterator[Page]:  # noqa: F811 (fixture)
    context = browser.new_context(base_url=server.base_url, locale="de-DE")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def main_pages(page: Page) -> dict[str, str]:
    """The main pages of the demo by a short name (used for screenshots), found by
    following links as a visitor would."""
    page.goto("/events")
    event = page.locator("main a[href^='/events/']:not([href='/events/new'])").first.get_attribute(
        "href"
    )
    page.goto("/guidance")
    guidance = page.locator("main a[href^='/items/']").first.get_attribute("href")
    page.goto("/search?q=Patenschaftsmodell")
    item = page.locator("main a[href^='/items/']").first.get_attribute("href")
    assert event and guidance and item
    return {
        "home": "/",
        "search": "/search?q=Patenschaftsmodell",
        "item": item,
        "upload": "/upload",
        "mappe": "/mappe",
        "events": "/events",
        "event": event,
        "guidance": "/guidance",
        "guidance-item": guidance,
        "deadlines": "/deadlines",
        "districts": "/districts",
        "district": "/districts/15002",
        "topics": "/topics",
        "organisations": "/organisations",
        "impressum": "/impressum",
        "datenschutz": "/datenschutz",
        "barrierefreiheit": "/barrierefreiheit",
    }


def fill_mappe(page: Page, item: str) -> None:
    """Put ``item`` into the Mappe with its button, so /mappe is checked with an entry."""
    page.goto(item)
    page.get_by_role("button", name="Zur Mappe hinzufügen").click()
    page.goto("/mappe")
    expect(page.locator("ol.mappe > li")).not_to_have_count(0)


def _check(page: Page, path: str) -> list[str]:
    page.goto(path)
    results = Axe().run(page, options=AXE_OPTIONS)
    return [
        f"{path}: {v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:5])
        for v in results.response["violations"]
    ]


def _paint(page: Page) -> float:
    entries = page.evaluate(
        "performance.getEntriesByName('first-contentful-paint').map(e => e.startTime)"
    )
    return float(entries[0]) if entries else float("nan")


def survey(
    page: Page, paths: dict[str, str], label: str
) -> tuple[list[str], list[str], dict[str, float]]:
    """axe at 1280 px, the first paint, then the width at 320 px, with screenshots of both.

    :return: the axe violations, the pages wider than 320 px, and the paint per page.
    """
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    violations: list[str] = []
    too_wide: list[str] = []
    paints: dict[str, float] = {}
    for name, path in paths.items():
        page.set_viewport_size({"width": 1280, "height": 900})
        violations += [f"[{label}] {v}" for v in _check(page, path)]
        paints[path] = _paint(page)
        page.screenshot(path=str(ARTIFACTS_DIR / f"a11y-1280-{label}-{name}.png"))
        page.set_viewport_size({"width": 320, "height": 640})
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            too_wide.append(f"[{label}] {path}: {width}px")
        page.screenshot(path=str(ARTIFACTS_DIR / f"a11y-320-{label}-{name}.png"), full_page=True)
    return violations, too_wide, paints


def test_the_best_practice_rules_really_run(browser: Browser) -> None:  # noqa: F811
    """A page that breaks all four best-practice rules fails with each of them, so the
    zero-violation results below are not just rules left switched off."""
    page = browser.new_page()
    try:
        page.set_content(
            "<html lang='de'><head><title>x</title></head>"
            "<body><p>außerhalb</p><h2>a</h2><h4>b</h4></body></html>"
        )
        found = {v["id"] for v in Axe().run(page, options=AXE_OPTIONS).response["violations"]}
    finally:
        page.close()
    assert set(BEST_PRACTICE) <= found, found


def test_every_main_page_signed_out_has_no_axe_violations_and_fits_320px(
    page: Page, server: KbServer
) -> None:
    paths = main_pages(page)
    fill_mappe(page, paths["item"])
    violations, too_wide, _ = survey(page, paths, "signed-out")
    assert not violations, "\n".join(violations)
    assert not too_wide, too_wide


def test_every_main_page_signed_in_has_no_axe_violations_and_fits_320px(
    page: Page, server: KbServer
) -> None:
    sign_in(page)  # the upload page needs an account once one exists
    paths = main_pages(page)
    fill_mappe(page, paths["item"])
    paths["persons"] = "/persons"
    paths["vocabulary"] = "/admin/vocabulary"
    paths["item-edit"] = f"{paths['item']}/edit"
    violations, too_wide, paints = survey(page, paths, "signed-in")
    print("\nFirst contentful paint (ms, 1280 px, demo, local server, signed in):")
    for path, ms in paints.items():
        print(f"  {ms:7.0f}  {path}")
    assert not violations, "\n".join(violations)
    assert not too_wide, too_wide


def sign_in(page: Page) -> None:
    page.goto("/login")
    page.get_by_label("Benutzername").fill("pruefer")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("button", name="Abmelden")).to_be_visible()


def test_signed_in_pages_have_no_axe_violations(page: Page, server: KbServer) -> None:
    violations = _check(page, "/login")
    sign_in(page)
    pages = ("/account", "/account/tokens", "/admin/users", "/review", "/admin/trash")
    for path in (*pages, "/barrierefreiheit/edit"):
        violations += _check(page, path)
    assert not violations, "\n".join(violations)


def test_print_shows_the_content_without_navigation_or_forms(page: Page, server: KbServer) -> None:
    """Printed, a page is its content: no navigation, search box or buttons; hits and
    slides are not split across sheets; external links show where they lead."""
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    page.goto("/search?q=Patenschaftsmodell")
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    expect(nav).to_be_visible()  # on screen, as a baseline for the check below
    page.evaluate(
        """() => { const a = document.createElement('a'); a.href = 'https://example.org/x';
        a.id = 'external'; a.textContent = 'extern'; document.querySelector('main').append(a); }"""
    )
    page.emulate_media(media="print")
    expect(nav).to_be_hidden()
    expect(page.locator("header.site")).to_be_hidden()
    expect(page.locator("form.facet-form")).to_be_hidden()
    expect(page.locator("main input[type=search]")).to_be_hidden()
    expect(page.locator("ol.hits .hit").first).to_be_visible()
    hit_break = page.locator("ol.hits .hit").first.evaluate("e => getComputedStyle(e).breakInside")
    assert hit_break == "avoid"
    after = page.locator("#external").evaluate("e => getComputedStyle(e, '::after').content")
    assert "https://example.org/x" in after
    page.screenshot(path=str(ARTIFACTS_DIR / "print-search.png"), full_page=True)
    item = page.locator("main a[href^='/items/']").first.get_attribute("href")
    page.goto(str(item))
    expect(page.get_by_role("button", name="Zur Mappe hinzufügen")).to_be_hidden()
    expect(page.locator("main h1")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS_DIR / "print-item.png"), full_page=True)
    page.emulate_media(media="screen")
    expect(nav).to_be_visible()


def tab_to(page: Page, target: Locator, backwards: bool = False, limit: int = 200) -> None:
    """Press Tab (or Shift+Tab) until ``target`` has the focus, as a keyboard user would."""
    expect(target).to_be_attached()
    for _ in range(limit):
        if target.evaluate("e => e === document.activeElement"):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    pytest.fail(f"{target} cannot be reached with {'Shift+' if backwards else ''}Tab")


def nav_link(page: Page, name: str) -> Locator:
    return page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name=re.compile(f"^{name}")
    )


def assert_focus_visible(page: Page) -> None:
    style = page.locator(":focus").evaluate(
        "e => { const s = getComputedStyle(e); return [s.outlineStyle, s.outlineWidth]; }"
    )
    assert style[0] != "none" and style[1] != "0px", f"focus has no visible outline: {style}"


def test_keyboard_only_from_skip_link_to_search_upload_event_and_mappe(
    page: Page, server: KbServer
) -> None:
    """Every step by Tab, Shift+Tab, Enter and Space: no clicks, no ``focus()``."""
    pdf = build_pdf(["Mit der Tastatur hochgeladen"])
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    expect(skip).to_have_text("Zum Inhalt springen")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_attribute("type", "search")
    page.keyboard.type("Patenschaftsmodell")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text("Patenschaftsmodell")

    # Sign in: back up to the header's link, then through the login form.
    tab_to(page, page.locator("header.site").get_by_role("link", name="Anmelden"), backwards=True)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/login"))
    tab_to(page, page.get_by_label("Benutzername"))
    page.keyboard.type("pruefer")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Abmelden")).to_be_visible()

    tab_to(page, nav_link(page, "Hochladen"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/upload$"))
    picker = page.locator("main input[type=file]")
    tab_to(page, picker)
    page.screenshot(path=str(ARTIFACTS_DIR / "a11y-keyboard-upload.png"))
    # The picker is reached and focused by the keyboard; Space would open the operating
    # system's file dialog, which no browser test (and no keyboard script) can drive, so the
    # file is handed to the focused picker directly.
    page.locator(":focus").set_input_files(
        files=[{"name": "tastatur.pdf", "mimeType": "application/pdf", "buffer": pdf}]
    )
    tab_to(page, page.locator("main input#title"))
    page.keyboard.type("Nur mit der Tastatur hochgeladen")
    page.keyboard.press("Enter")  # Enter in a text field submits the form
    row = page.locator("li.outcome").filter(has_text="tastatur.pdf")
    expect(row.locator(".state")).to_have_text("durchsuchbar", timeout=30_000)

    tab_to(page, nav_link(page, "Veranstaltungen"), backwards=True)
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/events$"))
    # The 13th workshop of the demo (the held one in Halle, with talks), not the planned 14th.
    tab_to(page, page.locator("main ul.event-list a", has_text=re.compile(r"^13\.")))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/events/[^/]+$"))
    item_link = page.locator("main a[href^='/items/']").first
    title = item_link.inner_text()
    tab_to(page, item_link)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)

    add = page.get_by_role("button", name="Zur Mappe hinzufügen")
    tab_to(page, add)
    assert_focus_visible(page)
    page.keyboard.press("Space")
    # The flash after the POST (the survey tests may have put this item in already).
    expect(page.locator("main")).to_contain_text(
        re.compile(r"Zur Mappe hinzugefügt\.|Dieser Eintrag ist schon in der Mappe\.")
    )
    tab_to(page, nav_link(page, "Mappe"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/mappe$"))
    expect(page.locator("ol.mappe > li").filter(has_text=title)).to_have_count(1)
    page.screenshot(path=str(ARTIFACTS_DIR / "a11y-keyboard-mappe.png"))


def test_search_box_announces_the_number_of_completions(page: Page, server: KbServer) -> None:
    """Typing in the search box fills a polite live region with the count of suggestions,
    so a screen reader hears that the list changed (the list itself is a <datalist>)."""
    page.goto("/")
    box = page.get_by_role("combobox", name="Suchbegriff")
    region = page.locator("#q-completions-count")
    expect(region).to_have_attribute("aria-live", "polite")
    expect(region).to_have_text("")
    box.press_sequentially("Pate")
    expect(region).to_have_text(re.compile(r"^(\d+ Vorschläge|1 Vorschlag)$"))
    shown = len(page.locator("#q-completions option").all())
    assert shown > 0, "the demo has completions for 'Pate'"
    expect(region).to_have_text(f"{shown} Vorschläge" if shown > 1 else "1 Vorschlag")
    box.fill("")
    box.press_sequentially("Xqzvw")
    expect(region).to_have_text("Keine Vorschläge")
