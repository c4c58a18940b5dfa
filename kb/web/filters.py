"""Jinja filters for dates, numbers and sizes in the UI language, and sanitised Markdown."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping

from flask import Flask
from flask_babel import gettext
from markupsafe import Markup

from kb.models import ACCESS, KINDS, LICENCES, ROLES, STATES, UNITS
from kb.services.markdown import render_markdown
from kb.services.translation import translate_label
from kb.web import i18n


def filesize(size: int) -> str:
    """1536 -> "1,5 KB" (German) or "1.5 KB" (English)."""
    value = float(size)
    for unit in ("Bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            text = i18n.format_number(value, 0 if unit == "Bytes" else 1)
            return f"{text} {unit}"
        value /= 1024
    return f"{size} Bytes"


def date_de(value: dt.date | dt.datetime | None) -> str:
    """A date (and time) in the UI language's format: 01.01.2027 in German."""
    return i18n.format_date(value)


def number(value: float) -> str:
    """1.234 (German) or 1,234 (English)."""
    return i18n.format_number(value)


def tl(label: object) -> str:
    """Translate a German label that a service built (a kind, a facet name, "Folie 3").

    Labels are data from fixed German sets; their msgids are listed in
    :mod:`kb.web.labels`. Anything unknown (a district's name) comes back unchanged.
    The rules are shared with the handouts (:func:`kb.services.translation.translate_label`).
    """
    return translate_label(label, gettext)


def markdown(text: str | None) -> Markup:
    """Markdown as HTML; safe to mark as such only because nh3 has sanitised it."""
    return Markup(render_markdown(text or ""))


class LabelTable(Mapping[str, str]):
    """A label table of :mod:`kb.models` that answers in the UI language when read.

    A Jinja global (not a context processor) so that imported macros see it too.
    """

    def __init__(self, table: Mapping[str, str]) -> None:
        self._table = table

    def __getitem__(self, key: str) -> str:
        value = self._table[key]
        return value if i18n.ui_lang() == "de" else gettext(value)

    def __iter__(self) -> Iterator[str]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)


def register_filters(app: Flask) -> None:
    app.add_template_filter(markdown)
    app.add_template_filter(filesize)
    app.add_template_filter(date_de)
    app.add_template_filter(number)
    app.add_template_filter(tl)
    app.jinja_env.globals.update(
        {
            name: LabelTable(table)
            for name, table in {
                "KINDS": KINDS,
                "STATES": STATES,
                "ACCESS": ACCESS,
                "LICENCES": LICENCES,
                "ROLES": ROLES,
                "UNITS": UNITS,
            }.items()
        }
    )
    from kb.services.alt_text import IMAGE_MIMES

    app.jinja_env.globals["IMAGE_MIMES"] = IMAGE_MIMES
