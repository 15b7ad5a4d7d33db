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

Extraction reads the company registry (`ingest.registry`), which every document's discovery feeds, so
a cached result also depends on the rest of the corpus. Each entry keeps what discovery found in its
document (discovery itself is cached by document key) and its subject companies; the cache keeps the
registry's alias map. A cached document is reused when its key is unchanged, its subjects are the
same, and no alias whose company differs between the previous registry and this one occurs in its
text, title or manifest companies or belongs to one of its subjects -- the only ways extraction can
read the registry. Otherwise it is extracted again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from ingest.companies import DEFAULT_COMPANIES_SEED, CompanyMatcher
from ingest.documents import Corpus
from ingest.extract import DOCUMENT_TABLES, TABLES, Extraction, Extractors, combine
from ingest.lexicon import REF_METRICS_CSV
from ingest.registry import Found, Registry, build_registry
from ingest.schema import SEED_SCHEMAS
from ingest.text import Document, fold
from ingest.timeout import TooSlow, run_limited

DEFAULT_CACHE_DIR = Path("build/cache")
CACHE_FORMAT = 3  # bump when the layout below changes
INGEST_DIR = Path(__file__).resolve().parent
RULES_DIR = INGEST_DIR / "rules"
# Modules that do not influence what is extracted from a document (CLI, I/O, reporting).
NOT_EXTRACTION_MODULES = frozenset(
    {
        "__init__.py",
        "__main__.py",
        "cache.py",
        "evaluate.py",
        "fetch.py",
        "progress.py",
        "seeds.py",
        "real_set.py",
        "parallel.py",
        # checks of what was extracted and limits on how long it may take, not the extraction itself
        "quarantine.py",
        "storable.py",
        "timeout.py",
        "vocabulary.py",
    }
)
ENTRY_SCHEMA = {
    "_key": pl.String,
    "document_id": pl.String,
    "found": pl.String,  # what discovery read in the document (ingest.registry.Found as JSON)
    "subject_ids": pl.List(pl.String),
}
ALIAS_SCHEMA = {"alias": pl.String, "company_id": pl.String}
_HELPER_COLUMNS = {"_key": pl.String, "_row": pl.Int64}
# Above this many changed aliases, checking each document for each of them costs more than it saves.
MAX_DIRTY_ALIASES = 500


def _warn(message: str) -> None:
    print(f"ingest: warning: {message}", file=sys.stderr, flush=True)


def rules_version(companies_csv: Path | None = None) -> str:
    """sha256 over the extraction code, the rules files and the reference data the rules read."""
    files = sorted(
        p for p in INGEST_DIR.rglob("*.py") if p.name not in NOT_EXTRACTION_MODULES or p.parent != INGEST_DIR
    )
    files += sorted(p for p in RULES_DIR.rglob("*") if p.is_file())
    files += [Path(companies_csv or DEFAULT_COMPANIES_SEED), REF_METRICS_CSV]
    digest = hashlib.sha256(f"cache-format-{CACHE_FORMAT}\n".encode())
    for path in files:
        digest.update(
            f"{path.relative_to(INGEST_DIR) if path.is_relative_to(INGEST_DIR) else path.name}\n".encode()
        )
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
    return run == Extractors.default()


# --- the cache files -------------------------------------------------------------------------------


