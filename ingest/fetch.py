"""`make fetch`: download the articles listed in `urls.txt` that the source folder does not have yet.

For each URL, in order: skip it when the manifest (or a document's front matter) already has it —
without any request; otherwise download it politely (robots.txt, a clear User-Agent, timeouts,
at most `tries` attempts with exponential back-off on connection errors, timeouts and 5xx, a size
limit, HTML only), decode it (BOM, then the HTTP charset, then <meta charset>, then detection),
extract the main text and its metadata with trafilatura, skip it when the same normalised text is
already in the corpus, and otherwise write `<NNN>_<sha16>.md` (YAML front matter + body) and append
its manifest row. Both writes are atomic. A failing URL is reported (`fetch: FAILED <url>: <reason>`)
and never stops the others.

    python -m ingest.fetch --urls sources/urls.txt --sources sources [--max-bytes N] [--timeout S] [--strict]
"""

from __future__ import annotations

import argparse
import codecs
import csv
import io
import os
import re
import sys
import tempfile
import time
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import yaml

from ingest.documents import (
    EARLIEST_DATE,
    MANIFEST_COLUMNS,
    MANIFEST_NAME,
    TRADITIONAL_SHARE,
    ManifestError,
    content_key,
    html_to_text,
    profile_text,
    read_corpus,
    read_manifest,
)
from ingest.progress import ItemProgress

USER_AGENT = "AI-IPO-Warehouse-fetch/1.0 (+https://example.invalid/ai-ipo-warehouse)"
DEFAULT_MAX_BYTES = 5_000_000
DEFAULT_TIMEOUT = 15.0
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
# Labels pages declare → the codec that decodes what browsers decode under that label
# (GB18030 ⊃ GBK ⊃ GB2312; Big5-HKSCS ⊃ Big5; "latin-1" pages are really windows-1252).
_CODEC_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "big5": "big5hkscs",
    "cp950": "big5hkscs",
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
}
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# A full date as Chinese bylines write it: 2026年1月8日, 2026-01-08, 2026/1/8, 2026.01.08.
_VISIBLE_DATE = re.compile(r"((?:19|20)\d\d)\s*(?:年|[-/.])\s*(\d{1,2})\s*(?:月|[-/.])\s*(\d{1,2})(?!\d)")
_NUMBERED_FILE = re.compile(r"^(\d+)_")
# How far before the first line of the article a byline date may be (characters of visible text).
_BYLINE_WINDOW = 300


class FetchError(Exception):
    """One URL could not be turned into a document; the message is the reason shown to the user."""


@dataclass(frozen=True)
class FetchSettings:
    max_bytes: int = DEFAULT_MAX_BYTES
    timeout: float = DEFAULT_TIMEOUT  # seconds, for connecting and for each read
    tries: int = 3  # attempts per request (connection errors, timeouts, 5xx are retried)
    backoff: float = 1.0  # seconds before the 2nd attempt; doubled before each later one
    max_redirects: int = 5
    max_seconds: float = 120.0  # wall-clock limit per response body (a server trickling bytes)
    user_agent: str = USER_AGENT


@dataclass(frozen=True)
class Page:
    url: str  # after redirects
    html: str
    encoding: str


@dataclass(frozen=True)
class Article:
    title: str
    publisher: str
    published_at: date
    language: str  # zh-Hans / zh-Hant
    text: str
    companies: str = ""  # the manifest's subject companies ('|' separated), from urls.txt


@dataclass(frozen=True)
class Outcome:
    url: str
    status: str  # fetched / skipped / failed
    detail: str  # written file, why skipped, or why it failed


@dataclass
class KnownCorpus:
    """What the source folder already holds: URLs, normalised-text keys, the next file number."""

    urls: dict[str, str] = field(default_factory=dict)  # url -> file name
    contents: dict[str, str] = field(default_factory=dict)  # content_key -> file name
    next_number: int = 0


# --------------------------------------------------------------------------- the URL list and the corpus


class UrlListError(ValueError):
    """A line of the URL list is malformed; the message names the file, the line and the problem."""


