"""The one step from handout HTML to a tagged PDF, shared by every kind of handout.

WeasyPrint is imported here, inside the call, never at module import: the design forbids
importing it before a server forks (it loads Pango/fontconfig state that must not be shared).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from kb.handouts.fetcher import BASE_URL, make_url_fetcher

logger = logging.getLogger(__name__)


def html_to_pdf(html: str, static_dir: Path, what: str) -> bytes:
    """Render ``html`` as an A4 PDF with the ``pdf/ua-1`` variant (tagged, /Lang, title).

    :param static_dir: the only folder the document may load resources from (see
        :mod:`kb.handouts.fetcher`; everything else is refused).
    :param what: a short description for the log line.
    """
    from weasyprint import HTML  # lazy: never import WeasyPrint before a server forks

    started = time.perf_counter()
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=make_url_fetcher(static_dir))
    pdf = document.write_pdf(pdf_variant="pdf/ua-1")
    logger.info("Rendered %s in %.2fs, %d bytes", what, time.perf_counter() - started, len(pdf))
    return pdf
