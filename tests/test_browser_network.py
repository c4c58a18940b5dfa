"""The network's structure in a real browser, from the home page and without search: the
slides of the talk on employers at the 13th workshop, the guidance that applies from next
year and what changed in it, and the deadlines calendar to subscribe to (issue #5).

The server is ``kb init`` + ``kb serve`` with the demo loaded by ``kb demo``, as after
``make run``; Debian's Chromium is driven through Playwright.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from collections.abc import Callable, Iterator

import pytest
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

NEXT_YEAR = dt.date.today().year + 1


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, template_db: TemplateDatabase
) -> Iterator[KbServer]:
    data_dir = tmp_path_factory.mktemp("kb-network")
    url = template_db.new(data_dir) if template_db.is_postgres else None
    with KbServer(data_dir, database_url=url) as running:
        demo = subprocess.run(
            [str(KB_SCRIPT), "demo"], env=running.env, capture_output=True, text=True, timeout=600
        )
        assert demo.returncode == 0, demo.stderr[-2000:]
        yield running


@pytest.fixture
def page(browser: Browser, server: KbServer) -> Iterator[Page]:  # noqa: F811 (fixture)
    context = browser.new_context(base_url=server.base_url, locale="de-DE")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def shot(page: Page, request: pytest.FixtureRequest) -> Callable[[str], None]:
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    counter = iter(range(1, 100))

    def _shot(step: str) -> None:
        name = f"{request.node.name}-{next(counter):02d}-{step}.png"
        page.screenshot(path=str(ARTIFACTS_DIR / name), full_page=True)

    return _shot


def _nav(page: Page, label: str) -> None:
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name=label).click()


def test_from_home_to_the_slides_of_the_talk_on_employers(page: Page, shot) -> None:
    page.goto("/")
    _nav(page, "Veranstaltungen")
    expect(page.get_by_role("heading", level=1)).to_have_text("Veranstaltungen")
    shot("timeline")
    page.get_by_role("link", name=re.compile(r"^13\. IKOE-Ideenwerkstatt")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("13. IKOE-Ideenwerkstatt")
    programme = page.locator("section", has=page.get_by_role("heading", name="Programm"))
    expect(programme).to_contain_text("Impuls: Arbeitgeberkooperation")
    shot("event")
    programme.get_by_role("link", name=re.compile("^Arbeitgeberkooperation")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Arbeitgeberkooperation")
    slide3 = page.locator("#page-3")
    expect(slide3).to_contain_text("Patenschaftsmodell")
    shot("talk-slides")


def test_guidance_from_next_year_and_what_changed(page: Page, shot) -> None:
    page.goto("/")
    _nav(page, "Leitfäden")
    upcoming = page.locator("section", has=page.get_by_role("heading", name="Künftig gültig"))
    expect(upcoming).to_contain_text(f"Gilt ab 01.01.{NEXT_YEAR}")
    shot("guidance-overview")
    upcoming.get_by_role("link", name=re.compile("Neue Antragsformalitäten")).click()
    expect(page.get_by_text(f"Gilt ab 01.01.{NEXT_YEAR}").first).to_be_visible()
    shot("guidance-banner")
    page.get_by_role("link", name="Was hat sich geändert?").click()
    expect(page.locator("main")).to_contain_text("sechs Monaten")
    expect(page.locator("main")).to_contain_text("drei Monaten")
    shot("guidance-changes")


def test_subscribe_to_the_deadlines_calendar(page: Page, shot) -> None:
    page.goto("/")
    _nav(page, "Fristen")
    expect(page.locator("main")).to_contain_text("Anmeldeschluss")
    expect(page.locator("main")).to_contain_text("Benutzerkonto im Förderportal anlegen")
    shot("deadlines")
    link = page.get_by_role("link", name=re.compile("Als Kalender abonnieren"))
    href = link.get_attribute("href")
    assert href and href.endswith(".ics")
    feed = page.request.get(href)
    assert feed.ok and feed.headers["content-type"].startswith("text/calendar")
    body = feed.text()
    assert "BEGIN:VCALENDAR" in body and "Zwischennachweis" in body
    assert "14. IKOE-Ideenwerkstatt" in body
