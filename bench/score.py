"""Recall and precision of extracted figures against a generated corpus's `expected.csv`.

    python -m bench.score --corpus DIR --figures SEEDS_DIR [--examples K]

`SEEDS_DIR/ingest_figures.csv` is what `python -m ingest --sources DIR --out SEEDS_DIR` wrote.
A figure's key is (document_id, company_id, metric, dimension, period_label). An expected row is
*found* when an extracted row has its key and its value (relative tolerance 1e-6); an extracted row
is *correct* when it finds some expected row. recall = found / expected, precision = correct /
extracted. As in the gold files (docs/conventions.md): an expected period_label '' matches any
period, `|` separates accepted alternatives, and dimensions match when equal or when both have the
same `<kind>:` and one value contains the other. Qualifier and currency are reported, not required.

`score` is pure (frames in, a `Score` out); `explain_misses` says why each missed row was missed.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ingest.schema import SEED_SCHEMAS

REL_TOLERANCE = 1e-6
KEY_COLUMNS = ("document_id", "company_id", "metric", "dimension", "period_label")
# expected.csv: the figure key and value columns as ingest types them, plus the number as written.
EXPECTED_SCHEMA = {
    **{
        column: SEED_SCHEMAS["ingest_figures"][column]
        for column in (*KEY_COLUMNS, "value", "unit", "currency", "qualifier")
    },
    "text": pl.String,
}


@dataclass(frozen=True)
class Score:
    expected: int
    extracted: int
    found: int  # expected rows matched by some extracted row
    correct: int  # extracted rows that match some expected row
    same_qualifier: int  # found rows whose qualifier was also right
    missed: pl.DataFrame  # expected rows not found
    unmatched: pl.DataFrame  # extracted rows that match nothing

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.extracted if self.extracted else 1.0


def _alternatives(text: str | None) -> list[str]:
    return [a.strip() for a in (text or "").split("|")] or [""]


def dimension_matches(expected: str | None, extracted: str | None) -> bool:
    got = (extracted or "").strip()
    for want in _alternatives(expected):
        if want == got:
            return True
        if ":" in want and ":" in got:
            want_kind, want_value = want.split(":", 1)
            got_kind, got_value = got.split(":", 1)
            related = want_value and got_value and (want_value in got_value or got_value in want_value)
            if want_kind == got_kind and related:
                return True
    return False


def period_matches(expected: str | None, extracted: str | None) -> bool:
    alternatives = [a for a in _alternatives(expected) if a]
    return not alternatives or (extracted or "") in alternatives


def values_equal(expected: float, extracted: float | None) -> bool:
    if extracted is None or extracted != extracted:  # null or NaN
        return False
    if expected == 0 or extracted == 0:
        return abs(expected - extracted) <= 1e-12
    return abs(expected - extracted) <= REL_TOLERANCE * max(abs(expected), abs(extracted))


def _key_matches(g: dict, e: dict) -> bool:
    return period_matches(g["period_label"], e["period_label"]) and dimension_matches(
        g["dimension"], e["dimension"]
    )


def score(expected: pl.DataFrame, extracted: pl.DataFrame) -> Score:
    """Compare `expected` (expected.csv columns) with `extracted` (ingest_figures columns)."""
    exp_rows = expected.to_dicts()
    ext_rows = extracted.to_dicts()
    by_metric: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for i, g in enumerate(exp_rows):
        by_metric[(g["document_id"], g["company_id"], g["metric"])].append(i)
    found = [False] * len(exp_rows)
    qualifier_ok = [False] * len(exp_rows)
    unmatched = []
    for e in ext_rows:
        hits = [
            i
            for i in by_metric.get((e["document_id"], e["company_id"], e["metric"]), ())
            if _key_matches(exp_rows[i], e) and values_equal(exp_rows[i]["value"], e["value"])
        ]
        for i in hits:
            found[i] = True
            qualifier_ok[i] = qualifier_ok[i] or exp_rows[i]["qualifier"] == e.get("qualifier")
        if not hits:
            unmatched.append(e)
    missed = [g for g, ok in zip(exp_rows, found, strict=True) if not ok]
    return Score(
        expected=len(exp_rows),
        extracted=len(ext_rows),
        found=sum(found),
        correct=len(ext_rows) - len(unmatched),
        same_qualifier=sum(qualifier_ok),
        missed=pl.DataFrame(missed, schema=expected.schema, orient="row") if missed else expected.clear(),
        unmatched=(
            pl.DataFrame(unmatched, schema=extracted.schema, orient="row") if unmatched else extracted.clear()
        ),
    )


def explain_misses(missed: pl.DataFrame, extracted: pl.DataFrame) -> pl.DataFrame:
    """`missed` with a `reason`: wrong_value (key found, value differs), wrong_period, wrong_dimension,
    wrong_company (metric and value found under another company) or not_extracted."""
    by_doc_metric: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for e in extracted.to_dicts():
        by_doc_metric[(e["document_id"], e["metric"])].append(e)
    reasons, seen = [], []
    for g in missed.to_dicts():
        candidates = by_doc_metric.get((g["document_id"], g["metric"]), [])
        same_company = [e for e in candidates if e["company_id"] == g["company_id"]]
        keyed = [e for e in same_company if _key_matches(g, e)]
        valued = [e for e in same_company if values_equal(g["value"], e["value"])]
        if keyed:
            reason, got = "wrong_value", keyed[0]
        elif any(dimension_matches(g["dimension"], e["dimension"]) for e in valued):
            reason, got = "wrong_period", valued[0]
        elif valued:
            reason, got = "wrong_dimension", valued[0]
        elif any(values_equal(g["value"], e["value"]) for e in candidates):
            reason, got = "wrong_company", next(e for e in candidates if values_equal(g["value"], e["value"]))
        else:
            reason, got = "not_extracted", None
        reasons.append(reason)
        seen.append(
            ""
            if got is None
            else f"{got['value']} {got['period_label']} [{got['dimension']}] {got['company_id']}"
        )
    return missed.with_columns(pl.Series("reason", reasons, pl.String), pl.Series("got", seen, pl.String))


def read_expected(corpus: Path) -> pl.DataFrame:
    path = corpus / "expected.csv"
    if not path.is_file():
        raise FileNotFoundError(
            f"{path}: no expected.csv (generate the corpus with `python -m bench.generate`)"
        )
    return pl.read_csv(path, schema=EXPECTED_SCHEMA).with_columns(pl.col(pl.String).fill_null(""))


def read_extracted(seeds: Path) -> pl.DataFrame:
    path = seeds / "ingest_figures.csv"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no ingest_figures.csv (run `python -m ingest --out {seeds}`)")
    df = pl.read_csv(path, infer_schema_length=0).with_columns(pl.all().fill_null(""))
    missing = [c for c in (*KEY_COLUMNS, "value", "qualifier") if c not in df.columns]
    if missing:
        raise ValueError(f"{path}: missing columns {missing}")
    return df.with_columns(pl.col("value").cast(pl.Float64, strict=False))


def _sentence_of(corpus: Path, document_id: str, text: str, cache: dict[str, str]) -> str:
    if document_id not in cache:
        files = list(corpus.glob(f"{document_id}.*"))
        cache[document_id] = files[0].read_text(encoding="utf-8") if files else ""
    body = cache[document_id]
    at = body.find(text)
    if at < 0:
        return ""
    start = max(body.rfind(mark, 0, at) for mark in "。\n") + 1
    ends = [e for e in (body.find(mark, at) for mark in "。\n") if e >= 0]
    return body[start : min(ends) if ends else len(body)]


def report(corpus: Path, seeds: Path, examples: int = 2) -> str:
    expected, extracted = read_expected(corpus), read_extracted(seeds)
    result = score(expected, extracted)
    lines = [
        f"expected {result.expected}, extracted {result.extracted}, found {result.found}, "
        f"correct {result.correct}",
        f"recall {result.recall:.3f}  precision {result.precision:.3f}  "
        f"(qualifier also right on {result.same_qualifier}/{result.found} found)",
        "",
        "recall by metric:",
    ]
    totals = expected.group_by("metric").len("expected")
    misses = explain_misses(result.missed, extracted)
    per_metric = (
        totals.join(misses.group_by("metric").len("missed"), on="metric", how="left")
        .with_columns(pl.col("missed").fill_null(0))
        .with_columns((1 - pl.col("missed") / pl.col("expected")).alias("recall"))
        .sort("missed", descending=True)
    )
    for row in per_metric.iter_rows(named=True):
        lines.append(f"  {row['metric']:<38} {row['recall']:.2f}  ({row['missed']}/{row['expected']} missed)")
    lines += ["", "misses by metric and reason (examples):"]
    groups = misses.group_by("metric", "reason").len().sort("len", descending=True)
    cache: dict[str, str] = {}
    for group in groups.iter_rows(named=True):
        lines.append(f"  {group['len']:>5}  {group['metric']} / {group['reason']}")
        sample = misses.filter((pl.col("metric") == group["metric"]) & (pl.col("reason") == group["reason"]))
        for row in sample.head(examples).iter_rows(named=True):
            lines.append(
                f"         want {row['value']:g} {row['period_label']} [{row['dimension']}] '{row['text']}'"
                f"{' got ' + row['got'] if row['got'] else ''}"
            )
            lines.append(f"         「{_sentence_of(corpus, row['document_id'], row['text'], cache)}」")
    spurious = result.unmatched.group_by("metric").len().sort("len", descending=True)
    lines += ["", "extracted rows matching nothing, by metric:"]
    lines += [f"  {r['len']:>5}  {r['metric']}" for r in spurious.iter_rows(named=True)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.score", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True, help="folder written by bench.generate")
    parser.add_argument("--figures", type=Path, required=True, help="folder with ingest_figures.csv")
    parser.add_argument("--examples", type=int, default=2, help="examples shown per kind of miss")
    args = parser.parse_args(argv)
    try:
        print(report(args.corpus, args.figures, args.examples))
    except (FileNotFoundError, ValueError) as exc:
        print(f"bench.score: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
