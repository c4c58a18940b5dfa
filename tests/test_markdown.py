"""Markdown bodies: CommonMark with tables and checklists, sanitised by an allow-list."""

from __future__ import annotations

import pytest

from kb.services.markdown import render_markdown


def test_task_lists_become_disabled_labelled_checkboxes():
    html = render_markdown("- [ ] Antrag stellen\n- [x] Belege sammeln")
    assert html.count('type="checkbox"') == 2
    assert html.count('disabled="disabled"') == 2
    assert html.count('checked="checked"') == 1
    # The text is the checkbox's label, and the state is written out for screen readers.
    assert "<label><input" in html and "Antrag stellen</label>" in html
    assert '<span class="visually-hidden">(offen)</span> Antrag stellen' in html
    assert '<span class="visually-hidden">(erledigt)</span> Belege sammeln' in html


def test_ordinary_markdown_survives():
    html = render_markdown(
        "## Schritte\n\n**Wichtig**: *bitte* `Formular A`\n\n> Zitat\n\n---\n\n"
        "1. eins\n2. zwei\n\n| Frist | Datum |\n|---|---|\n| Antrag | 31.03. |\n\n"
        "[IB](https://www.ib-sachsen-anhalt.de) [Mail](mailto:info@example.org)"
    )
    for tag in (
        "<h2>",
        "<strong>",
        "<em>",
        "<code>",
        "<blockquote>",
        "<hr>",
        "<ol>",
        "<table>",
        "<th>",
        "<td>",
    ):
        assert tag in html, tag
    assert 'href="https://www.ib-sachsen-anhalt.de"' in html
    assert 'href="mailto:info@example.org"' in html
    assert 'rel="noopener noreferrer"' in html


@pytest.mark.parametrize(
    "text, forbidden",
    [
        ("<script>alert(1)</script>Hallo", ("<script", "alert(1)")),
        ('Text <img src=x onerror="alert(1)">', ("<img", "onerror")),
        ("[klick](javascript:alert(1))", ('href="javascript',)),
        ('<a href="javascript:alert(1)">klick</a>', ("javascript:",)),
        ('<a href="/admin/users">intern</a>', ('href="/admin',)),
        ('<div onclick="x()" style="color:red">roh</div>', ("<div", "onclick", "style=")),
        ("<iframe src='https://evil.example'></iframe>", ("<iframe", "evil")),
        ('<input type="text" value="x">', ('type="text"', "value=")),
        ("<style>body{display:none}</style>ok", ("<style", "display:none")),
    ],
)
def test_dangerous_and_raw_html_is_removed(text, forbidden):
    html = render_markdown(text)
    for bad in forbidden:
        assert bad not in html, (text, html)


def test_a_raw_checkbox_can_only_be_a_disabled_checkbox():
    html = render_markdown('<input type="checkbox" name="x" onchange="y()">')
    assert html in (
        '<input type="checkbox" disabled="disabled">',
        '<input disabled="disabled" type="checkbox">',
    )


def test_text_survives_removed_tags_and_blank_is_empty():
    assert "roh" in render_markdown("<div>roh</div>")
    assert render_markdown("") == "" and render_markdown("  \n ") == ""


def test_jinja_filter_renders_markup(app):
    with app.test_request_context():
        template = app.jinja_env.from_string("{{ text|markdown }}")
        out = template.render(text="- [ ] Antrag\n\n<script>x</script>")
    assert 'type="checkbox"' in out and "<script" not in out and "&lt;" not in out
