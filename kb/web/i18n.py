"""The UI language: German (the source language of every string) or English.

Every user-visible string of the pages goes through Flask-Babel (``_()`` in Python,
``{% trans %}`` / ``_()`` in templates). German is the msgid, so German needs no
catalogue; English lives in ``kb/translations/en/LC_MESSAGES/messages.po``.

The language is chosen in this order: ``?lang=de|en`` on any page (then remembered in
the session), the session, the browser's Accept-Language (German preferred on a tie),
German. The compiled ``.mo`` is derived data (git-ignored): it is compiled from the
``.po`` when the app starts and the ``.mo`` is missing or older, with Babel's own Python
API, so neither ``make setup`` nor a test run needs a separate step or a download.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from urllib.parse import urlencode

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask import Flask, g, request, session
from flask_babel import Babel, get_locale

from kb.errors import KbError

logger = logging.getLogger(__name__)

LANGUAGES = ("de", "en")
DEFAULT_LANGUAGE = "de"
TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"


def select_language() -> str:
    """The language of this request (see the module docstring for the order)."""
    if "ui_lang" in g:
        return str(g.ui_lang)
    asked = request.args.get("lang", "")
    if asked in LANGUAGES:
        lang = asked
    elif session.get("lang") in LANGUAGES:
        lang = str(session["lang"])
    else:
        # German first: on equal quality, best_match keeps the order of LANGUAGES.
        lang = request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE)
    g.ui_lang = lang
    return lang


def ui_lang() -> str:
    """ "de" or "en" — for ``KbError.message(lang)`` and the handouts."""
    try:
        return str(get_locale() or DEFAULT_LANGUAGE)[:2]
    except RuntimeError:  # outside a request (CLI): German
        return DEFAULT_LANGUAGE


def error_text(exc: KbError) -> str:
    """A service error's message in the UI language."""
    return exc.message(ui_lang())


def remember_language() -> None:
    """``?lang=`` switches the language for the rest of the session."""
    asked = request.args.get("lang", "")
    if asked in LANGUAGES and session.get("lang") != asked:
        session["lang"] = asked


def switch_url(lang: str) -> str:
    """This page again in ``lang`` (its other query arguments kept)."""
    args = request.args.copy()
    args["lang"] = lang
    return request.path + "?" + urlencode(list(args.items(multi=True)))


def compile_catalogues(root: Path = TRANSLATIONS_DIR) -> list[Path]:
    """Compile every ``messages.po`` under ``root`` whose ``.mo`` is missing or stale.

    :return: the ``.mo`` files written.
    """
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(root.glob("*/LC_MESSAGES/messages.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as f:
            catalogue = read_po(f, locale=po.parent.parent.name)
        try:
            tmp = mo.with_suffix(".mo.tmp")
            with tmp.open("wb") as f:
                write_mo(f, catalogue)
            tmp.replace(mo)
            written.append(mo)
        except OSError:  # a read-only installation: use what is there
            logger.warning("Could not compile %s", po, exc_info=True)
    return written


def format_date(value: dt.date | dt.datetime | None) -> str:
    """01.01.2027 (German) or Jan 1, 2027 (English); datetimes with the time."""
    if value is None:
        return ""
    lang = ui_lang()
    if lang == "de":
        if isinstance(value, dt.datetime):
            return value.strftime("%d.%m.%Y, %H:%M Uhr")
        return value.strftime("%d.%m.%Y")
    text = babel_dates.format_date(value, "medium", locale=lang)
    if isinstance(value, dt.datetime):
        text += ", " + babel_dates.format_time(value, "short", locale=lang)
    return text


def format_number(value: float, digits: int = 0) -> str:
    """1.234,5 (German) or 1,234.5 (English)."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return babel_numbers.format_decimal(value, format=pattern, locale=ui_lang())


def init_i18n(app: Flask) -> None:
    """Flask-Babel with our language choice; the catalogue compiled if stale."""
    compile_catalogues()
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS_DIR))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    Babel(app, locale_selector=select_language)
    app.before_request(remember_language)

    @app.context_processor
    def language() -> dict[str, object]:
        lang = ui_lang()
        other = "en" if lang == "de" else "de"
        return {"ui_lang": lang, "other_lang": other, "lang_switch_url": switch_url(other)}

    @app.after_request
    def vary(response):  # type: ignore[no-untyped-def]
        response.vary.add("Accept-Language")
        response.headers["Content-Language"] = ui_lang()
        return response