@dataclass(frozen=True)
class UrlEntry:
    """One line of the URL list: the address, and the manifest fields its trailing comment gives
    (`# company=寒武纪|寒武紀; published=2020-07-20; publisher=新浪财经; script=zh-Hans`)."""

    url: str
    company: tuple[str, ...] = ()  # the company's names: simplified first, then traditional
    published: date | None = None
    publisher: str = ""
    script: str = ""
    title: str = ""


HINT_FIELDS = ("company", "published", "publisher", "script", "title")
# A trailing comment starts with whitespace and '#' (a fragment like /a#b has no space before it).
_TRAILING_COMMENT = re.compile(r"\s+#\s*")


def parse_url_line(line: str, where: str) -> UrlEntry | None:
    """The entry of one line (None for a blank or comment line); `where` is `file:line` for errors."""
    text = line.strip()
    if not text or text.startswith("#"):
        return None
    # A bad address (a typo, another scheme) fails alone when it is fetched; only the comment is parsed here.
    url, comment = (_TRAILING_COMMENT.split(text, maxsplit=1) + [""])[:2]
    fields: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in comment.split(";"))):
        key, sep, value = part.partition("=")
        key = key.strip()
        if not sep or key not in HINT_FIELDS:
            raise UrlListError(
                f"{where}: {part[:60]!r} in the comment is not one of {', '.join(HINT_FIELDS)}=…"
            )
        fields[key] = value.strip()
    published = None
    if fields.get("published"):
        try:
            published = date.fromisoformat(fields["published"])
        except ValueError as exc:
            raise UrlListError(
                f"{where}: published={fields['published']!r} is not a YYYY-MM-DD date"
            ) from exc
    script = fields.get("script", "")
    if script not in ("", "zh-Hans", "zh-Hant"):
        raise UrlListError(f"{where}: script={script!r} is not zh-Hans or zh-Hant")
    names = tuple(n for n in (x.strip() for x in fields.get("company", "").split("|")) if n)
    return UrlEntry(url, names, published, fields.get("publisher", ""), script, fields.get("title", ""))


