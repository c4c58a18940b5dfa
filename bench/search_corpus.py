"""A German search corpus from Debian packages, cut into page-sized documents and cached.

Sources (Debian 12 packages; their text is third-party and never copied into the project):

- ``manpages-de``: German man pages, rendered with ``man -l --nh --nj`` (no hyphenation, so
  no word is split at a line end) and joined back into paragraphs;
- ``libreoffice-help-de``: the LibreOffice help, shipped as HTML; the text of the
  ``DisplayArea`` block with tags stripped;
- ``fortunes-de``: German sayings, plain text (``asciiart`` left out).

Each source family is a stream of paragraphs, cut into documents of 1,500-3,000 characters
(a target drawn per document); consecutive documents are grouped into items of 5-20 pages,
the way a slide deck or a guidance PDF is several pages of one item, and the items are
shuffled with a fixed seed so that any prefix of the corpus mixes all sources.

The packages hold about 11,000 such pages. Beyond that, further pages are recombined from
the same paragraphs (random paragraphs of random source documents, fixed seed): real German
text and real vocabulary, with term frequencies that grow like those of a bigger collection
of the same kinds of material. Every document records which it is (``source`` "mix").

Built once into ``~/.cache/kb-bench/`` (``KB_BENCH_CACHE`` moves it) as JSONL, one document
a line: ``{"item", "page", "source", "title", "text"}``.
"""

from __future__ import annotations

import html
import json
import os
import random
import re
import shlex
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path

PACKAGES = ("manpages-de", "libreoffice-help-de", "fortunes-de", "man-db", "groff-base")
APT_COMMAND = ["apt-get", "install", "-y", "--no-install-recommends", *PACKAGES]
CORPUS_VERSION = 1
SEED = 20250101
MIN_CHARS = 1500
MAX_CHARS = 3000
#: Paragraphs longer than this are cut at a sentence or word boundary first.
PIECE_CHARS = 1400
ITEM_PAGES = (5, 20)

MAN_DIR = Path("/usr/share/man/de")
LO_HELP_DIR = Path("/usr/share/libreoffice/help/de/text")
FORTUNE_DIR = Path("/usr/share/games/fortunes/de")

Doc = dict[str, object]


def cache_dir() -> Path:
    path = Path(os.environ.get("KB_BENCH_CACHE", Path.home() / ".cache" / "kb-bench"))
    path.mkdir(parents=True, exist_ok=True)
    return path


# -- packages ----------------------------------------------------------------


def missing_packages() -> list[str]:
    missing = []
    for name in PACKAGES:
        proc = subprocess.run(
            ["dpkg-query", "-W", "-f", "${Status}", name], capture_output=True, text=True
        )
        if proc.returncode != 0 or "install ok installed" not in proc.stdout:
            missing.append(name)
    return missing


def ensure_packages() -> None:
    """Install the source packages with apt-get if we are root; otherwise say how and exit."""
    missing = missing_packages()
    if not missing:
        return
    command = shlex.join(APT_COMMAND)
    if os.geteuid() != 0:
        print(f"missing Debian packages: {' '.join(missing)}", file=sys.stderr)
        print(f"install them with:\n  sudo apt-get update && sudo {command}", file=sys.stderr)
        sys.exit(2)
    print(f"installing missing packages: apt-get update && {command}", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env)
    subprocess.run(APT_COMMAND, check=True, env=env)


# -- text extraction -----------------------------------------------------------

_OVERSTRIKE = re.compile(r".\x08")
_SPACES = re.compile(r"[ \t\u00a0]+")


def _paragraphs(text: str) -> list[str]:
    """Blank-line separated blocks, each joined into one line with single spaces."""
    out = []
    for block in re.split(r"\n\s*\n", text):
        joined = _SPACES.sub(" ", " ".join(line.strip() for line in block.splitlines())).strip()
        if joined:
            out.append(joined)
    return out


