"""Text normalisation for matching, with offsets that stay valid in the original.

`fold(text)` returns a string of exactly the same length as `text`, so a match at
[i, j) in the folded text quotes `text[i:j]` in the original. Folding does:
NFKC per character (full-width digits and punctuation to half-width) when that
keeps one character, traditional → simplified with OpenCC (t2s), and all
Chinese/Western quote marks to a plain double quote.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache
from pathlib import Path

import opencc
import yaml

_QUOTES = str.maketrans({c: '"' for c in "「」『』“”„‟〝〞＂"} | {c: "'" for c in "‘’‚‛"})


@lru_cache(maxsize=1)
def t2s_converter() -> opencc.OpenCC:
    """The shared OpenCC traditional → simplified converter."""
    return opencc.OpenCC("t2s")


class _NfkcTable(dict):
    """str.translate table: each code point to its NFKC form when that is one character (memoised)."""

    def __missing__(self, code_point: int) -> str:
        ch = chr(code_point)
        out = unicodedata.normalize("NFKC", ch)
        self[code_point] = value = out if len(out) == 1 else ch
        return value


_NFKC = _NfkcTable()


@lru_cache(maxsize=1)
def _char_table() -> dict[str, str]:
    """Every CJK character that OpenCC simplifies on its own, to its simplified form.

    Applied after the phrase conversion: OpenCC's phrase rules sometimes keep a traditional character
    (用於潛在收購 → 用於潜在收购, reading 於潛 as a place name), and matching needs them all folded.
    """
    chars = [chr(cp) for block in (range(0x3400, 0x4DC0), range(0x4E00, 0xA000)) for cp in block]
    converted = t2s_converter().convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):
        converted = [t2s_converter().convert(ch) for ch in chars]
    return {ch: out for ch, out in zip(chars, converted, strict=True) if out != ch and len(out) == 1}


@lru_cache(maxsize=1)
def _residual_traditional() -> re.Pattern[str]:
    return re.compile("[" + "".join(_char_table()) + "]")


def to_simplified(text: str) -> str:
    """Traditional → simplified, same length as the input (per character if needed)."""
    converter = t2s_converter()
    out = converter.convert(text)
    if len(out) != len(text):
        # OpenCC phrase rules changed the length somewhere: fall back to characters.
        out = "".join(
            c if len(c) == 1 else text[i] for i, c in enumerate(converter.convert(ch) for ch in text)
        )
    table = _char_table()
    return _residual_traditional().sub(lambda m: table[m.group()], out)


@lru_cache(maxsize=1)
def _regional_words() -> tuple[re.Pattern[str], dict[str, str], re.Pattern[str], dict[str, str]]:
    """(words pattern, replacements, year-on-year pattern, its replacements) of regional_words.yml."""
    path = Path(__file__).parent / "rules" / "regional_words.yml"
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    words = {str(k): str(v) for k, v in spec["words"].items()}
    uneven = [f"{k}→{v}" for k, v in words.items() if len(k) != len(v)]
    if uneven:
        raise ValueError(f"{path}: a replacement must keep the length of its word: {uneven}")
    yoy = spec["year_on_year"]
    turns = {"增": str(yoy["rise"]), "减": str(yoy["fall"])}
    if any(len(v) != 2 for v in turns.values()):
        raise ValueError(f"{path}: year_on_year replacements must be two characters (年增 / 年减)")
    pattern = re.compile("|".join(sorted(map(re.escape, words), key=len, reverse=True)))
    return pattern, words, re.compile(yoy["pattern"]), turns


def _mainland_words(text: str) -> str:
    pattern, words, yoy, turns = _regional_words()
    text = pattern.sub(lambda m: words[m.group()], text)
    return yoy.sub(lambda m: turns[m.group("dir")], text)


def fold(text: str) -> str:
    """Matching form of `text`: same length, NFKC, simplified, plain quotes, mainland financial words."""
    half = text if unicodedata.is_normalized("NFKC", text) else text.translate(_NFKC)
    return _mainland_words(to_simplified(half).translate(_QUOTES))


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
