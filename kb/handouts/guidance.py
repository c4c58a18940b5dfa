"""Render a guidance handout: validity banner, issuing body, checklist with tick boxes,
deadlines, "Was ist neu" (the comparison with the edition it supersedes) and the FAQ from
the question rounds with the funding bodies.

Takes plain data only (the service layer decides what the viewer may see)::

    {"title", "issuing_body", "programme", "valid_from", "valid_until", "status",
     "banner", "url", "summary",
     "successor": {"title", "url"} | None, "predecessor": {"title", "url"} | None,
     "body_html": sanitised HTML of the Markdown body (task lists as checkbox inputs),
     "deadlines": [{"due_on", "title", "note"}],
     "whats_new": [{"change": "added" | "removed", "text"}],
     "faq": [{"question", "answer", "answering_body", "asked_on", "event_title"}],
     "pages": [{"number", "label", "text"}], "omitted_pages", "generated_at"}

``body_html`` must come from the app's sanitiser (kb/services/markdown.py): it is inserted
as markup. Its checkbox inputs become printed tick boxes (☐ / ☑): a PDF has no form here.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

from markupsafe import Markup

from kb.errors import ValidationError
from kb.handouts.pdf import html_to_pdf
from kb.handouts.render import (
    AUTHOR,
    LABELS,
    LANGUAGES,
    format_date,
    format_datetime,
    jinja_environment,
    page_section,
    paragraphs,
    qr_svg,
)

GUIDANCE_LABELS = {
    "de": {
        "validity": "Gültigkeit",
        "valid_from": "Gültig ab",
        "valid_until": "Gültig bis",
        "issuing_body": "Herausgeber",
        "programme": "Förderprogramm",
        "successor": "Ersetzt durch",
        "predecessor": "Ersetzt",
        "checklist": "Checkliste und Hinweise",
        "deadlines": "Fristen",
        "due": "Frist",
        "what": "Was",
        "note": "Hinweis",
        "whats_new": "Was ist neu",
        "added": "neu",
        "removed": "entfällt",
        "no_changes": "Keine Vorgängerfassung zum Vergleich.",
        "faq": "Häufige Fragen",
        "answered_by": "Antwort",
        "text": "Text des Leitfadens",
        "omitted": "Die übrigen %d Seiten sind nicht abgedruckt; vollständig im Original.",
        "qr_caption": "Zum Leitfaden in kb: QR-Code scannen oder Link öffnen.",
    },
    "en": {
        "validity": "Validity",
        "valid_from": "Valid from",
        "valid_until": "Valid until",
        "issuing_body": "Issued by",
        "programme": "Funding programme",
        "successor": "Superseded by",
        "predecessor": "Supersedes",
        "checklist": "Checklist and notes",
        "deadlines": "Deadlines",
        "due": "Due",
        "what": "What",
        "note": "Note",
        "whats_new": "What is new",
        "added": "new",
        "removed": "dropped",
        "no_changes": "No previous edition to compare with.",
        "faq": "Frequently asked questions",
        "answered_by": "Answer",
        "text": "Text of the guidance",
        "omitted": "The other %d pages are not printed; see the original file.",
        "qr_caption": "To the guidance in kb: scan the QR code or open the link.",
    },
}

#: A checkbox input, and the screen-reader hint the page puts after it ("(offen)").
_CHECKBOX = re.compile(r'<input\b[^>]*>(<span class="visually-hidden">[^<]*</span>)?', re.I)


def tick_boxes(html: str) -> Markup:
    """Checkbox inputs of a rendered task list as printed tick boxes.

    The glyph is real text (tagged; a screen reader says "ballot box with check"), so the
    page's visually hidden "(offen)"/"(erledigt)" hint, which print cannot hide, goes.

    >>> str(tick_boxes('<li><input type="checkbox" disabled checked> A</li>'))
    '<li><span class="tick">☑</span> A</li>'
    """

    def box(match: re.Match[str]) -> str:
        checked = "checked" in match.group(0).split(">", 1)[0].lower()
        return f'<span class="tick">{"☑" if checked else "☐"}</span>'

    return Markup(_CHECKBOX.sub(box, html))


_HEADING = re.compile(r"<(/?)h[1-6]\b", re.IGNORECASE)


def demote_headings(html: str) -> str:
    """Headings of the Markdown text become h3: in the handout they sit under the h2
    "Checkliste und Hinweise", and bookmarks and tags must follow that structure.

    >>> demote_headings("<h1>A</h1><h2 id='x'>B</h2>")
    "<h3>A</h3><h3 id='x'>B</h3>"
    """
    return _HEADING.sub(lambda m: f"<{m.group(1)}h3", html)


def render_guidance_html(data: dict[str, Any], *, templates_dir: Path, lang: str = "de") -> str:
    if lang not in LANGUAGES:
        raise ValidationError(f"Unbekannte Sprache: {lang}", f"Unknown language: {lang}")
    url = str(data.get("url") or "")
    is_link = url.startswith(("https://", "http://"))
    generated_at = data.get("generated_at") or datetime.datetime.now()
    template = jinja_environment(Path(templates_dir)).get_template("handouts/guidance.html")
    return template.render(
        lang=lang,
        t=LABELS[lang],
        g=GUIDANCE_LABELS[lang],
        author=AUTHOR,
        title=str(data.get("title") or ""),
        status=str(data.get("status") or ""),
        banner=str(data.get("banner") or ""),
        issuing_body=str(data.get("issuing_body") or ""),
        programme=str(data.get("programme") or ""),
        valid_from=format_date(data.get("valid_from"), lang),
        valid_until=format_date(data.get("valid_until"), lang),
        successor=_link(data.get("successor")),
        predecessor=_link(data.get("predecessor")),
        url=url,
        url_is_link=is_link,
        qr_svg=qr_svg(url, LABELS[lang]["qr_alt"]) if is_link else "",
        summary=paragraphs(str(data.get("summary") or "")),
        body=tick_boxes(demote_headings(str(data.get("body_html") or ""))),
        deadlines=[
            {
                "due": format_date(d.get("due_on"), lang),
                "title": str(d.get("title") or ""),
                "note": str(d.get("note") or ""),
            }
            for d in data.get("deadlines") or []
        ],
        whats_new=[
            {"label": GUIDANCE_LABELS[lang].get(str(c.get("change")), ""), "text": c.get("text")}
            for c in data.get("whats_new") or []
        ],
        has_predecessor=data.get("predecessor") is not None,
        faq=[_faq(q, lang) for q in data.get("faq") or []],
        pages=[page_section(p) for p in data.get("pages") or []],
        omitted=int(data.get("omitted_pages") or 0),
        generated=LABELS[lang]["generated"] % format_datetime(generated_at, lang),
    )


def render_guidance_handout(
    data: dict[str, Any], *, templates_dir: Path, static_dir: Path, lang: str = "de"
) -> bytes:
    """The guidance sheet as a tagged (PDF/UA-1 variant) A4 PDF."""
    html = render_guidance_html(data, templates_dir=templates_dir, lang=lang)
    return html_to_pdf(html, static_dir, f"guidance handout {data.get('title')!r} ({lang})")


def _link(value: dict[str, Any] | None) -> dict[str, str] | None:
    if not value:
        return None
    url = str(value.get("url") or "")
    return {"title": str(value.get("title") or ""), "url": url if url.startswith("http") else ""}


def _faq(entry: dict[str, Any], lang: str) -> dict[str, Any]:
    source = ", ".join(
        filter(
            None,
            [
                str(entry.get("answering_body") or ""),
                format_date(entry.get("asked_on"), lang),
                str(entry.get("event_title") or ""),
            ],
        )
    )
    return {
        "question": str(entry.get("question") or ""),
        "answer": paragraphs(str(entry.get("answer") or "")),
        "source": source,
    }
