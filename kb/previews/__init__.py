"""Page images of stored files: a thumbnail and one image per page for the item page's viewer.

A stage module (no Flask): :func:`make_previews` renders into a folder in a
resource-limited child process, because rendering parses untrusted files just
like text extraction does. PDFs are rendered with pypdfium2; PPTX, ODP, DOCX
and ODT are first converted to PDF by LibreOffice when it is installed
(optional; without it there is no preview and the page says so).
"""

from kb.previews.make import (
    PREVIEW_MIMES,
    PreviewError,
    libreoffice,
    make_previews,
)

__all__ = ["PREVIEW_MIMES", "PreviewError", "libreoffice", "make_previews"]
