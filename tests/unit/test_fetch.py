"""`python -m ingest.fetch` against a local HTTP server (127.0.0.1 only) serving the pages in tests/fetch/."""

from __future__ import annotations

import csv
import re
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ingest import fetch
from ingest.documents import content_key, read_corpus, split_front_matter

FIXTURES = Path(__file__).resolve().parents[1] / "fetch"
MAX_BYTES = 100_000
SETTINGS = fetch.FetchSettings(max_bytes=MAX_BYTES, timeout=0.5, backoff=0.01)
HTML_UTF8 = "text/html; charset=utf-8"
EXISTING_DOC = "007_0123456789abcdef.txt"

# Words that only appear in navigation, ads and comments of the fixture pages.
NOISE = [
    "首页",
    "首頁",
    "网站首页",
    "限时优惠",
    "广告",
    "贊助內容",
    "推广",
    "品牌推广",
    "加仓",
    "网友评论",
    "讀者留言",
    "股民热评",
    "泡沫",
    "谨慎申购",
    "版权所有",
    "版權所有",
]


# --------------------------------------------------------------------------- the local server


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass  # the client hanging up on the slow page is expected


@pytest.fixture(scope="module")
def server():
    """(base URL, request log) of a local server; routes are fixture pages or special behaviours."""
    pages = {p.name: (FIXTURES / p.name).read_bytes() for p in FIXTURES.iterdir() if p.is_file()}
    requests: list[str] = []
    release = threading.Event()
    flaky_calls = {"n": 0}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def _send(self, status: int, body: bytes, content_type: str, length: bool = True, **headers) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            if length:
                self.send_header("Content-Length", str(len(body)))
            for key, value in headers.items():
                self.send_header(key.replace("_", "-"), value)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            requests.append(self.path)
            path = self.path
            if path == "/robots.txt":
                self._send(200, pages["robots.txt"], "text/plain")
            elif path in ("/news/hans.html", "/news/hans-copy.html", "/news/hans-again.html"):
                self._send(200, pages["article_hans.html"], HTML_UTF8)
            elif path == "/old/hant":
                self._send(301, b"", "text/html", Location="/news/hant.html")
            elif path == "/news/hant.html":
                self._send(200, pages["article_hant.html"], HTML_UTF8)
            elif path == "/news/bare.html":
                self._send(200, pages["article_bare.html"], HTML_UTF8)  # no title, date or site name
            elif path == "/news/gbk.html":
                self._send(200, pages["article_gbk.html"], "text/html")  # charset only in <meta>
            elif path == "/news/flaky.html":
                flaky_calls["n"] += 1
                if flaky_calls["n"] == 1:
                    self._send(503, b"busy", "text/plain")
                else:
                    self._send(200, pages["article_retry.html"], HTML_UTF8)
            elif path == "/news/slow.html":
                release.wait(2.0)  # far longer than the client's 0.5 s read timeout
                self._send(200, pages["article_retry.html"], HTML_UTF8)
            elif path == "/files/report.pdf":
                self._send(200, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "application/pdf")
            elif path == "/news/huge.html":
                self._send(200, b"<html><body>" + b"<p>x</p>" * 40_000 + b"</body></html>", HTML_UTF8)
            elif path == "/news/huge-stream.html":
                # No Content-Length: the size only shows while streaming (HTTP/1.0, body until close).
                self._send(200, b"<html><body>" + b"<p>x</p>" * 40_000, HTML_UTF8, length=False)
            elif path == "/private/secret.html":
                self._send(200, pages["article_retry.html"], HTML_UTF8)
            else:
                self._send(404, b"<html><body>not here</body></html>", HTML_UTF8)

    httpd = _Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", requests
    finally:
        release.set()
        httpd.shutdown()
        httpd.server_close()


def _make_sources(root: Path, base: str) -> Path:
    """A source folder with one document whose manifest row has the URL /news/known.html."""
    root.mkdir()
    (root / EXISTING_DOC).write_text(
        "示例公司今日发布公告，介绍其人工智能业务的最新进展与经营情况。\n", encoding="utf-8"
    )
    (root / "manifest.csv").write_text(
        "file,title,publisher,published_at,url,language,companies\n"
        f"{EXISTING_DOC},示例公告,示例日报,2025-01-02,{base}/news/known.html,zh-Hans,示例公司\n",
        encoding="utf-8",
    )
    return root


