"""Dates typed into forms: ISO (from ``<input type="date">``) or German (01.01.2027)."""

from __future__ import annotations

import datetime as dt
import re

from kb.errors import ValidationError

_GERMAN = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


def parse_date(text: str | dt.date | None, label: str) -> dt.date | None:
    """``text`` as a date; blank is None.

    Old browsers show ``type="date"`` as a text field, so people type German
    dates; both forms are accepted.

    >>> parse_date("2027-01-01", "Gültig ab"), parse_date("1.1.2027", "Gültig ab")
    (datetime.date(2027, 1, 1), datetime.date(2027, 1, 1))
    >>> parse_date(" ", "Gültig ab") is None
    True

    :raises ValidationError: naming the field (``label``) and what was typed.
    """
    if text is None or isinstance(text, dt.date):
        return text
    value = text.strip()
    if not value:
        return None
    try:
        match = _GERMAN.match(value)
        if match:
            day, month, year = (int(g) for g in match.groups())
            return dt.date(year, month, day)
        return dt.date.fromisoformat(value)
    except ValueError:
        shown = value[:40]
        raise ValidationError(
            f"„{shown}“ ist kein gültiges Datum ({label}). Bitte im Format TT.MM.JJJJ angeben, "
            "z. B. 01.01.2027.",
            f"'{shown}' is not a valid date ({label}). Please use DD.MM.YYYY, e.g. 01.01.2027.",
        ) from None


def german(value: dt.date) -> str:
    """01.01.2027"""
    return value.strftime("%d.%m.%Y")
