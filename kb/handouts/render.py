"""Render an item handout: plain data -> Jinja -> WeasyPrint -> tagged PDF.

Templates receive plain data only (dicts, strings, dates), never ORM objects, so a template
cannot lazy-load something the viewer may not see; the service layer decides what goes in.
Text is autoescaped; line breaks in extracted page text become paragraphs and ``<br>``
in the template, never markup built here.

The stylesheet ``templates/handouts/handout.css`` is inlined into a ``<style>`` element
rather than linked: it lives beside the template, needs no fetch, and the restricted URL
fetcher (:mod:`kb.handouts.fetcher`) is left to guard everything else a document might
reference (static images below ``static_dir``).

WeasyPrint is imported inside :func:`render_item_handout` only: the design forbids importing
it before a server forks (it loads Pango/fontconfig state that must not be shared).
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import logging
import re
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from kb.errors import ValidationError
from kb.handouts.hyphen import shy
from kb.handouts.pdf import html_to_pdf

logger = logging.getLogger(__name__)

#: The project's templates folder (create_app's default; a handout may be rendered from another).
DEFAULT_TEMPLATES_DIR = Path(__file__).resolve().parent.parent.parent / "templates"
#: The renderer's own sources: a change to how data becomes HTML changes the PDFs too.
_RENDERER_SOURCES = sorted(Path(__file__).resolve().parent.glob("*.py"))
AUTHOR = "kb – Wissensdatenbank Integrationskoordination Sachsen-Anhalt"
LANGUAGES = ("de", "en")

_MONTHS_EN = (
    "January February March April May June July August September October November December"
).split()

LABELS: dict[str, dict[str, str]] = {
    "de": {
        "page": "Seite",
        "of": "von",
        "summary": "Zusammenfassung",
        "content": "Inhalt",
        "files": "Dateien",
        "notes": "Hinweise zur Textauswertung",
        "details": "Angaben zum Eintrag",
        "kind": "Art",
        "event": "Veranstaltung",
        "date": "Datum",
        "access": "Zugang",
        "state": "Status",
        "licence": "Lizenz",
        "link": "Link zum Eintrag",
        "file_name": "Datei",
        "file_type": "Typ",
        "file_size": "Größe",
        "file_hash": "Prüfsumme (SHA-256)",
        "files_caption": "Dateien dieses Eintrags",
        "speakers": "Vortragende",
        "organisation": "Organisation",
        "districts": "Landkreise/Städte",
        "topics": "Themen",
        "programme": "Förderprogramm",
        "qr_alt": "QR-Code mit dem Link zum Eintrag",
        "qr_caption": "Zum Eintrag in kb: QR-Code scannen oder Link öffnen.",
        "omitted": "Die übrigen %d Seiten sind nicht abgedruckt; vollständig im Original.",
        "file_link": "Herunterladen",
        "file_url": "Link",
        "no_summary": "Keine Zusammenfassung vorhanden.",
        "no_pages": "Aus den Dateien dieses Eintrags liegt kein Text vor.",
        "generated": "Erstellt am %s mit kb – Wissensdatenbank Integrationskoordination.",
    },
    "en": {
        "page": "Page",
        "of": "of",
        "summary": "Summary",
        "content": "Content",
        "files": "Files",
        "notes": "Notes on text extraction",
        "details": "About this item",
        "kind": "Kind",
        "event": "Event",
        "date": "Date",
        "access": "Access",
        "state": "State",
        "licence": "Licence",
        "link": "Link to the item",
        "file_name": "File",
        "file_type": "Type",
        "file_size": "Size",
        "file_hash": "Checksum (SHA-256)",
        "files_caption": "Files of this item",
        "speakers": "Speakers",
        "organisation": "Organisation",
        "districts": "Districts",
        "topics": "Topics",
        "programme": "Funding programme",
        "qr_alt": "QR code with the link to the item",
        "qr_caption": "To the item in kb: scan the QR code or open the link.",
        "omitted": "The other %d pages are not printed; see the original file.",
        "file_link": "Download",
        "file_url": "Link",
        "no_summary": "No summary available.",
        "no_pages": "No text is available from this item's files.",
        "generated": "Generated on %s by kb – knowledge base of integration coordination.",
    },
}


def render_item_handout(
    data: dict[str, Any], *, templates_dir: Path, static_dir: Path, lang: str = "de"
) -> bytes:
    """Render one item as a tagged (PDF/UA-1 variant) A4 PDF.

    :param data: plain data of the item (see the module docs of :mod:`kb.handouts`).
    :param templates_dir: the project's ``templates/`` folder.
    :param static_dir: the only folder the PDF may load resources from.
    :param lang: "de" (default) or "en"; sets ``<html lang>``, labels and page numbers.
    :return: the PDF bytes.
    :raises ValidationError: for an unknown language.
    """
    html = render_item_html(data, templates_dir=templates_dir, lang=lang)
    return html_to_pdf(html, static_dir, f"item handout {data.get('title')!r} ({lang})")


def render_item_html(data: dict[str, Any], *, templates_dir: Path, lang: str = "de") -> str:
    """Render the handout's HTML (separate from the PDF step so it can be tested cheaply)."""
    if lang not in LANGUAGES:
        raise ValidationError(f"Unbekannte Sprache: {lang}", f"Unknown language: {lang}")
    template = jinja_environment(Path(templates_dir)).get_template("handouts/item.html")
    return template.render(**item_context(data, lang))


