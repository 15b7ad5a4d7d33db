"""Read the source folder safely: manifest + documents → accepted `Document`s and quarantined files.

Nothing a source folder contains may crash the pipeline or sneak garbage into the warehouse:
every file is either accepted (decoded, dated, with a language) or rejected with a short reason
code and a detail naming the file. Only a manifest without its required header is fatal
(`ManifestError`), because then no row can be trusted.

Reason codes (column `reason` of `ingest_rejected_documents`):

- ``malformed_manifest_row``  wrong number of fields, no file name, or a field longer than
                              ``MAX_MANIFEST_FIELD`` characters (the other rows are read)
- ``duplicate_manifest_row``  the same file listed twice (the later row is rejected)
- ``path_escape``             absolute path, ``..`` or a symlink resolving outside the source folder
- ``missing_file``            manifest row whose file does not exist (or a dangling symlink)
- ``not_a_file``              a directory / device / FIFO where a document was expected, or a link to
                              the manifest (or another file of the folder that is not a document)
- ``bad_file_name``           a file name holding control characters (ESC, C1 ...)
- ``unsupported_type``        manifest row pointing at something other than .txt/.md/.html
- ``too_large``               more bytes than ``max_bytes``
- ``empty``                   0 bytes, only whitespace / zero-width characters, or only front matter
- ``binary``                  NUL bytes, control characters, or a known binary signature (PDF, PNG…)
- ``undecodable``             no plausible Chinese encoding decodes the bytes
- ``mojibake``                decodes, but the text is garbled (replacement characters, latin-1 soup,
                              or characters far too rare to be real Chinese)
- ``bad_front_matter``        YAML front matter that does not parse to a mapping, or whose aliases
                              expand to more than ``MAX_ALIAS_EXPANSION`` nodes (a "billion laughs")
- ``bad_date``                no publication date, not YYYY-MM-DD, or outside 1990-01-01..today+1 year
- ``bad_language``            language not zh-Hans / zh-Hant (or alias), or no Chinese text at all
- ``no_manifest_row``         a document not in the manifest and without front matter title + date
- ``duplicate_id``            two files with the same stem (document_id)
- ``duplicate``               same normalised text as an earlier document (detail names it)
- ``bad_company_name``        a subject company (manifest or front matter) with no letter, digit or
                              Chinese character: it cannot become a company id

Reading never blocks: the manifest and every document are opened non-blocking and must be regular
files (a FIFO named manifest.csv is a `ManifestError`, not a hang). Control characters other than
newline and tab (ESC and the rest of C0, DEL, C1) are replaced by spaces in the text, so that stored
quotes and titles hold none while every offset stays valid (the text keeps its length), and are
dropped from the manifest and front matter values.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import stat
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath

import numpy as np
import polars as pl
import yaml

from ingest.schema import SEED_SCHEMAS, conform
from ingest.text import Document, fold, t2s_converter

MANIFEST_NAME = "manifest.csv"
MANIFEST_COLUMNS = ("file", "title", "publisher", "published_at", "url", "language", "companies")
DOCUMENT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
IGNORED_NAMES = frozenset({MANIFEST_NAME, "urls.txt"})
DEFAULT_MAX_BYTES = 2_000_000
EARLIEST_DATE = date(1990, 1, 1)
MAX_FRONT_MATTER_CHARS = 65_536
# Python's csv default field limit: a longer field is a broken row (an unclosed quote swallowing the
# rest of the file, or a pasted document), rejected on its own.
MAX_MANIFEST_FIELD = 131_072
# Nodes that YAML aliases may add to front matter beyond its own: a real header has a handful, a
# "billion laughs" (aliases of aliases) expands 1 KB into billions, which str() would then build.
MAX_ALIAS_EXPANSION = 1_000

LANGUAGE_ALIASES = {
    "zh-hans": "zh-Hans",
    "zh-cn": "zh-Hans",
    "zh-sg": "zh-Hans",
    "zh-my": "zh-Hans",
    "zh-hans-cn": "zh-Hans",
    "zh-hant": "zh-Hant",
    "zh-tw": "zh-Hant",
    "zh-hk": "zh-Hant",
    "zh-mo": "zh-Hant",
    "zh-hant-tw": "zh-Hant",
    "zh-hant-hk": "zh-Hant",
}
# Share of ideographs that OpenCC t2s changes above which a text counts as traditional.
# Simplified articles score ~0, traditional ones ~0.3.
TRADITIONAL_SHARE = 0.05
# Share of ideographs that must be common (GB2312 level 1 or Big5 level 1) for a text to be real
# Chinese. Real articles score ≥ 0.95 (≥ 0.99 when long); UTF-8 read as GBK or Big5 read as GBK
# score ≤ 0.55. Below MIN_IDEOGRAPHS_TO_JUDGE a few rare names could tip the share: not judged.
PLAUSIBLE_COMMON_SHARE = 0.7
MIN_IDEOGRAPHS_TO_JUDGE = 12
# Garbling, script and control characters are properties of the whole file: a prefix is enough.
_SAMPLE_CHARS = 20_000

_COMPANY_SEPARATORS = re.compile(r"[|;；、,，]")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_IDEOGRAPH = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")
# Stored text holds no control character but newline and tab: C0 (ESC ...), DEL and C1.
_STORED_CONTROLS = "".join(
    chr(cp) for cp in [*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]
)
_CONTROLS_TO_SPACES = str.maketrans(dict.fromkeys(map(ord, _STORED_CONTROLS), " "))
_CONTROLS_DROPPED = str.maketrans(dict.fromkeys(map(ord, _STORED_CONTROLS), None))
_ANY_STORED_CONTROL = re.compile(f"[{re.escape(_STORED_CONTROLS)}]")
# Characters that carry no text: whitespace (incl. ideographic space) and zero-width marks.
_BLANK_CHARS = (
    "".join(chr(cp) for cp in range(0x10000) if chr(cp).isspace()) + "\u200b\u200c\u200d\u2060\ufeff"
)
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL | re.MULTILINE)
_GARBLE_MARKERS = ("锟斤拷", "烫烫烫", "屯屯屯")
_BINARY_SIGNATURES = {
    b"%PDF-": "a PDF",
    b"\x89PNG\r\n\x1a\n": "a PNG image",
    b"GIF87a": "a GIF image",
    b"GIF89a": "a GIF image",
    b"\xff\xd8\xff": "a JPEG image",
    b"PK\x03\x04": "a ZIP/Office archive",
    b"\x1f\x8b": "a gzip archive",
    b"\x7fELF": "an ELF executable",
    b"\xd0\xcf\x11\xe0": "an OLE (old Office) file",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf\x27\x1c": "a 7z archive",
}
_BOMS = (  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
    (b"\xff\xfe\x00\x00", "utf-32-le", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le", "utf-16"),
    (b"\xfe\xff", "utf-16-be", "utf-16"),
)
# Legacy encodings a Chinese article plausibly uses (GB18030 ⊃ GBK ⊃ GB2312; Big5-HKSCS ⊃ Big5).
_LEGACY_CODECS = ("gb18030", "big5", "big5hkscs")
_CHARSET_NORMALIZER_CODECS = ["gb18030", "gbk", "gb2312", "big5", "big5hkscs", "cp950", "cp936"]


class ManifestError(Exception):
    """The manifest cannot be used at all (missing header columns, undecodable)."""


@dataclass(frozen=True)
class Rejection:
    file_name: str
    reason: str
    detail: str

    def __post_init__(self) -> None:
        # One line per rejection: YAML and codec errors come with line breaks. Control characters of a
        # file name are shown escaped (printed raw, ESC would drive the terminal).
        object.__setattr__(self, "file_name", visible(self.file_name))
        object.__setattr__(self, "detail", " ".join(visible(self.detail).split()))


def visible(text: str) -> str:
    """`text` with each control character (but newline and tab) written as its escape, e.g. \\x1b."""
    return _ANY_STORED_CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def without_controls(text: str) -> str:
    """`text` without control characters (but newline and tab): for values no offset points into."""
    return text.translate(_CONTROLS_DROPPED)


@dataclass(frozen=True)
class DocumentInfo:
    """Facts about the raw file that the `Document` itself does not carry."""

    sha256: str  # of the raw bytes
    encoding: str


@dataclass
class Corpus:
    documents: list[Document] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    info: dict[str, DocumentInfo] = field(default_factory=dict)  # document_id -> raw-file facts
    ignored: list[str] = field(default_factory=list)  # files in the folder that are not documents

    def documents_frame(self, subject_ids: Mapping[str, Sequence[str]] | None = None) -> pl.DataFrame:
        """`ingest_documents`; `subject_ids` (document_id → company_ids) replaces the names as written."""
        rows = []
        for doc in self.documents:
            info = self.info[doc.document_id]
            subjects = doc.subject_companies
            if subject_ids is not None and doc.document_id in subject_ids:
                subjects = tuple(subject_ids[doc.document_id])
            rows.append(
                {
                    "document_id": doc.document_id,
                    "file_name": doc.file_name,
                    "title": doc.title,
                    "publisher": doc.publisher,
                    "published_at": doc.published_at,
                    "url": doc.url,
                    "language": doc.language,
                    "subject_companies": "|".join(subjects),
                    "sha256": info.sha256,
                    "encoding": info.encoding,
                    "char_count": len(doc.text),
                }
            )
        return _frame(rows, "ingest_documents")

    @property
    def documents_df(self) -> pl.DataFrame:
        return self.documents_frame()

    def reject(self, rejections: Sequence[Rejection]) -> None:
        """Move the accepted documents that `rejections` name (by file name) to the rejected ones."""
        names = {r.file_name for r in rejections}
        for doc in self.documents:
            if doc.file_name in names:
                del self.info[doc.document_id]
        self.documents = [doc for doc in self.documents if doc.file_name not in names]
        self.rejected.extend(rejections)

    @property
    def rejected_df(self) -> pl.DataFrame:
        rows = [{"file_name": r.file_name, "reason": r.reason, "detail": r.detail} for r in self.rejected]
        return _frame(rows, "ingest_rejected_documents")


def _frame(rows: list[dict], name: str) -> pl.DataFrame:
    return conform(pl.DataFrame(rows, schema=SEED_SCHEMAS[name]), name)


class _Reject(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class _ManifestRow:
    line: int
    values: dict[str, str]


# --------------------------------------------------------------------------- manifest


def read_manifest(path: Path) -> tuple[list[_ManifestRow], list[Rejection]]:
    """Rows of `manifest.csv` keyed by column, plus rejections for malformed rows.

    A missing file means an empty manifest (documents then need front matter); a missing
    required column is fatal. Extra columns are allowed and ignored.
    """
    if not os.path.lexists(path):
        return [], []
    if path.is_symlink():
        resolved = path.resolve()
        if not resolved.is_relative_to(path.parent.resolve()):
            raise ManifestError(f"{path}: is a symlink to {resolved}, outside the source folder")
    try:
        raw = read_regular(path, limit=None)
    except _Reject as rej:  # its detail names the path
        raise ManifestError(rej.detail) from None
    except OSError as exc:
        raise ManifestError(f"{path}: cannot be read ({exc.strerror})") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ManifestError(f"{path}: not valid UTF-8 ({exc.reason} at byte {exc.start})") from exc
    previous_limit = csv.field_size_limit()
    try:
        # No field limit while parsing (it would stop the whole file at the first long field);
        # rows with a field over MAX_MANIFEST_FIELD are rejected one by one below.
        csv.field_size_limit(max(previous_limit, len(text) + 1))
        return _manifest_rows(path, text)
    finally:
        csv.field_size_limit(previous_limit)


def _manifest_rows(path: Path, text: str) -> tuple[list[_ManifestRow], list[Rejection]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in MANIFEST_COLUMNS if c not in header]
    if missing:
        raise ManifestError(f"{path}: missing required column(s) {', '.join(missing)} in the header")
    file_index = header.index("file")
    rows: list[_ManifestRow] = []
    rejected: list[Rejection] = []
    try:
        for fields in reader:
            line = reader.line_num
            if not any(f.strip() for f in fields):
                continue  # blank line
            named = fields[file_index].strip() if len(fields) > file_index else ""
            where = f"{MANIFEST_NAME} line {line}"
            long = [i for i, f in enumerate(fields) if len(f) > MAX_MANIFEST_FIELD]
            if long:
                column = header[long[0]] if long[0] < len(header) else f"field {long[0] + 1}"
                named = named if len(named) <= 200 else ""  # a file name that long is the broken field
                rejected.append(
                    Rejection(
                        named or where,
                        "malformed_manifest_row",
                        f"{named + ': ' if named else ''}{where}: column {column} holds "
                        f"{len(fields[long[0]]):,} characters, more than {MAX_MANIFEST_FIELD:,} "
                        "(an unclosed quote?)",
                    )
                )
                continue
            if len(fields) != len(header):
                rejected.append(
                    Rejection(
                        named or where,
                        "malformed_manifest_row",
                        f"{named + ': ' if named else ''}{where} has {len(fields)} fields, "
                        f"the header has {len(header)}",
                    )
                )
                continue
            values = {h: v.strip() for h, v in zip(header, fields, strict=True)}
            if not values["file"]:
                rejected.append(Rejection(where, "malformed_manifest_row", f"{where} has no file name"))
                continue
            rows.append(_ManifestRow(line, values))
    except csv.Error as exc:
        raise ManifestError(f"{path}: line {reader.line_num}: {exc}") from exc
    return rows, rejected


def split_companies(value: object) -> tuple[str, ...]:
    """'云知声|智谱、商汤' or a YAML list → ('云知声', '智谱', '商汤'), order kept, no duplicates."""
    if value is None:
        return ()
    parts = value if isinstance(value, list | tuple) else _COMPANY_SEPARATORS.split(str(value))
    out: list[str] = []
    for part in parts:
        name = str(part).strip()
        if name and name not in out:
            out.append(name)
    return tuple(out)


# --------------------------------------------------------------------------- paths


def _relative_name(written: str) -> str:
    """Lexical path of a manifest entry relative to the folder; raises path_escape when it leaves it."""
    cleaned = written.replace("\\", "/")
    if cleaned.startswith(("/", "~")) or re.match(r"[A-Za-z]:/", cleaned):
        raise _Reject("path_escape", f"{written}: absolute paths are not allowed in {MANIFEST_NAME}")
    rel = os.path.normpath(cleaned)
    if rel == ".." or rel.startswith("../"):
        raise _Reject("path_escape", f"{written}: resolves outside the source folder")
    return PurePosixPath(rel).as_posix()


def _check_inside(root_resolved: Path, path: Path, name: str) -> None:
    """Symlinks (of the file or a parent folder) must not lead outside the source folder, nor to a
    file of it that is not a document (the manifest read as an article)."""
    if "/" not in name and not path.is_symlink():
        return  # a plain file directly in the folder: nothing to resolve (fast path)
    resolved = path.resolve()
    if not resolved.is_relative_to(root_resolved):
        raise _Reject("path_escape", f"{name}: resolves to {resolved}, outside the source folder")
    target = resolved.relative_to(root_resolved).as_posix()
    if target != name and _is_ignored(target):
        raise _Reject("not_a_file", f"{name}: is a link to {target}, which is not a document")


def read_regular(path: Path, limit: int | None, name: str | None = None) -> bytes:
    """The bytes of `path` (at most `limit` + 1 of them), or _Reject(not_a_file) when it is not a
    regular file. Opened non-blocking, so a FIFO (or a device) swapped in after any earlier check
    never blocks the read: its type is checked on the open descriptor."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = (
                "a directory"
                if stat.S_ISDIR(mode)
                else "a FIFO"
                if stat.S_ISFIFO(mode)
                else "not a regular file"
            )
            raise _Reject("not_a_file", f"{name or path}: is {kind}")
        chunks, size = [], 0
        while limit is None or size <= limit:
            chunk = os.read(fd, 1 << 20 if limit is None else min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _is_ignored(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return base in IGNORED_NAMES or base.startswith(".") or base.upper().startswith("README")


def _scan_folder(root: Path) -> tuple[list[str], list[str], list[Rejection]]:
    """(document files, ignored files, rejections) found under `root`, sorted, relative posix names.

    Sub-folders are searched too (manifest paths may be nested), except hidden ones and those with
    their own manifest.csv (a separate corpus, read on its own).
    """
    docs: list[str] = []
    ignored: list[str] = []
    rejected: list[Rejection] = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        prefix = "" if rel_dir == "." else PurePosixPath(rel_dir).as_posix() + "/"
        for d in list(dirnames):
            if d.startswith("."):
                dirnames.remove(d)
            elif (Path(dirpath) / d / MANIFEST_NAME).exists():
                dirnames.remove(d)
                ignored.append(f"{prefix + d}/")
            elif Path(d).suffix.lower() in DOCUMENT_SUFFIXES:
                dirnames.remove(d)
                rejected.append(Rejection(prefix + d, "not_a_file", f"{prefix + d} is a directory"))
        for f in filenames:
            name = prefix + f
            if _is_ignored(name):
                continue
            (docs if Path(f).suffix.lower() in DOCUMENT_SUFFIXES else ignored).append(name)
    return sorted(docs), sorted(ignored), sorted(rejected, key=lambda r: r.file_name)


# --------------------------------------------------------------------------- character statistics

# Bit flags of the per-code-point lookup table (Basic Multilingual Plane only).
_IDEO, _COMMON_SIMPLIFIED, _COMMON_TRADITIONAL, _LATIN1_SOUP, _TRADITIONAL_FORM, _CONTROL = 1, 2, 4, 8, 16, 32


@lru_cache(maxsize=1)
def _char_table() -> np.ndarray:
    """Flags per BMP code point: ideograph, common simplified (GB2312 level 1), common traditional
    (Big5 level 1), latin-1 soup (C1 controls and accented letters), "OpenCC t2s changes it", control.

    Derived from the codecs and OpenCC themselves, so no word list has to be shipped, and a lookup
    in a numpy array answers every question about a text in one vectorised pass.
    """
    table = np.zeros(0x10000, dtype=np.uint8)
    ideographs = [range(0x3400, 0x4DC0), range(0x4E00, 0xA000), range(0xF900, 0xFB00)]
    for block in ideographs:
        table[block.start : block.stop] |= _IDEO
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            _flag(table, bytes((lead, trail)), "gb2312", _COMMON_SIMPLIFIED)
    for lead in range(0xA4, 0xC7):
        for trail in [*range(0x40, 0x7F), *range(0xA1, 0xFF)]:
            _flag(table, bytes((lead, trail)), "big5", _COMMON_TRADITIONAL)
    table[0x80:0xA0] |= _LATIN1_SOUP
    table[0xC0:0x100] |= _LATIN1_SOUP
    for cp in [*range(0x09), 0x0B, *range(0x0E, 0x20), 0x7F]:
        table[cp] |= _CONTROL
    chars = [chr(cp) for block in ideographs for cp in block]
    simplified = t2s_converter().convert("\n".join(chars)).split("\n")
    if len(simplified) != len(chars):
        simplified = [t2s_converter().convert(ch) for ch in chars]
    for ch, simple in zip(chars, simplified, strict=True):
        if simple != ch:
            table[ord(ch)] |= _TRADITIONAL_FORM
    return table


def _flag(table: np.ndarray, pair: bytes, codec: str, flag: int) -> None:
    try:
        ch = pair.decode(codec)
    except UnicodeDecodeError:
        return
    if len(ch) == 1 and table[ord(ch)] & _IDEO:
        table[ord(ch)] |= flag


@dataclass(frozen=True)
class TextProfile:
    ideographs: int
    common_simplified: int
    common_traditional: int
    latin1_soup: int
    traditional_forms: int
    controls: int

    @property
    def common_share(self) -> float:
        """Share of the ideographs that are common characters of one script."""
        best = max(self.common_simplified, self.common_traditional)
        return best / self.ideographs if self.ideographs else 0.0


def profile_text(text: str) -> TextProfile:
    """Character statistics of the first `_SAMPLE_CHARS` characters of `text`."""
    points = np.frombuffer(text[:_SAMPLE_CHARS].encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    flags = _char_table()[points[points < 0x10000]]

    def count(flag: int) -> int:
        return int(np.count_nonzero(flags & flag))

    return TextProfile(
        ideographs=count(_IDEO),
        common_simplified=count(_COMMON_SIMPLIFIED),
        common_traditional=count(_COMMON_TRADITIONAL),
        latin1_soup=count(_LATIN1_SOUP),
        traditional_forms=count(_TRADITIONAL_FORM),
        controls=count(_CONTROL),
    )


def common_share(text: str) -> tuple[int, float]:
    """(number of ideographs, best share of them that are common in one script)."""
    profile = profile_text(text)
    return profile.ideographs, profile.common_share


# --------------------------------------------------------------------------- decoding


def _mojibake_problem(text: str) -> str | None:
    """Why `text` looks garbled, or None when it looks like real (Chinese) text."""
    bad = text.count("\ufffd")
    if bad:
        return f"{bad} replacement character(s) (U+FFFD): the text was damaged by an earlier wrong decoding"
    marker = next((m for m in _GARBLE_MARKERS if m in text), None)
    if marker:
        return f"contains '{marker}', the signature of text decoded with the wrong encoding"
    profile = profile_text(text)
    n, share, soup = profile.ideographs, profile.common_share, profile.latin1_soup
    if soup >= MIN_IDEOGRAPHS_TO_JUDGE and soup > n:
        return f"{soup} accented latin-1 characters and only {n} Chinese ones: UTF-8 read as latin-1"
    if n >= MIN_IDEOGRAPHS_TO_JUDGE and share < PLAUSIBLE_COMMON_SHARE:
        return f"only {share:.0%} of its {n} Chinese characters are common ones: wrong encoding"
    return None


def _binary_problem(raw: bytes) -> str | None:
    for signature, kind in _BINARY_SIGNATURES.items():
        if raw.startswith(signature):
            return f"starts with the signature of {kind} file"
    sample = raw[:8192]
    if b"\x00" in sample:
        return "contains NUL bytes"
    controls = len(_CONTROL_BYTES.findall(sample))
    if controls > max(2, len(sample) // 100):
        return f"{controls} control bytes in the first {len(sample)} bytes"
    return None


def _strict(raw: bytes, codec: str) -> str | None:
    try:
        return raw.decode(codec)
    except UnicodeDecodeError:
        return None


def decode_bytes(raw: bytes, name: str) -> tuple[str, str]:
    """(text, encoding) of a document's bytes; raises _Reject(binary/undecodable/mojibake).

    BOM first (UTF-8/16/32), then BOM-less UTF-16 when it reads as Chinese, then the binary test,
    strict UTF-8 (the fast path), GB18030 and Big5(-HKSCS) — the reading whose ideographs are most
    often common characters wins — and charset-normalizer (Chinese codecs only) as a last resort.
    """
    for bom, label, codec in _BOMS:
        if raw.startswith(bom):
            try:
                text = raw.decode(codec).lstrip("\ufeff")
            except UnicodeDecodeError as exc:
                raise _Reject(
                    "undecodable", f"{name}: has a {label} BOM but byte {exc.start} is invalid ({exc.reason})"
                ) from exc
            return _checked(text, label, name)
    if b"\x00" in raw[:8192]:
        # UTF-16 without a BOM has NULs only beside ASCII; accept it only when it reads as Chinese.
        for codec in ("utf-16-le", "utf-16-be"):
            text = _strict(raw, codec)
            if text is None or _CONTROL_CHARS.search(text) or _mojibake_problem(text):
                continue
            ideographs, share = common_share(text)
            if ideographs >= MIN_IDEOGRAPHS_TO_JUDGE and share >= PLAUSIBLE_COMMON_SHARE:
                return text, codec
    problem = _binary_problem(raw)
    if problem:
        raise _Reject("binary", f"{name}: {problem}")
    try:
        return _checked(raw.decode("utf-8"), "utf-8", name)
    except UnicodeDecodeError as exc:
        utf8_error = f"not UTF-8 (byte {exc.start}: {exc.reason})"
    candidates = [(codec, text) for codec in _LEGACY_CODECS if (text := _strict(raw, codec)) is not None]
    if not candidates:
        guess = _charset_normalizer_guess(raw)
        if guess is not None:
            candidates.append(guess)
    if not candidates:
        raise _Reject("undecodable", f"{name}: {utf8_error}, nor GB18030 nor Big5")
    codec, text = max(candidates, key=lambda c: (common_share(c[1])[1], common_share(c[1])[0]))
    return _checked(text, codec, name)


def _charset_normalizer_guess(raw: bytes) -> tuple[str, str] | None:
    from charset_normalizer import from_bytes

    best = from_bytes(raw, cp_isolation=_CHARSET_NORMALIZER_CODECS).best()
    if best is None:
        return None
    text = _strict(raw, best.encoding)
    return None if text is None else (best.encoding, text)


def _checked(text: str, encoding: str, name: str) -> tuple[str, str]:
    # Multi-byte encodings (UTF-16/32 behind a BOM) bypass the raw-byte binary test: check the text.
    controls = profile_text(text).controls
    if "\x00" in text[:_SAMPLE_CHARS] or controls > max(2, min(len(text), _SAMPLE_CHARS) // 100):
        raise _Reject("binary", f"{name}: decoded as {encoding} but holds {controls} control characters")
    problem = _mojibake_problem(text)
    if problem:
        raise _Reject("mojibake", f"{name}: decoded as {encoding} but {problem}")
    return text, encoding


# --------------------------------------------------------------------------- html


class _TextExtractor(HTMLParser):
    """Visible text of an HTML page; block elements become line breaks."""

    _BLOCK = frozenset(
        {"p", "div", "br", "li", "ul", "ol", "tr", "table", "section", "article", "header", "footer"}
        | {"h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre"}
    )
    _SKIP = frozenset({"script", "style", "noscript", "template", "head"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title = ""
        self._skip_depth = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "title":
            self._in_title = True
        elif tag in self._SKIP:
            self._skip_depth += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in self._SKIP:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._skip_depth:
            self.parts.append(data)


def html_to_text(html: str) -> tuple[str, str]:
    """(visible text, <title>) of an HTML document."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    text = re.sub(r"[ \t\r\f\v]+", " ", "".join(parser.parts))
    text = re.sub(r" *\n[ \n]*", "\n", text).strip()
    return text, parser.title.strip()


# --------------------------------------------------------------------------- metadata


def split_front_matter(text: str, name: str) -> tuple[dict, int]:
    """(front matter mapping, offset where the body starts); ({}, 0) when there is none."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, 0
    block = match.group(1)
    if len(block) > MAX_FRONT_MATTER_CHARS:
        raise _Reject("bad_front_matter", f"{name}: front matter longer than {MAX_FRONT_MATTER_CHARS} chars")
    try:
        if "*" in block:  # aliases: measure what they expand to before anything is built from them
            nodes = yaml.compose(block, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
            _check_alias_expansion(nodes, name)
        # Safe loader only (its C implementation when available): no Python objects from documents.
        data = yaml.load(block, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise _Reject("bad_front_matter", f"{name}: YAML front matter does not parse ({exc})") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise _Reject("bad_front_matter", f"{name}: front matter is a {type(data).__name__}, not a mapping")
    return {str(k).strip().lower(): v for k, v in data.items()}, match.end()


def _check_alias_expansion(root: yaml.Node | None, name: str) -> None:
    """Raise _Reject(bad_front_matter) when aliases make the front matter expand by more than
    MAX_ALIAS_EXPANSION nodes, or refer to themselves. Each node's expanded size is computed once
    (memoised by identity), so a billion laughs is measured in time linear in its text."""
    if root is None:
        return
    expanded: dict[int, int] = {}
    visiting: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:  # depth first, iterative: deep nesting must not hit the recursion limit
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            visiting.discard(key)
            expanded[key] = 1 + sum(expanded[id(child)] for child in _children(node))
            extra = expanded[key] - len(expanded)  # nodes written out beyond the distinct ones
            if extra > MAX_ALIAS_EXPANSION:
                raise _Reject(
                    "bad_front_matter",
                    f"{name}: front matter aliases expand to over {extra:,} nodes more than it holds "
                    f"(the limit is {MAX_ALIAS_EXPANSION:,}): an alias bomb",
                )
            continue
        if key in expanded:
            continue
        if key in visiting:
            raise _Reject("bad_front_matter", f"{name}: a front matter alias refers to itself")
        visiting.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def can_become_id(name: str) -> bool:
    """Whether `ingest.companies.company_slug` can make an id of `name`: it keeps the pinyin of its
    Chinese characters and its letters and digits (tests/unit/test_documents.py holds the two to the
    same answers). Not imported from there: reading must not load the extraction rules."""
    from pypinyin import lazy_pinyin

    return bool(re.sub(r"[^0-9a-z]+", "", "".join(lazy_pinyin(fold(name))).lower()))


def _front(front: dict, *keys: str) -> object:
    for key in keys:
        value = front.get(key)
        if value not in (None, "", [], {}):
            return value
    return None


def parse_date(value: object, name: str, source: str) -> date:
    """A publication date from the manifest (strict YYYY-MM-DD) or front matter (date/datetime/str)."""
    if isinstance(value, datetime):
        parsed = value.date()  # local date as written: 2025-06-30T19:10+08:00 → 2025-06-30
    elif isinstance(value, date):
        parsed = value
    else:
        text = str(value).strip()
        try:
            if source == MANIFEST_NAME:
                if not _ISO_DATE.fullmatch(text):
                    raise ValueError("not YYYY-MM-DD")
                parsed = date.fromisoformat(text)
            else:
                parsed = datetime.fromisoformat(text).date()
        except ValueError as exc:
            raise _Reject(
                "bad_date", f"{name}: published_at {text!r} in {source} is not a date ({exc})"
            ) from exc
    latest = date.today() + timedelta(days=366)
    if not EARLIEST_DATE <= parsed <= latest:
        raise _Reject(
            "bad_date", f"{name}: published_at {parsed} in {source} is outside {EARLIEST_DATE}..{latest}"
        )
    return parsed


def normalise_language(value: str, name: str, source: str) -> str:
    code = LANGUAGE_ALIASES.get(value.strip().lower().replace("_", "-"))
    if code is None:
        raise _Reject("bad_language", f"{name}: language {value!r} in {source} is not zh-Hans or zh-Hant")
    return code


def detect_language(body: str, name: str) -> str:
    """zh-Hant when a noticeable share of the ideographs are traditional forms (OpenCC t2s changes them)."""
    profile = profile_text(body)
    if not profile.ideographs:
        raise _Reject("bad_language", f"{name}: no Chinese characters in the text")
    return "zh-Hant" if profile.traditional_forms / profile.ideographs > TRADITIONAL_SHARE else "zh-Hans"


@lru_cache(maxsize=1)
def _fold_table() -> np.ndarray:
    """Per BMP code point: its duplicate-check form (t2s per character, full-width ASCII to half-width,
    blanks to 0 = dropped)."""
    table = np.arange(0x10000, dtype=np.uint32)
    table[0xFF01:0xFF5F] -= 0xFF01 - 0x21
    for ch in _BLANK_CHARS:
        table[ord(ch)] = 0
    traditional = np.nonzero(_char_table() & _TRADITIONAL_FORM)[0]
    chars = [chr(cp) for cp in traditional]
    simplified = t2s_converter().convert("\n".join(chars)).split("\n")
    if len(simplified) != len(chars):
        simplified = [t2s_converter().convert(ch) for ch in chars]
    for ch, simple in zip(chars, simplified, strict=True):
        if len(simple) == 1:
            table[ord(ch)] = ord(simple)
    return table


def content_key(body: str) -> str:
    """sha256 of the body with script, width and whitespace differences removed (duplicate check)."""
    points = np.frombuffer(body.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    bmp = points < 0x10000
    folded = points.copy()
    folded[bmp] = _fold_table()[points[bmp]]
    return hashlib.sha256(folded[folded != 0].tobytes()).hexdigest()


# --------------------------------------------------------------------------- reading


def _load(
    root: Path, root_resolved: Path, name: str, max_bytes: int, manifest_id: tuple[int, int] | None = None
) -> tuple[bytes, str, str]:
    """Raw bytes, decoded text (universal newlines, like open(); control characters as spaces) and
    encoding of one document file. `manifest_id` (st_dev, st_ino) of the manifest: a hard link to it
    is no document either."""
    path = root / name
    if _ANY_STORED_CONTROL.search(name):
        raise _Reject("bad_file_name", f"{visible(name)}: the file name holds control characters")
    _check_inside(root_resolved, path, name)
    try:
        st = path.stat()
    except FileNotFoundError as exc:
        kind = "a dangling symlink" if path.is_symlink() else "not found"
        raise _Reject("missing_file", f"{name}: {kind} in the source folder") from exc
    if not stat.S_ISREG(st.st_mode):
        kind = "a directory" if stat.S_ISDIR(st.st_mode) else "not a regular file"
        raise _Reject("not_a_file", f"{name}: is {kind}")
    if manifest_id is not None and (st.st_dev, st.st_ino) == manifest_id:
        raise _Reject("not_a_file", f"{name}: is the manifest ({MANIFEST_NAME}) under another name")
    if Path(name).suffix.lower() not in DOCUMENT_SUFFIXES:
        raise _Reject(
            "unsupported_type", f"{name}: only {', '.join(sorted(DOCUMENT_SUFFIXES))} files are documents"
        )
    if st.st_size > max_bytes:
        raise _Reject("too_large", f"{name}: {st.st_size} bytes, the limit is {max_bytes}")
    raw = read_regular(path, max_bytes, name)  # the file may have grown (or been swapped) since stat()
    if len(raw) > max_bytes:
        raise _Reject("too_large", f"{name}: more than {max_bytes} bytes")
    if not raw:
        raise _Reject("empty", f"{name}: 0 bytes")
    text, encoding = decode_bytes(raw, name)
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_CONTROLS_TO_SPACES)
    if not text.strip(_BLANK_CHARS):
        raise _Reject("empty", f"{name}: only whitespace or invisible characters")
    return raw, text, encoding


def _build_document(name: str, text: str, manifest: dict[str, str] | None) -> Document:
    """Merge manifest and front matter (manifest wins) into a validated `Document`."""
    html_title = ""
    is_html = Path(name).suffix.lower() in HTML_SUFFIXES
    if is_html:
        text, html_title = html_to_text(text)
        text = text.translate(_CONTROLS_TO_SPACES)  # character references (&#27;) decode to controls
        front, body_start = {}, 0
    else:
        front, body_start = split_front_matter(text, name)
    if not text[body_start:].strip(_BLANK_CHARS):
        what = "outside the HTML tags" if is_html else "after the front matter"
        raise _Reject("empty", f"{name}: no text {what}")
    row = manifest or {}
    if manifest is None and not (_front(front, "title") and _front(front, "date", "published_at")):
        raise _Reject(
            "no_manifest_row",
            f"{name}: not listed in {MANIFEST_NAME} and has no front matter with title and date",
        )

    def pick(column: str, *keys: str) -> tuple[object, str]:
        if row.get(column):
            return row[column], MANIFEST_NAME
        return _front(front, *keys), "front matter"

    raw_date, date_source = pick("published_at", "date", "published_at", "published")
    if raw_date is None:
        raise _Reject("bad_date", f"{name}: no published_at in {MANIFEST_NAME} nor a date in front matter")
    published_at = parse_date(raw_date, name, date_source)
    raw_language, language_source = pick("language", "language", "lang")
    body = text[body_start:]
    if raw_language is None or str(raw_language).strip().lower() == "zh":
        language = detect_language(body, name)
    else:
        language = normalise_language(str(raw_language), name, language_source)
        if not _IDEOGRAPH.search(body):
            raise _Reject("bad_language", f"{name}: no Chinese characters in the text")
    companies = split_companies(row.get("companies") or _front(front, "companies", "company"))
    companies = tuple(c for c in map(without_controls, companies) if c.strip())
    for company in companies:
        if not can_become_id(company):
            raise _Reject(
                "bad_company_name",
                f"{name}: company {company!r} has no letter, digit or Chinese character: "
                "it cannot become a company id",
            )
    title, _ = pick("title", "title")
    publisher, _ = pick("publisher", "publisher", "source")
    url, _ = pick("url", "url", "link", "source_url")
    return Document(
        document_id=PurePosixPath(name).stem,
        file_name=name,
        text=text,
        published_at=published_at,
        language=language,
        title=without_controls(str(title or html_title or "")),
        publisher=without_controls(str(publisher or "")),
        url=without_controls(str(url or "")),
        subject_companies=companies,
        body_start=body_start,
        front_matter=front,
    )


def read_corpus(
    sources_dir: Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Callable[[int, int], None] | None = None,
) -> Corpus:
    """Read every document of `sources_dir` (manifest rows first, in order, then unlisted files).

    `progress(done, total)` is called after each file when given. Raises ManifestError for an
    unusable manifest and FileNotFoundError for a missing folder; everything else is a rejection.
    """
    root = Path(sources_dir)
    if not root.is_dir():
        raise FileNotFoundError(f"source folder {root} does not exist or is not a folder")
    root_resolved = root.resolve()
    corpus = Corpus()
    rows, corpus.rejected = read_manifest(root / MANIFEST_NAME)
    manifest_stat = (root / MANIFEST_NAME).stat() if (root / MANIFEST_NAME).exists() else None
    manifest_id = (manifest_stat.st_dev, manifest_stat.st_ino) if manifest_stat else None
    scanned, ignored, scan_rejections = _scan_folder(root)

    work: list[tuple[str, dict[str, str] | None]] = []
    listed: set[str] = set()
    for row in rows:
        written = row.values["file"]
        try:
            name = _relative_name(written)
        except _Reject as rej:
            corpus.rejected.append(Rejection(written, rej.reason, rej.detail))
            continue
        if name in listed:
            corpus.rejected.append(
                Rejection(
                    name,
                    "duplicate_manifest_row",
                    f"{name}: listed again on {MANIFEST_NAME} line {row.line}; the first row is used",
                )
            )
            continue
        listed.add(name)
        work.append((name, row.values))
    work += [(name, None) for name in scanned if name not in listed]
    corpus.rejected += [r for r in scan_rejections if r.file_name not in listed]
    corpus.ignored = [name for name in ignored if name not in listed]

    seen_content: dict[str, str] = {}
    seen_ids: dict[str, str] = {}
    for done, (name, row) in enumerate(work, start=1):
        try:
            raw, text, encoding = _load(root, root_resolved, name, max_bytes, manifest_id)
            doc = _build_document(name, text, row)
            if doc.document_id in seen_ids:
                raise _Reject(
                    "duplicate_id",
                    f"{name}: document_id {doc.document_id!r} is already used by {seen_ids[doc.document_id]}",
                )
            key = content_key(doc.text[doc.body_start :])
            if key in seen_content:
                raise _Reject("duplicate", f"{name}: same text as {seen_content[key]}")
        except _Reject as rej:
            corpus.rejected.append(Rejection(name, rej.reason, rej.detail))
        else:
            seen_ids[doc.document_id] = name
            seen_content[key] = name
            corpus.documents.append(doc)
            corpus.info[doc.document_id] = DocumentInfo(hashlib.sha256(raw).hexdigest(), encoding)
        if progress is not None:
            progress(done, len(work))
    return corpus
