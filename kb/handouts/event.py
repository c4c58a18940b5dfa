"""Render an event handout: cover, table of contents, programme, one section per talk,
the list of all materials — one tagged PDF for a whole workshop.

Takes plain data only (the service layer decides what the viewer may see)::

    {"title", "series_title", "number", "starts_on", "ends_on", "city", "venue",
     "host_district", "description", "url",
     "programme": [{"starts_at", "ends_at", "title", "speakers", "talk_anchor" | None}],
     "talks": [{"anchor", "title", "kind_label", "licence_label", "speakers", "organisation",
                "summary", "url", "slides": [{"label", "lines": [str]}], "omitted_slides": int}],
     "materials": [{"title", "kind_label", "url", "files": [{"name", "size"}]}],
     "generated_at"}

Headings give the bookmarks: h1 the event, h2 contents/programme/each talk/materials, h3
each slide. Each talk shows the first :data:`LINES_PER_SLIDE` lines of at most
:data:`SLIDES_PER_TALK` slides: the handout introduces the talks, the decks stay the source.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from kb.errors import ValidationError
from kb.handouts.pdf import html_to_pdf
from kb.handouts.render import (
    AUTHOR,
    LABELS,
    LANGUAGES,
    format_date,
    format_datetime,
    format_size,
    jinja_environment,
    paragraphs,
    qr_svg,
    text_lang,
)

#: How much of each talk's deck the event handout shows.
SLIDES_PER_TALK = 12
LINES_PER_SLIDE = 3

EVENT_LABELS = {
    "de": {
        "toc": "Inhalt",
        "programme": "Programm",
        "time": "Zeit",
        "agenda_title": "Programmpunkt",
        "speakers": "Vortragende",
        "talks": "Beiträge",
        "materials": "Alle Materialien",
        "material": "Material",
        "files": "Dateien",
        "when": "Datum",
        "where": "Ort",
        "host": "Gastgeber",
        "series": "Reihe",
        "no_programme": "Für diese Veranstaltung ist kein Programm erfasst.",
        "no_materials": "Keine Materialien dieser Veranstaltung, die Sie sehen dürfen.",
        "omitted": "Weitere %d Folien/Seiten stehen im Original.",
        "qr_caption": "Zur Veranstaltung in kb: QR-Code scannen oder Link öffnen.",
        "organisation": "Organisation",
        "number": "Nr.",
    },
    "en": {
        "toc": "Contents",
        "programme": "Programme",
        "time": "Time",
        "agenda_title": "Item",
        "speakers": "Speakers",
        "talks": "Contributions",
        "materials": "All materials",
        "material": "Material",
        "files": "Files",
        "when": "Date",
        "where": "Place",
        "host": "Host",
        "series": "Series",
        "no_programme": "No programme has been recorded for this event.",
        "no_materials": "There are no materials of this event that you may see.",
        "omitted": "%d more slides/pages are in the original.",
        "qr_caption": "To the event in kb: scan the QR code or open the link.",
        "organisation": "Organisation",
        "number": "No.",
    },
}


def render_event_html(data: dict[str, Any], *, templates_dir: Path, lang: str = "de") -> str:
    if lang not in LANGUAGES:
        raise ValidationError(f"Unbekannte Sprache: {lang}", f"Unknown language: {lang}")
    url = str(data.get("url") or "")
    is_link = url.startswith(("https://", "http://"))
    generated_at = data.get("generated_at") or datetime.datetime.now()
    template = jinja_environment(Path(templates_dir)).get_template("handouts/event.html")
    return template.render(
        lang=lang,
        t=LABELS[lang],
        e=EVENT_LABELS[lang],
        author=AUTHOR,
        title=str(data.get("title") or ""),
        series_title=str(data.get("series_title") or ""),
        number=data.get("number"),
        dates=_dates(data.get("starts_on"), data.get("ends_on"), lang),
        place=", ".join(filter(None, [data.get("venue"), data.get("city")])),
        host_district=str(data.get("host_district") or ""),
        description=paragraphs(str(data.get("description") or "")),
        url=url,
        url_is_link=is_link,
        qr_svg=qr_svg(url, LABELS[lang]["qr_alt"]) if is_link else "",
        programme=[_agenda_row(row) for row in data.get("programme") or []],
        talks=[_talk(talk, lang) for talk in data.get("talks") or []],
        materials=[_material(m, lang) for m in data.get("materials") or []],
        generated=LABELS[lang]["generated"] % format_datetime(generated_at, lang),
    )


def render_event_handout(
    data: dict[str, Any], *, templates_dir: Path, static_dir: Path, lang: str = "de"
) -> bytes:
    """The event as a tagged (PDF/UA-1 variant) A4 PDF."""
    html = render_event_html(data, templates_dir=templates_dir, lang=lang)
    talks = len(data.get("talks") or [])
    return html_to_pdf(html, static_dir, f"event handout {data.get('title')!r} ({talks} talks)")


def _dates(starts: datetime.date | None, ends: datetime.date | None, lang: str) -> str:
    if starts is None:
        return ""
    if ends is None or ends == starts:
        return format_date(starts, lang)
    return f"{format_date(starts, lang)} – {format_date(ends, lang)}"


def _agenda_row(row: dict[str, Any]) -> dict[str, str]:
    start, end = str(row.get("starts_at") or ""), str(row.get("ends_at") or "")
    return {
        "time": f"{start}–{end}" if start and end else start,
        "title": str(row.get("title") or ""),
        "speakers": str(row.get("speakers") or ""),
        "talk_anchor": str(row.get("talk_anchor") or ""),
    }


def _talk(talk: dict[str, Any], lang: str) -> dict[str, Any]:
    slides = list(talk.get("slides") or [])
    shown = slides[:SLIDES_PER_TALK]
    omitted = int(talk.get("omitted_slides") or 0) + len(slides) - len(shown)
    url = str(talk.get("url") or "")
    return {
        "anchor": str(talk.get("anchor") or ""),
        "title": str(talk.get("title") or ""),
        "text_lang": text_lang(talk.get("language"), lang),
        "kind_label": str(talk.get("kind_label") or ""),
        "licence_label": str(talk.get("licence_label") or ""),
        "speakers": str(talk.get("speakers") or ""),
        "organisation": str(talk.get("organisation") or ""),
        "summary": paragraphs(str(talk.get("summary") or "")),
        "url": url,
        "url_is_link": url.startswith(("https://", "http://")),
        "slides": [
            {
                "label": str(s.get("label") or ""),
                "lines": list(s.get("lines") or [])[:LINES_PER_SLIDE],
            }
            for s in shown
        ],
        "omitted": EVENT_LABELS[lang]["omitted"] % omitted if omitted > 0 else "",
    }


def _material(material: dict[str, Any], lang: str) -> dict[str, Any]:
    url = str(material.get("url") or "")
    files = material.get("files") or []
    return {
        "title": str(material.get("title") or ""),
        "kind_label": str(material.get("kind_label") or ""),
        "url": url if url.startswith(("https://", "http://")) else "",
        "files": ", ".join(
            f"{f.get('name')} ({format_size(int(f.get('size') or 0), lang)})" for f in files
        ),
    }