def read_url_entries(path: Path) -> list[UrlEntry]:
    """The entries of `path`, one URL per line, in order; blank lines and `#` comment lines skipped."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError as exc:
        raise FileNotFoundError(f"URL list {path} not found (one URL per line, # comments allowed)") from exc
    entries = [parse_url_line(line, f"{path}:{n}") for n, line in enumerate(lines, start=1)]
    return [e for e in entries if e is not None]


def read_url_list(path: Path) -> list[str]:
    """URLs of `path` in order (blank lines, `#` comment lines and trailing comments skipped)."""
    return [e.url for e in read_url_entries(path)]


def load_known(sources_dir: Path) -> KnownCorpus:
    """URLs (manifest + front matter) and text keys of the documents already in `sources_dir`."""
    known = KnownCorpus()
    rows, _ = read_manifest(sources_dir / MANIFEST_NAME)
    for row in rows:
        if row.values.get("url"):
            known.urls.setdefault(row.values["url"], row.values["file"])
    for doc in read_corpus(sources_dir).documents:
        if doc.url:
            known.urls.setdefault(doc.url, doc.file_name)
        known.contents.setdefault(content_key(doc.text[doc.body_start :]), doc.file_name)
    numbers = [int(m.group(1)) for p in sources_dir.iterdir() if (m := _NUMBERED_FILE.match(p.name))]
    known.next_number = max(numbers, default=-1) + 1
    return known


# --------------------------------------------------------------------------- HTTP


def make_client(settings: FetchSettings, *, trust_env: bool = True) -> httpx.Client:
    """One client for pages and robots.txt; redirects are followed by hand so robots.txt sees each hop."""
    return httpx.Client(
        headers={
            "User-Agent": settings.user_agent,
            "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
        },
        timeout=httpx.Timeout(settings.timeout),
        follow_redirects=False,
        trust_env=trust_env,
    )


@dataclass(frozen=True)
class _Response:
    url: str
    status: int
    reason: str
    headers: httpx.Headers
    charset: str | None  # from the Content-Type header
    body: bytes  # empty unless 2xx


def _get(
    client: httpx.Client,
    url: str,
    settings: FetchSettings,
    sleep: Callable[[float], None],
    check: Callable[[httpx.Response], None] | None = None,
) -> _Response:
    """GET `url` (no redirects followed), retrying connection errors, timeouts and 5xx with back-off.

    `check(response)` runs on a 2xx response before its body is read (to refuse a PDF unread).
    """
    last_problem = ""
    for attempt in range(1, settings.tries + 1):
        try:
            with client.stream("GET", url) as resp:
                if resp.status_code < 500:
                    ok = 200 <= resp.status_code < 300
                    if ok and check is not None:
                        check(resp)
                    body = _read_limited(resp, settings) if ok else b""
                    return _Response(
                        url, resp.status_code, resp.reason_phrase, resp.headers, resp.charset_encoding, body
                    )
                last_problem = f"HTTP {resp.status_code} {resp.reason_phrase}".strip()
        except httpx.TimeoutException as exc:
            last_problem = f"timed out after {settings.timeout:g} s ({type(exc).__name__})"
        except httpx.NetworkError as exc:
            last_problem = f"connection failed ({type(exc).__name__}: {exc})"
        except httpx.HTTPError as exc:  # protocol errors, unsupported schemes: retrying will not help
            raise FetchError(f"{type(exc).__name__}: {exc}") from exc
        if attempt < settings.tries:
            sleep(settings.backoff * 2 ** (attempt - 1))
    raise FetchError(f"{last_problem} (gave up after {settings.tries} tries)")


def _read_limited(resp: httpx.Response, settings: FetchSettings) -> bytes:
    """The (decompressed) body, streamed; abort as soon as it exceeds `max_bytes` or `max_seconds`."""
    max_bytes, deadline = settings.max_bytes, time.monotonic() + settings.max_seconds
    declared = resp.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"response too large: Content-Length {declared} bytes, the limit is {max_bytes}")
    chunks, size = [], 0
    for chunk in resp.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"response too large: more than {max_bytes} bytes, download aborted")
        if time.monotonic() > deadline:
            raise FetchError(f"download slower than {settings.max_seconds:g} s, aborted")
        chunks.append(chunk)
    return b"".join(chunks)


def _require_html(resp: httpx.Response) -> None:
    mime = resp.headers.get("content-type", "").split(";")[0].strip().lower()
    if mime not in HTML_TYPES:
        raise FetchError(f"not an HTML page (content-type {mime or 'missing'})")


class RobotsRules:
    """robots.txt per origin, fetched once with the same client; a missing robots.txt allows all."""

    def __init__(self, client: httpx.Client, settings: FetchSettings, sleep: Callable[[float], None]):
        self._client, self._settings, self._sleep = client, settings, sleep
        self._parsers: dict[str, urllib.robotparser.RobotFileParser | FetchError] = {}

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._parsers:
            self._parsers[origin] = self._load(origin)
        parser = self._parsers[origin]
        if isinstance(parser, FetchError):
            raise parser
        return parser.can_fetch(self._settings.user_agent, url)

    def _load(self, origin: str) -> urllib.robotparser.RobotFileParser | FetchError:
        parser = urllib.robotparser.RobotFileParser(f"{origin}/robots.txt")
        url = parser.url
        try:
            for _ in range(self._settings.max_redirects + 1):
                resp = _get(self._client, url, self._settings, self._sleep)
                location = resp.headers.get("location")
                if resp.status not in REDIRECT_CODES or not location:
                    break
                url = urljoin(url, location)
        except FetchError as exc:  # remembered, so every URL of a dead host fails fast
            return FetchError(f"robots.txt of {origin} could not be read: {exc}")
        # The rules of urllib.robotparser.read(): 401/403 forbid everything, a missing robots.txt
        # (other 4xx, or redirects that never end) allows everything.
        if resp.status in (401, 403):
            parser.disallow_all = True
        elif resp.status >= 300:
            parser.allow_all = True
        else:
            parser.parse(resp.body.decode("utf-8", errors="replace").splitlines())
        return parser


def download(
    client: httpx.Client,
    robots: RobotsRules,
    url: str,
    settings: FetchSettings,
    sleep: Callable[[float], None] = time.sleep,
) -> Page:
    """The decoded HTML of `url`, following redirects (each hop checked against robots.txt)."""
    current = url
    for _ in range(settings.max_redirects + 1):
        parts = urlsplit(current)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(f"not an http(s) URL: {current}")
        if not robots.allowed(current):
            raise FetchError(f"disallowed by robots.txt ({current})")
        resp = _get(client, current, settings, sleep, check=_require_html)
        if resp.status in REDIRECT_CODES and resp.headers.get("location"):
            current = urljoin(current, resp.headers["location"])
            continue
        if not 200 <= resp.status < 300:
            raise FetchError(f"HTTP {resp.status} {resp.reason}".strip())
        html, encoding = decode_html(resp.body, resp.charset)
        return Page(current, html, encoding)
    raise FetchError(f"more than {settings.max_redirects} redirects")


# --------------------------------------------------------------------------- decoding


def _codec(label: str | None) -> str | None:
    """Python codec for a declared charset label, or None when Python does not know it."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    try:
        name = codecs.lookup(_CODEC_ALIASES.get(label, label)).name
    except LookupError:
        return None
    return _CODEC_ALIASES.get(name, name)


