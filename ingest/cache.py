"""Incremental ingest: reuse each document's extraction while neither it nor the rules changed.

Cache layout: `<cache dir>/<rules version>/` (default `build/cache/`, env `INGEST_CACHE_DIR`) holds
one Parquet file per extracted table with every document's rows (columns `_key`, `_row` added), an
`entries.parquet` (one row per document, in corpus order) and a `manifest.json` written last. The
whole folder is rewritten each run into a temporary folder and swapped in, so a killed run leaves
either the old cache or the new one; a cache that does not read back exactly as described is
ignored with a warning and everything is re-extracted (never stale rows, never a crash).

A document's key is the sha256 of its raw bytes together with everything the reader derived from
the manifest and front matter (id, title, date, language, subject companies ...). The rules
version (`rules_version()`) hashes the extractor modules, every file in `ingest/rules/`, the
reference companies and metrics: change any of them and the cache is unused (all re-extracted).

Companies discovered in one document are registered in the shared `CompanyMatcher` and can change
how later documents are read, so a cached result is only valid for the matcher state it was made
with. The rule that keeps an incremental build identical to a full one:

- every document records the registrations it made (`matcher.add` calls, discovered ids); a cached
  document replays them instead of being extracted, so later documents see the same matcher;
- documents run in corpus order; the matcher state of the previous run at the same point is
  rebuilt from the previous run's recorded registrations, and the aliases whose mapping differs
  between the two states are "dirty";
- a cached document is reused only if no dirty alias (nor dirty company id) occurs in its text,
  title or manifest companies -- the matcher is only ever consulted for names the document writes.
  Otherwise it is re-extracted, and its new registrations feed the comparison for later documents.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import polars as pl

from ingest.companies import DEFAULT_COMPANIES_SEED, CompanyMatcher
from ingest.documents import Corpus
from ingest.extract import TABLES, Extraction, Extractors, combine, extract_document
from ingest.lexicon import REF_METRICS_CSV
from ingest.schema import SEED_SCHEMAS
from ingest.text import Document, fold

DEFAULT_CACHE_DIR = Path("build/cache")
CACHE_FORMAT = 1  # bump when the layout below changes
INGEST_DIR = Path(__file__).resolve().parent
RULES_DIR = INGEST_DIR / "rules"
# Modules that do not influence what is extracted from a document (CLI, I/O, reporting).
NOT_EXTRACTION_MODULES = frozenset(
    {"__init__.py", "__main__.py", "cache.py", "evaluate.py", "fetch.py", "progress.py", "seeds.py"}
)
ENTRY_SCHEMA = {
    "_key": pl.String,
    "document_id": pl.String,
    "subject_ids": pl.List(pl.String),
    "registrations": pl.String,  # JSON [[company_id, [names...]], ...] in call order
    "discovered_ids": pl.List(pl.String),
}
_HELPER_COLUMNS = {"_key": pl.String, "_row": pl.Int64}


def _warn(message: str) -> None:
    print(f"ingest: warning: {message}", file=sys.stderr, flush=True)


def rules_version(companies_csv: Path | None = None) -> str:
    """sha256 over the extraction code, the rules files and the reference data the rules read."""
    files = sorted(p for p in INGEST_DIR.glob("*.py") if p.name not in NOT_EXTRACTION_MODULES)
    files += sorted(p for p in RULES_DIR.rglob("*") if p.is_file())
    files += [Path(companies_csv or DEFAULT_COMPANIES_SEED), REF_METRICS_CSV]
    digest = hashlib.sha256(f"cache-format-{CACHE_FORMAT}\n".encode())
    for path in files:
        digest.update(f"{path.name}\n".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def document_key(doc: Document, raw_sha256: str) -> str:
    """Identity of a document's input: raw bytes plus what the manifest / front matter said."""
    facts = [
        raw_sha256,
        hashlib.sha256(doc.text.encode("utf-8", "surrogatepass")).hexdigest(),
        doc.document_id,
        doc.file_name,
        doc.title,
        doc.publisher,
        doc.url,
        doc.published_at.isoformat(),
        doc.language,
        list(doc.subject_companies),
        doc.body_start,
    ]
    return hashlib.sha256(json.dumps(facts, ensure_ascii=False).encode()).hexdigest()


