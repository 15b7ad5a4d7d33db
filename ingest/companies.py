"""Company recognition: aliases from the reference seed matched in folded text.

Interface used by the other extractors (keep it stable):

- `CompanyMatcher.from_seed(path)` builds a matcher from `seeds/reference/ref_companies.csv`.
- `matcher.find_mentions(folded) -> list[CompanyMention]`, longest alias first, no overlaps.
- `matcher.resolve(name) -> company_id | None` for a name as written (either script).
- `matcher.subject_ids(doc) -> list[str]`: the document's subject companies.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from ingest.text import Document, fold

DEFAULT_COMPANIES_SEED = Path(__file__).resolve().parent.parent / "seeds/reference/ref_companies.csv"


@dataclass(frozen=True)
class CompanyMention:
    start: int
    end: int
    company_id: str
    alias: str  # the folded alias that matched


@dataclass
class CompanyMatcher:
    aliases: dict[str, str]  # folded alias -> company_id
    names_zh: dict[str, str]  # company_id -> simplified name

    @classmethod
    def from_seed(cls, path: Path = DEFAULT_COMPANIES_SEED) -> CompanyMatcher:
        aliases: dict[str, str] = {}
        names: dict[str, str] = {}
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                cid = row["company_id"]
                names[cid] = row["name_zh"]
                candidates = [row["name_zh"], row["name_zh_hant"], row["name_en"]]
                candidates += [a for a in (row.get("aliases") or "").split("|")]
                for alias in candidates:
                    alias = alias.strip()
                    if alias:
                        aliases[fold(alias).lower()] = cid
        return cls(aliases=aliases, names_zh=names)

    def add(self, company_id: str, *names: str) -> None:
        """Register an extra company (e.g. discovered in a document)."""
        for name in names:
            if name:
                self.aliases[fold(name).lower()] = company_id
        self.names_zh.setdefault(company_id, names[0] if names else company_id)

    def _pattern(self) -> re.Pattern[str]:
        ordered = sorted(self.aliases, key=len, reverse=True)
        return re.compile("|".join(re.escape(a) for a in ordered), re.IGNORECASE)

    def find_mentions(self, folded: str) -> list[CompanyMention]:
        if not self.aliases:
            return []
        out = []
        for m in self._pattern().finditer(folded):
            alias = m.group(0).lower()
            # Latin aliases must not match inside longer words (e.g. 'Zhipu' in 'ZhipuX').
            if alias.isascii():
                before = folded[m.start() - 1] if m.start() else " "
                after = folded[m.end()] if m.end() < len(folded) else " "
                if before.isalnum() and before.isascii() or after.isalnum() and after.isascii():
                    continue
            out.append(CompanyMention(m.start(), m.end(), self.aliases[alias], alias))
        return out

    def resolve(self, name: str) -> str | None:
        return self.aliases.get(fold(name).strip().lower())

    def subject_ids(self, doc: Document) -> list[str]:
        ids = []
        for name in doc.subject_companies:
            cid = self.resolve(name) or (name if name in self.names_zh else None)
            if cid and cid not in ids:
                ids.append(cid)
        return ids
