"""Accessibility, small screens and speed in a real browser (issue #10).

axe-core (bundled by axe-playwright-python, no Node) checks every main page of the demo
(``kb demo`` as after ``make run``) for WCAG 2.1 A/AA rules: zero violations. Then the
keyboard-only path, a 320 px wide viewport without horizontal scrolling, and the first
contentful paint of each page (printed; recorded in docs/benchmarks.md, not asserted).
Screenshots go to test-artifacts/browser/.
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
from databases import TemplateDatabase
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser

PASSWORD = "barrierefrei-2027"
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
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
        added = subprocess.run(
            [str(KB_SCRIPT), "users", "add", "pruefer", "--role", "admin", "--password-stdin"],
            env=running.env,
            input=PASSWORD + "\n",
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert added.returncode == 0, added.stderr
        yield running


@pytest.fixture
def page(browser: Browser, server: KbServer) -> Iterator[Page]:  # noqa: F811 (fixture)
    context = browser.new_context(base_url=server.base_url, locale="de-DE")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def main_pages(page: Page) -> list[str]:
    """The main pages of the demo, found by following links as a visitor would."""
    page.goto("/events")
    event = page.locator("main a[href^='/events/']:not([href='/events/new'])").first.get_attribute(
        "href"
    )
    page.goto("/guidance")
    guidance = page.locator("main a[href^='/items/']").first.get_attribute("href")
    page.goto("/search?q=Patenschaftsmodell")
    item = page.locator("main a[href^='/items/']").first.get_attribute("href")
    assert event and guidance and item
    return [
        "/",
        "/search?q=Patenschaftsmodell",
        item,
        "/upload",
        "/mappe",
        "/events",
        event,
        "/guidance",
        guidance,
        "/deadlines",
        "/districts",
        "/districts/15002",
        "/topics",
        "/organisations",
        "/impressum",
        "/datenschutz",
        "/barrierefreiheit",
        "/barrierefreiheit/edit",
    ]


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


def test_every_main_page_has_no_axe_violations_and_fits_320px(page: Page, server) -> None:
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    sign_in(page)  # the upload page needs an account once one exists
    violations: list[str] = []
    too_wide: list[str] = []
    paints: dict[str, float] = {}
    for path in main_pages(page):
        page.set_viewport_size({"width": 1280, "height": 900})
        violations += _check(page, path)
        paints[path] = _paint(page)
        page.set_viewport_size({"width": 320, "height": 640})
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            too_wide.append(f"{path}: {width}px")
        name = path.strip("/").replace("/", "-").replace("?", "-").replace("=", "-") or "home"
        page.screenshot(path=str(ARTIFACTS_DIR / f"a11y-320-{name}.png"), full_page=True)
    print("\nFirst contentful paint (ms, 1280 px, demo, local server):")
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
    for path in ("/account", "/account/tokens", "/admin/users", "/review", "/admin/trash"):
        violations += _check(page, path)
    assert not violations, "\n".join(violations)


def test_keyboard_only_from_skip_link_to_search_and_upload(page: Page, server) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    expect(skip).to_have_text("Zum Inhalt springen")
    outline = skip.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline != "none"  # visible focus
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_attribute("type", "search")
    page.keyboard.type("Patenschaftsmodell")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text("Patenschaftsmodell")
    page.goto("/login?next=/upload")
    page.get_by_label("Benutzername").focus()
    page.keyboard.type("pruefer")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/upload$"))
    for _ in range(40):  # Tab through the form until the file picker has the focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "file":
            break
    else:
        pytest.fail("the file picker cannot be reached with the keyboard")
    page.screenshot(path=str(ARTIFACTS_DIR / "a11y-keyboard-upload.png"))
