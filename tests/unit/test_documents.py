"""Reading the source folder: manifest, front matter, encodings, languages and every quarantine reason."""

from __future__ import annotations

import csv
import os
import shutil
import time
from datetime import date
from pathlib import Path, PurePosixPath

import opencc
import pytest

from ingest.documents import (
    MANIFEST_COLUMNS,
    ManifestError,
    content_key,
    html_to_text,
    read_corpus,
    split_companies,
)
from ingest.schema import SEED_SCHEMAS

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BAD_INPUTS = PROJECT_ROOT / "tests" / "bad_inputs"
SOURCES = PROJECT_ROOT / "sources"

SIMPLIFIED = (
    "星河智能今日宣布完成新一轮融资，公司专注于语音识别与智能客服业务。"
    "创始人表示，公司将继续加大研发投入，并计划在未来两年内申请在香港联交所上市。"
)
OTHER = "远山科技近日向港交所递交招股书，这家公司主要提供工业视觉检测系统，客户覆盖汽车和电子行业。"
TRADITIONAL = opencc.OpenCC("s2t").convert(OTHER)


def write_source(folder: Path, files: dict[str, bytes | str], rows: list[list[str]] | None = None) -> Path:
    """A source folder with `files` and a manifest of `rows` (header added; None = no manifest)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    if rows is not None:
        with open(folder / "manifest.csv", "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(MANIFEST_COLUMNS)
            writer.writerows(rows)
    return folder


def row(file: str, published_at: str = "2025-06-30", language: str = "zh-Hans", **extra: str) -> list[str]:
    values = {"title": "", "publisher": "", "url": "", "companies": ""} | extra
    return [
        file,
        values["title"],
        values["publisher"],
        published_at,
        values["url"],
        language,
        values["companies"],
    ]


def only_rejection(corpus):
    assert len(corpus.rejected) == 1, corpus.rejected
    return corpus.rejected[0]


# --------------------------------------------------------------------------- the real sources


def test_real_sources_are_accepted_with_manifest_metadata():
    corpus = read_corpus(SOURCES)
    assert corpus.rejected == []
    docs = {d.document_id: d for d in corpus.documents}
    assert sorted(docs) == ["000_35e92165ac81694a", "003_b917a50fe0cf0989"]
    unisound, zhipu = docs["000_35e92165ac81694a"], docs["003_b917a50fe0cf0989"]
    assert unisound.published_at == date(2025, 6, 30)
    assert unisound.language == "zh-Hans"
    assert unisound.subject_companies == ("云知声",)
    assert unisound.title.startswith("云知声登陆港交所")
    # Front matter is parsed, and the body starts right after its closing '---'.
    assert unisound.front_matter["draft"] is False
    assert unisound.text[: unisound.body_start].endswith("---\n")
    assert unisound.text[unisound.body_start :].lstrip().startswith("> 在经历长达五年的上市跋涉后")
    assert (zhipu.language, zhipu.publisher, zhipu.body_start) == ("zh-Hant", "智東西", 0)
    assert zhipu.subject_companies == ("智譜",)
    frame = corpus.documents_df
    assert frame.columns == list(SEED_SCHEMAS["ingest_documents"])
    assert frame["encoding"].to_list() == ["utf-8", "utf-8"]
    assert frame["char_count"].to_list() == [len(unisound.text), len(zhipu.text)]
    assert frame["sha256"].str.len_chars().to_list() == [64, 64]


# --------------------------------------------------------------------------- the bad-input corpus


#: One endless sentence of counts named by the noun after them: no keyword before any number, the
#: slowest shape for the figure extractor (see bench/long_document.py).
LONG_LINE_UNIT = "2.12亿名个人用户，覆盖200多个国家，"


def long_line(size: int) -> str:
    """`size` UTF-8 bytes (at most) of one line without a sentence end."""
    unit = len(LONG_LINE_UNIT.encode())
    return "星河智能" + LONG_LINE_UNIT * ((size - 12) // unit)


def make_runtime_cases(folder: Path, max_bytes: int) -> None:
    """Cases git cannot hold (see tests/bad_inputs/make_bad_inputs.py)."""
    outside = folder.parent / "outside_secret.txt"
    outside.write_text(SIMPLIFIED, encoding="utf-8")
    (folder / "symlink_escape.txt").symlink_to(outside)
    (folder / "symlink_unlisted.txt").symlink_to(outside)
    (folder / "dangling_symlink.txt").symlink_to(folder / "nowhere.txt")
    (folder / "manifest_link.txt").symlink_to("manifest.csv")
    os.mkfifo(folder / "pipe.txt")
    (folder / "directory.txt").mkdir()
    (folder / "dir_unlisted.md").mkdir()
    (folder / "too_large.txt").write_text("大" * (max_bytes // 3 + 10), encoding="utf-8")
    # just under the size limit, over any time limit of a few seconds (`too_slow` once extracted)
    (folder / "long_line.txt").write_text(long_line(max_bytes * 95 // 100), encoding="utf-8")


def expected_rejections(stage: str | None = None) -> set[tuple[str, str]]:
    """(file_name, reason) of tests/bad_inputs/expected.csv, of one stage (read / extract) or all."""
    with open(BAD_INPUTS / "expected.csv", encoding="utf-8", newline="") as fh:
        return {(r["file_name"], r["reason"]) for r in csv.DictReader(fh) if stage in (None, r["stage"])}


@pytest.fixture
def bad_corpus(tmp_path):
    """tests/bad_inputs + runtime cases + the real sources, read together."""
    folder = tmp_path / "sources"
    shutil.copytree(BAD_INPUTS, folder)
    for doc in SOURCES.glob("*.txt"):
        shutil.copy(doc, folder / doc.name)
    with open(SOURCES / "manifest.csv", encoding="utf-8") as fh:
        real_rows = list(csv.reader(fh))[1:]
    with open(folder / "manifest.csv", "a", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(real_rows)
    make_runtime_cases(folder, max_bytes=100_000)
    return read_corpus(folder, max_bytes=100_000)


def test_bad_inputs_are_rejected_with_expected_reasons(bad_corpus):
    expected = expected_rejections("read")  # the `extract` ones need extraction: tests/e2e/test_bad_corpus.py
    assert len(expected) >= 30
    got = {(r.file_name, r.reason) for r in bad_corpus.rejected}
    assert got == expected
    for rejection in bad_corpus.rejected:  # every detail names the file (or its manifest line)
        assert rejection.file_name in rejection.detail or rejection.file_name.startswith("manifest.csv line")
        assert "\n" not in rejection.detail


def test_good_inputs_are_accepted_next_to_the_bad_ones(bad_corpus):
    accepted = {d.document_id: d for d in bad_corpus.documents}
    extracted_later = {PurePosixPath(name).stem for name, _ in expected_rejections("extract")}
    assert sorted(accepted) == sorted(
        [
            "000_35e92165ac81694a",
            "003_b917a50fe0cf0989",
            "good_gbk",
            "good_big5",
            "good_utf16",
            "good_bom",
            "good_escape",
            *extracted_later,
        ]
    )
    encodings = {d: bad_corpus.info[d].encoding for d in accepted}
    assert encodings["good_gbk"] == "gb18030"
    assert encodings["good_big5"] == "big5"
    assert encodings["good_utf16"] == "utf-16-le"
    assert encodings["good_bom"] == "utf-8"
    assert accepted["good_gbk"].text.startswith("星河智能今日宣布完成新一轮融资")
    assert accepted["good_gbk"].language == "zh-Hans"  # detected: the manifest leaves it empty
    big5 = accepted["good_big5"]
    assert (big5.language, big5.title, big5.published_at) == (
        "zh-Hant",
        "遠山科技遞交招股書",
        date(2025, 5, 20),
    )
    assert big5.text[big5.body_start :].startswith("遠山科技近日向港交所遞交招股書")
    assert accepted["good_bom"].title == "明月机器人"
    assert bad_corpus.rejected_df.columns == ["file_name", "reason", "detail", "check_name"]
    assert bad_corpus.rejected_df.height == len(bad_corpus.rejected)


# --------------------------------------------------------------------------- each reason on its own


@pytest.mark.parametrize(
    ("files", "rows", "file_name", "reason", "detail"),
    [
        ({"a.txt": ""}, [row("a.txt")], "a.txt", "empty", "0 bytes"),
        ({"a.txt": " \n\u3000\u200b\ufeff\t"}, [row("a.txt")], "a.txt", "empty", "whitespace"),
        ({"a.md": "---\ntitle: x\n---\n\n"}, [row("a.md")], "a.md", "empty", "after the front matter"),
        ({"a.txt": b"\x00\x01" + SIMPLIFIED.encode()}, [row("a.txt")], "a.txt", "binary", "NUL"),
        ({"a.txt": b"%PDF-1.5\n" + SIMPLIFIED.encode()}, [row("a.txt")], "a.txt", "binary", "PDF"),
        ({"a.txt": b"\x89PNG\r\n\x1a\n" + b"x" * 20}, [row("a.txt")], "a.txt", "binary", "PNG"),
        (
            {"a.txt": b"\xef\xbb\xbf" + b"\x00" * 9 + SIMPLIFIED.encode()},
            [row("a.txt")],
            "a.txt",
            "binary",
            "decoded as utf-8 but holds 9 control characters",
        ),
        ({"a.txt": b"\x07\x08\x1b" * 30 + SIMPLIFIED.encode()}, [row("a.txt")], "a.txt", "binary", "control"),
        ({"a.txt": b"\x80\xff" * 30}, [row("a.txt")], "a.txt", "undecodable", "not UTF-8"),
        # 81 30 81 30 is a valid GB18030 four-byte sequence: decodes, but to nonsense
        ({"a.txt": b"\x81\x30" * 30}, [row("a.txt")], "a.txt", "mojibake", "gb18030"),
        ({"a.txt": SIMPLIFIED.encode().decode("latin-1")}, [row("a.txt")], "a.txt", "mojibake", "latin-1"),
        ({"a.txt": SIMPLIFIED + "\ufffd"}, [row("a.txt")], "a.txt", "mojibake", "U+FFFD"),
        (
            {"a.txt": SIMPLIFIED.encode().decode("gbk", errors="ignore")},
            [row("a.txt")],
            "a.txt",
            "mojibake",
            "common",
        ),
        ({"a.txt": "中" * 400}, [row("a.txt")], "a.txt", "too_large", "limit is 1000"),
        (
            {"a.txt": SIMPLIFIED, "b.txt": SIMPLIFIED},
            [row("a.txt"), row("b.txt")],
            "b.txt",
            "duplicate",
            "a.txt",
        ),
        (
            {"a.txt": OTHER, "b.txt": "  " + TRADITIONAL.replace("，", "，\r\n")},
            [row("a.txt"), row("b.txt")],
            "b.txt",
            "duplicate",
            "same text as a.txt",
        ),
        ({}, [row("gone.txt")], "gone.txt", "missing_file", "not found"),
        ({}, [row("../x.txt")], "../x.txt", "path_escape", "outside"),
        ({}, [row("/etc/hosts")], "/etc/hosts", "path_escape", "absolute"),
        ({}, [row("..\\..\\x.txt")], "..\\..\\x.txt", "path_escape", "outside"),
        ({"a.txt": SIMPLIFIED}, [row("a.txt", "1850-01-01")], "a.txt", "bad_date", "outside 1990-01-01"),
        ({"a.txt": SIMPLIFIED}, [row("a.txt", "2025-13-45")], "a.txt", "bad_date", "not a date"),
        ({"a.txt": SIMPLIFIED}, [row("a.txt", "2025/06/30")], "a.txt", "bad_date", "YYYY-MM-DD"),
        ({"a.txt": SIMPLIFIED}, [row("a.txt", "")], "a.txt", "bad_date", "no published_at"),
        ({"a.txt": SIMPLIFIED}, [row("a.txt", language="en")], "a.txt", "bad_language", "'en'"),
        ({"a.txt": "English only text."}, [row("a.txt")], "a.txt", "bad_language", "no Chinese"),
        ({"a.txt": "English only text."}, [row("a.txt", language="")], "a.txt", "bad_language", "no Chinese"),
        ({"a.txt": SIMPLIFIED}, [], "a.txt", "no_manifest_row", "not listed"),
        (
            {"a.md": "---\ntitle: 只有标题\n---\n" + SIMPLIFIED},
            [],
            "a.md",
            "no_manifest_row",
            "title and date",
        ),
        ({"a.txt": SIMPLIFIED}, [row("a.txt"), row("a.txt")], "a.txt", "duplicate_manifest_row", "line 3"),
        ({}, [row("a.txt") + ["extra"]], "a.txt", "malformed_manifest_row", "8 fields"),
        ({}, [["a.txt", "t"]], "a.txt", "malformed_manifest_row", "2 fields"),
        ({}, [row("")], "manifest.csv line 2", "malformed_manifest_row", "no file name"),
        ({"a.pdf": b"%PDF-1.4"}, [row("a.pdf")], "a.pdf", "unsupported_type", ".txt"),
        (
            {"a.txt": SIMPLIFIED, "a.md": OTHER},
            [row("a.txt"), row("a.md")],
            "a.md",
            "duplicate_id",
            "already used by a.txt",
        ),
        ({"a.md": "---\ntitle: [x\n---\n" + SIMPLIFIED}, [row("a.md")], "a.md", "bad_front_matter", "parse"),
        (
            {"a.md": "---\nt: !!python/object/apply:os.system ['true']\n---\n" + SIMPLIFIED},
            [row("a.md")],
            "a.md",
            "bad_front_matter",
            "python/object",
        ),
    ],
)
def test_each_quarantine_reason(tmp_path, files, rows, file_name, reason, detail):
    corpus = read_corpus(write_source(tmp_path / "src", files, rows), max_bytes=1000)
    rejection = only_rejection(corpus)
    assert (rejection.file_name, rejection.reason) == (file_name, reason)
    assert detail in rejection.detail
    assert file_name.split("line")[0].strip() in rejection.detail


def test_symlink_escaping_the_folder_is_path_escape(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text(SIMPLIFIED, encoding="utf-8")
    src = write_source(tmp_path / "src", {}, [row("link.txt")])
    (src / "link.txt").symlink_to(secret)
    (src / "sub").mkdir()
    (src / "sub" / "inner").symlink_to(tmp_path)  # a symlinked folder leading out
    corpus = read_corpus(src)
    assert (only_rejection(corpus).file_name, only_rejection(corpus).reason) == ("link.txt", "path_escape")
    assert str(secret) in corpus.rejected[0].detail
    corpus = read_corpus(write_source(src, {}, [row("sub/inner/secret.txt")]))
    assert [(r.file_name, r.reason) for r in corpus.rejected] == [
        ("sub/inner/secret.txt", "path_escape"),
        ("link.txt", "path_escape"),  # still in the folder, now unlisted
    ]


def test_symlink_inside_the_folder_is_followed(tmp_path):
    src = write_source(tmp_path / "src", {"real/a.txt": SIMPLIFIED}, [row("link.txt")])
    (src / "link.txt").symlink_to(src / "real" / "a.txt")
    corpus = read_corpus(src)
    assert [d.document_id for d in corpus.documents] == ["link"]
    # the target itself is also a document (not in the manifest, no front matter)
    assert [(r.file_name, r.reason) for r in corpus.rejected] == [("real/a.txt", "no_manifest_row")]


def test_directory_and_fifo_are_not_files(tmp_path):
    src = write_source(tmp_path / "src", {}, [row("dir.txt"), row("pipe.txt")])
    (src / "dir.txt").mkdir()
    os.mkfifo(src / "pipe.txt")  # reading it would block forever
    corpus = read_corpus(src)
    assert sorted((r.file_name, r.reason) for r in corpus.rejected) == [
        ("dir.txt", "not_a_file"),
        ("pipe.txt", "not_a_file"),
    ]


def test_oversized_file_is_rejected_before_reading(tmp_path):
    src = write_source(tmp_path / "src", {"big.txt": "中" * 2000}, [row("big.txt")])
    rejection = only_rejection(read_corpus(src, max_bytes=5999))
    assert (rejection.reason, rejection.detail) == ("too_large", "big.txt: 6000 bytes, the limit is 5999")
    assert read_corpus(src, max_bytes=6000).rejected == []


def test_manifest_missing_required_columns_is_fatal(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "manifest.csv").write_text("file,title,date\na.txt,x,2025-01-01\n", encoding="utf-8")
    with pytest.raises(ManifestError) as err:
        read_corpus(src)
    message = str(err.value)
    assert "manifest.csv" in message
    assert "publisher, published_at, url, language, companies" in message


def test_manifest_not_utf8_is_fatal(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "manifest.csv").write_bytes(",".join(MANIFEST_COLUMNS).encode() + "\n甲.txt".encode("gbk"))
    with pytest.raises(ManifestError, match=r"manifest\.csv: not valid UTF-8"):
        read_corpus(src)


def test_missing_folder_raises_naming_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere"):
        read_corpus(tmp_path / "nowhere")


def test_manifest_with_bom_and_extra_columns_and_blank_lines(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text(SIMPLIFIED, encoding="utf-8")
    header = ",".join((*MANIFEST_COLUMNS, "notes"))
    (src / "manifest.csv").write_text(
        f"\ufeff{header}\n\na.txt,标题,测试,2025-01-02,,zh-CN,星河智能;远山科技、星河智能,备注\n",
        encoding="utf-8",
    )
    corpus = read_corpus(src)
    (doc,) = corpus.documents
    assert (doc.title, doc.language, doc.published_at) == ("标题", "zh-Hans", date(2025, 1, 2))
    assert doc.subject_companies == ("星河智能", "远山科技")


# --------------------------------------------------------------------------- encodings


@pytest.mark.parametrize(
    ("data", "encoding", "text"),
    [
        (SIMPLIFIED.encode("utf-8"), "utf-8", SIMPLIFIED),
        (b"\xef\xbb\xbf" + SIMPLIFIED.encode("utf-8"), "utf-8", SIMPLIFIED),
        (SIMPLIFIED.encode("utf-16"), "utf-16-le", SIMPLIFIED),
        (b"\xfe\xff" + SIMPLIFIED.encode("utf-16-be"), "utf-16-be", SIMPLIFIED),
        (SIMPLIFIED.encode("utf-16-le"), "utf-16-le", SIMPLIFIED),  # no BOM
        (SIMPLIFIED.encode("utf-32"), "utf-32-le", SIMPLIFIED),
        (SIMPLIFIED.encode("gbk"), "gb18030", SIMPLIFIED),
        ((SIMPLIFIED + "𠮷€").encode("gb18030"), "gb18030", SIMPLIFIED + "𠮷€"),  # 4-byte sequences
        (TRADITIONAL.encode("big5"), "big5", TRADITIONAL),
        ((TRADITIONAL + "啲嘢").encode("big5hkscs"), "big5hkscs", TRADITIONAL + "啲嘢"),  # HK characters
        ((SIMPLIFIED.replace("。", "。\r\n")).encode("gbk"), "gb18030", SIMPLIFIED.replace("。", "。\n")),
    ],
)
def test_encodings_are_detected_and_decoded(tmp_path, data, encoding, text):
    src = write_source(tmp_path / "src", {"a.txt": data}, [row("a.txt", language="")])
    corpus = read_corpus(src)
    assert corpus.rejected == []
    (doc,) = corpus.documents
    assert doc.text == text  # BOM stripped, universal newlines: offsets index this string
    assert corpus.info["a"].encoding == encoding


def test_short_text_with_rare_characters_is_not_mojibake(tmp_path):
    # Invented company names often use rare characters; a short piece must still be accepted.
    text = "Press release: 矽岫觅鲸科技 (Silicon AI) 今日上市。Shares rose 12% on day one."
    corpus = read_corpus(write_source(tmp_path / "src", {"a.txt": text}, [row("a.txt")]))
    assert corpus.rejected == []
    assert corpus.documents[0].text == text


def test_bom_is_stripped_before_front_matter(tmp_path):
    data = b"\xef\xbb\xbf---\ntitle: \xe6\xa0\x87\xe9\xa2\x98\ndate: 2025-03-04\n---\n" + SIMPLIFIED.encode()
    corpus = read_corpus(write_source(tmp_path / "src", {"a.md": data}, None))
    (doc,) = corpus.documents
    assert (doc.title, doc.published_at, doc.body_start) == ("标题", date(2025, 3, 4), 35)
    assert doc.text[doc.body_start :] == SIMPLIFIED


def test_big5_bytes_are_not_mistaken_for_gbk(tmp_path):
    # Big5 bytes also decode as GB18030 (to nonsense); the common-character test must pick Big5.
    data = TRADITIONAL.encode("big5")
    data.decode("gb18030")  # proves the trap exists
    corpus = read_corpus(write_source(tmp_path / "src", {"a.txt": data}, [row("a.txt", language="")]))
    (doc,) = corpus.documents
    assert (doc.text, doc.language) == (TRADITIONAL, "zh-Hant")


# --------------------------------------------------------------------------- metadata merging


def test_front_matter_fills_what_the_manifest_leaves_empty(tmp_path):
    front = (
        "---\ntitle: 前言标题\ndate: 2025-06-30T19:10:04+08:00\npublisher: 前言社\n"
        "url: https://example.com/a\ncompanies: [星河智能, 远山科技]\nlanguage: zh-TW\n---\n"
    )
    src = write_source(tmp_path / "src", {"a.md": front + TRADITIONAL}, [row("a.md", "", "")])
    (doc,) = read_corpus(src).documents
    assert doc.title == "前言标题"
    assert doc.published_at == date(2025, 6, 30)  # local date of the timestamp, not UTC
    assert (doc.publisher, doc.url, doc.language) == ("前言社", "https://example.com/a", "zh-Hant")
    assert doc.subject_companies == ("星河智能", "远山科技")
    assert doc.body_start == len(front)


def test_manifest_wins_over_front_matter(tmp_path):
    front = "---\ntitle: 前言标题\ndate: 2024-01-01\npublisher: 前言社\ncompanies: 远山科技\n---\n"
    rows = [row("a.md", "2025-02-03", "zh-Hans", title="清单标题", publisher="清单社", companies="星河智能")]
    src = write_source(tmp_path / "src", {"a.md": front + SIMPLIFIED}, rows)
    (doc,) = read_corpus(src).documents
    assert (doc.title, doc.publisher, doc.published_at) == ("清单标题", "清单社", date(2025, 2, 3))
    assert doc.subject_companies == ("星河智能",)
    assert doc.front_matter["title"] == "前言标题"  # kept for reference


def test_unlisted_document_with_front_matter_is_accepted(tmp_path):
    src = write_source(tmp_path / "src", {"b.md": "---\ntitle: 标题\ndate: 2025-04-05\n---\n" + OTHER}, [])
    corpus = read_corpus(src)
    assert corpus.rejected == []
    (doc,) = corpus.documents
    assert (doc.document_id, doc.file_name, doc.language) == ("b", "b.md", "zh-Hans")


def test_language_aliases_and_detection(tmp_path):
    files = {"a.txt": SIMPLIFIED, "b.txt": TRADITIONAL, "c.txt": OTHER + "。", "d.txt": "遠山科技的產品線"}
    rows = [row("a.txt", language="zh_CN"), row("b.txt", language="ZH-HK"), row("c.txt", language="")]
    rows.append(row("d.txt", language="zh"))
    corpus = read_corpus(write_source(tmp_path / "src", files, rows))
    assert {d.document_id: d.language for d in corpus.documents} == {
        "a": "zh-Hans",
        "b": "zh-Hant",
        "c": "zh-Hans",
        "d": "zh-Hant",
    }


def test_html_is_reduced_to_visible_text(tmp_path):
    html = (
        "<html><head><title>标题 &amp; 副题</title><script>var a='隐藏';</script></head>"
        f"<body><h1>大标题</h1><p>{SIMPLIFIED}</p><p>第二段&nbsp;文字</p></body></html>"
    )
    text, title = html_to_text(html)
    assert title == "标题 & 副题"
    assert text == f"大标题\n{SIMPLIFIED}\n第二段\u00a0文字"
    (doc,) = read_corpus(write_source(tmp_path / "src", {"a.html": html}, [row("a.html")])).documents
    assert (doc.text, doc.title) == (text, "标题 & 副题")


def test_ignored_files_and_nested_corpora(tmp_path):
    files = {
        "a.txt": SIMPLIFIED,
        "README.md": "说明",
        ".hidden.txt": "x",
        "urls.txt": "https://example.com",
        "notes.csv": "x",
        "other/manifest.csv": ",".join(MANIFEST_COLUMNS) + "\n",
        "other/b.txt": OTHER,
        "nested/c.txt": OTHER,
    }
    corpus = read_corpus(write_source(tmp_path / "src", files, [row("a.txt"), row("nested/c.txt")]))
    assert sorted(d.file_name for d in corpus.documents) == ["a.txt", "nested/c.txt"]
    assert corpus.rejected == []
    assert corpus.ignored == ["notes.csv", "other/"]


def test_no_manifest_at_all_needs_front_matter(tmp_path):
    files = {"a.md": "---\ntitle: 标题\ndate: 2025-04-05\n---\n" + OTHER, "b.txt": SIMPLIFIED}
    corpus = read_corpus(write_source(tmp_path / "src", files, None))
    assert [d.document_id for d in corpus.documents] == ["a"]
    assert [(r.file_name, r.reason) for r in corpus.rejected] == [("b.txt", "no_manifest_row")]


def test_split_companies_accepts_every_separator():
    assert split_companies("云知声|智谱；商汤、 科大讯飞 ,云知声，地平线") == (
        "云知声",
        "智谱",
        "商汤",
        "科大讯飞",
        "地平线",
    )
    assert split_companies(["云知声", " 智谱 "]) == ("云知声", "智谱")
    assert split_companies(None) == ()


def test_content_key_ignores_script_width_and_whitespace():
    assert content_key(SIMPLIFIED) == content_key(opencc.OpenCC("s2t").convert(SIMPLIFIED))
    assert content_key("ＡＢＣ１２３ 星河") == content_key("ABC123\n星河")
    assert content_key(SIMPLIFIED) != content_key(SIMPLIFIED + "。")


def test_documents_frame_uses_resolved_subject_ids(tmp_path):
    corpus = read_corpus(
        write_source(tmp_path / "src", {"a.txt": SIMPLIFIED}, [row("a.txt", companies="星河智能")])
    )
    assert corpus.documents_df["subject_companies"].to_list() == ["星河智能"]
    frame = corpus.documents_frame({"a": ["xinghe", "yuanshan"]})
    assert frame["subject_companies"].to_list() == ["xinghe|yuanshan"]


def test_reading_many_documents_keeps_every_one(tmp_path):
    # (how fast is measured by `make bench`, not here)
    files = {f"d{i:04d}.txt": f"第{i}篇。{SIMPLIFIED}{OTHER}" for i in range(2000)}
    src = write_source(tmp_path / "src", files, [row(name) for name in files])
    corpus = read_corpus(src)
    assert len(corpus.documents) == 2000
    assert corpus.documents[1999].text.startswith("第1999篇。")


# --------------------------------------------------------------------------- hostile folders (issue 11)


def _finishes(function, seconds: float = 5.0):
    """Run `function` in a thread; fail the test (instead of hanging it) when it blocks."""
    import threading

    outcome: dict[str, object] = {}

    def target() -> None:
        try:
            outcome["value"] = function()
        except Exception as exc:  # noqa: BLE001 - handed back to the test
            outcome["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"{function} still running after {seconds} s: it blocks"
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def test_a_fifo_named_manifest_is_an_error_not_a_hang(tmp_path):
    src = write_source(tmp_path / "src", {"a.txt": SIMPLIFIED})
    os.mkfifo(src / "manifest.csv")  # nobody writes into it: an open() for reading would wait forever
    with pytest.raises(ManifestError, match=r"manifest\.csv: is a FIFO"):
        _finishes(lambda: read_corpus(src))


def test_a_fifo_manifest_stops_the_cli_with_exit_1(tmp_path, capsys):
    from ingest.__main__ import main

    src = write_source(tmp_path / "src", {"a.txt": SIMPLIFIED})
    os.mkfifo(src / "manifest.csv")
    code = _finishes(lambda: main(["--sources", str(src), "--out", str(tmp_path / "out"), "--no-cache"]))
    assert code == 1
    assert f"ingest: error: bad manifest: {src / 'manifest.csv'}: is a FIFO" in capsys.readouterr().err


def test_a_manifest_symlinked_from_outside_is_refused(tmp_path):
    elsewhere = tmp_path / "elsewhere.csv"
    elsewhere.write_text(",".join(MANIFEST_COLUMNS) + "\n", encoding="utf-8")
    src = write_source(tmp_path / "src", {"a.txt": SIMPLIFIED})
    (src / "manifest.csv").symlink_to(elsewhere)
    with pytest.raises(ManifestError, match=r"symlink to .*elsewhere\.csv, outside the source folder"):
        read_corpus(src)


def test_links_to_the_manifest_are_not_articles(tmp_path):
    src = write_source(
        tmp_path / "src", {"a.txt": SIMPLIFIED}, [row("a.txt"), row("soft.txt"), row("hard.txt")]
    )
    (src / "soft.txt").symlink_to("manifest.csv")
    os.link(src / "manifest.csv", src / "hard.txt")
    corpus = read_corpus(src)
    assert [d.document_id for d in corpus.documents] == ["a"]
    assert sorted((r.file_name, r.reason, r.detail) for r in corpus.rejected) == [
        ("hard.txt", "not_a_file", "hard.txt: is the manifest (manifest.csv) under another name"),
        ("soft.txt", "not_a_file", "soft.txt: is a link to manifest.csv, which is not a document"),
    ]


def test_a_manifest_field_over_the_csv_limit_rejects_only_its_row(tmp_path):
    title = "标" * 131_073  # one character over Python's default csv field limit
    files = {"a.txt": SIMPLIFIED, "b.txt": OTHER, "c.txt": TRADITIONAL + "。"}
    src = write_source(tmp_path / "src", files, [row("a.txt"), row("b.txt", title=title), row("c.txt")])
    corpus = read_corpus(src)
    assert [d.document_id for d in corpus.documents] == ["a", "c"]
    rejected = [(r.file_name, r.reason) for r in corpus.rejected]
    assert rejected == [("b.txt", "malformed_manifest_row"), ("b.txt", "no_manifest_row")]
    assert corpus.rejected[0].detail == (
        "b.txt: manifest.csv line 3: column title holds 131,073 characters, more than 131,072 "
        "(an unclosed quote?)"
    )
    import csv as csv_module

    assert csv_module.field_size_limit() == 131_072  # the process-wide limit is put back


def test_an_alias_bomb_in_front_matter_is_rejected_at_once(tmp_path):
    bomb = (BAD_INPUTS / "alias_bomb.md").read_bytes()
    assert len(bomb) < 1100  # the 1 KB "billion laughs"
    src = write_source(tmp_path / "src", {"bomb.md": bomb})
    started = time.perf_counter()
    corpus = _finishes(lambda: read_corpus(src))
    assert time.perf_counter() - started < 1.0  # a hang guard: ~1 ms measured
    rejection = only_rejection(corpus)
    assert (rejection.file_name, rejection.reason) == ("bomb.md", "bad_front_matter")
    assert rejection.detail.startswith("bomb.md: front matter aliases expand to over ")
    assert rejection.detail.endswith("(the limit is 1,000): an alias bomb")


@pytest.mark.parametrize(
    ("front", "accepted"),
    [
        ("a: &x [1, 2]\nb: *x\nc: [*x, *x]\n", True),  # a few aliases: fine
        ("a: &x [1, *x]\n", False),  # an alias of itself
    ],
)
def test_aliases_within_the_bound_are_read(tmp_path, front, accepted):
    text = f"---\ntitle: t\ndate: 2025-01-02\n{front}---\n{SIMPLIFIED}"
    corpus = read_corpus(write_source(tmp_path / "src", {"a.md": text}))
    assert [d.document_id for d in corpus.documents] == (["a"] if accepted else [])
    if accepted:
        assert corpus.documents[0].front_matter["c"] == [[1, 2], [1, 2]]
    else:
        assert only_rejection(corpus).detail == "a.md: a front matter alias refers to itself"


def test_control_characters_are_stored_as_spaces_and_offsets_hold(tmp_path):
    body = "星河智能\x1b[31m今日宣布完成新一轮融资，\x85公司专注于语音识别\x07与智能客服业务。\t结束。"
    title = "星河\x1b[0m智能\x9b融资"
    src = write_source(tmp_path / "src", {"a.txt": body}, [row("a.txt", title=title, publisher="测\x00试")])
    [doc] = read_corpus(src).documents
    assert len(doc.text) == len(body) == len(doc.folded)  # nothing removed: every offset is still valid
    assert doc.text == body.replace("\x1b", " ").replace("\x85", " ").replace("\x07", " ")
    assert "\t" in doc.text  # tab and newline are text
    assert (doc.title, doc.publisher) == ("星河[0m智能融资", "测试")
    start = doc.text.index("今日")
    assert doc.text[start - 5 : start] == " [31m"  # what a quote cut at these offsets holds


def test_html_holds_no_control_character_written_raw_or_as_a_reference(tmp_path):
    # a raw ESC becomes a space; the HTML parser drops &#27; and reads &#x9b; as cp1252 ('›')
    body = f"<p>{SIMPLIFIED[:20]}\x1b&#27;{SIMPLIFIED[20:30]}&#x9b;{SIMPLIFIED[30:]}</p>"
    html = f"<html><head><title>星河&#27;智能\x1b</title></head><body>{body}</body></html>"
    [doc] = read_corpus(write_source(tmp_path / "src", {"a.html": html}, [row("a.html")])).documents
    assert doc.text == SIMPLIFIED[:20] + " " + SIMPLIFIED[20:30] + "›" + SIMPLIFIED[30:]
    assert doc.title == "星河智能"


def test_good_escape_input_keeps_its_length_and_loses_its_escapes(bad_corpus):
    [doc] = [d for d in bad_corpus.documents if d.document_id == "good_escape"]
    raw = (BAD_INPUTS / "good_escape.txt").read_text(encoding="utf-8")
    assert raw.count("\x1b") == 2 and raw.count("\x85") == 1
    assert len(doc.text) == len(raw) and "\x1b" not in doc.text and "\x85" not in doc.text


@pytest.mark.parametrize("company", ["-", "--", "—", "「」"])
def test_a_subject_company_that_cannot_become_an_id_rejects_its_document(tmp_path, company):
    files = {"a.txt": SIMPLIFIED, "b.txt": OTHER}
    src = write_source(
        tmp_path / "src", files, [row("a.txt", companies=company), row("b.txt", companies="远山科技")]
    )
    corpus = read_corpus(src)
    assert [d.document_id for d in corpus.documents] == ["b"]
    rejection = only_rejection(corpus)
    assert (rejection.file_name, rejection.reason) == ("a.txt", "bad_company_name")
    assert rejection.detail == (
        f"a.txt: company {company!r} has no letter, digit or Chinese character: it cannot become a company id"
    )


@pytest.mark.parametrize(
    "name", ["-", "--", "「」", "ＡＢＣ", "ab", "3", "星河智能", "㐂", "智譜", "ソニー", "Ωmega", " "]
)
def test_the_company_name_check_gives_the_answers_of_company_slug(name):
    from ingest.companies import company_slug
    from ingest.documents import can_become_id

    try:
        company_slug(name)
    except ValueError:
        slug_ok = False
    else:
        slug_ok = True
    assert can_become_id(name) == slug_ok


def test_a_file_name_with_control_characters_is_rejected_and_shown_escaped(tmp_path):
    src = write_source(tmp_path / "src", {"a\x1b[2J.txt": SIMPLIFIED}, [row("a\x1b[2J.txt")])
    rejection = only_rejection(read_corpus(src))
    assert (rejection.file_name, rejection.reason) == ("a\\x1b[2J.txt", "bad_file_name")
    assert rejection.detail == "a\\x1b[2J.txt: the file name holds control characters"
