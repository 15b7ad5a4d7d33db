"""Command line: read the source folder, extract, write the seeds.

    python -m ingest [--sources DIR] [--out DIR] [--strict] [--max-bytes N] [--companies CSV]
                     [--cache-dir DIR | --no-cache] [--workers N] [--parquet-out DIR] [--time-limit S]

Defaults: --sources from $SOURCES_DIR (else `sources`), --out `build/extracted`, --max-bytes from
$MAX_DOCUMENT_BYTES (else 2,000,000), --strict when $STRICT is 1/true/yes, --cache-dir from
$INGEST_CACHE_DIR (else `build/cache`). Documents whose bytes, manifest row and extraction rules did
not change since the last run are taken from the cache (see `ingest/cache.py`); the seeds are always
written whole from the current corpus. The documents to discover or extract are spread over --workers
processes (default $INGEST_WORKERS, else the number of CPUs, 1 for a corpus of fewer than 40
documents) with the same result (`ingest/parallel.py`).
--parquet-out DIR also writes a Parquet copy of every seed into DIR (the fast load path of
`python -m pipeline build` for large corpora). --time-limit S (default $DOCUMENT_TIME_LIMIT, else 10)
bounds the seconds each pass over one document may take (`ingest/timeout.py`).

A document is rejected after extraction too, the others built without it: `too_slow` (over the time
limit), `unknown_vocabulary` (a code outside seeds/reference/ref_vocabularies.csv or ref_metrics.csv),
`unstorable_value` (a value the warehouse types or the expectation suites cannot hold; see
`ingest/quarantine.py`).

Exit codes: 0 done (rejected documents are reported but do not fail the run); 1 an error that stops
the run (missing folder, unusable manifest, extractor failure, bad option value, write failure);
2 `--strict` and at least one document was rejected (nothing is extracted or written), or a
command-line usage error (argparse).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.documents import DEFAULT_MAX_BYTES, Corpus, ManifestError, read_corpus
from ingest.progress import Progress
from ingest.schema import EXTRACTED_DIR
from ingest.timeout import DEFAULT_TIME_LIMIT

if TYPE_CHECKING:  # imported lazily at run time so `--help` and option errors stay instant
    from ingest.cache import IncrementalResult
    from ingest.companies import CompanyMatcher

EXIT_OK, EXIT_ERROR, EXIT_REJECTED = 0, 1, 2
_TRUE = {"1", "true", "yes", "on"}


class UsageError(Exception):
    """A bad option or environment value."""


def _positive_int(value: str, source: str, what: str = "bytes") -> int:
    try:
        number = int(value.replace("_", ""))
    except ValueError:
        number = 0
    if number <= 0:
        raise UsageError(f"{source}={value!r} is not a positive whole number of {what}")
    return number


def _positive_seconds(value: str, source: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = 0.0
    if not number > 0 or number == float("inf"):
        raise UsageError(f"{source}={value!r} is not a positive number of seconds")
    return number


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ingest", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=Path, default=Path(os.environ.get("SOURCES_DIR") or "sources"))
    parser.add_argument("--out", type=Path, default=Path(EXTRACTED_DIR))
    parser.add_argument("--strict", action="store_true", help="exit 2 when any document is rejected")
    parser.add_argument("--max-bytes", help=f"largest accepted document (default {DEFAULT_MAX_BYTES})")
    parser.add_argument("--companies", type=Path, help="reference companies CSV (default: the seed)")
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=Path(os.environ.get("INGEST_CACHE_DIR") or "build/cache"),
        help="extraction cache folder (default $INGEST_CACHE_DIR, else build/cache)",
    )
    parser.add_argument("--no-cache", action="store_true", help="extract every document, read/write no cache")
    parser.add_argument(
        "--workers", help="extraction processes (default $INGEST_WORKERS, else CPUs; 1 for tiny corpora)"
    )
    parser.add_argument("--parquet-out", type=Path, help="also write a Parquet copy of every seed here")
    parser.add_argument(
        "--time-limit",
        help=f"seconds per document and pass (default $DOCUMENT_TIME_LIMIT, else {DEFAULT_TIME_LIMIT:g})",
    )
    args = parser.parse_args(argv)
    if args.time_limit is not None:
        args.time_limit = _positive_seconds(args.time_limit, "--time-limit")
    elif os.environ.get("DOCUMENT_TIME_LIMIT"):
        args.time_limit = _positive_seconds(os.environ["DOCUMENT_TIME_LIMIT"], "DOCUMENT_TIME_LIMIT")
    else:
        args.time_limit = DEFAULT_TIME_LIMIT
    if args.workers is not None:
        args.workers = _positive_int(args.workers, "--workers", "processes")
    elif os.environ.get("INGEST_WORKERS"):
        args.workers = _positive_int(os.environ["INGEST_WORKERS"], "INGEST_WORKERS", "processes")
    args.strict = args.strict or os.environ.get("STRICT", "").strip().lower() in _TRUE
    if args.max_bytes is not None:
        args.max_bytes = _positive_int(args.max_bytes, "--max-bytes")
    elif os.environ.get("MAX_DOCUMENT_BYTES"):
        args.max_bytes = _positive_int(os.environ["MAX_DOCUMENT_BYTES"], "MAX_DOCUMENT_BYTES")
    else:
        args.max_bytes = DEFAULT_MAX_BYTES
    return args


def _say(message: str) -> None:
    print(f"ingest: {message}", flush=True)


def extract_all(
    corpus: Corpus,
    seed: CompanyMatcher,
    cache_dir: Path | None,
    *,
    companies_csv: Path | None = None,
    workers: int | None = None,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
) -> IncrementalResult:
    """Both extraction passes over `corpus` through the cache, over `workers` processes (None:
    `default_workers`). Also used by `bench.run`, so benchmarks time this code path.

    The documents that ran over `time_limit`, or whose rows the warehouse would refuse
    (`ingest.quarantine.screen`), are moved to `corpus.rejected`, and the others are extracted again
    without them (from the cache: only those whose view of the company registry changed), so that a
    rejected document leaves nothing behind, not even a company only it named."""
    from ingest.cache import extract_incremental
    from ingest.parallel import default_workers, worker_pool
    from ingest.quarantine import screen

    workers = workers or default_workers(len(corpus.documents))
    progress = Progress("extracting" if workers == 1 else f"extracting ({workers} processes)")
    rejected = []
    with worker_pool(workers, progress, time_limit) as pool:  # one pool for every round
        while True:
            incremental = extract_incremental(
                corpus,
                seed,
                cache_dir,
                companies_csv=companies_csv,
                progress=progress,
                mapper=pool.map if workers > 1 else None,
                time_limit=time_limit,
            )
            rejections = [slow.rejection() for slow in incremental.too_slow]
            rejections += screen(corpus, incremental.extraction)
            if not rejections:
                break
            corpus.reject(rejections)
            rejected += rejections
    progress.close()
    for rejection in rejected:  # after the progress line is done with
        _say(f"REJECTED {rejection.file_name}: {rejection.reason} ({rejection.detail})")
    return incremental


def run(args: argparse.Namespace) -> int:
    # Imported here so `--help` and option errors stay instant.
    from ingest.companies import DEFAULT_COMPANIES_SEED, CompanyMatcher
    from ingest.quarantine import check_rejections
    from ingest.seeds import write_seeds

    started = time.perf_counter()
    progress = Progress("reading")
    corpus = read_corpus(args.sources, max_bytes=args.max_bytes, progress=progress)
    progress.close()
    _say(
        f"read {len(corpus.documents)} documents ({len(corpus.rejected)} rejected) "
        f"in {time.perf_counter() - started:.2f}s"
    )
    for rejection in corpus.rejected:
        _say(f"REJECTED {rejection.file_name}: {rejection.reason} ({rejection.detail})")
    if corpus.ignored:
        more = f" and {len(corpus.ignored) - 10} more" if len(corpus.ignored) > 10 else ""
        _say(f"ignored {len(corpus.ignored)} non-document file(s): {', '.join(corpus.ignored[:10])}{more}")
    if args.strict and corpus.rejected:
        print(
            f"ingest: strict mode: {len(corpus.rejected)} document(s) rejected, nothing written",
            file=sys.stderr,
        )
        return EXIT_REJECTED
    if not corpus.documents:
        print(f"ingest: warning: no usable documents in {args.sources}", file=sys.stderr)

    started = time.perf_counter()
    matcher = CompanyMatcher.from_seed(args.companies or DEFAULT_COMPANIES_SEED)
    cache_dir = None if args.no_cache else args.cache_dir
    read_rejected = len(corpus.rejected)
    incremental = extract_all(
        corpus,
        matcher,
        cache_dir,
        companies_csv=args.companies,
        workers=args.workers,
        time_limit=args.time_limit,
    )
    extraction = incremental.extraction
    if len(corpus.rejected) > read_rejected:
        _say(f"{len(corpus.rejected) - read_rejected} more document(s) rejected after extraction")
        if args.strict:
            print(
                f"ingest: strict mode: {len(corpus.rejected)} document(s) rejected, nothing written",
                file=sys.stderr,
            )
            return EXIT_REJECTED
    _say(
        f"extracted {extraction.figures.height} figures, {extraction.shareholders.height} shareholders, "
        f"{extraction.events.height} events, {extraction.unclassified.height} unclassified "
        f"in {time.perf_counter() - started:.2f}s"
    )
    if extraction.discovered_companies.height or extraction.implied_fx.height:
        _say(
            f"discovered {extraction.discovered_companies.height} new companies, "
            f"{extraction.implied_fx.height} implied FX rates"
        )

    started = time.perf_counter()
    tables = extraction.tables()
    tables["ingest_documents"] = corpus.documents_frame(extraction.subject_ids)
    tables["ingest_rejected_documents"] = corpus.rejected_df
    check_rejections(tables["ingest_rejected_documents"])
    written = write_seeds(tables, args.out, parquet_dir=args.parquet_out)
    _say(f"wrote {len(written)} seed files to {args.out} in {time.perf_counter() - started:.2f}s")
    _say(
        f"extracted {incremental.extracted} of {incremental.documents} documents "
        f"({incremental.from_cache} from cache)"
    )
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = parse_args(argv)
        return run(args)
    except UsageError as exc:
        print(f"ingest: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except ManifestError as exc:
        print(f"ingest: error: bad manifest: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except (FileNotFoundError, NotADirectoryError, PermissionError) as exc:
        print(f"ingest: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("ingest: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - last resort: name the problem, keep the trace for bugs
        from ingest.extract import ExtractionError

        if isinstance(exc, ExtractionError | OSError):
            print(f"ingest: error: {exc}", file=sys.stderr)
        else:
            traceback.print_exc()
            print(f"ingest: error: unexpected {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
