"""Compound splitting: wrong parts on hand-judged real words, and what it costs at indexing.

Why: the design promises that "Integration" finds "Arbeitsmarktintegration"; the splitter
that keeps it must not fill the index with junk parts (pati|enten), and must not make
indexing much slower. Targets: at most 5 % wrong parts, at most 2x analysis time.

1. Quality. The German files of the shared corpus (MANIFEST.tsv language=de) are extracted
   with ``kb.extract``; every word of 14+ letters is a candidate, and the judged ones
   (tests/data/compound_judgements.tsv, split by hand) are split with ``split_compound``.
   Wrong-part rate = emitted parts that are not correct / emitted parts. Missed = correct
   finest parts not emitted / correct parts. Both per judged set ("tuning" was looked at
   while tuning the rules, "holdout" was not) and overall; every wrong word is listed.
2. Cost. All extracted pages analysed with ``german_analyzer()`` (reference) and
   ``german_split_analyzer()``, fresh analyzers each run, alternating, in index mode with
   positions. "cold": the split cache and the per-word analysis cache
   (``analysis.analyse_word``, which also remembers stems and parts) emptied before each
   run, so every distinct word is split and stemmed once per run, as when indexing a corpus
   for the first time; "warm": both caches kept, as in a long-running indexer. The
   dictionary load is reported separately (first load in this process, and the median of
   reloads), with the process's RSS growth.
"""

from __future__ import annotations

import csv
import gc
import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import benchlib
from benchlib import Figure

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("KB_CORPUS_DIR", ROOT.parent / "shared" / "corpus" / "real"))
LONG_WORD = 14


def _judgements():  # type: ignore[no-untyped-def]
    """``tests/test_compounds.py``'s reader, so test and benchmark score alike."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests import test_compounds

    return test_compounds.read_judgements()


def german_pages(corpus: Path) -> list[str]:
    """Extracted pages of the German files; files without text are skipped, with a note."""
    from kb.errors import KbError
    from kb.extract import extract, sniff_mime

    pages: list[str] = []
    with (corpus / "MANIFEST.tsv").open(encoding="utf-8") as manifest:
        for row in csv.DictReader(manifest, delimiter="\t"):
            if row["language"] != "de":
                continue
            path = corpus / row["file"]
            try:
                pages.extend(extract(path, sniff_mime(path, row["file"])).pages)
            except KbError as exc:
                print(f"  skipped {row['file']}: {exc.message('en')}")
    return pages


def quality(pages: list[str]) -> None:
    from kb.search.compounds import lexicon, split_compound

    words = {w.lower() for p in pages for w in re.findall(r"\w+", p) if w.isalpha()}
    long_words = {w for w in words if len(w) >= LONG_WORD}
    judgements = _judgements()
    absent = [j.word for j in judgements if j.word.lower() not in long_words]
    print(f"long words ({LONG_WORD}+ letters) in the corpus: {len(long_words)}")
    print(f"judged: {len(judgements)} ({len(absent)} not found in this corpus: {absent})")
    base = lexicon().base
    rows, wrong_words = [], []
    for subset in ("tuning", "holdout", "all"):
        emitted = wrong = parts = missed = 0
        for j in (j for j in judgements if subset in ("all", j.set)):
            got = split_compound(j.word)
            bad = j.wrong(got, base)
            emitted, wrong = emitted + len(got), wrong + len(bad)
            parts, missed = parts + len(j.parts), missed + len(j.missed(got))
            if bad and subset == "all":
                wrong_words.append(f"{j.word}: {' + '.join(got)}  (wrong: {', '.join(bad)})")
        rows.append(
            (
                f"{subset}",
                f"{wrong}/{emitted} wrong parts = {wrong / emitted:.1%}; "
                f"missed {missed}/{parts} correct parts = {missed / parts:.1%}",
            )
        )
    benchlib.print_rows(rows)
    print("wrong (all judged words):")
    print("\n".join(f"  {line}" for line in wrong_words) or "  none")
    print()


def _analyse(analyzer: Callable, pages: list[str]) -> int:  # type: ignore[type-arg]
    return sum(1 for page in pages for _ in analyzer(page, positions=True, mode="index"))


def dictionary() -> None:
    """First load in this process (what an indexer or web worker pays once), then reloads."""
    from kb.search import compounds
    from kb.search.compounds import BEGIN, END, WORD

    gc.collect()
    rss = _rss_mib()
    start = time.perf_counter()
    lex = compounds.lexicon()
    first_load, grown = time.perf_counter() - start, _rss_mib() - rss
    reloads = [benchlib.timed(compounds.load_lexicon) for _ in range(3)]
    print(
        f"dictionary: first load {first_load:.2f} s, reload median "
        f"{statistics.median(reloads):.2f} s; RSS +{grown:.0f} MiB "
        f"({lex.count(WORD)} words, {lex.count(END)} compound heads, {lex.count(BEGIN)} openers)"
    )
    print()


def cost(pages: list[str], runs: int) -> None:
    from kb.search import analysis, compounds
    from kb.search.analysis import german_analyzer, german_split_analyzer

    print(f"pages: {len(pages)}, {sum(map(len, pages)) / 1e6:.2f} M characters")
    tokens = {"plain": _analyse(german_analyzer(), pages), "split": 0}
    _analyse(german_split_analyzer(), pages)  # unmeasured warm-up of both code paths
    times: dict[str, list[float]] = {"plain": [], "cold": [], "warm": []}
    for _ in range(runs):
        times["plain"].append(benchlib.timed(lambda: _analyse(german_analyzer(), pages)))
        compounds.split_offsets.cache_clear()
        analysis.analyse_word.cache_clear()  # else the "cold" run reuses every stem and split
        times["cold"].append(benchlib.timed(lambda: _analyse(german_split_analyzer(), pages)))
        times["warm"].append(benchlib.timed(lambda: _analyse(german_split_analyzer(), pages)))
    tokens["split"] = _analyse(german_split_analyzer(), pages)
    growth = tokens["split"] / tokens["plain"] - 1
    print(f"tokens: {tokens['plain']} plain, {tokens['split']} with parts (+{growth:.1%})")
    benchlib.print_rows(
        [
            ("german_analyzer", Figure.of(times["plain"]).ms()),
            ("split, cold cache", Figure.of(times["cold"]).ms()),
            ("split, warm cache", Figure.of(times["warm"]).ms()),
            ("ratio cold", _times(benchlib.ratio(times["cold"], times["plain"]))),
            ("ratio warm", _times(benchlib.ratio(times["warm"], times["plain"]))),
        ]
    )


def _times(figure: Figure) -> str:
    return f"{figure.median:.2f}x  ({figure.low:.2f}–{figure.high:.2f})"


def _rss_mib() -> float:
    """Resident memory of this process (Linux), MiB."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * 4096 / 2**20


def main(argv: list[str] | None = None) -> int:
    parser = benchlib.runs_parser(__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="default %(default)s")
    args = parser.parse_args(argv)
    if not (args.corpus / "MANIFEST.tsv").is_file():
        print(f"corpus folder {args.corpus} is missing", file=sys.stderr)
        return 2
    benchlib.print_header("Compound splitting", args.runs, f"{args.corpus} (language=de)")
    pages = german_pages(args.corpus)
    dictionary()
    quality(pages)
    cost(pages, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
