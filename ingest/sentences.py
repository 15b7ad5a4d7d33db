"""Sentence splitting with offsets, and the spans that never hold figures (URLs, footnotes, images)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# A sentence ends after 。！？!? or ；; (a closing quote right after stays with it), or at a line break.
_SENTENCE = re.compile(r"[^。！？!?；;\n]+(?:[。！？!?；;]+\"?)?|[。！？!?；;]+")
# Section headings: markdown '#', Chinese numbering '一、', bold-only lines, figure captions '▲'.
_HEADING = re.compile(r"^\s*(?:#{1,6}\s|[一二三四五六七八九十]+、|\*\*[^*]+\*\*\s*$|▲|图\d*[:：])")
# Lines with no figures of their own: footnote definitions, image lines, front matter fences.
_SKIP_LINE = re.compile(r"^\s*(?:\[\^[^\]]*\]:|!\[|---\s*$|notice:|特别声明)", re.IGNORECASE)
_NO_FIGURE_SPAN = re.compile(
    r"https?://\S+|www\.\S+|\]\([^)]*\)|\[\^[^\]]*\]|!\[[^\]]*\]\([^)]*\)"
    # citation markers of summaries: '[4]', '[1][9]', '^3^', '【2】'
    r"|\[\d{1,3}(?:\s?[,，、-]\s?\d{1,3})*\]|\^\d{1,3}\^|【\d{1,3}】"
)
# Inside a line, these end a sentence too: a bullet after a word (' - ', '•'; not the range
# '1 - 3月' after a digit, nor the minus sign of '为 - 3.3亿元' / '、 - 1.97亿元'), and a run of
# citation markers, which closes the statement it cites.
_INLINE_BREAK = re.compile(
    r"(?<![\d\s为是达约至到、,，])\s+[-–—•·●▪■◆]\s+|(?<![\d\s])\s*[•●▪■◆](?=\S)"
    r"|(?:\s?(?:\[\d{1,3}(?:\s?[,，、-]\s?\d{1,3})*\]|\^\d{1,3}\^|【\d{1,3}】))+"
)


# Summary pages that flatten a key-value table one cell per line with a lone '|' between cells:
# 'key' / '|' / 'value'. The key and its value make one sentence, so the value gets the key's words.
_PIPE_LINE = re.compile(r"^\s*\|\s*$")
_CELL_KEY = re.compile(r"^\s*[^\d|。！？!?；;,，]{0,12}[\u4e00-\u9fff][^|。！？!?；;,，]{0,4}\s*$")
_CELL_VALUE = re.compile(r"^[^|]*\d[^|]*$")


def _key_value_cells(lines: list[tuple[int, str]]) -> dict[int, int]:
    """Index of a key line -> index of its value line, for 'key' / '|' / 'value' runs."""
    pairs: dict[int, int] = {}
    for i in range(len(lines) - 2):
        key, pipe, value = lines[i][1], lines[i + 1][1], lines[i + 2][1]
        cell = _PIPE_LINE.match(pipe) and _CELL_KEY.match(key) and _CELL_VALUE.match(value.strip())
        if cell and i not in pairs.values():  # a value is never the key of the next cell
            pairs[i] = i + 2
    return pairs


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    paragraph: int  # index of the line the sentence is on
    heading: bool  # on a section-heading line: figures there are summaries, not records
    table: bool = False  # a markdown table row: cells lose the words that say what they are


def split_sentences(folded: str, start: int = 0) -> list[Sentence]:
    """Sentences of `folded[start:]`, offsets into `folded`; skipped lines are left out."""
    out: list[Sentence] = []
    lines, pos = [], start
    for line in folded[start:].split("\n"):
        lines.append((pos, line))
        pos += len(line) + 1
    cells = _key_value_cells(lines)
    values = set(cells.values())
    paragraph = 0
    for i, (line_start, line) in enumerate(lines):
        if not line.strip() or _PIPE_LINE.match(line):
            continue
        paragraph += 1
        if i in values or _SKIP_LINE.match(line):
            continue
        if i in cells:  # 'key' / '|' / 'value': one sentence from the key to the end of the value
            value_start, value = lines[cells[i]]
            s, e = line_start + len(line) - len(line.lstrip()), value_start + len(value.rstrip())
            out.append(Sentence(s, e, paragraph, False, False))
            continue
        heading = bool(_HEADING.match(line))
        table = line.lstrip().startswith("|")
        for m in _SENTENCE.finditer(line):
            for s, e in _inline_parts(folded, line_start + m.start(), line_start + m.end()):
                while s < e and folded[s].isspace():
                    s += 1
                if s < e:
                    out.append(Sentence(s, e, paragraph, heading, table))
    return out


def _inline_parts(folded: str, start: int, end: int) -> list[tuple[int, int]]:
    """[start, end) cut at bullets and citation markers inside it (the marks themselves dropped)."""
    parts, pos = [], start
    for m in _INLINE_BREAK.finditer(folded, start, end):
        if m.start() > pos:
            parts.append((pos, m.start()))
        pos = m.end()
    if pos < end:
        parts.append((pos, end))
    return parts


def no_figure_spans(folded: str) -> list[tuple[int, int]]:
    """URLs, link targets, footnote marks and images: numbers inside them are not figures."""
    return [(m.start(), m.end()) for m in _NO_FIGURE_SPAN.finditer(folded)]
