"""German labels the services build, in the reader's language, without Flask.

Kinds, states, access, licences, units ("Folie 3") and the validity sentences of guidance
("Gültig seit 01.01.2026") are German data from fixed tables. The pages translate them in
the request with Flask-Babel (:func:`kb.web.filters.tl`); handouts are also rendered by the
worker (a long Mappe), where there is no request, and the handouts stage must not import
Flask. Both therefore share :func:`translate_label`, which takes the ``gettext`` to use:
Flask-Babel's on the pages, the compiled catalogue read here for handout data.

The msgids of the label tables live in :mod:`kb.web.labels`, the validity sentences below
(``babel.cfg`` extracts this module too), so ``tests/test_i18n.py`` keeps the catalogue
complete.
"""

from __future__ import annotations

import functools
import gettext as stdlib_gettext
import logging
import re
from collections.abc import Callable
from pathlib import Path

logger = logging.getLogger(__name__)

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"


def N_(text: str) -> str:  # noqa: N802 - the gettext convention for "mark only"
    return text


#: Validity sentences of kb.services.guidance, as msgids.
VALID_SINCE_UNTIL = N_("Gültig seit %(a)s, bis einschließlich %(b)s")
VALID_SINCE = N_("Gültig seit %(a)s")
VALID_UNTIL = N_("Gültig, bis einschließlich %(b)s")
APPLIES_FROM = N_("Gilt ab %(a)s")
EXPIRED_ON = N_("Abgelaufen am %(a)s")
SUPERSEDED_BY = N_("Ersetzt durch: %(t)s")
SUPERSEDED_FROM = N_("Wird ab %(a)s ersetzt durch: %(t)s")

#: "Folie 3", "12 Folien": labels the services build from a unit and a number.
_COUNTED = re.compile(r"^(\d+) (\w+)$")
_NUMBERED = re.compile(r"^(\w+) (\d+)$")
#: Sentences the services build around a date or title (guidance validity), as msgids.
_SENTENCES = [
    (re.compile(p), msgid)
    for p, msgid in (
        (r"^Gültig seit (?P<a>\S+), bis einschließlich (?P<b>\S+)$", VALID_SINCE_UNTIL),
        (r"^Gültig seit (?P<a>\S+)$", VALID_SINCE),
        (r"^Gültig, bis einschließlich (?P<b>\S+)$", VALID_UNTIL),
        (r"^Gilt ab (?P<a>\S+)$", APPLIES_FROM),
        (r"^Abgelaufen am (?P<a>\S+)$", EXPIRED_ON),
        (r"^Ersetzt durch: (?P<t>.+)$", SUPERSEDED_BY),
        (r"^Wird ab (?P<a>\S+) ersetzt durch: (?P<t>.+)$", SUPERSEDED_FROM),
    )
]
_PLURALS = {"Seiten": "Seite", "Folien": "Folie", "Abschnitte": "Abschnitt", "Tabellen": "Tabelle"}

Gettext = Callable[..., str]


def translate_label(label: object, gettext: Gettext) -> str:
    """Translate a German label that a service built (a kind, a facet name, "Folie 3").

    Labels are data from fixed German sets; their msgids are listed in
    :mod:`kb.web.labels` (the sentences here). Anything unknown (a district's name) comes
    back unchanged.

    :param gettext: ``gettext(msgid, **variables)`` of the target language.
    """
    text = str(label or "")
    if not text:
        return text
    translated = gettext(text)
    if translated != text:
        return translated
    for pattern, msgid in _SENTENCES:
        if m := pattern.match(text):
            return gettext(msgid, **m.groupdict())
    if m := _NUMBERED.match(text):
        return f"{gettext(m.group(1))} {m.group(2)}"
    if m := _COUNTED.match(text):
        singular = _PLURALS.get(m.group(2))
        if singular:
            return f"{m.group(1)} {gettext(m.group(2))}"
    return text


def label_translator(lang: str) -> Callable[[object], str]:
    """A plain function that turns German labels into ``lang`` (identity for German).

    Reads the compiled catalogue (``messages.mo``, compiled from the ``.po`` when the app
    starts) once per process; without one the labels stay German and a warning is logged.
    """
    if lang == "de":
        return lambda label: str(label or "")
    catalogue = _catalogue(lang)

    def gettext(msgid: str, **variables: str) -> str:
        text = catalogue.gettext(msgid)
        return text % variables if variables else text

    return functools.partial(translate_label, gettext=gettext)


@functools.cache
def _catalogue(lang: str) -> stdlib_gettext.NullTranslations:
    mo = TRANSLATIONS_DIR / lang / "LC_MESSAGES" / "messages.mo"
    try:
        with mo.open("rb") as fh:
            return stdlib_gettext.GNUTranslations(fh)
    except OSError:
        logger.warning("No compiled catalogue %s: handout labels stay German", mo)
        return stdlib_gettext.NullTranslations()
