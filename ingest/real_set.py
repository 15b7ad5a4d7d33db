"""The real-coverage development set: labels in `tests/real/`, third-party excerpts kept off the repo.

Each label file `tests/real/<document_id>.yml` (and `tests/real/holdout/…`) is a gold file (format:
`tests/articles/README.md`) with a `source:` block saying where its excerpt came from, so that it can
be retrieved again from the stored coverage:

    source:
      url: https://…                # the page address
      query: 港股 上市 …              # the search that found it (corpus `pages`)
      title: …                      # as the page gives it ('' when none)
      publisher: 明報                # the newsroom
      language: zh-Hant             # zh-Hans / zh-Hant
      companies: 某某科技             # subject company, as an analyst would fill in the manifest
      venue: HKEX                   # HKEX / STAR / SSE / SZSE / ChiNext / BSE / Nasdaq / NYSE
      reporting_currency: CNY       # the currency the company reports in
      style: news                   # news / summary / filing
      excerpt_sha256: …             # of the excerpt text as stored (UTF-8)
      excerpt_chars: 1532

The excerpt itself is third-party text and is never committed: it lives in `.real_texts/<document_id>.txt`
(or `$REAL_TEXTS_DIR`), which `.gitignore` keeps out of git. A missing excerpt is reported with its
address and query so it can be retrieved again.

CLI:
    python -m ingest.real_set check  [--labels tests/real] [--texts .real_texts]
    python -m ingest.real_set score  [--labels tests/real] [--texts .real_texts] [--details] [--subjects]
    python -m ingest.real_set stats  [--labels tests/real]

`score` builds a temporary source folder (excerpts + a manifest generated from the labels) and scores
it with `ingest.evaluate`. By default the manifest leaves `companies` empty, as a user adding a page
would: the extractor must find the subject itself. `--subjects` fills it from the labels.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from ingest.evaluate import GoldFileError, load_gold

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LABELS = REPO_ROOT / "tests/real"
DEFAULT_TEXTS = Path(os.environ.get("REAL_TEXTS_DIR", REPO_ROOT / ".real_texts"))

SOURCE_FIELDS = (
    "url",
    "query",
    "title",
    "publisher",
    "language",
    "companies",
    "venue",
    "reporting_currency",
    "style",
    "excerpt_sha256",
    "excerpt_chars",
)
STYLES = frozenset({"news", "summary", "filing"})
VENUES = frozenset({"HKEX", "STAR", "SSE", "SZSE", "ChiNext", "BSE", "Nasdaq", "NYSE"})
LANGUAGES = frozenset({"zh-Hans", "zh-Hant"})


@dataclass(frozen=True)
class Label:
    path: Path
    document_id: str
    published_at: str
    source: dict
    texts: tuple[str, ...]  # every `text` of figures and every `ignore` entry: must occur in the excerpt

    def excerpt_path(self, texts_dir: Path) -> Path:
        return texts_dir / f"{self.document_id}.txt"


def label_files(labels_dir: Path, recursive: bool = False) -> list[Path]:
    """The label files of `labels_dir`, sorted; with `recursive`, those of its sub-folders too
    (`holdout/` is scored on its own, never with the development set)."""
    found = labels_dir.rglob("*.yml") if recursive else labels_dir.glob("*.yml")
    return sorted(p for p in found if not p.name.startswith("_"))


def load_label(path: Path) -> Label:
    """One label file, validated as a gold file plus its `source:` block."""
    gold = load_gold(path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    source = data.get("source")
    if not isinstance(source, dict):
        raise GoldFileError(f"{path}: no 'source:' mapping (where the excerpt came from)")
    missing = [f for f in SOURCE_FIELDS if f not in source]
    if missing:
        raise GoldFileError(f"{path}: source is missing {missing}")
    if source["style"] not in STYLES:
        raise GoldFileError(f"{path}: source.style {source['style']!r} not in {sorted(STYLES)}")
    if source["venue"] not in VENUES:
        raise GoldFileError(f"{path}: source.venue {source['venue']!r} not in {sorted(VENUES)}")
    if source["language"] not in LANGUAGES:
        raise GoldFileError(f"{path}: source.language {source['language']!r} not in {sorted(LANGUAGES)}")
    if gold.published_at is None:
        raise GoldFileError(f"{path}: published_at is required")
    texts = tuple(t for t in gold.figures["text"].to_list() if t) + tuple(gold.ignore)
    return Label(path, gold.document_id, gold.published_at.isoformat(), source, texts)


def quoted_comments(path: Path) -> list[str]:
    """Comment lines holding Chinese text: a label commits facts, never the excerpt's sentences,
    so its comments are written in the labeller's own (ASCII) words."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [
        f"{path}:{n}: comment quotes the excerpt ({line.strip()[:40]!r}); say it in your own words"
        for n, line in enumerate(lines, start=1)
        if line.lstrip().startswith("#") and not line.isascii()
    ]


