"""What an extraction returns: the pages of text and what the user should know about them.

Kept apart from the registry so that :mod:`kb.extract.messages` can build
notices without an import cycle, and so that the child-process protocol has
one place that turns a result into JSON and back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger(__name__)

#: How a file's text is divided (kb.models.UNITS has the German label of each).
UNITS = frozenset({"page", "slide", "section", "sheet"})
#: The unit of one spreadsheet sheet (XLSX, ODS), shown as "Tabelle"; its text starts with
#: the sheet's name.
SHEET_UNIT = "sheet"


@dataclass(frozen=True)
class Notice:
    """Something the user should know about a result that is otherwise fine.

    A limit that cut the text short, or text that came from OCR. Both
    languages, like :class:`kb.errors.KbError`, and never with file contents.
    """

    de: str
    en: str


@dataclass(frozen=True)
class Extracted:
    """The text of one file, page by page.

    :param pages: normalised text of page/slide/section 1..n; "" for an empty one.
    :param unit: what one entry is: "page", "slide" or "section".
    :param ocr_pages: 1-based numbers of the pages whose text came from text
        recognition (OCR); such text may contain errors, so the UI says so.
    :param notices: what a limit left out, or how the text was obtained.
    """

    pages: list[str]
    unit: str
    ocr_pages: tuple[int, ...] = ()
    notices: tuple[Notice, ...] = field(default=())

    @property
    def ocr(self) -> bool:
        """True if any page's text came from OCR ("Text per Texterkennung")."""
        return bool(self.ocr_pages)

    def message(self, lang: str = "de") -> str:
        """Return all notices as one sentence list in ``lang`` ("de" or "en"), or ""."""
        return " ".join(n.en if lang == "en" else n.de for n in self.notices)

    def to_json(self) -> dict[str, Any]:
        """Return the child-process answer for this result."""
        return {
            "ok": True,
            "pages": self.pages,
            "unit": self.unit,
            "ocr_pages": list(self.ocr_pages),
            "notices": [[n.de, n.en] for n in self.notices],
        }

    @classmethod
    def from_json(cls, payload: dict[str, Any]) -> Extracted | None:
        """Rebuild a result from :meth:`to_json` output; None if anything is malformed.

        The child runs parsers on untrusted input, so its answer is checked
        field by field rather than trusted.
        """
        pages, unit = payload.get("pages"), payload.get("unit")
        ocr_pages, notices = payload.get("ocr_pages", []), payload.get("notices", [])
        if unit not in UNITS or not _list_of(pages, str) or not _list_of(ocr_pages, int):
            return None
        if not isinstance(notices, list) or not all(
            isinstance(n, list) and len(n) == 2 and _list_of(n, str) for n in notices
        ):
            return None
        return cls(
            pages=pages,
            unit=unit,
            ocr_pages=tuple(ocr_pages),
            notices=tuple(Notice(de, en) for de, en in notices),
        )


def _list_of(value: object, kind: type) -> bool:
    return isinstance(value, list) and all(
        isinstance(item, kind) and not isinstance(item, bool) for item in value
    )