def _render_man(path: Path) -> tuple[str, list[str]] | None:
    env = {**os.environ, "LC_ALL": "C.UTF-8", "MANWIDTH": "100", "MAN_KEEP_FORMATTING": ""}
    env.pop("MANPAGER", None)
    env.pop("PAGER", None)
    proc = subprocess.run(
        ["man", "--nh", "--nj", "-l", str(path)], capture_output=True, env=env, timeout=60
    )
    text = _OVERSTRIKE.sub("", proc.stdout.decode("utf-8", "replace"))
    lines = text.splitlines()
    if len(lines) < 4:
        return None
    # The first and last lines are running header and footer; section headings start in
    # column 0 and become paragraphs of their own.
    body = "\n".join(f"\n{line}\n" if line[:1].strip() else line for line in lines[1:-1])
    paras = _paragraphs(body)
    title = path.name.split(".")[0]
    for i, para in enumerate(paras[:-1]):
        if para in ("BEZEICHNUNG", "NAME"):
            title = paras[i + 1]
            break
    section = path.parent.name.removeprefix("man")
    title = re.sub(r"^(\S+)", rf"\1({section})", title, count=1)
    # Section headings (all capitals) stay as paragraphs of their own: they are text too.
    return title, paras


def man_pages() -> Iterator[tuple[str, list[str]]]:
    files = sorted(p for p in MAN_DIR.glob("man*/*") if p.is_file())
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for result in pool.map(_render_man, files):
            if result:
                yield result


class _HelpText(HTMLParser):
    """Text of ``<div id="DisplayArea">``, a line break at each block element."""

    BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "div", "br", "pre", "table"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0  # div nesting inside DisplayArea (0 = outside)
        self.skip = 0
        self.parts: list[str] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        if tag in ("script", "style"):
            self.skip += 1
        if tag == "div":
            if self.depth:
                self.depth += 1
            elif ("id", "DisplayArea") in attrs:
                self.depth = 1
        if self.depth and tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag in ("script", "style") and self.skip:
            self.skip -= 1
        if self.depth and tag in self.BLOCKS:
            self.parts.append("\n\n")
        if tag == "div" and self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif self.depth and not self.skip:
            self.parts.append(data.replace("\n", " "))


def _help_page(path: Path) -> tuple[str, list[str]] | None:
    parser = _HelpText()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    paras = _paragraphs("".join(parser.parts))
    if not paras:
        return None
    return html.unescape(parser.title.strip()) or path.stem, paras


def help_pages() -> Iterator[tuple[str, list[str]]]:
    for path in sorted(LO_HELP_DIR.rglob("*.html")):
        page = _help_page(path)
        if page:
            yield page


def fortunes() -> Iterator[tuple[str, list[str]]]:
    for path in sorted(FORTUNE_DIR.iterdir()):
        if path.suffix in (".dat", ".u8") or not path.is_file() or path.name == "asciiart":
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        sayings = [s.strip() for s in re.split(r"^%$", text, flags=re.M)]
        paras = [_SPACES.sub(" ", " ".join(s.split())) for s in sayings if s]
        yield f"Sprüche: {path.name.replace('-', ' ').capitalize()}", paras


# -- cutting into pages ----------------------------------------------------------