def check(labels_dir: Path, texts_dir: Path) -> list[str]:
    """Problems with the labels and the excerpts beside them; [] when all is well."""
    problems: list[str] = []
    seen: dict[str, Path] = {}
    for path in label_files(labels_dir, recursive=True):
        problems.extend(quoted_comments(path))
        try:
            label = load_label(path)
        except GoldFileError as exc:
            problems.append(str(exc))
            continue
        if label.document_id in seen:
            problems.append(
                f"{path}: document_id {label.document_id!r} also used by {seen[label.document_id]}"
            )
        seen[label.document_id] = path
        excerpt = label.excerpt_path(texts_dir)
        if not excerpt.is_file():
            problems.append(
                f"{path}: excerpt {excerpt} is missing; retrieve it again from {label.source['url']} "
                f"(query: {label.source['query']})"
            )
            continue
        raw = excerpt.read_bytes()
        digest = hashlib.sha256(raw).hexdigest()
        if digest != label.source["excerpt_sha256"]:
            problems.append(
                f"{path}: excerpt sha256 {digest} differs from the label's {label.source['excerpt_sha256']}"
            )
        text = raw.decode("utf-8")
        for t in label.texts:
            if t not in text:
                problems.append(f"{path}: text {t!r} does not occur in {excerpt.name}")
    return problems


def materialise(labels: Sequence[Label], texts_dir: Path, out_dir: Path, with_subjects: bool) -> Path:
    """A source folder for `ingest.evaluate`: the excerpts and a manifest made from the labels."""
    out_dir.mkdir(parents=True, exist_ok=True)
    gold_dir = out_dir / "_gold"
    gold_dir.mkdir(exist_ok=True)
    with open(out_dir / "manifest.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["file", "title", "publisher", "published_at", "url", "language", "companies"])
        for label in labels:
            src = label.source
            name = f"{label.document_id}.txt"
            (out_dir / name).write_bytes(label.excerpt_path(texts_dir).read_bytes())
            (gold_dir / f"{label.document_id}.yml").write_bytes(label.path.read_bytes())
            writer.writerow(
                [
                    name,
                    src.get("title") or "",
                    src.get("publisher") or "",
                    label.published_at,
                    src.get("url") or "",
                    src["language"],
                    (src.get("companies") or "") if with_subjects else "",
                ]
            )
    return gold_dir


def available_labels(labels_dir: Path, texts_dir: Path) -> tuple[list[Label], list[Label]]:
    """(labels whose excerpt is on this machine, labels whose excerpt is not)."""
    have, lack = [], []
    for path in label_files(labels_dir):
        try:
            label = load_label(path)
        except GoldFileError as exc:  # reported by `check`; the rest of the set is still scored
            print(f"skipped {path.name}: {exc}", file=sys.stderr)
            continue
        (have if label.excerpt_path(texts_dir).is_file() else lack).append(label)
    return have, lack


def stats(labels: Sequence[Label]) -> str:
    """The mix of the set: newsrooms, companies, scripts, styles, currencies, venues, figure counts."""
    src = [lb.source for lb in labels]
    n_figures = sum(load_gold(lb.path).figures.height for lb in labels)
    companies = {str(s["companies"]).split("|")[0] for s in src}
    lines = [
        f"excerpts: {len(labels)}   figures labelled: {n_figures}",
        f"newsrooms: {len({s['publisher'] for s in src})}   companies: {len(companies)}",
        f"scripts: {dict(Counter(s['language'] for s in src))}",
        f"styles: {dict(Counter(s['style'] for s in src))}",
        f"reporting currencies: {dict(Counter(s['reporting_currency'] for s in src))}",
        f"venues: {dict(Counter(s['venue'] for s in src))}",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest.real_set", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("check", "score", "stats"))
    parser.add_argument(
        "--labels",
        type=Path,
        nargs="+",
        default=[DEFAULT_LABELS],
        help="label folders; several are scored as one corpus (a company found in one document is "
        "looked for in all), e.g. --labels tests/real tests/real/fresh",
    )
    parser.add_argument("--texts", type=Path, default=DEFAULT_TEXTS)
    parser.add_argument("--details", action="store_true", help="list every missing, wrong, spurious row")
    parser.add_argument("--subjects", action="store_true", help="give the extractor the subject companies")
    args = parser.parse_args(argv)
    if args.command == "check":
        problems = [p for folder in args.labels for p in check(folder, args.texts)]
        for p in problems:
            print(p)
        count = len({f for folder in args.labels for f in label_files(folder, recursive=True)})
        print(f"{count} label files, {len(problems)} problem(s)")
        return 1 if problems else 0
    have, lack = [], []
    for folder in args.labels:
        found, missing = available_labels(folder, args.texts)
        have, lack = have + found, lack + missing
    if args.command == "stats":
        print(stats(have + lack))
        return 0
    for label in lack:
        print(
            f"skipped {label.document_id}: excerpt not on this machine ({label.source['url']})",
            file=sys.stderr,
        )
    if not have:
        folders = ", ".join(map(str, args.labels))
        print(f"no excerpt of {folders} is on this machine (looked in {args.texts})", file=sys.stderr)
        return 2
    from ingest.evaluate import evaluate_folder, format_causes, format_details, format_table

    with tempfile.TemporaryDirectory(prefix="real_set_") as tmp:
        gold_dir = materialise(have, args.texts, Path(tmp), args.subjects)
        results = evaluate_folder(Path(tmp), gold_dir)
    print(format_table(results))
    print()
    print(format_causes(results))
    if args.details:
        print()
        print(format_details(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
