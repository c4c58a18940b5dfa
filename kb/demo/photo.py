"""The demo's "photo": a drawn illustration of a workshop room (Pillow), not a real photo.

A real photo would show people; the demo names nobody and shows nobody. ``PHOTO_ALT`` says
what the drawing shows; it is the ``alt`` of the image on the event and item pages.
"""

from __future__ import annotations

import io

#: The alternative text of the demo photo (an image upload needs one).
PHOTO_ALT = (
    "Zeichnung eines Arbeitsraums von oben: vier ovale Gruppentische mit je vier Stühlen, "
    "rechts oben ein Flipchart."
)


def build_photo(width: int = 640, height: int = 400) -> bytes:
    """Four group tables with chairs and a flip chart, seen from above, as a PNG."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), (244, 241, 234))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, width - 20, height - 20), outline=(120, 110, 100), width=4)
    for col in range(2):
        for row in range(2):
            x, y = 120 + col * 260, 90 + row * 160
            draw.ellipse((x, y, x + 140, y + 90), fill=(176, 196, 222), outline=(11, 61, 102))
            for angle_x, angle_y in ((-25, 30), (150, 30), (60, -22), (60, 98)):
                cx, cy = x + angle_x, y + angle_y
                draw.rectangle((cx, cy, cx + 18, cy + 18), fill=(205, 133, 63))
    draw.rectangle((width - 90, 40, width - 50, 120), fill=(255, 255, 255), outline=(60, 60, 60))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
