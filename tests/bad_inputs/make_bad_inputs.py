"""Regenerate the bad-input corpus: `python tests/bad_inputs/make_bad_inputs.py`.

Writes every committed case file, `manifest.csv` and `expected.csv` (file_name,reason,stage) next to
this script. `stage` says which step rejects the file: `read` (`ingest.documents.read_corpus`) or
`extract` (after extraction: `ingest.__main__.extract_all`, i.e. a whole `python -m ingest`). Cases
that cannot live in git (symlinks, a FIFO, a directory named like a document, an oversized file, a
long one-line file) are listed in the manifest and `expected.csv` too, but created at test time by
`tests/unit/test_documents.py::make_runtime_cases`.
"""

from __future__ import annotations

import csv
from pathlib import Path

import opencc

HERE = Path(__file__).resolve().parent

# Invented article text (no real company, no figure used anywhere else).
PARA_A = (
    "星河智能今日宣布完成新一轮融资，公司专注于语音识别与智能客服业务。"
    "创始人表示，公司将继续加大研发投入，扩大在医疗和教育领域的应用，并计划在未来两年内申请在香港联交所上市。"
    "业内人士认为，人工智能企业的商业化仍然面临挑战，但市场对大模型应用的需求正在快速增长。"
)
PARA_B = (
    "远山科技近日向港交所递交招股书，这家公司主要提供工业视觉检测系统。"
    "招股书显示，公司客户覆盖汽车、电子和新能源等多个行业，研发人员占员工总数的一半以上。"
    "分析师指出，工业人工智能赛道竞争激烈，企业需要证明其产品能够持续创造价值。"
)
PARA_C = (
    "青松数据发布公告称，公司董事会已批准上市计划，本次发行所得资金将主要用于技术研发和市场拓展。"
    "公司管理层在发布会上介绍了新一代数据平台，并表示将与多家银行和保险机构开展合作。"
)
PARA_D = (
    "明月机器人在深圳举行新品发布会，推出面向家庭服务的智能机器人产品。"
    "公司负责人说，团队用了三年时间完成核心算法的开发，新产品将在今年下半年正式上市销售。"
)
# Distinct filler for the cases whose defect is elsewhere (dates, languages, front matter ...).
FILLER = "这是一篇关于人工智能公司上市进展的新闻报道，内容用于测试数据质量检查。第{}号测试文本。"

s2t = opencc.OpenCC("s2t")

HEADER = ["file", "title", "publisher", "published_at", "url", "language", "companies"]
MANIFEST: list[list[str]] = []
EXPECTED: list[tuple[str, str, str]] = []


def row(
    file: str, date: str = "2025-06-30", language: str = "zh-Hans", title: str = "", extra=(), company="星河智能"
) -> None:
    MANIFEST.append([file, title, "测试", date, "", language, company, *extra])


def write(
    name: str, data: bytes | str, reason: str | None, *, listed: bool = True, stage: str = "read", **manifest
) -> None:
    path = HERE / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    if listed:
        row(name, **manifest)
    if reason:
        EXPECTED.append((name, reason, stage))


def filler(i: int) -> str:
    return FILLER.format(i) * 3