def decode_html(body: bytes, header_charset: str | None) -> tuple[str, str]:
    """(html, encoding): BOM, then the HTTP charset, then <meta charset>, then UTF-8, then detection.

    A declared charset that does not decode strictly is skipped for the next candidate; only when
    nothing decodes strictly is the first declared charset used with replacement characters.
    """
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body.decode(codec, errors="replace"), codec
    meta = _META_CHARSET.search(body[:4096])
    declared = [
        c for c in (_codec(header_charset), _codec(meta.group(1).decode("ascii")) if meta else None) if c
    ]
    # A latin-1 label is often a server default, not the page's: try it only after UTF-8.
    weak = [c for c in declared if c == "cp1252"]
    order = [c for c in declared if c != "cp1252"] + ["utf-8"] + weak
    for codec in dict.fromkeys(order):
        try:
            return body.decode(codec), codec
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(body).best()
    if best is not None and best.encoding:
        return str(best), best.encoding
    if declared:
        return body.decode(declared[0], errors="replace"), declared[0]
    raise FetchError("cannot tell the page's character encoding (none declared, not UTF-8, detection failed)")


# --------------------------------------------------------------------------- extraction


def extract_article(html: str, url: str, today: date | None = None, hints: UrlEntry | None = None) -> Article:
    """Main text and metadata of an article page, with trafilatura; raises FetchError when unusable.
    What the page's own metadata lacks (title, publisher, date) comes from the URL list's comment."""
    import trafilatura  # slow-ish import, only needed when a page was downloaded

    try:
        result = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            # The extensive search turns 2026年1月8日 into 2026-01-01: only structured dates from
            # htmldate, then our own byline search below.
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as exc:  # a parser crash on one odd page must not stop the run
        raise FetchError(f"trafilatura could not parse the page ({type(exc).__name__}: {exc})") from exc
    if result is None or not (result.text or "").strip():
        raise FetchError("no article text found in the page")
    title = " ".join((result.title or "").split())
    lines = [s for line in result.text.splitlines() if (s := line.strip())]
    if lines and title and lines[0] == title:
        lines = lines[1:]  # the headline repeated as the first paragraph
    text = "\n".join(lines)
    if "\ufffd" in text:
        raise FetchError("the article text holds undecodable bytes (U+FFFD): wrong or mixed charset")
    today = today or date.today()
    published = _iso_date(result.date, today) or byline_date(html, text, today) or (hints and hints.published)
    if not published:
        raise FetchError("no publication date found (no date metadata, no dated byline, none in urls.txt)")
    return Article(
        title=title or (hints.title if hints else ""),
        publisher=_publisher(result.sitename, url, hints),
        published_at=published,
        language=detect_script(text),
        text=text,
        companies=hinted_companies(hints, detect_script(text)),
    )


