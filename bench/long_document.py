"""Extraction time of documents written as one endless line, against their length.

    python -m bench.long_document [--bytes 17000,34000,68000] [--shapes articles,figure_list]
                                  [--time-limit S]

A page that lost its line breaks and sentence ends (a scraped table, a summary joined into one
paragraph) is one sentence of tens of kilobytes. Each shape is cut to each size (UTF-8 bytes) and run
through both extraction passes in this process (`ingest.extract.extract_corpus`):

- `articles`: synthetic articles (`bench.generate`) joined into one line, every sentence end turned
  into a comma;
- `figure_list`: one company's figures listed again and again in one sentence ("2024年营业收入为1.2
  亿元，同比增长35%，…"): dense keywords and numbers;
- `count_list`: counts named by the noun after them, again and again ("2.12亿名个人用户，覆盖200多个
  国家，…"): no keyword before a number, so its search falls back to the whole sentence before it —
  the case that grew with the cube of the length before that search was bounded (`KEYWORD_REACH` in
  `ingest/figures/metric.py`).

Extraction should grow linearly: `per_kb_ms` (milliseconds per kilobyte) stays flat as the size
doubles. With `--time-limit S` each document also goes through `ingest.__main__.extract_all` (what
`python -m ingest` runs) with that limit: `limited_s` is how long it took and `too_slow` whether the
document was rejected for it.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

SHAPES = ("articles", "figure_list", "count_list")
DEFAULT_BYTES = (17_000, 34_000, 68_000)
_SENTENCE_END = re.compile(r"[。！？!?；;\n]+")
_FIGURE_LIST_UNIT = "2024年营业收入为1.2亿元，同比增长35%，净亏损3000万元，研发投入占比20%，员工500人，"
_COUNT_LIST_UNIT = "2.12亿名个人用户，覆盖200多个国家，"


def shape_text(shape: str, size: int, work: Path) -> str:
    """`size` UTF-8 bytes (cut at a character) of one line of text of `shape`."""
    if shape == "articles":
        from bench.generate import generate

        corpus = work / "articles"
        if not corpus.exists():
            generate(40, corpus)
        bodies = [
            re.sub(r"\A---.*?---\n", "", p.read_text(encoding="utf-8"), flags=re.DOTALL)
            for p in sorted(corpus.glob("*.txt"))
        ]
        line = _SENTENCE_END.sub("，", "".join(bodies))
    elif shape == "figure_list":
        line = "星河智能" + _FIGURE_LIST_UNIT
    elif shape == "count_list":
        line = "星河智能" + _COUNT_LIST_UNIT
    else:
        raise ValueError(f"unknown shape {shape!r} (known: {', '.join(SHAPES)})")
    unit = len(line.encode("utf-8"))
    text = line * (size // unit + 1)
    return text.encode("utf-8")[:size].decode("utf-8", errors="ignore")


def _document(text: str):
    from ingest.text import Document

    return Document(
        document_id="long_line",
        file_name="long_line.txt",
        text=text,
        published_at=date(2025, 12, 1),
        language="zh-Hans",
        subject_companies=("星河智能",),
    )


def measure(text: str, time_limit: float | None = None) -> dict[str, object]:
    """Seconds to extract `text` as one document, and what came out."""
    from ingest.companies import CompanyMatcher
    from ingest.documents import Corpus, DocumentInfo
    from ingest.extract import extract_corpus

    doc = _document(text)
    corpus = Corpus(documents=[doc], info={doc.document_id: DocumentInfo("", "utf-8")})
    seed = CompanyMatcher.from_seed()
    started = time.perf_counter()
    extraction = extract_corpus(corpus, seed)
    seconds = time.perf_counter() - started
    kb = len(text.encode("utf-8")) / 1000
    row: dict[str, object] = {
        "bytes": len(text.encode("utf-8")),
        "chars": len(text),
        "extract_s": round(seconds, 3),
        "per_kb_ms": round(seconds * 1000 / kb, 2),
        "figures": extraction.figures.height,
        "unclassified": extraction.unclassified.height,
    }
    if time_limit is not None:
        from ingest.__main__ import extract_all

        started = time.perf_counter()
        extract_all(corpus, seed, None, workers=1, time_limit=time_limit)
        row["limited_s"] = round(time.perf_counter() - started, 3)
        row["too_slow"] = any(r.reason == "too_slow" for r in corpus.rejected)
    return row


def run(shapes: Sequence[str], sizes: Sequence[int], time_limit: float | None = None) -> list[dict]:
    """One row per (shape, size), sizes ascending."""
    rows = []
    measure("星河智能2024年营业收入为1.2亿元。")  # load the rules and the companies before timing
    with tempfile.TemporaryDirectory(prefix="long_document_") as tmp:
        for shape in shapes:
            for size in sorted(sizes):
                row = {"shape": shape, **measure(shape_text(shape, size, Path(tmp)), time_limit)}
                print(
                    f"  {shape:<12} {row['bytes']:>9,} bytes  {row['extract_s']:>8.2f} s  "
                    f"{row['per_kb_ms']:>7.2f} ms/KB  {row['figures']:>5} figures",
                    flush=True,
                )
                rows.append(row)
    return rows


def markdown(rows: Sequence[dict]) -> list[str]:
    """The measured table for BENCHMARKS.md."""
    lines = [
        "### Documents written as one line",
        "",
        "`python -m bench.long_document`: one document, both extraction passes in one process.",
        "",
        "| shape | bytes | extract s | ms per KB | figures |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append(
            f"| {row['shape']} | {row['bytes']:,} | {row['extract_s']:.2f} | {row['per_kb_ms']:.2f} | "
            f"{row['figures']:,} |"
        )
    return [*lines, ""]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.long_document", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--bytes", default=",".join(map(str, DEFAULT_BYTES)), help="comma-separated sizes")
    parser.add_argument("--shapes", default=",".join(SHAPES), help=f"comma-separated, of {', '.join(SHAPES)}")
    parser.add_argument("--time-limit", type=float, help="also run each document under this limit (s)")
    args = parser.parse_args(argv)
    try:
        sizes = [int(s) for s in args.bytes.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--bytes {args.bytes!r}: expected comma-separated whole numbers")
    shapes = [s.strip() for s in args.shapes.split(",") if s.strip()]
    unknown = sorted(set(shapes) - set(SHAPES))
    if unknown or not sizes or min(sizes) <= 0:
        parser.error(f"--shapes of {', '.join(SHAPES)} and positive --bytes (got {unknown or sizes})")
    run(shapes, sizes, args.time_limit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