def main() -> None:
    for old in HERE.iterdir():
        if old.name not in {"make_bad_inputs.py", "README.md"}:
            old.unlink()

    # ---- good documents, one per encoding path
    write("good_gbk.txt", PARA_A.encode("gbk"), None, language="")  # language detected: zh-Hans
    big5_front = "---\ntitle: 遠山科技遞交招股書\ndate: 2025-05-20T09:30:00+08:00\npublisher: 測試\n---\n"
    write("good_big5.md", (big5_front + s2t.convert(PARA_B)).encode("big5"), None, listed=False)
    write("good_utf16.txt", PARA_C.encode("utf-16"), None)
    html = (
        f"<html><head><title>明月机器人</title><style>p{{}}</style></head><body><p>{PARA_D}</p></body></html>"
    )
    write("good_bom.html", b"\xef\xbb\xbf" + html.encode("utf-8"), None)

    # ---- manifest problems
    row("../../etc/passwd")
    EXPECTED.append(("../../etc/passwd", "path_escape", "read"))
    row("/etc/passwd")
    EXPECTED.append(("/etc/passwd", "path_escape", "read"))
    row("C:\\Windows\\win.ini")
    EXPECTED.append(("C:\\Windows\\win.ini", "path_escape", "read"))
    row("sub/../../outside.txt")
    EXPECTED.append(("sub/../../outside.txt", "path_escape", "read"))
    row("missing.txt")
    EXPECTED.append(("missing.txt", "missing_file", "read"))
    row("too_many_columns.txt", extra=("surplus",))
    EXPECTED.append(("too_many_columns.txt", "malformed_manifest_row", "read"))
    MANIFEST.append(["too_few_columns.txt", "标题"])
    EXPECTED.append(("too_few_columns.txt", "malformed_manifest_row", "read"))
    MANIFEST.append(["", "没有文件名", "测试", "2025-06-30", "", "zh-Hans", ""])
    EXPECTED.append((f"manifest.csv line {len(MANIFEST) + 1}", "malformed_manifest_row", "read"))
    row("good_gbk.txt")  # listed a second time
    EXPECTED.append(("good_gbk.txt", "duplicate_manifest_row", "read"))
    write("unsupported.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "unsupported_type")
    # created at test time
    for name, reason, stage in [
        ("symlink_escape.txt", "path_escape", "read"),
        ("dangling_symlink.txt", "missing_file", "read"),
        ("directory.txt", "not_a_file", "read"),
        ("too_large.txt", "too_large", "read"),
        ("manifest_link.txt", "not_a_file", "read"),  # a symlink to manifest.csv
        ("pipe.txt", "not_a_file", "read"),  # a FIFO: reading it would block
        ("long_line.txt", "too_slow", "extract"),  # one endless sentence, over DOCUMENT_TIME_LIMIT
    ]:
        row(name)
        EXPECTED.append((name, reason, stage))
    EXPECTED.append(("symlink_unlisted.txt", "path_escape", "read"))
    EXPECTED.append(("dir_unlisted.md", "not_a_file", "read"))

    # ---- dates and languages
    write("bad_date_1850.txt", filler(1), "bad_date", date="1850-01-01")
    write("bad_date_2025_13_45.txt", filler(2), "bad_date", date="2025-13-45")
    write("bad_date_format.txt", filler(3), "bad_date", date="30/06/2025")
    write("bad_date_future.txt", filler(4), "bad_date", date="2099-01-01")
    write("no_date.txt", filler(5), "bad_date", date="")
    fm_bad_date = "---\ntitle: 日期不对\ndate: 昨天\n---\n" + filler(6)
    write("fm_bad_date.md", fm_bad_date, "bad_date", listed=False)
    write("lang_en.txt", filler(7), "bad_language", language="en")
    write("lang_ja.txt", filler(8), "bad_language", language="ja-JP")
    write("no_chinese.txt", "This article is written in English only. " * 5, "bad_language")
    fm_lang = "---\ntitle: 语言不对\ndate: 2025-01-02\nlanguage: fr\n---\n" + filler(9)
    write("fm_bad_language.md", fm_lang, "bad_language", listed=False)

    # ---- empty
    write("empty.txt", b"", "empty")
    write("whitespace.txt", " \n\t\n\u3000\u3000\n", "empty")
    write("zero_width.txt", "\u200b\u200c\u200d\ufeff\u2060" * 10, "empty")
    write("front_matter_only.md", "---\ntitle: 只有头\ndate: 2025-01-01\n---\n\n  \n", "empty")
    write("html_no_text.html", "<html><head><script>var x = 1;</script></head><body> </body></html>", "empty")

    # ---- binary
    write("nul_bytes.txt", filler(10).encode("utf-8") + b"\x00\x00\x00" + b"abc", "binary")
    write("pdf_header.txt", b"%PDF-1.7\n%\xb5\xb5\xb5\xb5\n1 0 obj\n<</Type/Catalog>>\nendobj\n", "binary")
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    write("png_image.txt", png, "binary")
    write("docx_renamed.md", b"PK\x03\x04\x14\x00\x06\x00\x08\x00" + b"word/document.xml", "binary")
    write("control_chars.txt", bytes(range(1, 9)) * 20 + "正文".encode(), "binary")

    # ---- encodings gone wrong
    gbk = filler(11).encode("gbk")
    write("gbk_byte_dropped.txt", gbk[:11] + gbk[12:], "undecodable")  # later pairs shift by one byte
    write("gbk_truncated.txt", gbk[:-1], "undecodable")  # cut inside the last character
    write("invalid_bytes.txt", b"\x80\xff" * 40, "undecodable")
    write("utf8_bom_broken.txt", b"\xef\xbb\xbf" + filler(12).encode("utf-8")[:-1] + b"\xff", "undecodable")
    utf8 = filler(13).encode("utf-8")
    write("utf8_as_latin1.txt", utf8.decode("latin-1"), "mojibake")
    write("utf8_as_gbk.txt", utf8.decode("gbk", errors="ignore"), "mojibake")
    write("utf8_as_gbk_replaced.txt", filler(14).encode("utf-8").decode("gbk", errors="replace"), "mojibake")
    big5 = s2t.convert(filler(15)).encode("big5")
    write("big5_as_gbk.txt", big5.decode("gbk", errors="ignore"), "mojibake")
    write("gbk_as_big5.txt", filler(16).encode("gbk").decode("big5", errors="ignore"), "mojibake")
    write("kun_jin_kao.txt", "锟斤拷锟斤拷" + filler(17), "mojibake")

    # ---- front matter
    write("bad_yaml.md", "---\ntitle: [unclosed\ndate: 2025-01-01\n---\n" + filler(18), "bad_front_matter")
    write("yaml_list.md", "---\n- a\n- b\n---\n" + filler(19), "bad_front_matter")
    evil = "---\ntitle: !!python/object/apply:os.system ['echo pwned']\ndate: 2025-01-01\n---\n"
    write("yaml_python_tag.md", evil + filler(20), "bad_front_matter")
    # 'billion laughs': 9 levels of 9 aliases expand a few hundred bytes into 9**9 strings
    bomb = "---\nl0: &l0 [" + ", ".join(["lol"] * 9) + "]\n"
    bomb += "".join(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]\n" for i in range(1, 10))
    bomb += "title: *l9\ndate: 2025-01-01\n---\n"
    write("alias_bomb.md", bomb + filler(24), "bad_front_matter")

    # ---- subjects and values the warehouse cannot hold
    write("bad_company_dash.txt", filler(25), "bad_company_name", company="-")
    # ESC and other control characters: stored as spaces (offsets kept), the document is accepted
    write("good_escape.txt", PARA_D.replace("，", "\x1b[31m，", 2).replace("。", "\x85。", 1), None)
    # a revenue of 10**28 yuan: no BIGINT holds it, and no suite range allows it
    unstorable = "星河智能发布公告称，公司2024年营业收入为99999999999999999999亿元。" + PARA_A
    write("unstorable_value.txt", unstorable, "unstorable_value", stage="extract")

    # ---- not in the manifest
    write("unlisted_plain.txt", filler(21), "no_manifest_row", listed=False)
    write(
        "unlisted_title_only.md", "---\ntitle: 只有标题\n---\n" + filler(22), "no_manifest_row", listed=False
    )

    # ---- duplicates
    write("duplicate_copy.txt", PARA_A.replace("。", "。\r\n") + "  \r\n", "duplicate")
    write("duplicate_traditional.txt", s2t.convert(PARA_C), "duplicate")
    write("good_gbk.md", filler(23), "duplicate_id")

    with open(HERE / "manifest.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(MANIFEST)
    with open(HERE / "expected.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["file_name", "reason", "stage"])
        writer.writerows(EXPECTED)
    print(f"{len(EXPECTED)} bad cases, {len(MANIFEST)} manifest rows")


if __name__ == "__main__":
    main()