def _publisher(sitename: str | None, url: str, hints: UrlEntry | None) -> str:
    """The page's site name, unless it is only the host name trafilatura falls back to and the URL list
    names the newsroom."""
    site = " ".join((sitename or "").split())
    host = urlsplit(url)
    if (
        hints
        and hints.publisher
        and (not site or site.lower() in {host.netloc.lower(), (host.hostname or "")})
    ):
        return hints.publisher
    return site


def hinted_companies(hints: UrlEntry | None, language: str) -> str:
    """The manifest's companies from the URL list's comment: the name in the article's own script (one
    company, so one name: two names would read as two companies)."""
    if hints is None or not hints.company:
        return ""
    names = hints.company
    return names[1] if language == "zh-Hant" and len(names) > 1 else names[0]


def _iso_date(value: str | None, today: date) -> date | None:
    try:
        parsed = date.fromisoformat((value or "")[:10])
    except ValueError:
        return None
    return parsed if EARLIEST_DATE <= parsed <= today + timedelta(days=1) else None


def byline_date(html: str, article_text: str, today: date) -> date | None:
    """The full date written closest before the article's first line (the byline), if any."""
    visible, _ = html_to_text(html)
    first_line = article_text.split("\n", 1)[0][:20]
    start = visible.find(first_line) if first_line else -1
    if start < 0:
        return None
    found = None
    for match in _VISIBLE_DATE.finditer(visible[max(0, start - _BYLINE_WINDOW) : start]):
        year, month, day = (int(g) for g in match.groups())
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if EARLIEST_DATE <= candidate <= today + timedelta(days=1):
            found = candidate  # keep the last one: the nearest to the text
    return found


def detect_script(text: str) -> str:
    """zh-Hant when OpenCC t2s changes a noticeable share of the ideographs, else zh-Hans."""
    profile = profile_text(text)
    if not profile.ideographs:
        raise FetchError("no Chinese text in the article")
    return "zh-Hant" if profile.traditional_forms / profile.ideographs > TRADITIONAL_SHARE else "zh-Hans"


# --------------------------------------------------------------------------- writing


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _atomic_write(path: Path, data: bytes) -> None:
    # A hidden temp file in the same folder: ingest ignores dot-files, os.replace is atomic.
    # mkstemp makes it 0600: give it the mode of the file it replaces, or the usual umask mode.
    mode = path.stat().st_mode & 0o777 if path.exists() else _default_mode()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def render_document(url: str, article: Article) -> str:
    front = {
        "title": article.title,
        "date": article.published_at,
        "publisher": article.publisher,
        "url": url,
        "language": article.language,
    }
    header = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=10_000)
    return f"---\n{header}---\n\n{article.text}\n"


def append_manifest_row(manifest: Path, row: dict[str, str]) -> None:
    """Rewrite `manifest` atomically with `row` appended (header written when the file is new)."""
    existing = manifest.read_text(encoding="utf-8-sig") if manifest.exists() else ""
    out = io.StringIO()
    if not existing.strip():
        existing = ""
        csv.writer(out, lineterminator="\n").writerow(MANIFEST_COLUMNS)
    elif not existing.endswith("\n"):
        existing += "\n"
    csv.writer(out, lineterminator="\n").writerow([row.get(c, "") for c in MANIFEST_COLUMNS])
    _atomic_write(manifest, (existing + out.getvalue()).encode("utf-8"))


def write_document(sources_dir: Path, known: KnownCorpus, url: str, article: Article, key: str) -> str:
    """Write the document and its manifest row; returns the file name."""
    number = known.next_number
    while any(sources_dir.glob(f"{number:03d}_*")):
        number += 1
    name = f"{number:03d}_{key[:16]}.md"
    _atomic_write(sources_dir / name, render_document(url, article).encode("utf-8"))
    row = {
        "file": name,
        "title": article.title,
        "publisher": article.publisher,
        "published_at": article.published_at.isoformat(),
        "url": url,
        "language": article.language,
        "companies": article.companies,
    }
    append_manifest_row(sources_dir / MANIFEST_NAME, row)
    known.next_number = number + 1
    known.urls[url] = name
    known.contents[key] = name
    return name


