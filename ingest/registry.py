"""The company registry: one discovery pass over the corpus, read-only for extraction after it.

Extraction of a document is a pure function of (document, rules, registry). To make it one, the
companies are settled first:

1. `find_companies(doc, seed)` (in `ingest.companies`) reads each document against the reference
   seed alone: the manifest's companies, subjects named by "X登陆港交所 / 通过聆讯 / 递表…" in the
   title or lead, the short and full names declared beside them, and comparable companies. It does
   not depend on any other document, so it can run in any order, in any process, and be cached.
2. `build_registry` merges those findings in corpus order: a company found in several documents is
   one company, recognised by any name they share (a later document's full name and an earlier
   one's short name are linked through the aliases both declare); it keeps the id of the first
   document that found it. Every name is registered in one `CompanyMatcher`, and each document's
   subject companies are resolved against it.
3. Extraction reads `registry.matcher` and `registry.subjects[document_id]` and changes neither.

`Registry.view_key(doc)` fingerprints everything extraction can read from the registry for one
document (the aliases that occur in its text or title, with their ids, and its subjects with all
their aliases), so the extraction cache reuses a document's rows exactly when that view is unchanged.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import opencc
import polars as pl

from ingest.companies import CompanyMatcher, DiscoveredCompany
from ingest.schema import SEED_SCHEMAS
from ingest.text import Document, fold


@lru_cache(maxsize=1)
def _s2t() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")


@dataclass(frozen=True)
class Found:
    """What discovery read in one document (a pure function of the document and the seed)."""

    document_id: str
    language: str
    companies: tuple[DiscoveredCompany, ...]

    def to_json(self) -> str:
        return json.dumps(
            [
                [
                    c.company_id,
                    c.name_zh,
                    c.name_as_written,
                    c.evidence,
                    c.known,
                    list(c.aliases),
                    c.subject,
                    c.ticker,
                    c.exchange,
                ]
                for c in self.companies
            ],
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, document_id: str, language: str, text: str) -> Found:
        companies = tuple(
            DiscoveredCompany(cid, name, written, evidence, known, tuple(aliases), subject, ticker, exchange)
            for cid, name, written, evidence, known, aliases, subject, ticker, exchange in json.loads(text)
        )
        return cls(document_id, language, companies)


def hant_name(company: DiscoveredCompany, language: str) -> str:
    """The traditional-script name: as written in a zh-Hant document, else converted."""
    return company.name_as_written if language == "zh-Hant" else _s2t().convert(company.name_zh)


@dataclass
class Registry:
    """Companies of a corpus: the seed plus every company discovery found, and each document's subjects."""

    matcher: CompanyMatcher
    discovered: pl.DataFrame  # ingest_discovered_companies rows, in order of first discovery
    subjects: dict[str, list[str]] = field(default_factory=dict)  # document_id -> company ids

    def subject_ids(self, doc: Document) -> list[str]:
        return list(self.subjects.get(doc.document_id, ()))

    def view_key(self, doc: Document) -> str:
        """sha256 of what extraction can read from the registry for `doc` (see the module docstring)."""
        matcher = self.matcher
        seen = matcher.aliases_in(doc.folded) | matcher.aliases_in(fold(doc.title))
        for name in doc.subject_companies:
            seen |= matcher.aliases_in(fold(name))
        subjects = self.subject_ids(doc)
        owned = sorted(a for a, cid in matcher.aliases.items() if cid in set(subjects))
        facts = [sorted((a, matcher.aliases[a]) for a in seen), subjects, owned]
        return hashlib.sha256(json.dumps(facts, ensure_ascii=False).encode()).hexdigest()


def _names(company: DiscoveredCompany, language: str) -> list[str]:
    names = [company.name_zh, company.name_as_written, hant_name(company, language), *company.aliases]
    return list(dict.fromkeys(n for n in names if n))


def build_registry(
    documents: Sequence[Document], found: Mapping[str, Found], seed: CompanyMatcher
) -> Registry:
    """Merge each document's findings in corpus order into one registry (see the module docstring)."""
    matcher = CompanyMatcher(aliases=dict(seed.aliases), names_zh=dict(seed.names_zh))
    known_ids = set(seed.names_zh)
    rows: list[dict] = []
    first_of: dict[str, int] = {}  # company id -> index of its row
    resolved: dict[tuple[str, str], str] = {}  # (document_id, id as found) -> id in the registry
    for doc in documents:
        for company in found[doc.document_id].companies:
            names = _names(company, doc.language)
            if company.known:
                new = [n for n in names if matcher.resolve(n) is None]
                if new:
                    matcher.add(company.company_id, *new)
                resolved[(doc.document_id, company.company_id)] = company.company_id
                continue
            # the same company found by an earlier document: any shared name links them
            earlier = next(
                (cid for n in names if (cid := matcher.resolve(n)) is not None and cid not in known_ids),
                None,
            )
            cid = earlier or company.company_id
            matcher.add(cid, *[n for n in names if matcher.resolve(n) in (None, cid)])
            matcher.discovered_ids.add(cid)
            resolved[(doc.document_id, company.company_id)] = cid
            if cid not in first_of:
                first_of[cid] = len(rows)
                rows.append(
                    {
                        "company_id": cid,
                        "name_zh": company.name_zh,
                        "name_zh_hant": hant_name(company, doc.language),
                        "exchange": company.exchange,
                        "ticker": company.ticker,
                        "first_document_id": doc.document_id,
                        "evidence": company.evidence,
                    }
                )
            elif company.ticker and not rows[first_of[cid]]["ticker"]:
                # the stock code stated by a later document (a filing names none; the debut does)
                rows[first_of[cid]].update(ticker=company.ticker, exchange=company.exchange)
    subjects = {
        doc.document_id: _subjects(doc, found[doc.document_id], matcher, resolved) for doc in documents
    }
    discovered = pl.DataFrame(rows, schema=SEED_SCHEMAS["ingest_discovered_companies"], orient="row")
    return Registry(matcher=matcher, discovered=discovered, subjects=subjects)


def _subjects(
    doc: Document, found: Found, matcher: CompanyMatcher, resolved: Mapping[tuple[str, str], str]
) -> list[str]:
    """Manifest / front-matter companies first, then the subjects found in the title and lead.

    Known companies found only by a trigger are used when the manifest names none; names of one
    entity (a headline form, a full name and its bracketed short name) give one subject.
    """
    ids = matcher.subject_ids(doc)
    for company in found.companies:
        cid = resolved[(doc.document_id, company.company_id)]
        if company.subject and cid not in ids and (not company.known or not ids):
            ids.append(cid)
    return ids


def registry_for(documents: Iterable[Document], seed: CompanyMatcher) -> Registry:
    """Discovery and merge in this process (tests, the evaluator, small corpora)."""
    from ingest.companies import find_companies

    documents = list(documents)
    found = {
        doc.document_id: Found(doc.document_id, doc.language, tuple(find_companies(doc, seed)))
        for doc in documents
    }
    return build_registry(documents, found, seed)
