"""Impressum, Datenschutzerklärung, Erklärung zur Barrierefreiheit (issue #10).

Every page links them in its footer; everyone reads them; only Admin edits them; the
text is German Markdown through the sanitiser, also on English pages.
"""

from __future__ import annotations

import pytest
from conftest import login

from kb.errors import Forbidden, NotFound
from kb.models import AuditEvent, SitePage
from kb.services import site_pages
from kb.services.access import SYSTEM, Viewer

SLUGS = ["impressum", "datenschutz", "barrierefreiheit"]


@pytest.mark.parametrize("slug", SLUGS)
def test_each_page_shows_its_default_placeholder(client, slug):
    response = client.get(f"/{slug}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f"<h1>{site_pages.PAGES[slug]}</h1>" in html
    assert "Hinweis für den Betrieb" in html  # says that the operator must fill it in
    assert "[" in html and '<div class="site-page" lang="de">' in html


def test_the_accessibility_statement_follows_the_bitv_model(client):
    html = client.get("/barrierefreiheit").get_data(as_text=True)
    for heading in (
        "Stand der Vereinbarkeit mit den Anforderungen",
        "Nicht barrierefreie Inhalte",
        "Erstellung dieser Erklärung zur Barrierefreiheit",
        "Feedback und Kontaktangaben",
        "Schlichtungsverfahren",
    ):
        assert f"<h2>{heading}</h2>" in html
    assert "Schlichtungsstelle nach § 16 BGG" in html
    assert 'href="https://www.schlichtungsstelle-bgg.de"' in html


def test_the_impressum_asks_for_the_responsible_body(client):
    html = client.get("/impressum").get_data(as_text=True)
    assert "Name der verantwortlichen Stelle" in html
    assert "§ 5 Digitale-Dienste-Gesetz" in html


@pytest.mark.parametrize("path", ["/", "/search?q=x", "/login", "/impressum", "/nirgends"])
def test_every_page_links_the_three_in_its_footer(client, path):
    html = client.get(path).get_data(as_text=True)
    footer = html[html.index('<footer class="site">') :]
    for slug in SLUGS:
        assert f'href="/{slug}"' in footer, (path, slug)


def test_unknown_pages_are_not_found(client):
    assert client.get("/unbekannt/edit").status_code == 404
    with pytest.raises(NotFound):
        site_pages.get_page(client.application.extensions["kb"], "unbekannt")


def test_only_admin_may_edit(client, add_user):
    assert client.get("/impressum/edit").status_code == 302  # anonymous: to the login
    assert client.post("/impressum/edit", data={"body": "x"}).status_code == 302
    for role in ("leser", "autor", "redaktion"):
        add_user(role, role)
        other = client.application.test_client()
        login(other, role)
        assert other.get("/impressum/edit").status_code == 403, role
        assert other.post("/impressum/edit", data={"body": "# Weg"}).status_code == 403, role
    assert "Hinweis für den Betrieb" in client.get("/impressum").get_data(as_text=True)


def test_admin_edits_and_the_text_is_sanitised(client, kb, add_user):
    add_user("chefin", "admin")
    login(client, "chefin")
    form = client.get("/datenschutz/edit").get_data(as_text=True)
    assert 'name="csrf_token"' in form and "Hinweis für den Betrieb" in form
    body = (
        "## Verantwortlich\n\nLandkreis Harz\\\nFriedrich-Ebert-Str. 42\n\n"
        "<script>alert(1)</script>"
    )
    response = client.post("/datenschutz/edit", data={"body": body})
    assert response.status_code == 302 and response.location.endswith("/datenschutz")
    html = client.get("/datenschutz").get_data(as_text=True)
    assert "<h2>Verantwortlich</h2>" in html and "Landkreis Harz<br>" in html
    assert "<script>alert" not in html and "Hinweis für den Betrieb" not in html
    assert "Zuletzt geändert am" in html and "Seite bearbeiten" in html
    with kb.db.reading() as session:
        row = session.get(SitePage, "datenschutz")
        assert row is not None and row.updated_by_id is not None
        actions = [e.action for e in session.query(AuditEvent).all()]
    assert "site_page_changed" in actions
    # An empty text brings the shipped placeholder back.
    assert client.post("/datenschutz/edit", data={"body": "  "}).status_code == 302
    assert "Hinweis für den Betrieb" in client.get("/datenschutz").get_data(as_text=True)


def test_an_overlong_text_is_refused_in_german(client, add_user):
    add_user("chefin", "admin")
    login(client, "chefin")
    body = "x" * (site_pages.MAX_BODY + 1)
    response = client.post("/impressum/edit", data={"body": body})
    assert response.status_code == 400
    assert "länger als 50.000 Zeichen" in response.get_data(as_text=True)


def test_the_service_refuses_non_admins(kb):
    with pytest.raises(Forbidden):
        site_pages.save_page(kb, "impressum", "x", Viewer(1, ("redaktion",)))
    site_pages.save_page(kb, "impressum", "Text", SYSTEM)
    assert site_pages.get_page(kb, "impressum").body == "Text"


def test_english_ui_keeps_the_german_content_but_translates_the_chrome(client):
    html = client.get("/barrierefreiheit?lang=en").get_data(as_text=True)
    assert "<h1>Accessibility statement</h1>" in html
    assert "Schlichtungsverfahren" in html  # the content is not translated
    assert "only in German" in html
    footer = html[html.index('<footer class="site">') :]
    assert ">Legal notice<" in footer and ">Privacy policy<" in footer


def test_edit_form_needs_a_csrf_token(tmp_path, template_db, add_user):
    from conftest import open_app

    app = open_app(tmp_path / "csrf", template_db, WTF_CSRF_ENABLED=True)
    try:
        from kb.services.accounts import add_user as add

        add(app.extensions["kb"], "chefin", "admin", SYSTEM, password="richtig-geheim-42")
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        signed_in = client.post(
            "/login",
            data={"username": "chefin", "password": "richtig-geheim-42", "csrf_token": token},
        )
        assert signed_in.status_code == 302
        assert client.post("/impressum/edit", data={"body": "Neu"}).status_code == 400
        assert "Hinweis für den Betrieb" in client.get("/impressum").get_data(as_text=True)
    finally:
        app.extensions["kb"].close()


def test_export_carries_the_pages():
    from kb.services import portability

    assert "site_pages" in {t.name for t in portability.tables()}
