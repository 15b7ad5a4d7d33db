"""Run every extractor over a document (or a corpus) and collect their seed tables.

Order matters: company discovery registers unseen companies in the shared matcher before the
subject companies are decided, and every later extractor attributes figures to those subjects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from ingest.companies import CompanyMatcher
from ingest.documents import Corpus
from ingest.schema import SEED_SCHEMAS, conform, empty_frame
from ingest.text import Document

# Extraction field → seed table, and the column that must be unique across the corpus.
TABLES: dict[str, tuple[str, str | None]] = {
    "figures": ("ingest_figures", "figure_id"),
    "unclassified": ("ingest_unclassified_mentions", "mention_id"),
    "implied_fx": ("ingest_implied_fx_rates", None),
    "shareholders": ("ingest_shareholders", "holder_id"),
    "events": ("ingest_events", "event_id"),
    "discovered_companies": ("ingest_discovered_companies", "company_id"),
}


@dataclass(frozen=True)
class Extractors:
    """The extractor functions, in the order they run. Tests pass fakes; the CLI uses `default()`."""

    discover_companies: Callable
    subject_company_ids: Callable
    extract_figures: Callable
    extract_shareholders: Callable
    extract_events: Callable

    @classmethod
    def default(cls) -> Extractors:
        # Imported here so reading and writing (documents, seeds) never depend on the rule modules.
        from ingest import companies, events, figures, shareholders

        return cls(
            discover_companies=companies.discover_companies,
            subject_company_ids=companies.subject_company_ids,
            extract_figures=figures.extract_figures,
            extract_shareholders=shareholders.extract_shareholders,
            extract_events=events.extract_events,
        )


class ExtractionError(Exception):
    """An extractor failed or produced inconsistent rows; the message names the document."""


def _empty(name: str) -> pl.DataFrame:
    return empty_frame(TABLES[name][0])


@dataclass
class Extraction:
    figures: pl.DataFrame = field(default_factory=lambda: _empty("figures"))
    unclassified: pl.DataFrame = field(default_factory=lambda: _empty("unclassified"))
    implied_fx: pl.DataFrame = field(default_factory=lambda: _empty("implied_fx"))
    shareholders: pl.DataFrame = field(default_factory=lambda: _empty("shareholders"))
    events: pl.DataFrame = field(default_factory=lambda: _empty("events"))
    discovered_companies: pl.DataFrame = field(default_factory=lambda: _empty("discovered_companies"))
    subject_ids: dict[str, list[str]] = field(default_factory=dict)  # document_id -> company_ids

    def tables(self) -> dict[str, pl.DataFrame]:
        """Seed name → frame, for `ingest.seeds.write_seeds`."""
        return {seed: getattr(self, attr) for attr, (seed, _) in TABLES.items()}


def _conform(df: pl.DataFrame, seed: str) -> pl.DataFrame:
    # `pl.DataFrame()` has no columns, and conform() would turn it into one row of nulls.
    if df.width == 0:
        return empty_frame(seed)
    # Most extractors already conform their frames: skip a second (no-op) select, ~1 ms each.
    if list(df.schema.items()) == list(SEED_SCHEMAS[seed].items()):
        return df
    return conform(df, seed)


@dataclass
class Precomputed:
    """A document extracted by `ingest.parallel` for the matcher state it will meet here."""

    resolve: Callable[[], Extraction] | None  # waits for the worker's result
    replay: Callable[[CompanyMatcher], None]  # re-applies the document's matcher registrations
    state_size: tuple[int, int]  # len(aliases), len(discovered_ids) of the matcher before it
    _extraction: Extraction | None = None

    @property
    def extraction(self) -> Extraction:
        if self._extraction is None:
            if self.resolve is None:
                raise RuntimeError("Precomputed.extraction: no result attached")
            self._extraction = self.resolve()
        return self._extraction


# document_id -> result computed ahead (see `ingest.parallel.precomputed`), used once.
PRECOMPUTED: dict[str, Precomputed] = {}


def extract_document(
    doc: Document, matcher: CompanyMatcher, extractors: Extractors | None = None
) -> Extraction:
    """All seed rows of one document. Exceptions are re-raised as ExtractionError naming the file."""
    run = extractors or Extractors.default()
    ahead = PRECOMPUTED.pop(doc.document_id, None)
    # Used only for the matcher state it was computed for; otherwise extracted again (never stale).
    if (
        ahead is not None
        and run == Extractors.default()
        and ahead.state_size == (len(matcher.aliases), len(matcher.discovered_ids))
    ):
        ahead.replay(matcher)
        return ahead.extraction
    discovered, subject_ids = discover_document(doc, matcher, run)
    return extract_with_subjects(doc, matcher, run, discovered, subject_ids)


def discover_document(
    doc: Document, matcher: CompanyMatcher, run: Extractors
) -> tuple[pl.DataFrame, list[str]]:
    """First half of `extract_document`: the steps that register companies in `matcher`.

    Returns the discovered-company rows and the document's subject ids.
    """
    step = "discover_companies"
    try:
        discovered = _conform(run.discover_companies(doc, matcher), "ingest_discovered_companies")
        step = "subject_company_ids"
        return discovered, list(run.subject_company_ids(doc, matcher))
    except Exception as exc:
        raise ExtractionError(f"{doc.file_name}: {step} failed: {type(exc).__name__}: {exc}") from exc


def extract_with_subjects(
    doc: Document,
    matcher: CompanyMatcher,
    run: Extractors,
    discovered: pl.DataFrame,
    subject_ids: list[str],
) -> Extraction:
    """Second half of `extract_document`: the extractors that only read `matcher` (it must be in the
    state `discover_document` left it in)."""
    step = "extract_figures"
    try:
        found = run.extract_figures(doc, matcher, subject_ids)
        step = "extract_shareholders"
        holders = run.extract_shareholders(doc, matcher, subject_ids)
        step = "extract_events"
        dated = run.extract_events(doc, matcher, subject_ids)
        step = "conform"
        return Extraction(
            figures=_conform(found.figures, "ingest_figures"),
            unclassified=_conform(found.unclassified, "ingest_unclassified_mentions"),
            implied_fx=_conform(found.implied_fx, "ingest_implied_fx_rates"),
            shareholders=_conform(holders, "ingest_shareholders"),
            events=_conform(dated, "ingest_events"),
            discovered_companies=discovered,
            subject_ids={doc.document_id: subject_ids},
        )
    except Exception as exc:
        raise ExtractionError(f"{doc.file_name}: {step} failed: {type(exc).__name__}: {exc}") from exc


def extract_corpus(
    corpus: Corpus,
    matcher: CompanyMatcher,
    progress: Callable[[int, int], None] | None = None,
    extractors: Extractors | None = None,
) -> Extraction:
    """Extract every accepted document and concatenate the tables.

    Ids must be unique across the corpus (dbt tests them as keys): a clash raises ExtractionError
    naming the documents involved. A company discovered by several documents keeps its first row.
    """
    run = extractors or Extractors.default()
    parts: list[Extraction] = []
    for done, doc in enumerate(corpus.documents, start=1):
        parts.append(extract_document(doc, matcher, run))
        if progress is not None:
            progress(done, len(corpus.documents))
    subject_ids: dict[str, list[str]] = {}
    for part in parts:
        subject_ids.update(part.subject_ids)
    return combine({attr: [getattr(p, attr) for p in parts] for attr in TABLES}, subject_ids)


def combine(frames: dict[str, list[pl.DataFrame]], subject_ids: dict[str, list[str]]) -> Extraction:
    """Concatenate per-document tables (in corpus order) into one Extraction, checking the keys.

    A company discovered by several documents keeps its first row; any other duplicated id raises.
    Used by `extract_corpus` and by the incremental cache (`ingest.cache`), which mixes cached and
    freshly extracted documents.
    """
    result = Extraction(subject_ids=dict(subject_ids))
    for attr, (seed, key) in TABLES.items():
        parts = [f for f in frames.get(attr, []) if f.height]
        combined = pl.concat(parts, how="vertical") if parts else empty_frame(seed)
        if attr == "discovered_companies":
            combined = combined.unique(subset="company_id", keep="first", maintain_order=True)
        elif key is not None:
            _check_unique(combined, seed, key)
        setattr(result, attr, combined)
    return result


def _check_unique(df: pl.DataFrame, seed: str, key: str) -> None:
    clashes = df.filter(pl.col(key).is_duplicated())
    if clashes.is_empty():
        return
    first = clashes.row(0, named=True)
    docs = sorted(set(clashes.filter(pl.col(key) == first[key])["document_id"].to_list()))
    raise ExtractionError(
        f"{seed}: {key} {first[key]!r} is produced more than once (document(s) {', '.join(docs)}); "
        f"{clashes[key].n_unique()} duplicated id(s) in total"
    )
