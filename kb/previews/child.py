"""``python -m kb.previews.child PDF OUTDIR``: render page images under resource limits.

Answers with one JSON object on stdout: ``{"pages": n}`` or ``{"error": "…"}``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kb.extract.child import limit_resources
from kb.previews.make import MAX_PAGES, WIDTH


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("pdf", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--cpu-seconds", type=int, default=120)
    parser.add_argument("--memory-mb", type=int, default=2048)
    args = parser.parse_args(argv)
    limit_resources(args.cpu_seconds, args.memory_mb)
    try:
        pages = render(args.pdf, args.out)
    except Exception as exc:  # any parser failure means "no preview"
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        print(json.dumps({"error": "Keine Vorschau: die Datei ließ sich nicht zeichnen."}))
        return 1
    print(json.dumps({"pages": pages}))
    return 0


def render(pdf: Path, out: Path) -> int:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        count = min(len(document), MAX_PAGES)
        for index in range(count):
            page = document[index]
            scale = WIDTH / max(page.get_width(), 1)
            image = page.render(scale=scale).to_pil()
            image.save(out / f"{index + 1}.png", optimize=True)
            page.close()
        return count
    finally:
        document.close()


if __name__ == "__main__":
    sys.exit(main())
