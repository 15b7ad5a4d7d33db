"""`python -m ingest`: output lines, exit codes, strict mode; and the extraction orchestration.

The extractor rule modules are replaced by small fakes so these tests check the plumbing only.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from ingest import extract
from ingest.__main__ import main
from ingest.companies import CompanyMatcher, DiscoveredCompany
from ingest.documents import MANIFEST_COLUMNS, read_corpus
from ingest.extract import ExtractionError, Extractors, discover_corpus, extract_corpus, extract_document
from ingest.progress import Progress
from ingest.schema import SEED_SCHEMAS
from ingest.seeds import read_seed
from ingest.text import Document

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ARTICLE = "星河智能今日宣布完成新一轮融资，公司专注于语音识别与智能客服业务，并计划申请在香港联交所上市。"


@dataclass
class FakeFigures:
    figures: pl.DataFrame
    unclassified: pl.DataFrame
    implied_fx: pl.DataFrame


def fake_extractors(figure_id=lambda doc: f"fig-{doc.document_id}", fail_on: str | None = None) -> Extractors:
    """One figure, one holder, one event per document, and a discovered company 'xinghe'."""

    def find(doc, seed):
        return [DiscoveredCompany("xinghe", "星河智能", "星河智能", "manifest: 星河智能", False)]

    def figures(doc, matcher, subject_ids):
        if doc.document_id == fail_on:
            raise RuntimeError("rule exploded")
        start = doc.text.index("新一轮")
        return FakeFigures(
            figures=pl.DataFrame(
                {
                    "figure_id": [figure_id(doc)],
                    "document_id": [doc.document_id],
                    "company_id": subject_ids,
                    "value": [-1.5],
                    "char_start": [start],
                    "char_end": [start + 3],
                    "quote": [doc.text[start : start + 3]],
                }
            ),
            unclassified=pl.DataFrame(
                {"mention_id": [f"m-{doc.document_id}"], "document_id": [doc.document_id]}
            ),
            implied_fx=pl.DataFrame(),
        )

    def holders(doc, matcher, subject_ids):
        return pl.DataFrame({"holder_id": [f"h-{doc.document_id}"], "document_id": [doc.document_id]})

    def events(doc, matcher, subject_ids):
        return pl.DataFrame(
            {
                "event_id": [f"e-{doc.document_id}"],
                "document_id": [doc.document_id],
                "event_date": [date(2025, 6, 30)],
            }
        )

    return Extractors(find, figures, holders, events)


@pytest.fixture
def fakes(monkeypatch):
    monkeypatch.setattr(extract.Extractors, "default", classmethod(lambda cls: fake_extractors()))
    for var in ("STRICT", "MAX_DOCUMENT_BYTES", "SOURCES_DIR"):
        monkeypatch.delenv(var, raising=False)


def make_sources(folder: Path, docs: dict[str, bytes | str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "manifest.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(MANIFEST_COLUMNS)
        for name, data in docs.items():
            (folder / name).write_bytes(data.encode() if isinstance(data, str) else data)
            writer.writerow([name, "标题", "", "2025-06-30", "", "zh-Hans", "星河智能"])
    return folder


def test_cli_reads_extracts_and_writes_seeds(tmp_path, fakes, capsys):
    src = make_sources(tmp_path / "src", {"a.txt": ARTICLE, "b.txt": "另一篇" + ARTICLE, "bad.txt": b""})
    out = tmp_path / "out"
    assert main(["--sources", str(src), "--out", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r"ingest: read 2 documents \(1 rejected\) in \d+\.\d\ds", lines[0])
    assert lines[1] == "ingest: REJECTED bad.txt: empty (bad.txt: 0 bytes)"
    assert re.fullmatch(
        r"ingest: extracted 2 figures, 2 shareholders, 2 events, 2 unclassified in \d+\.\d\ds", lines[2]
    )
    assert lines[3] == "ingest: discovered 1 new companies, 0 implied FX rates"
    assert re.fullmatch(rf"ingest: wrote 8 seed files to {re.escape(str(out))} in \d+\.\d\ds", lines[4])
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{n}.csv" for n in SEED_SCHEMAS)
    docs = read_seed(out / "ingest_documents.csv", "ingest_documents")
    assert docs["document_id"].to_list() == ["a", "b"]
    assert docs["subject_companies"].to_list() == ["xinghe", "xinghe"]  # resolved ids, not names
    figures = read_seed(out / "ingest_figures.csv", "ingest_figures")
    assert figures["quote"].to_list() == ["新一轮", "新一轮"]
    assert figures["value"].to_list() == [-1.5, -1.5]
    rejected = read_seed(out / "ingest_rejected_documents.csv", "ingest_rejected_documents")
    assert rejected.rows() == [("bad.txt", "empty", "bad.txt: 0 bytes", None)]  # check_name: the pipeline's
    assert read_seed(out / "ingest_discovered_companies.csv", "ingest_discovered_companies").height == 1


@pytest.mark.parametrize("how", ["flag", "env"])
def test_strict_exits_2_and_writes_nothing(tmp_path, fakes, capsys, monkeypatch, how):
    src = make_sources(tmp_path / "src", {"a.txt": ARTICLE, "b.txt": "\x00\x01binary"})
    out = tmp_path / "out"
    argv = ["--sources", str(src), "--out", str(out)]
    if how == "flag":
        argv.append("--strict")
    else:
        monkeypatch.setenv("STRICT", "1")
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert "ingest: REJECTED b.txt: binary (b.txt: contains NUL bytes)" in captured.out
    assert "strict mode: 1 document(s) rejected, nothing written" in captured.err
    assert not out.exists()


def test_strict_passes_when_nothing_is_rejected(tmp_path, fakes):
    src = make_sources(tmp_path / "src", {"a.txt": ARTICLE})
    assert main(["--sources", str(src), "--out", str(tmp_path / "out"), "--strict"]) == 0


def test_max_bytes_from_flag_and_env(tmp_path, fakes, capsys, monkeypatch):
    src = make_sources(tmp_path / "src", {"a.txt": ARTICLE})
    size = len(ARTICLE.encode())
    assert main(["--sources", str(src), "--out", str(tmp_path / "o1"), "--max-bytes", str(size - 1)]) == 0
    assert (
        f"REJECTED a.txt: too_large (a.txt: {size} bytes, the limit is {size - 1})" in capsys.readouterr().out
    )
    monkeypatch.setenv("MAX_DOCUMENT_BYTES", str(size - 1))
    assert main(["--sources", str(src), "--out", str(tmp_path / "o2")]) == 0
    assert "too_large" in capsys.readouterr().out
    monkeypatch.setenv("MAX_DOCUMENT_BYTES", "lots")
    assert main(["--sources", str(src), "--out", str(tmp_path / "o3")]) == 1
    assert (
        capsys.readouterr().err
        == "ingest: error: MAX_DOCUMENT_BYTES='lots' is not a positive whole number of bytes\n"
    )


def test_sources_default_from_env(tmp_path, fakes, capsys, monkeypatch):
    src = make_sources(tmp_path / "src", {"a.txt": ARTICLE})
    monkeypatch.setenv("SOURCES_DIR", str(src))
    assert main(["--out", str(tmp_path / "out")]) == 0
    assert capsys.readouterr().out.startswith("ingest: read 1 documents (0 rejected)")


def test_bad_manifest_exits_1_naming_file_and_columns(tmp_path, fakes, capsys):
    src = tmp_path / "src"
    src.mkdir()
    (src / "manifest.csv").write_text("file,title\n", encoding="utf-8")
    assert main(["--sources", str(src), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"ingest: error: bad manifest: {src / 'manifest.csv'}: missing required column(s) ")
    assert "publisher, published_at, url, language, companies" in err
    assert "Traceback" not in err


def test_missing_sources_folder_exits_1(tmp_path, fakes, capsys):
    assert main(["--sources", str(tmp_path / "nope"), "--out", str(tmp_path / "out")]) == 1
    assert (
        capsys.readouterr().err
        == f"ingest: error: source folder {tmp_path / 'nope'} does not exist or is not a folder\n"
    )


def test_extractor_failure_exits_1_naming_the_file(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(extract.Extractors, "default", classmethod(lambda cls: fake_extractors(fail_on="b")))
    src = make_sources(tmp_path / "src", {"a.txt": ARTICLE, "b.txt": "另一篇" + ARTICLE})
    assert main(["--sources", str(src), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err == "ingest: error: b.txt: extract_figures failed: RuntimeError: rule exploded\n"
    assert not (tmp_path / "out").exists()


def test_unwritable_output_exits_1(tmp_path, fakes, capsys):
    src = make_sources(tmp_path / "src", {"a.txt": ARTICLE})
    blocker = tmp_path / "out"
    blocker.write_text("a file, not a folder")
    assert main(["--sources", str(src), "--out", str(blocker / "seeds")]) == 1
    assert str(blocker) in capsys.readouterr().err


def test_real_process_reports_manifest_error():
    """The module really runs as `python -m ingest` (no extractor needed: the manifest fails first)."""
    bad = PROJECT_ROOT / "tests" / "unit"  # has no manifest and no documents
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT))
    env.pop("STRICT", None)
    result = subprocess.run(
        [sys.executable, "-m", "ingest", "--sources", str(bad / "missing_dir"), "--out", "/dev/null/x"],
        capture_output=True,
        check=False,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
        timeout=60,
    )
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        == f"ingest: error: source folder {bad / 'missing_dir'} does not exist or is not a folder"
    )


# --------------------------------------------------------------------------- extraction orchestration


def _docs(tmp_path: Path, n: int = 2):
    return read_corpus(make_sources(tmp_path / "src", {f"d{i}.txt": f"第{i}篇" + ARTICLE for i in range(n)}))


def test_extract_document_conforms_every_table(tmp_path):
    corpus = _docs(tmp_path, 1)
    fakes = fake_extractors()
    registry = discover_corpus(corpus.documents, CompanyMatcher(aliases={}, names_zh={}), fakes)
    result = extract_document(corpus.documents[0], registry, extractors=fakes)
    for seed, frame in result.tables().items():
        assert frame.columns == list(SEED_SCHEMAS[seed]), seed
    assert result.figures["company_id"].to_list() == ["xinghe"]
    assert result.subject_ids == {"d0": ["xinghe"]}


def test_extract_corpus_concatenates_and_dedupes_discoveries(tmp_path):
    corpus = _docs(tmp_path, 3)
    seen = []
    result = extract_corpus(
        corpus,
        CompanyMatcher(aliases={}, names_zh={}),
        progress=lambda done, total: seen.append((done, total)),
        extractors=fake_extractors(),
    )
    assert result.figures["figure_id"].to_list() == ["fig-d0", "fig-d1", "fig-d2"]
    assert result.events["event_date"].to_list() == [date(2025, 6, 30)] * 3
    assert result.discovered_companies.rows() == [
        ("xinghe", "星河智能", "星河智能", "", "", "d0", "manifest: 星河智能")
    ]
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_duplicate_figure_ids_across_documents_raise(tmp_path):
    corpus = _docs(tmp_path, 2)
    with pytest.raises(ExtractionError, match=r"ingest_figures: figure_id 'same' .*document\(s\) d0, d1"):
        extract_corpus(
            corpus,
            CompanyMatcher(aliases={}, names_zh={}),
            extractors=fake_extractors(figure_id=lambda doc: "same"),
        )


def test_extractor_returning_unknown_column_names_the_document():
    doc = Document("x", "x.txt", ARTICLE, date(2025, 1, 1), "zh-Hans")
    broken = fake_extractors()
    broken = Extractors(
        broken.find_companies,
        broken.extract_figures,
        lambda d, m, s: pl.DataFrame({"holder": ["x"]}),
        broken.extract_events,
    )
    with pytest.raises(
        ExtractionError, match=r"x\.txt: conform failed: ValueError: seed ingest_shareholders"
    ):
        extract_document(doc, discover_corpus([doc], CompanyMatcher(aliases={}, names_zh={}), broken), broken)


# --------------------------------------------------------------------------- progress


class _Stream:
    def __init__(self, tty: bool) -> None:
        self.tty = tty
        self.text = ""

    def isatty(self) -> bool:
        return self.tty

    def write(self, s: str) -> None:
        self.text += s

    def flush(self) -> None:
        pass


def test_progress_is_line_oriented_in_logs():
    stream = _Stream(tty=False)
    progress = Progress("reading", stream, log_every=1000)
    for done in range(1, 2501):
        progress(done, 2500)
    assert stream.text == "ingest: reading 1000/2500\ningest: reading 2000/2500\n"
    quiet = _Stream(tty=False)
    small = Progress("reading", quiet, log_every=1000)
    for done in range(1, 11):
        small(done, 10)
    assert quiet.text == ""


def test_progress_redraws_in_place_in_a_terminal(monkeypatch):
    # A terminal outside CI: CI=true (GitHub Actions, .ci/run) keeps progress line-oriented on purpose.
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    stream = _Stream(tty=True)
    progress = Progress("reading", stream, tty_every=500)
    for done in range(1, 1201):
        progress(done, 1200)
    assert stream.text == (
        "\ringest: reading 500/1200\ringest: reading 1000/1200\ringest: reading 1200/1200\r\x1b[K"
    )