def genuine_extractors(run: Extractors) -> bool:
    """True when `run` are the real rule functions: results of replaced ones (tests) are never cached."""
    from ingest import companies, events, figures, shareholders

    return (
        run.discover_companies is companies.discover_companies
        and run.subject_company_ids is companies.subject_company_ids
        and run.extract_figures is figures.extract_figures
        and run.extract_shareholders is shareholders.extract_shareholders
        and run.extract_events is events.extract_events
    )


# --- the cache files -------------------------------------------------------------------------------


@dataclass
class CachedRun:
    """What the previous run stored: its documents in order and all their rows."""

    entries: pl.DataFrame  # ENTRY_SCHEMA, in the previous run's corpus order
    tables: dict[str, pl.DataFrame]  # extraction attr -> rows with _key, _row

    @classmethod
    def empty(cls) -> CachedRun:
        return cls(
            entries=pl.DataFrame(schema=ENTRY_SCHEMA),
            tables={attr: _with_helpers_schema(seed) for attr, (seed, _) in TABLES.items()},
        )


def _with_helpers_schema(seed: str) -> pl.DataFrame:
    return pl.DataFrame(schema={**SEED_SCHEMAS[seed], **_HELPER_COLUMNS})


def _check_schema(df: pl.DataFrame, expected: dict, path: Path) -> None:
    if dict(df.schema) != dict(expected):
        raise ValueError(f"{path.name}: columns {dict(df.schema)} differ from {dict(expected)}")


def load_cache(cache_dir: Path, version: str) -> CachedRun:
    """The previous run's cache for `version`; empty (with a warning if it was unusable) otherwise."""
    folder = Path(cache_dir) / version
    if not (folder / "manifest.json").exists():
        return CachedRun.empty()
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("format") != CACHE_FORMAT or manifest.get("rules_version") != version:
            raise ValueError("manifest.json names another format or rules version")
        entries = pl.read_parquet(folder / "entries.parquet")
        _check_schema(entries, ENTRY_SCHEMA, folder / "entries.parquet")
        if entries.height != manifest["entries"] or entries["_key"].n_unique() != entries.height:
            raise ValueError("entries.parquet does not hold the documents manifest.json lists")
        tables = {}
        for attr, (seed, _) in TABLES.items():
            path = folder / f"{seed}.parquet"
            frame = pl.read_parquet(path)
            _check_schema(frame, {**SEED_SCHEMAS[seed], **_HELPER_COLUMNS}, path)
            if frame.height != manifest["tables"][seed]:
                raise ValueError(
                    f"{path.name}: {frame.height} rows, manifest.json says {manifest['tables'][seed]}"
                )
            if not frame["_key"].is_in(entries["_key"].implode()).all():
                raise ValueError(f"{path.name}: rows of documents that entries.parquet does not list")
            tables[attr] = frame
    except Exception as exc:  # noqa: BLE001 - any unreadable cache means: extract again, never crash
        _warn(f"cache {folder} is unusable and is ignored, every document is re-extracted ({exc})")
        return CachedRun.empty()
    return CachedRun(entries=entries, tables=tables)