# --------------------------------------------------------------------------- the run


def fetch_one(
    entry: UrlEntry,
    sources_dir: Path,
    known: KnownCorpus,
    client: httpx.Client,
    robots: RobotsRules,
    settings: FetchSettings,
    sleep: Callable[[float], None],
) -> Outcome:
    url = entry.url
    if url in known.urls:
        return Outcome(url, "skipped", f"already in the corpus as {known.urls[url]}")
    try:
        page = download(client, robots, url, settings, sleep)
        if page.url != url and page.url in known.urls:
            return Outcome(
                url, "skipped", f"redirects to {page.url}, already in the corpus as {known.urls[page.url]}"
            )
        article = extract_article(page.html, page.url, hints=entry)
    except FetchError as exc:
        return Outcome(url, "failed", str(exc))
    key = content_key(article.text)
    if key in known.contents:
        return Outcome(url, "skipped", f"duplicate: same text as {known.contents[key]}")
    name = write_document(sources_dir, known, url, article, key)
    return Outcome(url, "fetched", name)


def fetch_all(
    urls: list[str] | list[UrlEntry],
    sources_dir: Path,
    settings: FetchSettings | None = None,
    *,
    client: httpx.Client | None = None,
    log: Callable[[str], None] = print,
    log_url: Callable[[str, Outcome], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Outcome]:
    """Fetch every URL into `sources_dir`, logging one line per URL and a summary line.

    The per-URL lines go to `log_url(line, outcome)` when given (a progress counter), else to `log`.
    """
    sources_dir = Path(sources_dir)
    if not sources_dir.is_dir():
        raise FileNotFoundError(f"source folder {sources_dir} does not exist or is not a folder")
    settings = settings or FetchSettings()
    known = load_known(sources_dir)
    own_client = client is None
    client = client or make_client(settings)
    robots = RobotsRules(client, settings, sleep)
    outcomes: list[Outcome] = []
    try:
        for item in urls:
            entry = item if isinstance(item, UrlEntry) else UrlEntry(item)
            url = entry.url
            outcome = fetch_one(entry, sources_dir, known, client, robots, settings, sleep)
            outcomes.append(outcome)
            label = {"fetched": "fetched", "skipped": "skipped", "failed": "FAILED"}[outcome.status]
            line = f"fetch: {label} {url}: {outcome.detail}"
            if log_url is not None:
                log_url(line, outcome)
            else:
                log(line)
    finally:
        if own_client:
            client.close()
    counts = {s: sum(o.status == s for o in outcomes) for s in ("fetched", "skipped", "failed")}
    log(
        f"fetch: {counts['fetched']} fetched, {counts['skipped']} skipped (duplicate/known), "
        f"{counts['failed']} failed"
    )
    return outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ingest.fetch",
        description="Download the articles of a URL list that the source folder lacks.",
    )
    parser.add_argument("--urls", type=Path, required=True, help="file with one URL per line (# comments)")
    parser.add_argument(
        "--sources", type=Path, required=True, help="source folder (documents + manifest.csv)"
    )
    parser.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, help="response size limit")
    parser.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT, help="connect/read timeout, seconds"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when any URL failed")
    args = parser.parse_args(argv)
    if args.max_bytes <= 0 or args.timeout <= 0:
        parser.error("--max-bytes and --timeout must be positive")
    settings = FetchSettings(max_bytes=args.max_bytes, timeout=args.timeout)

    try:
        urls = read_url_entries(args.urls)
        # CI / a log: one line per URL; a terminal: a one-line counter, failures still printed whole.
        progress = ItemProgress("fetch", len(urls), sys.stdout)

        def log_url(line: str, outcome: Outcome) -> None:
            progress.item(line, keep=outcome.status == "failed")

        outcomes = fetch_all(urls, args.sources, settings, log=progress.note, log_url=log_url)
    except (OSError, ManifestError, UrlListError) as exc:
        print(f"fetch: error: {exc}", file=sys.stderr)
        return 2
    failed = any(o.status == "failed" for o in outcomes)
    return 1 if args.strict and failed else 0


if __name__ == "__main__":
    sys.exit(main())