def _pieces(paragraph: str) -> Iterator[str]:
    """The paragraph in pieces of at most PIECE_CHARS, cut after a sentence or a word."""
    while len(paragraph) > PIECE_CHARS:
        cut = paragraph.rfind(". ", PIECE_CHARS // 2, PIECE_CHARS)
        if cut < 0:
            cut = paragraph.rfind(" ", PIECE_CHARS // 2, PIECE_CHARS)
        if cut < 0:
            cut = PIECE_CHARS
        yield paragraph[: cut + 1].strip()
        paragraph = paragraph[cut + 1 :].strip()
    if paragraph:
        yield paragraph


def cut_pages(
    sources: Iterable[tuple[str, list[str]]], source: str, rng: random.Random
) -> Iterator[Doc]:
    """Documents of MIN_CHARS..MAX_CHARS from a stream of (title, paragraphs)."""
    seen: Counter[str] = Counter()
    buf: list[str] = []
    size = 0
    title = ""
    target = rng.randint(MIN_CHARS, MAX_CHARS)

    def emit() -> Doc:
        return {"source": source, "title": title, "text": "\n\n".join(buf)}

    for src_title, paras in sources:
        for para in paras:
            seen[para] += 1
            if seen[para] > 3:  # boilerplate repeated on every page of a package
                continue
            for piece in _pieces(para):
                if buf and size + len(piece) + 2 > MAX_CHARS:
                    if size >= MIN_CHARS:
                        yield emit()
                    buf, size = [], 0
                    target = rng.randint(MIN_CHARS, MAX_CHARS)
                if not buf:
                    title = src_title
                buf.append(piece)
                size += len(piece) + 2
                if size >= target:
                    yield emit()
                    buf, size = [], 0
                    target = rng.randint(MIN_CHARS, MAX_CHARS)
    if size >= MIN_CHARS:
        yield emit()


def _group_items(docs: list[Doc], rng: random.Random) -> list[list[Doc]]:
    items = []
    start = 0
    while start < len(docs):
        n = rng.randint(*ITEM_PAGES)
        items.append(docs[start : start + n])
        start += n
    return items


def build_base(rng: random.Random) -> list[list[Doc]]:
    """All pages the packages give, grouped into items and shuffled."""
    items: list[list[Doc]] = []
    for name, stream in (("man", man_pages()), ("help", help_pages()), ("fortune", fortunes())):
        docs = list(cut_pages(stream, name, rng))
        print(f"  {name}: {len(docs)} pages", flush=True)
        items.extend(_group_items(docs, rng))
    rng.shuffle(items)
    return items


def _write(path: Path, items: Iterable[list[Doc]]) -> None:
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for number, pages in enumerate(items, start=1):
            for page_number, doc in enumerate(pages, start=1):
                record = {"item": number, "page": page_number, **doc}
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    os.replace(tmp, path)


def read(path: Path) -> Iterator[Doc]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


def _base_path() -> Path:
    path = cache_dir() / f"corpus-v{CORPUS_VERSION}-base.jsonl"
    if not path.exists():
        ensure_packages()
        print(f"building the base corpus from {', '.join(PACKAGES[:3])} into {path} …")
        _write(path, build_base(random.Random(SEED)))
    return path


def _load_items(path: Path) -> list[list[Doc]]:
    items: dict[int, list[Doc]] = {}
    for doc in read(path):
        items.setdefault(int(doc.pop("item")), []).append(doc)  # type: ignore[call-overload]
        doc.pop("page")
    return list(items.values())


def _mixed_items(base: list[list[Doc]], pages: int, rng: random.Random) -> Iterator[list[Doc]]:
    """``pages`` more pages, each of random paragraphs of random base pages."""
    pool = [p for item in base for doc in item for p in str(doc["text"]).split("\n\n")]
    titles = [str(item[0]["title"]) for item in base]
    made = 0
    while made < pages:
        title = rng.choice(titles)
        n = min(rng.randint(*ITEM_PAGES), pages - made)
        item = []
        for _ in range(n):
            target = rng.randint(MIN_CHARS, MAX_CHARS)
            buf: list[str] = []
            size = 0
            while size < target:
                para = rng.choice(pool)
                if buf and size + len(para) + 2 > MAX_CHARS:
                    if size >= MIN_CHARS:
                        break
                    continue
                buf.append(para)
                size += len(para) + 2
            item.append({"source": "mix", "title": title, "text": "\n\n".join(buf)})
        made += n
        yield item


def corpus(docs: int) -> Path:
    """The path of a JSONL corpus with exactly ``docs`` pages (built and cached on first use)."""
    path = cache_dir() / f"corpus-v{CORPUS_VERSION}-{docs}.jsonl"
    if path.exists():
        return path
    base = _load_items(_base_path())
    base_pages = sum(len(item) for item in base)
    chosen: list[list[Doc]] = []
    count = 0
    for item in base:
        if count >= docs:
            break
        chosen.append(item[: docs - count])
        count += len(chosen[-1])
    if count < docs:
        print(f"recombining {docs - count} pages beyond the {base_pages} unique ones …")
        chosen.extend(_mixed_items(base, docs - count, random.Random(SEED + docs)))
    _write(path, chosen)
    return path


def describe(path: Path) -> str:
    """One line: pages, items, characters, sources."""
    pages = chars = 0
    items = set()
    by_source: Counter[str] = Counter()
    for doc in read(path):
        pages += 1
        chars += len(str(doc["text"]))
        items.add(doc["item"])
        by_source[str(doc["source"])] += 1
    sources = ", ".join(f"{name} {n}" for name, n in by_source.most_common())
    return (
        f"{pages} pages in {len(items)} items, {chars / 1e6:.1f} M characters "
        f"({chars / max(pages, 1):.0f} per page; {sources}); {path}"
    )


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    print(describe(corpus(n)))
