"""After extraction: the documents whose rows the warehouse would refuse, each rejected on its own.

`screen` reads every extracted table (and the documents table) and returns one rejection per document
that carries

- a code outside its vocabulary (`ingest.vocabulary`): reason `unknown_vocabulary`, the detail naming
  the table, the column and the value;
- a value the warehouse cannot store (`ingest.storable`): reason `unstorable_value`, naming the table,
  the column, the value, why, and the quote it was read from.

Each would otherwise fail a dbt test or an expectation of the whole build; rejected here, only their
document is left out (`ingest.__main__.extract_all` removes it and extracts the others again).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from ingest.documents import Corpus, Rejection
from ingest.extract import TABLES, Extraction
from ingest.storable import SuiteRange, value_problems
from ingest.vocabulary import VOCABULARIES_CSV, unknown_codes

MAX_QUOTE = 60  # characters of the quote shown in a rejection's detail
#: The column naming the document a row comes from, when it is not document_id.
DOCUMENT_COLUMN = {"ingest_discovered_companies": "first_document_id"}


def screen(
    corpus: Corpus,
    extraction: Extraction,
    vocab: Mapping[str, frozenset[str]] | None = None,
    ranges: Mapping[str, Sequence[SuiteRange]] | None = None,
) -> list[Rejection]:
    """One rejection per document whose rows hold an unknown code or an unstorable value (its first
    problem, in table order), in corpus order."""
    file_names = {doc.document_id: doc.file_name for doc in corpus.documents}
    tables = {seed: getattr(extraction, attr) for attr, (seed, _) in TABLES.items()}
    tables["ingest_documents"] = corpus.documents_frame(extraction.subject_ids)
    first: dict[str, Rejection] = {}
    for seed, frame in tables.items():
        by = DOCUMENT_COLUMN.get(seed, "document_id")
        if not frame.height or by not in frame.columns:
            continue
        for row in unknown_codes(seed, frame, vocab).iter_rows(named=True):
            document_id = frame[by][row["row"]]
            if document_id in file_names and document_id not in first:
                name = file_names[document_id]
                first[document_id] = Rejection(
                    name,
                    "unknown_vocabulary",
                    f"{name}: {seed}.{row['column']} is {row['value']!r}, not a value of the vocabulary "
                    f"{row['vocabulary']} ({_source(row['vocabulary'])})",
                )
        for row in value_problems(seed, frame, ranges).iter_rows(named=True):
            document_id = frame[by][row["row"]]
            if document_id in file_names and document_id not in first:
                name = file_names[document_id]
                quote = _quote(frame, row["row"])
                first[document_id] = Rejection(
                    name,
                    "unstorable_value",
                    f"{name}: {seed}.{row['column']} {row['value']} {row['problem']}{quote}",
                )
    order = {doc.document_id: i for i, doc in enumerate(corpus.documents)}
    return [first[d] for d in sorted(first, key=order.__getitem__)]


def _source(vocabulary: str) -> str:
    return (
        "seeds/reference/ref_metrics.csv"
        if vocabulary == "metric"
        else f"seeds/reference/{VOCABULARIES_CSV.name}"
    )


def _quote(frame: pl.DataFrame, row: int) -> str:
    if "quote" not in frame.columns or frame["quote"][row] is None:
        return ""
    quote = " ".join(str(frame["quote"][row]).split())
    return f", read from '{quote[:MAX_QUOTE]}{'…' if len(quote) > MAX_QUOTE else ''}'"


def check_rejections(rejected: pl.DataFrame, vocab: Mapping[str, frozenset[str]] | None = None) -> None:
    """Raise ValueError when ingest itself wrote a rejection reason that is not in the vocabulary (a
    bug: dbt and the suites would refuse every build)."""
    bad = unknown_codes("ingest_rejected_documents", rejected, vocab)
    if bad.height:
        row = bad.row(0, named=True)
        raise ValueError(
            f"ingest_rejected_documents: reason {row['value']!r} (for {rejected['file_name'][row['row']]}) "
            f"is not in the vocabulary rejection_reason of {VOCABULARIES_CSV}"
        )