def save_cache(cache_dir: Path, version: str, entries: pl.DataFrame, tables: dict[str, pl.DataFrame]) -> Path:
    """Write this run's cache into a fresh folder, swap it in, and drop other rules versions."""
    root = Path(cache_dir)
    root.mkdir(parents=True, exist_ok=True)
    staging = root / f".tmp-{version}-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        entries.write_parquet(staging / "entries.parquet")
        counts = {}
        for attr, (seed, _) in TABLES.items():
            tables[attr].write_parquet(staging / f"{seed}.parquet")
            counts[seed] = tables[attr].height
        manifest = {
            "format": CACHE_FORMAT,
            "rules_version": version,
            "entries": entries.height,
            "tables": counts,
        }
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        final = root / version
        retired = root / f".old-{version}-{os.getpid()}"
        if final.exists():
            final.rename(retired)
        staging.rename(final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    for other in root.iterdir():  # earlier rules versions, and leftovers of killed runs
        if other.is_dir() and other.name != version and other != staging:
            shutil.rmtree(other, ignore_errors=True)
    return final


# --- matcher registrations -------------------------------------------------------------------------


class RecordingMatcher(CompanyMatcher):
    """A CompanyMatcher sharing another's state that records every `add` call."""

    log: list[tuple[str, tuple[str, ...]]]

    @classmethod
    def around(cls, matcher: CompanyMatcher) -> RecordingMatcher:
        recorder = cls(
            aliases=matcher.aliases, names_zh=matcher.names_zh, discovered_ids=matcher.discovered_ids
        )
        recorder.log = []
        return recorder

    def add(self, company_id: str, *names: str) -> None:
        self.log.append((company_id, names))
        super().add(company_id, *names)


@lru_cache(maxsize=65536)
def _alias_key(name: str) -> str:
    return fold(name).lower()


@dataclass
class Registry:
    """The part of a matcher's state that documents add: alias -> id, first name per id, discovered ids."""

    values: dict[tuple[str, str], object] = field(default_factory=dict)
    aliases_of: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def apply(self, registrations: Iterable[tuple[str, Sequence[str]]], discovered: Iterable[str]) -> list:
        touched: list[tuple[str, str]] = []
        for company_id, names in registrations:
            for name in names:
                if not name:
                    continue
                alias = _alias_key(name)
                old = self.values.get(("alias", alias))
                if old != company_id:
                    if old is not None:
                        self.aliases_of[str(old)].discard(alias)
                    self.values[("alias", alias)] = company_id
                    self.aliases_of[company_id].add(alias)
                    touched.append(("alias", alias))
            if ("name", company_id) not in self.values:  # names_zh.setdefault
                self.values[("name", company_id)] = names[0] if names else company_id
                touched.append(("name", company_id))
        for company_id in discovered:
            if ("discovered", company_id) not in self.values:
                self.values[("discovered", company_id)] = True
                touched.append(("discovered", company_id))
        return touched


@dataclass
class StateComparison:
    """Matcher state of the previous run vs this run at the same document, and where they differ."""

    previous: Registry = field(default_factory=Registry)
    current: Registry = field(default_factory=Registry)
    dirty: set[tuple[str, str]] = field(default_factory=set)

    def _update(self, touched: list[tuple[str, str]]) -> None:
        for key in touched:
            if self.previous.values.get(key) != self.current.values.get(key):
                self.dirty.add(key)
            else:
                self.dirty.discard(key)

    def apply_previous(self, registrations, discovered) -> None:
        self._update(self.previous.apply(registrations, discovered))

    def apply_current(self, registrations, discovered) -> None:
        self._update(self.current.apply(registrations, discovered))

    def affects(self, doc: Document, subject_ids: Sequence[str]) -> bool:
        """Could a differing registration change what is extracted from `doc`?

        The extractors consult the matcher for names the document writes (text, title, manifest
        companies) and list every alias of the document's subject companies (`figure_resolve`).
        """
        if not self.dirty:
            return False
        subjects = set(subject_ids)
        haystack = "\n".join(
            [doc.folded.lower(), _alias_key(doc.title), *(_alias_key(n) for n in doc.subject_companies)]
        )
        for kind, value in self.dirty:
            if kind == "alias":
                owners = {self.previous.values.get((kind, value)), self.current.values.get((kind, value))}
                if value in haystack or owners & subjects:
                    return True
                continue
            aliases = self.previous.aliases_of.get(value, set()) | self.current.aliases_of.get(value, set())
            if value in subjects or value.lower() in haystack or any(a in haystack for a in aliases):
                return True
        return False


# --- the incremental extraction --------------------------------------------------------------------


@dataclass
class IncrementalResult:
    extraction: Extraction
    documents: int
    extracted: int  # documents actually run through the extractors this time

    @property
    def from_cache(self) -> int:
        return self.documents - self.extracted


def _registrations(entry: dict) -> list[tuple[str, tuple[str, ...]]]:
    return [(cid, tuple(names)) for cid, names in json.loads(entry["registrations"])]


def extract_incremental(
    corpus: Corpus,
    matcher: CompanyMatcher,
    cache_dir: Path | None,
    *,
    companies_csv: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    extractors: Extractors | None = None,
) -> IncrementalResult:
    """`extract_corpus` that reuses the cache in `cache_dir` (None: no cache) and rewrites it."""
    run = extractors or Extractors.default()
    if cache_dir is not None and not genuine_extractors(run):
        cache_dir = None  # results of replaced extractors must never reach (or come from) the cache
    version = rules_version(companies_csv) if cache_dir is not None else ""
    previous = load_cache(cache_dir, version) if cache_dir is not None else CachedRun.empty()
    previous_rows = previous.entries.rows(named=True)
    previous_position = {row["_key"]: j for j, row in enumerate(previous_rows)}

    recorder = RecordingMatcher.around(matcher)
    states = StateComparison()
    next_previous = 0  # previous-run documents before this index are applied to states.previous
    keys: list[str] = []
    new_entries: list[dict] = []
    new_parts: dict[str, list[pl.DataFrame]] = {attr: [] for attr in TABLES}
    reused: dict[str, dict] = {}
    total = len(corpus.documents)
    for done, doc in enumerate(corpus.documents, start=1):
        key = document_key(doc, corpus.info[doc.document_id].sha256)
        keys.append(key)
        j = previous_position.get(key)
        hit = False
        if j is not None and j >= next_previous:
            for row in previous_rows[next_previous:j]:  # documents removed or moved since
                states.apply_previous(_registrations(row), row["discovered_ids"])
            hit = not states.affects(doc, previous_rows[j]["subject_ids"])
            states.apply_previous(_registrations(previous_rows[j]), previous_rows[j]["discovered_ids"])
            next_previous = j + 1
        if hit:
            entry = previous_rows[j]
            registrations = _registrations(entry)
            for company_id, names in registrations:  # later documents must see what this one added
                recorder.add(company_id, *names)
            recorder.discovered_ids.update(entry["discovered_ids"])
            reused[key] = entry
        else:
            recorder.log = []
            known_before = set(recorder.discovered_ids)
            part = extract_document(doc, recorder, run)
            registrations = list(recorder.log)
            discovered = sorted(recorder.discovered_ids - known_before)
            entry = {
                "_key": key,
                "document_id": doc.document_id,
                "subject_ids": part.subject_ids[doc.document_id],
                "registrations": json.dumps(registrations, ensure_ascii=False),
                "discovered_ids": discovered,
            }
            new_entries.append(entry)
            for attr in TABLES:
                frame = getattr(part, attr)
                new_parts[attr].append(
                    frame.with_columns(pl.lit(key).alias("_key"), pl.int_range(frame.height).alias("_row"))
                )
        states.apply_current(registrations, entry["discovered_ids"])
        if progress is not None:
            progress(done, total)
    # The caller's matcher shares the recorder's aliases: its compiled pattern may predate them.
    matcher._compiled = None
    matcher._mention_cache.clear()

    order = pl.DataFrame(
        {"_key": keys, "_position": range(len(keys))}, schema={"_key": pl.String, "_position": pl.Int64}
    )
    reused_keys = pl.Series(list(reused), dtype=pl.String)
    tables: dict[str, pl.DataFrame] = {}
    for attr in TABLES:
        cached = previous.tables[attr].filter(pl.col("_key").is_in(reused_keys.implode()))
        tables[attr] = (
            pl.concat([cached, *new_parts[attr]], how="vertical")
            .join(order, on="_key", how="inner")
            .sort("_position", "_row")
            .drop("_position")
        )
    entries = (
        pl.concat(
            [
                pl.DataFrame(list(reused.values()) or None, schema=ENTRY_SCHEMA),
                pl.DataFrame(new_entries or None, schema=ENTRY_SCHEMA),
            ]
        )
        .join(order, on="_key", how="inner")
        .sort("_position")
        .drop("_position")
    )
    subject_ids = dict(zip(entries["document_id"].to_list(), entries["subject_ids"].to_list(), strict=True))
    extraction = combine({attr: [tables[attr].drop("_key", "_row")] for attr in TABLES}, subject_ids)
    if cache_dir is not None:
        try:
            save_cache(cache_dir, version, entries, tables)
        except OSError as exc:  # the seeds are still right; the next run just extracts again
            _warn(f"could not write the cache to {cache_dir}: {exc}")
    return IncrementalResult(extraction, documents=total, extracted=len(new_entries))