@dataclass
class CachedRun:
    """What the previous run stored: its documents in order, all their rows, its registry's aliases."""

    entries: pl.DataFrame  # ENTRY_SCHEMA, in the previous run's corpus order
    tables: dict[str, pl.DataFrame]  # extraction attr -> rows with _key, _row
    aliases: dict[str, str]  # the previous registry: folded alias -> company id

    @classmethod
    def empty(cls) -> CachedRun:
        return cls(
            entries=pl.DataFrame(schema=ENTRY_SCHEMA),
            tables={attr: _with_helpers_schema(TABLES[attr][0]) for attr in DOCUMENT_TABLES},
            aliases={},
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
        aliases = pl.read_parquet(folder / "aliases.parquet")
        _check_schema(aliases, ALIAS_SCHEMA, folder / "aliases.parquet")
        if aliases.height != manifest["aliases"]:
            raise ValueError(
                f"aliases.parquet: {aliases.height} rows, manifest.json says {manifest['aliases']}"
            )
        tables = {}
        for attr in DOCUMENT_TABLES:
            seed = TABLES[attr][0]
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
    return CachedRun(entries=entries, tables=tables, aliases=dict(aliases.iter_rows()))


def save_cache(
    cache_dir: Path,
    version: str,
    entries: pl.DataFrame,
    tables: Mapping[str, pl.DataFrame],
    aliases: Mapping[str, str],
) -> Path:
    """Write this run's cache into a fresh folder, swap it in, and drop other rules versions."""
    root = Path(cache_dir)
    root.mkdir(parents=True, exist_ok=True)
    staging = root / f".tmp-{version}-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        entries.write_parquet(staging / "entries.parquet")
        alias_frame = pl.DataFrame(
            {"alias": list(aliases), "company_id": list(aliases.values())}, schema=ALIAS_SCHEMA
        )
        alias_frame.write_parquet(staging / "aliases.parquet")
        counts = {}
        for attr in DOCUMENT_TABLES:
            seed = TABLES[attr][0]
            tables[attr].write_parquet(staging / f"{seed}.parquet")
            counts[seed] = tables[attr].height
        manifest = {
            "format": CACHE_FORMAT,
            "rules_version": version,
            "entries": entries.height,
            "aliases": alias_frame.height,
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


# --- what changed in the registry ------------------------------------------------------------------


@dataclass(frozen=True)
class RegistryChange:
    """Aliases whose company differs between the previous registry and this one."""

    dirty: dict[str, tuple[str | None, str | None]]  # alias -> (previous id, current id)

    @classmethod
    def between(cls, previous: Mapping[str, str], current: Mapping[str, str]) -> RegistryChange:
        dirty = {}
        for alias in previous.keys() | current.keys():
            before, now = previous.get(alias), current.get(alias)
            if before != now:
                dirty[alias] = (before, now)
        return cls(dirty)

    def affects(self, doc: Document, subject_ids: Sequence[str]) -> bool:
        """Could the change alter what is extracted from `doc` (see the module docstring)?"""
        if not self.dirty:
            return False
        if len(self.dirty) > MAX_DIRTY_ALIASES:
            return True
        subjects = set(subject_ids)
        haystack = "\n".join(
            [doc.folded.lower(), fold(doc.title).lower(), *(fold(n).lower() for n in doc.subject_companies)]
        )
        return any(
            alias in haystack or before in subjects or now in subjects
            for alias, (before, now) in self.dirty.items()
        )


# --- the incremental extraction --------------------------------------------------------------------


@dataclass
class IncrementalResult:
    extraction: Extraction
    documents: int
    extracted: int  # documents actually run through the extractors this time
    registry: Registry | None = None
    too_slow: list[TooSlow] = field(default_factory=list)  # left out: over the time limit

    @property
    def from_cache(self) -> int:
        return self.documents - self.extracted


# A mapper runs one pass over some documents and returns the results in order, e.g. over worker
# processes (`ingest.parallel.WorkerPool.map`); without one, documents run in this process.
Mapper = Callable[[str, Sequence[Document], object], list]


def extract_incremental(
    corpus: Corpus,
    seed: CompanyMatcher,
    cache_dir: Path | None,
    *,
    companies_csv: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    extractors: Extractors | None = None,
    mapper: Mapper | None = None,
    time_limit: float | None = None,
) -> IncrementalResult:
    """Both extraction passes over `corpus`, reusing the cache in `cache_dir` (None: no cache), which
    is then rewritten. Documents are run by `mapper` (default: in this process, each pass of a
    document limited to `time_limit` seconds; a mapper applies its own). A document over the limit
    is left out of the result and of the cache, and listed in `too_slow`: its discovery no longer
    feeds the registry, but when it ran out of time in the second pass the registry the others were
    extracted with still held it (`ingest.__main__.extract_all` then runs again without it)."""
    from ingest.extract import discover, extract_document, warm_up

    run = extractors or Extractors.default()
    if cache_dir is not None and not genuine_extractors(run):
        cache_dir = None  # results of replaced extractors must never reach (or come from) the cache
    genuine = genuine_extractors(run)
    if mapper is None or not genuine:
        mapper = None
    version = rules_version(companies_csv) if cache_dir is not None else ""
    previous = load_cache(cache_dir, version) if cache_dir is not None else CachedRun.empty()
    previous_rows = {row["_key"]: row for row in previous.entries.iter_rows(named=True)}
    documents = corpus.documents
    keys = [document_key(doc, corpus.info[doc.document_id].sha256) for doc in documents]

    # pass 1: discovery, cached by document key
    found: dict[str, Found] = {}
    to_discover = []
    for doc, key in zip(documents, keys, strict=True):
        row = previous_rows.get(key)
        if row is not None:
            found[doc.document_id] = Found.from_json(doc.document_id, doc.language, row["found"])
        else:
            to_discover.append(doc)
    if mapper is not None:
        fresh = mapper("discover", to_discover, seed)
    else:
        if time_limit and genuine and to_discover:
            warm_up(seed)  # the rules load before the first document's time limit starts
        fresh = [
            run_limited(discover, doc, seed, run, seconds=time_limit, stage="discover") for doc in to_discover
        ]
    too_slow = [f for f in fresh if isinstance(f, TooSlow)]
    found.update({f.document_id: f for f in fresh if not isinstance(f, TooSlow)})
    documents, keys = _without(too_slow, documents, keys)
    registry = build_registry(documents, found, seed)

    # pass 2: extraction, reused while neither the document nor its view of the registry changed
    change = RegistryChange.between(previous.aliases, registry.matcher.aliases)
    reused: set[str] = set()
    to_extract = []
    for doc, key in zip(documents, keys, strict=True):
        row = previous_rows.get(key)
        subjects = registry.subject_ids(doc)
        if row is not None and list(row["subject_ids"]) == subjects and not change.affects(doc, subjects):
            reused.add(key)
        else:
            to_extract.append(doc)
    if mapper is not None:
        parts = mapper("extract", to_extract, registry)
    else:
        if time_limit and genuine and to_extract and not to_discover:
            warm_up(seed)
        parts = []
        for done, doc in enumerate(to_extract, start=1):
            parts.append(
                run_limited(extract_document, doc, registry, run, seconds=time_limit, stage="extract")
            )
            if progress is not None:
                progress(done, len(to_extract))
    slow = [p for p in parts if isinstance(p, TooSlow)]
    if slow:
        too_slow += slow
        documents, keys = _without(slow, documents, keys)
        to_extract = [d for d, p in zip(to_extract, parts, strict=True) if not isinstance(p, TooSlow)]
        parts = [p for p in parts if not isinstance(p, TooSlow)]
    key_of = dict(zip((d.document_id for d in documents), keys, strict=True))

    order = pl.DataFrame(
        {"_key": keys, "_position": range(len(keys))}, schema={"_key": pl.String, "_position": pl.Int64}
    )
    reused_keys = pl.Series(sorted(reused), dtype=pl.String)
    tables: dict[str, pl.DataFrame] = {}
    for attr in DOCUMENT_TABLES:
        cached = previous.tables[attr].filter(pl.col("_key").is_in(reused_keys.implode()))
        new_parts = [
            getattr(part, attr).with_columns(
                pl.lit(key_of[doc.document_id]).alias("_key"),
                pl.int_range(getattr(part, attr).height).alias("_row"),
            )
            for doc, part in zip(to_extract, parts, strict=True)
        ]
        tables[attr] = (
            pl.concat([cached, *new_parts], how="vertical")
            .join(order, on="_key", how="inner")
            .sort("_position", "_row")
            .drop("_position")
        )
    entries = pl.DataFrame(
        [
            {
                "_key": key,
                "document_id": doc.document_id,
                "found": found[doc.document_id].to_json(),
                "subject_ids": registry.subject_ids(doc),
            }
            for doc, key in zip(documents, keys, strict=True)
        ]
        or None,
        schema=ENTRY_SCHEMA,
    )
    extraction = combine(
        {attr: [tables[attr].drop("_key", "_row")] for attr in DOCUMENT_TABLES},
        registry.subjects,
        registry.discovered,
    )
    if cache_dir is not None:
        try:
            save_cache(cache_dir, version, entries, tables, registry.matcher.aliases)
        except OSError as exc:  # the seeds are still right; the next run just extracts again
            _warn(f"could not write the cache to {cache_dir}: {exc}")
    return IncrementalResult(
        extraction, documents=len(documents), extracted=len(to_extract), registry=registry, too_slow=too_slow
    )


def _without(
    slow: Sequence[TooSlow], documents: Sequence[Document], keys: Sequence[str]
) -> tuple[list[Document], list[str]]:
    """`documents` and their `keys` without the documents that ran out of time."""
    gone = {t.document_id for t in slow}
    kept = [(d, k) for d, k in zip(documents, keys, strict=True) if d.document_id not in gone]
    return [d for d, _ in kept], [k for _, k in kept]
