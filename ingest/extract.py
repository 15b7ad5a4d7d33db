"""Run the extractors over a corpus in two passes and collect their seed tables.

1. **Discovery** (`discover`): each document is read against the reference seed for the companies
   it names (`ingest.companies.find_companies`); `ingest.registry.build_registry` merges the
   findings, in corpus order, into one registry.
2. **Extraction** (`extract_document`): figures, shareholders and events of one document, a pure
   function of (document, rules, registry) — which is what lets the cache (`ingest.cache`) and the
   worker processes (`ingest.parallel`) treat documents independently.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import polars as pl

from ingest.companies import CompanyMatcher
from ingest.documents import Corpus
from ingest.registry import Found, Registry, build_registry
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
# The tables one document's extraction produces (discovered companies come from the registry).
DOCUMENT_TABLES = ("figures", "unclassified", "implied_fx", "shareholders", "events")


@dataclass(frozen=True)
class Extractors:
    """The extractor functions, in the order they run. Tests pass fakes; the CLI uses `default()`."""

    find_companies: Callable  # (doc, seed matcher) -> list[DiscoveredCompany]
    extract_figures: Callable  # (doc, matcher, subject_ids) -> FigureExtraction
    extract_shareholders: Callable  # (doc, matcher, subject_ids) -> DataFrame
    extract_events: Callable  # (doc, matcher, subject_ids) -> DataFrame

    @classmethod
    def default(cls) -> Extractors:
        # Imported here so reading and writing (documents, seeds) never depend on the rule modules.
        from ingest import companies, events, figures, shareholders

        return cls(
            find_companies=companies.find_companies,
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


def discover(doc: Document, seed: CompanyMatcher, extractors: Extractors | None = None) -> Found:
    """Pass 1 for one document: the companies it names, read against the seed alone."""
    run = extractors or Extractors.default()
    try:
        return Found(doc.document_id, doc.language, tuple(run.find_companies(doc, seed)))
    except Exception as exc:
        raise ExtractionError(f"{doc.file_name}: find_companies failed: {type(exc).__name__}: {exc}") from exc


def discover_corpus(
    documents: Sequence[Document], seed: CompanyMatcher, extractors: Extractors | None = None
) -> Registry:
    """Pass 1 over a corpus in this process, merged into the registry."""
    found = {doc.document_id: discover(doc, seed, extractors) for doc in documents}
    return build_registry(documents, found, seed)


def extract_document(doc: Document, registry: Registry, extractors: Extractors | None = None) -> Extraction:
    """Pass 2 for one document: all its seed rows, reading (never changing) the registry.
    Exceptions are re-raised as ExtractionError naming the file."""
    run = extractors or Extractors.default()
    matcher, subject_ids = registry.matcher, registry.subject_ids(doc)
    step = "extract_figures"
    try:
        found = run.extract_figures(doc, matcher, subject_ids)
        step = "extract_shareholders"
        holders = run.extract_shareholders(doc, matcher, subject_ids)
        step = "extract_events"
        dated = run.extract_events(doc, matcher, subject_ids)
        step = "conform"
        discovered = registry.discovered
        return Extraction(
            figures=_conform(found.figures, "ingest_figures"),
            unclassified=_conform(found.unclassified, "ingest_unclassified_mentions"),
            implied_fx=_conform(found.implied_fx, "ingest_implied_fx_rates"),
            shareholders=_conform(holders, "ingest_shareholders"),
            events=_conform(dated, "ingest_events"),
            discovered_companies=discovered.filter(pl.col("first_document_id") == doc.document_id),
            subject_ids={doc.document_id: subject_ids},
        )
    except Exception as exc:
        raise ExtractionError(f"{doc.file_name}: {step} failed: {type(exc).__name__}: {exc}") from exc


_WARM_UP_TEXT = "星河智能2024年营业收入为1.2亿元，同比增长35%，于2025年6月30日在港交所上市。"


def warm_up(seed: CompanyMatcher) -> None:
    """Load every rule and table the extractors build on first use, by extracting one made-up sentence,
    so that the first real document's time limit (`ingest.timeout`) is spent on that document."""
    from datetime import date

    doc = Document(
        document_id="_warm_up",
        file_name="_warm_up.txt",
        text=_WARM_UP_TEXT,
        published_at=date(2025, 7, 1),
        language="zh-Hans",
        subject_companies=("星河智能",),
    )
    extract_document(doc, discover_corpus([doc], seed))


def extract_corpus(
    corpus: Corpus,
    seed: CompanyMatcher,
    progress: Callable[[int, int], None] | None = None,
    extractors: Extractors | None = None,
) -> Extraction:
    """Both passes over every accepted document in this process, tables concatenated.

    Ids must be unique across the corpus (dbt tests them as keys): a clash raises ExtractionError
    naming the documents involved.
    """
    registry = discover_corpus(corpus.documents, seed, extractors)
    parts: list[Extraction] = []
    for done, doc in enumerate(corpus.documents, start=1):
        parts.append(extract_document(doc, registry, extractors))
        if progress is not None:
            progress(done, len(corpus.documents))
    frames = {attr: [getattr(p, attr) for p in parts] for attr in DOCUMENT_TABLES}
    return combine(frames, registry.subjects, registry.discovered)


def combine(
    frames: Mapping[str, Sequence[pl.DataFrame]],
    subject_ids: Mapping[str, Sequence[str]],
    discovered: pl.DataFrame,
) -> Extraction:
    """Per-document tables (in corpus order) and the registry's companies as one Extraction.

    Used by `extract_corpus` and by the incremental cache (`ingest.cache`), which mixes cached and
    freshly extracted documents. A duplicated id raises ExtractionError naming the documents.
    """
    result = Extraction(subject_ids={k: list(v) for k, v in subject_ids.items()})
    for attr in DOCUMENT_TABLES:
        seed, key = TABLES[attr]
        parts = [f for f in frames.get(attr, []) if f.height]
        combined = pl.concat(parts, how="vertical") if parts else empty_frame(seed)
        if key is not None:
            _check_unique(combined, seed, key)
        setattr(result, attr, combined)
    result.discovered_companies = _conform(discovered, "ingest_discovered_companies")
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