@functools.cache
def template_version(templates_dir: Path = DEFAULT_TEMPLATES_DIR) -> str:
    """A hash of the handout templates, their CSS and the renderer's source files.

    Computed once per process, at first use. It replaces a hand-bumped version string: a
    forgotten bump served PDFs made with the old templates until the cache was emptied.
    Files are hashed with their names, so a renamed or added template counts as well.
    """
    digest = hashlib.sha256()
    folder = Path(templates_dir) / "handouts"
    for path in sorted(folder.rglob("*")) + _RENDERER_SOURCES:
        if path.is_file():
            name = path.relative_to(folder) if path.is_relative_to(folder) else path.name
            digest.update(f"{name}\0".encode())
            digest.update(path.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()[:16]


def handout_cache_key(
    data: dict[str, Any],
    lang: str,
    access_level: str,
    templates_dir: Path = DEFAULT_TEMPLATES_DIR,
) -> str:
    """Return a SHA-256 key for a rendered handout.

    The key covers the data, the language, the viewer's access level (an internal viewer's
    PDF must never be served to the public) and :func:`template_version` of
    ``templates_dir``. ``generated_at`` is left out on purpose: it changes on every call,
    and a cached PDF truthfully shows when it was made.
    """
    payload = {
        "template": template_version(Path(templates_dir)),
        "lang": lang,
        "access": access_level,
        "data": {k: v for k, v in data.items() if k != "generated_at"},
    }
    canonical = json.dumps(
        payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_json_default
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _json_default(value: Any) -> str:
    """Serialise dates for the cache key; anything else is not plain data and is refused."""
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    raise TypeError(f"Handout data must be plain data, got {type(value).__name__}")


@functools.cache
def jinja_environment(templates_dir: Path) -> Environment:
    """The Jinja environment of ``templates_dir``, one per process; autoescape for .html
    (the CSS include stays raw).

    Kept, not made per render: compiling item.html with its inlined CSS cost about 10 ms
    on every render (bench/handouts.py profile, docs/architecture.md). Jinja's auto-reload still
    picks up an edited template; the cache key's :func:`template_version` does not (it is
    computed once per process), so restart after changing templates.
    """
    env = Environment(
        loader=FileSystemLoader(templates_dir),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["shy"] = shy
    return env


def item_context(data: dict[str, Any], lang: str) -> dict[str, Any]:
    """Turn item data into template values (labels, formatted dates and sizes)."""
    url = str(data.get("url") or "")
    generated_at = data.get("generated_at") or datetime.datetime.now()
    return {
        "lang": lang,
        "t": LABELS[lang],
        "author": AUTHOR,
        "title": str(data.get("title") or ""),
        "text_lang": text_lang(data.get("language"), lang),
        "kind_label": data.get("kind_label") or "",
        "summary": paragraphs(data.get("summary") or ""),
        "event_title": data.get("event_title"),
        "speakers": str(data.get("speakers") or ""),
        "organisation": str(data.get("organisation") or ""),
        "districts": ", ".join(data.get("districts") or []),
        "topics": ", ".join(data.get("topics") or []),
        "programme": str(data.get("programme") or ""),
        "qr_svg": qr_svg(url, LABELS[lang]["qr_alt"])
        if url.startswith(("https://", "http://"))
        else "",
        "omitted": int(data.get("omitted_pages") or 0),
        "date": format_date(data.get("date"), lang),
        "access_label": data.get("access_label") or "",
        "state_label": data.get("state_label") or "",
        "licence_label": data.get("licence_label") or "",
        "url": url,
        # Only web links become PDF links; anything else (file:, javascript:) is shown as text.
        "url_is_link": url.startswith(("https://", "http://")),
        "files": [_file_row(f, lang) for f in data.get("files") or []],
        "pages": [page_section(p) for p in data.get("pages") or []],
        "notes": [str(n) for n in data.get("extraction_notes") or []],
        "generated": LABELS[lang]["generated"] % format_datetime(generated_at, lang),
    }


_LANG_TAG = re.compile(r"[a-z]{2,3}(-[A-Za-z]{2})?")


def text_lang(content_lang: object, lang: str) -> Markup:
    """`` lang="de"`` for an element holding the item's own text when it is not in the
    handout's language (an English handout of German slides): hyphenation follows the
    element's language, so German words are not broken by English rules. Empty otherwise.
    """
    value = str(content_lang or "de").strip()
    if not _LANG_TAG.fullmatch(value) or value == lang:
        return Markup("")
    return Markup(' lang="%s"') % value


def qr_svg(url: str, alt: str) -> Markup:
    """The QR code of ``url`` as inline SVG markup (segno) with ``alt`` as its title.

    Inline, because the URL fetcher refuses ``data:`` URLs. ``alt`` is one of our fixed
    labels; segno escapes it anyway, and the URL itself only becomes the black modules.
    """
    import segno

    svg = segno.make(url, error="m").svg_inline(scale=2, border=0, title=alt)
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{escape(alt)}" ', 1))


def _file_row(file: dict[str, Any], lang: str) -> dict[str, str]:
    link = str(file.get("url") or "")
    return {
        "url": link if link.startswith(("https://", "http://")) else "",
        "name": str(file.get("name") or ""),
        "mime_label": str(file.get("mime_label") or ""),
        "size": format_size(int(file.get("size") or 0), lang),
        "sha256": str(file.get("sha256") or ""),
    }


def page_section(page: dict[str, Any]) -> dict[str, Any]:
    number = int(page["number"])
    return {
        "anchor": f"page-{number}",
        "label": str(page.get("label") or number),
        "paragraphs": paragraphs(str(page.get("text") or "")),
    }


def paragraphs(text: str) -> list[list[str]]:
    """Split text into paragraphs (blank lines) of lines (single line breaks).

    Extracted slide text is mostly short lines (bullets); keeping them as lines inside a
    paragraph reads like the slide, while blank lines start a new paragraph.

    >>> paragraphs("Ziele\\n- Arbeit\\n\\n\\nFazit")
    [['Ziele', '- Arbeit'], ['Fazit']]
    """
    result: list[list[str]] = []
    current: list[str] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip()
        if line:
            current.append(line)
        elif current:
            result.append(current)
            current = []
    if current:
        result.append(current)
    return result


def format_date(value: datetime.date | None, lang: str) -> str:
    """German "05.03.2025", English "5 March 2025"; no locale needed."""
    if value is None:
        return ""
    if lang == "en":
        return f"{value.day} {_MONTHS_EN[value.month - 1]} {value.year}"
    return value.strftime("%d.%m.%Y")


def format_datetime(value: datetime.datetime, lang: str) -> str:
    """A date with hours and minutes in the language's usual form."""
    suffix = value.strftime("%H:%M")
    return f"{format_date(value, lang)}, {suffix}" + (" Uhr" if lang == "de" else "")


def format_size(size: int, lang: str) -> str:
    """Human file size with the language's decimal separator ("1,5 MB" / "1.5 MB")."""
    value = float(size)
    for unit in ("Bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            break
        value /= 1024
    text = f"{int(value)} {unit}" if unit == "Bytes" else f"{value:.1f} {unit}"
    return text.replace(".", ",") if lang == "de" else text
