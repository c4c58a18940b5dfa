"""Copy a few browser-test screenshots into docs/screenshots/, made small for the README.

Run after the browser tests (``pytest tests/test_browser_a11y.py -k signed_out``), which
save 1280 px screenshots of the demo's pages under test-artifacts/browser/. Each one here
is scaled to 640 px wide and reduced to a 64-colour palette, and must end up under 80 KB
(the README should stay quick to load on an office connection).
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "test-artifacts" / "browser"
TARGET = ROOT / "docs" / "screenshots"
WIDTH = 640
LIMIT = 80 * 1024

#: docs/screenshots/<name>.png <- the browser test's screenshot (a file name).
PICKS = {
    "home": "a11y-1280-signed-out-home.png",
    "search": "a11y-1280-signed-out-search.png",
    "item": "a11y-1280-signed-out-item.png",
    "mappe": "a11y-1280-signed-out-mappe.png",
}


def shrink(source: Path, target: Path) -> int:
    """Write ``source`` scaled to :data:`WIDTH` as a palette PNG; return its size in bytes."""
    with Image.open(source) as image:
        height = round(image.height * WIDTH / image.width)
        small = image.convert("RGB").resize((WIDTH, height), Image.Resampling.LANCZOS)
    small.quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)
    return target.stat().st_size


def main() -> int:
    TARGET.mkdir(parents=True, exist_ok=True)
    failed = False
    for name, shot in PICKS.items():
        source = SOURCE / shot
        if not source.is_file():
            print(f"missing: {source} (run the browser tests first)", file=sys.stderr)
            failed = True
            continue
        size = shrink(source, TARGET / f"{name}.png")
        print(f"{TARGET / name}.png  {size / 1024:.0f} KB  <- {shot}")
        if size > LIMIT:
            print(f"too large: {name}.png is over {LIMIT // 1024} KB", file=sys.stderr)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
