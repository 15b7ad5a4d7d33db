"""Text normalisation for matching, with offsets that stay valid in the original.

`fold(text)` returns a string of exactly the same length as `text`, so a match at
[i, j) in the folded text quotes `text[i:j]` in the original. Folding does:
NFKC per character (full-width digits and punctuation to half-width) when that
keeps one character, traditional → simplified with OpenCC (t2s), and all
Chinese/Western quote marks to a plain double quote.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache

import opencc

_QUOTES = str.maketrans({c: '"' for c in "「」『』“”„‟〝〞＂"} | {c: "'" for c in "‘’‚‛"})


@lru_cache(maxsize=1)
def t2s_converter() -> opencc.OpenCC:
    """The shared OpenCC traditional → simplified converter."""
    return opencc.OpenCC("t2s")


def _nfkc_char(ch: str) -> str:
    out = unicodedata.normalize("NFKC", ch)
    return out if len(out) == 1 else ch


def to_simplified(text: str) -> str:
    """Traditional → simplified, same length as the input (per character if needed)."""
    converter = t2s_converter()
    out = converter.convert(text)
    if len(out) == len(text):
        return out
    # OpenCC phrase rules changed the length somewhere: fall back to characters.
    return "".join(c if len(c) == 1 else text[i] for i, c in enumerate(converter.convert(ch) for ch in text))


def fold(text: str) -> str:
    """Matching form of `text`: same length, NFKC, simplified, plain quotes."""
    half = "".join(_nfkc_char(ch) for ch in text)
    return to_simplified(half).translate(_QUOTES)


@dataclass(frozen=True)
class Document:
    """A decoded source document ready for extraction."""

    document_id: str
    file_name: str
    text: str  # original decoded text (front matter removed is NOT done: offsets are into this)
    published_at: date
    language: str  # zh-Hans / zh-Hant
    title: str = ""
    publisher: str = ""
    url: str = ""
    subject_companies: tuple[str, ...] = ()  # company names or ids from manifest / front matter
    body_start: int = 0  # offset where the body starts (after YAML front matter)
    front_matter: dict = field(default_factory=dict, hash=False, compare=False)

    @cached_property
    def folded(self) -> str:
        return fold(self.text)
