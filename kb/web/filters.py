"""Jinja filters for German formats (dates, sizes) and sanitised Markdown."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from markupsafe import Markup

from kb.models import ACCESS, KINDS, LICENCES, ROLES, STATES, UNITS
from kb.services.markdown import render_markdown


def filesize(size: int) -> str:
    """1536 -> "1,5 KB" (German decimal comma)."""
    value = float(size)
    for unit in ("Bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            text = f"{value:.0f}" if unit == "Bytes" else f"{value:.1f}"
            return f"{text.replace('.', ',')} {unit}"
        value /= 1024
    return f"{size} Bytes"


def date_de(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%d.%m.%Y, %H:%M Uhr")
    return value.strftime("%d.%m.%Y")


def markdown(text: str | None) -> Markup:
    """Markdown as HTML; safe to mark as such only because nh3 has sanitised it."""
    return Markup(render_markdown(text or ""))


def register_filters(app: Flask) -> None:
    app.add_template_filter(markdown)
    app.add_template_filter(filesize)
    app.add_template_filter(date_de)
    app.jinja_env.globals.update(
        KINDS=KINDS, STATES=STATES, ACCESS=ACCESS, LICENCES=LICENCES, ROLES=ROLES, UNITS=UNITS
    )
