"""Images (PNG, JPEG): stored as items, their text read by OCR when it is installed.

Pillow reads only the header before the size check, so a decompression bomb
(a tiny file declaring a huge canvas) is refused before any pixel is
decoded. EXIF orientation is applied first: phones store photos of flip
charts sideways and Tesseract reads upright text only. A truncated image is
"beschädigt" in the extraction child; a process that has imported WeasyPrint
(which switches on Pillow's process-wide ``LOAD_TRUNCATED_IMAGES``) would pad
it instead, one more reason to extract in the child only.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from kb.extract import limits, messages, ocr
from kb.extract.containers import JPEG, PNG
from kb.extract.normalize import normalize_text
from kb.extract.registry import Extracted, register

if TYPE_CHECKING:
    from PIL.Image import Image

logger = logging.getLogger(__name__)


@register(PNG, JPEG)
def extract_image(path: Path) -> Extracted:
    """Return the OCR text of the image as one page.

    :raises kb.errors.NoTextFound: OCR is not set up, or it found no text.
    :raises kb.errors.ExtractionError: the image exceeds a limit (pixels, time).
    :raises kb.errors.CorruptFile: Pillow cannot decode it (via the registry).
    """
    with _open(path) as image:
        pixels = image.width * image.height
        if pixels > limits.MAX_IMAGE_PIXELS:
            raise messages.image_too_large(limits.MAX_IMAGE_PIXELS)
        image.load()  # a damaged image says "beschädigt" whether or not OCR is installed
        if ocr.engine() is None:
            raise messages.image_without_ocr()
        from PIL import ImageOps

        upright = ImageOps.exif_transpose(image)
        try:
            text = normalize_text(ocr.recognize(upright))
        except ocr.OutOfTime:
            raise messages.aborted_time(ocr.time_limit()) from None
    if not text:
        raise messages.no_text_recognised()
    return Extracted(
        pages=[text], unit="page", ocr_pages=(1,), notices=(messages.ocr_used([1], whole=True),)
    )


def _open(path: Path) -> Image:
    """Open lazily; Pillow's own bomb warning or error becomes our pixel-limit message."""
    from PIL import Image  # lazily, see kb.extract.registry

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            return Image.open(path)
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
            logger.warning("%s: %s", path.name, exc)
            raise messages.image_too_large(limits.MAX_IMAGE_PIXELS) from None