def _run(urls: list[str], sources: Path, sleeps: list[float] | None = None) -> tuple[list, list[str]]:
    lines: list[str] = []

    def sleep(seconds: float) -> None:
        if sleeps is not None:
            sleeps.append(seconds)
        time.sleep(seconds)

    with fetch.make_client(SETTINGS, trust_env=False) as client:
        outcomes = fetch.fetch_all(urls, sources, SETTINGS, client=client, log=lines.append, sleep=sleep)
    return outcomes, lines


def _manifest(sources: Path) -> list[dict[str, str]]:
    with open(sources / "manifest.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _document(sources: Path, name: str) -> tuple[dict, str]:
    text = (sources / name).read_text(encoding="utf-8")
    front, body_start = split_front_matter(text, name)
    return front, text[body_start:].strip()


# --------------------------------------------------------------------------- one run over every case


PATHS = [
    "/news/missing.html",
    "/news/slow.html",
    "/files/report.pdf",
    "/private/secret.html",
    "/news/huge.html",
    "/news/huge-stream.html",
    "/news/known.html",
    "/news/hans.html",
    "/news/hans-copy.html",
    "/old/hant",
    "/news/gbk.html",
    "/news/flaky.html",
]


@pytest.fixture(scope="module")
def run(server, tmp_path_factory):
    base, requests = server
    sources = _make_sources(tmp_path_factory.mktemp("fetch") / "sources", base)
    sleeps: list[float] = []
    started = time.monotonic()
    outcomes, lines = _run([base + p for p in PATHS], sources, sleeps)
    elapsed = time.monotonic() - started
    by_path = {o.url.removeprefix(base): o for o in outcomes}
    return {
        "base": base,
        "sources": sources,
        "by_path": by_path,
        "lines": lines,
        "requests": list(requests),
        "sleeps": sleeps,
        "elapsed": elapsed,
    }


def test_failure_reasons_per_url(run):
    failed = {p: o.detail for p, o in run["by_path"].items() if o.status == "failed"}
    base = run["base"]
    assert failed == {
        "/news/missing.html": "HTTP 404 Not Found",
        "/news/slow.html": "timed out after 0.5 s (ReadTimeout) (gave up after 3 tries)",
        "/files/report.pdf": "not an HTML page (content-type application/pdf)",
        "/private/secret.html": f"disallowed by robots.txt ({base}/private/secret.html)",
        "/news/huge.html": f"response too large: Content-Length 320026 bytes, the limit is {MAX_BYTES}",
        "/news/huge-stream.html": f"response too large: more than {MAX_BYTES} bytes, download aborted",
    }
    failed_lines = [line for line in run["lines"] if " FAILED " in line]
    assert failed_lines[0] == f"fetch: FAILED {base}/news/missing.html: HTTP 404 Not Found"
    assert len(failed_lines) == 6


def test_failures_do_not_stop_the_others_and_summary(run):
    statuses = {p: o.status for p, o in run["by_path"].items()}
    assert statuses["/news/hans.html"] == "fetched"  # listed after six failures
    assert statuses["/old/hant"] == "fetched"
    assert statuses["/news/gbk.html"] == "fetched"
    assert statuses["/news/flaky.html"] == "fetched"
    assert run["lines"][-1] == "fetch: 4 fetched, 2 skipped (duplicate/known), 6 failed"
    assert len(run["lines"]) == len(PATHS) + 1


def test_skips_known_url_without_request_and_duplicate_content(run):
    known, dup = run["by_path"]["/news/known.html"], run["by_path"]["/news/hans-copy.html"]
    hans_file = run["by_path"]["/news/hans.html"].detail
    assert (known.status, known.detail) == ("skipped", f"already in the corpus as {EXISTING_DOC}")
    assert (dup.status, dup.detail) == ("skipped", f"duplicate: same text as {hans_file}")
    assert "/news/known.html" not in run["requests"]
    assert "/news/hans-copy.html" in run["requests"]  # duplicates are only known after extraction


def test_requests_made_retries_and_backoff(run):
    count = run["requests"].count
    assert count("/robots.txt") == 1  # once per host
    assert count("/private/secret.html") == 0  # robots.txt forbids it: never requested
    assert count("/news/slow.html") == 3  # 3 tries then give up
    assert count("/news/flaky.html") == 2  # 503, then 200
    assert count("/news/missing.html") == 1  # a 4xx is not retried
    assert count("/files/report.pdf") == 1
    assert count("/old/hant") == 1 and count("/news/hant.html") == 1
    # exponential back-off: slow.html waits 0.01 then 0.02; flaky.html waits 0.01 once
    assert run["sleeps"] == [0.01, 0.02, 0.01]
    assert run["elapsed"] < 6


def test_files_written_with_numbers_and_content_hash(run):
    sources = run["sources"]
    written = {p: o.detail for p, o in run["by_path"].items() if o.status == "fetched"}
    assert [
        written[p][:4] for p in ("/news/hans.html", "/old/hant", "/news/gbk.html", "/news/flaky.html")
    ] == [
        "008_",
        "009_",
        "010_",
        "011_",
    ]
    for name in written.values():
        _, body = _document(sources, name)
        assert name == f"{name[:3]}_{content_key(body)[:16]}.md"
    assert sorted(p.name for p in sources.iterdir()) == sorted(
        [EXISTING_DOC, "manifest.csv", *written.values()]
    )
    # same permissions as a file written normally (not mkstemp's 0600), manifest mode kept
    modes = {p.name: p.stat().st_mode & 0o777 for p in sources.iterdir()}
    assert set(modes.values()) == {modes[EXISTING_DOC]}


def test_manifest_rows(run):
    base, sources = run["base"], run["sources"]
    rows = _manifest(sources)
    assert rows[0]["file"] == EXISTING_DOC  # existing row kept as it was
    assert [
        (r["title"], r["publisher"], r["published_at"], r["url"], r["language"], r["companies"])
        for r in rows[1:]
    ] == [
        (
            "星衡智能今日登陆港交所，首日开盘上涨",
            "华信财经",
            "2025-07-15",
            f"{base}/news/hans.html",
            "zh-Hans",
            "",
        ),
        ("雲錦科技通過港交所上市聆訊", "港灣財經日報", "2026-01-08", f"{base}/old/hant", "zh-Hant", ""),
        (
            "深瞳数据公布招股结果：国际发售获得超额认购",
            "东岸新闻网",
            "2025-09-20",
            f"{base}/news/gbk.html",
            "zh-Hans",
            "",
        ),
        ("灵渡机器人递表港交所", "前沿科技观察", "2025-11-03", f"{base}/news/flaky.html", "zh-Hans", ""),
    ]
    assert [r["file"] for r in rows[1:]] == [
        run["by_path"][p].detail
        for p in ("/news/hans.html", "/old/hant", "/news/gbk.html", "/news/flaky.html")
    ]


def test_document_front_matter_and_main_text_only(run):
    sources, base = run["sources"], run["base"]
    front, body = _document(sources, run["by_path"]["/news/hans.html"].detail)
    assert front == {
        "title": "星衡智能今日登陆港交所，首日开盘上涨",
        "date": date(2025, 7, 15),
        "publisher": "华信财经",
        "url": f"{base}/news/hans.html",
        "language": "zh-Hans",
    }
    assert body.startswith("7月15日，专注于工业视觉检测的人工智能企业星衡智能正式在香港联交所主板挂牌上市")
    assert body.endswith("募集资金将主要用于视觉大模型研发、海外销售网络建设以及补充营运资金。")
    assert len(body.splitlines()) == 6  # the six paragraphs of the article, nothing else
    for name in (
        run["by_path"][p].detail
        for p in ("/news/hans.html", "/old/hant", "/news/gbk.html", "/news/flaky.html")
    ):
        _, body = _document(sources, name)
        assert [w for w in NOISE if w in body] == [], name


def test_traditional_page_via_redirect_with_visible_date(run):
    front, body = _document(run["sources"], run["by_path"]["/old/hant"].detail)
    assert front["date"] == date(2026, 1, 8)  # from the byline 2026年1月8日, no date metadata
    assert front["language"] == "zh-Hant"
    assert front["url"] == run["base"] + "/old/hant"
    assert body.startswith("專注於語音互動與智慧客服的人工智慧公司雲錦科技")  # headline not repeated


def test_gbk_page_decoded_by_meta_charset(run):
    name = run["by_path"]["/news/gbk.html"].detail
    raw = (run["sources"] / name).read_bytes()
    front, body = _document(run["sources"], name)
    assert "香港公开发售和国际发售均获得超额认购" in body
    assert "前五大客户贡献的收入占比偏高" in body
    assert raw.decode("utf-8")  # stored as UTF-8 whatever the page used
    assert front["publisher"] == "东岸新闻网"


def test_ingest_accepts_the_fetched_documents(run):
    corpus = read_corpus(run["sources"])
    assert corpus.rejected == []
    docs = {d.file_name: d for d in corpus.documents}
    hant = docs[run["by_path"]["/old/hant"].detail]
    assert (hant.title, hant.publisher, hant.published_at, hant.language) == (
        "雲錦科技通過港交所上市聆訊",
        "港灣財經日報",
        date(2026, 1, 8),
        "zh-Hant",
    )
    assert len(docs) == 5


# --------------------------------------------------------------------------- re-runs, CLI, helpers


def test_second_run_skips_known_urls_and_same_text_under_new_url(server, tmp_path):
    base, requests = server
    sources = _make_sources(tmp_path / "sources", base)
    first, _ = _run([f"{base}/news/hans.html"], sources)
    assert [o.status for o in first] == ["fetched"]
    before = len(requests)
    second, lines = _run([f"{base}/news/hans.html", f"{base}/news/hans-again.html"], sources)
    assert [(o.status, o.detail) for o in second] == [
        ("skipped", f"already in the corpus as {first[0].detail}"),
        ("skipped", f"duplicate: same text as {first[0].detail}"),
    ]
    assert requests[before:] == ["/robots.txt", "/news/hans-again.html"]
    assert lines[-1] == "fetch: 0 fetched, 2 skipped (duplicate/known), 0 failed"
    assert len(_manifest(sources)) == 2


def test_unreachable_host_and_bad_scheme_fail_alone(server, tmp_path):
    base, _ = server
    sources = _make_sources(tmp_path / "sources", base)
    outcomes, _ = _run(
        ["http://127.0.0.1:9/a.html", "ftp://127.0.0.1/b.html", f"{base}/news/gbk.html"], sources
    )
    assert outcomes[0].status == "failed"
    assert outcomes[0].detail.startswith(
        "robots.txt of http://127.0.0.1:9 could not be read: connection failed"
    )
    assert outcomes[0].detail.endswith("(gave up after 3 tries)")
    assert (outcomes[1].status, outcomes[1].detail) == (
        "failed",
        "not an http(s) URL: ftp://127.0.0.1/b.html",
    )
    assert outcomes[2].status == "fetched"


def test_cli_summary_and_strict_exit_code(server, tmp_path, capsys, monkeypatch):
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    base, _ = server
    sources = _make_sources(tmp_path / "sources", base)
    urls = tmp_path / "urls.txt"
    urls.write_text(
        f"# articles to fetch\n\n{base}/news/missing.html\n  {base}/news/gbk.html  \n", encoding="utf-8"
    )
    args = ["--urls", str(urls), "--sources", str(sources), "--timeout", "2", "--max-bytes", "200000"]
    assert fetch.main([*args, "--strict"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"fetch: FAILED {base}/news/missing.html: HTTP 404 Not Found"
    assert out[-1] == "fetch: 1 fetched, 0 skipped (duplicate/known), 1 failed"
    assert fetch.main(args) == 0  # without --strict a per-URL failure is not a run failure
    assert (
        capsys.readouterr().out.splitlines()[-1] == "fetch: 0 fetched, 1 skipped (duplicate/known), 1 failed"
    )


def test_cli_missing_url_list_is_a_run_error(tmp_path, capsys):
    assert fetch.main(["--urls", str(tmp_path / "urls.txt"), "--sources", str(tmp_path)]) == 2
    assert f"URL list {tmp_path / 'urls.txt'} not found" in capsys.readouterr().err


def test_read_url_list(tmp_path):
    path = tmp_path / "urls.txt"
    path.write_bytes(
        "\ufeff# header\n\nhttps://a.example/1\n   # indented comment\n https://a.example/2#frag \n".encode()
    )
    assert fetch.read_url_list(path) == ["https://a.example/1", "https://a.example/2#frag"]


def test_url_list_comments_give_the_manifest_fields_a_page_lacks(server, tmp_path):
    base, _ = server
    sources = _make_sources(tmp_path / "src", base)
    urls = tmp_path / "urls.txt"
    urls.write_text(
        "# a curated list\n"
        f"{base}/news/bare.html  # company=星河机器人|星河機器人; published=2025-11-14; publisher=港聞財經; "
        "script=zh-Hant\n"
        f"{base}/news/hans.html#top  # company=示例智能|示例智能; published=1999-01-01; "
        "publisher=不用的名字\n",
        encoding="utf-8",
    )
    entries = fetch.read_url_entries(urls)
    assert [e.url for e in entries] == [f"{base}/news/bare.html", f"{base}/news/hans.html#top"]

    with fetch.make_client(SETTINGS, trust_env=False) as client:
        outcomes = fetch.fetch_all(
            entries, sources, SETTINGS, client=client, log=lambda _: None, sleep=lambda _: None
        )

    assert [o.status for o in outcomes] == ["fetched", "fetched"], outcomes
    bare, hans = _manifest(sources)[1:]
    # The bare page has no metadata: the comment's date, newsroom and company (its script's name) fill in.
    assert (bare["published_at"], bare["publisher"], bare["language"], bare["companies"]) == (
        "2025-11-14",
        "港聞財經",
        "zh-Hant",
        "星河機器人",
    )
    # A page with its own date and site name keeps them; the company still comes from the comment.
    assert hans["published_at"] != "1999-01-01" and hans["publisher"] != "不用的名字"
    assert hans["companies"] == "示例智能"


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("https://a.example/1  # published=2025-13-01", "published='2025-13-01' is not a YYYY-MM-DD date"),
        ("https://a.example/1  # sector=ai", "'sector=ai' in the comment is not one of company"),
        ("https://a.example/1  # script=zh-CN", "script='zh-CN' is not zh-Hans or zh-Hant"),
    ],
)
def test_a_malformed_url_list_comment_names_the_file_and_line(tmp_path, line, problem):
    path = tmp_path / "urls.txt"
    path.write_text(f"# header\n{line}\n", encoding="utf-8")
    with pytest.raises(fetch.UrlListError, match=re.escape(f"{path}:2: {problem}")):
        fetch.read_url_entries(path)
    assert fetch.main(["--urls", str(path), "--sources", str(tmp_path)]) == 2


GBK_PAGE = (FIXTURES / "article_gbk.html").read_bytes()


@pytest.mark.parametrize(
    ("body", "header", "encoding"),
    [
        (GBK_PAGE, None, "gb18030"),  # <meta charset="gbk">
        (GBK_PAGE, "utf-8", "gb18030"),  # a wrong HTTP charset that does not decode: meta is next
        (GBK_PAGE.replace(b'<meta charset="gbk">', b""), None, None),  # no declaration: detection
        ("<p>國際發售</p>".encode("big5"), "big5", "big5hkscs"),
        (
            '<meta http-equiv="Content-Type" content="text/html; charset=gb2312"><p>国际发售</p>'.encode(
                "gbk"
            ),
            None,
            "gb18030",
        ),
        ("\ufeff<p>国际发售</p>".encode(), "gbk", "utf-8-sig"),  # a BOM beats the header
        ("<p>国际发售</p>".encode(), "ISO-8859-1", "utf-8"),  # a server's latin-1 default is weak
    ],
)
def test_decode_html(body, header, encoding):
    html, used = fetch.decode_html(body, header)
    assert "国际发售" in html or "國際發售" in html
    if encoding is not None:
        assert used == encoding


def test_byline_date_picks_the_date_next_to_the_text():
    html = (
        "<html><body><div>今天是2026年11月21日 星期六</div>"
        + "<p>导航链接</p>" * 80
        + "<h1>标题</h1><p>发布时间：2025年3月2日 08:00</p>"
        + "<p>正文第一段讲述公司的上市进程。</p></body></html>"
    )
    assert fetch.byline_date(html, "正文第一段讲述公司的上市进程。", date(2026, 11, 21)) == date(2025, 3, 2)
    assert fetch.byline_date("<p>2025年13月40日</p><p>正文</p>", "正文", date(2026, 1, 1)) is None


def test_detect_script():
    assert fetch.detect_script("智谱正式在港交所挂牌上市") == "zh-Hans"
    assert fetch.detect_script("智譜正式在港交所掛牌上市") == "zh-Hant"
    with pytest.raises(fetch.FetchError, match="no Chinese text"):
        fetch.detect_script("An English article about an IPO")


def test_append_manifest_row_quotes_and_missing_newline(tmp_path):
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "file,title,publisher,published_at,url,language,companies\na.txt,A,,2025-01-01,,zh-Hans,",
        encoding="utf-8",
    )
    fetch.append_manifest_row(manifest, {"file": "b.md", "title": '说"好", 吧', "url": "http://x/1"})
    rows = _manifest(tmp_path)
    assert [(r["file"], r["title"], r["url"]) for r in rows] == [
        ("a.txt", "A", ""),
        ("b.md", '说"好", 吧', "http://x/1"),
    ]
    fresh = tmp_path / "new" / "manifest.csv"
    fresh.parent.mkdir()
    fetch.append_manifest_row(fresh, {"file": "c.md"})
    assert (
        fresh.read_text(encoding="utf-8")
        == "file,title,publisher,published_at,url,language,companies\nc.md,,,,,,\n"
    )
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp files left
