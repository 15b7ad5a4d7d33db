"""The real-coverage tooling: labels are checked against their excerpts and scored with the extractor."""

import hashlib
from pathlib import Path

import pytest

from ingest import real_set
from ingest.real_set import check, label_files, load_label, main, quoted_comments

REPO = Path(__file__).resolve().parents[2]

# Our own sentence, shaped like a Hong Kong results brief.
EXCERPT = "星衡智能公布2024年業績，收入為3.2億元人民幣，淨虧損1.5億元人民幣。\n"


def _label(excerpt: str, *, text: str = "3.2億元", comment: str = "# flattened table") -> str:
    digest = hashlib.sha256(excerpt.encode("utf-8")).hexdigest()
    return f"""document_id: zz01_xingheng
published_at: 2025-03-20
source:
  url: https://example.invalid/news/1
  query: 星衡智能 業績
  title: ''
  publisher: Example Daily
  language: zh-Hant
  companies: 星衡智能
  venue: HKEX
  reporting_currency: CNY
  style: news
  excerpt_sha256: {digest}
  excerpt_chars: {len(excerpt)}
figures:
  {comment}
  - {{company: 星衡智能, metric: revenue, dimension: '', period_label: FY2024, value: 320000000,
     unit: CNY, currency: CNY, qualifier: exact, text: '{text}'}}
  - {{company: 星衡智能, metric: net_profit, dimension: '', period_label: FY2024, value: -150000000,
     unit: CNY, currency: CNY, qualifier: exact, text: '1.5億元'}}
shareholders: []
events: []
ignore: ['2024年']
"""


@pytest.fixture
def label_set(tmp_path: Path) -> tuple[Path, Path]:
    labels, texts = tmp_path / "labels", tmp_path / "texts"
    labels.mkdir()
    texts.mkdir()
    (labels / "zz01_xingheng.yml").write_text(_label(EXCERPT), encoding="utf-8")
    (texts / "zz01_xingheng.txt").write_text(EXCERPT, encoding="utf-8")
    return labels, texts


def test_a_label_matching_its_excerpt_has_no_problem(label_set):
    labels, texts = label_set
    assert check(labels, texts) == []
    label = load_label(labels / "zz01_xingheng.yml")
    assert label.texts == ("3.2億元", "1.5億元", "2024年")


def test_an_edited_excerpt_is_reported_by_its_digest(label_set):
    labels, texts = label_set
    (texts / "zz01_xingheng.txt").write_text(EXCERPT.replace("3.2", "3.3"), encoding="utf-8")
    problems = check(labels, texts)
    assert any("sha256" in p for p in problems)
    assert any("'3.2億元' does not occur" in p for p in problems)


def test_a_missing_excerpt_names_where_to_retrieve_it(label_set):
    labels, texts = label_set
    (texts / "zz01_xingheng.txt").unlink()
    [problem] = check(labels, texts)
    assert "https://example.invalid/news/1" in problem and "星衡智能 業績" in problem


def test_a_comment_quoting_the_excerpt_is_refused(tmp_path: Path):
    path = tmp_path / "zz01_xingheng.yml"
    path.write_text(_label(EXCERPT, comment="# 收入為3.2億元人民幣"), encoding="utf-8")
    [problem] = quoted_comments(path)
    assert problem.startswith(f"{path}:16: comment quotes the excerpt")


def test_committed_labels_carry_no_article_text():
    paths = label_files(REPO / "tests" / "real", recursive=True)
    assert len(paths) >= 60
    assert [p for path in paths for p in quoted_comments(path)] == []
    for path in paths:
        load_label(path)  # every committed label parses with its source block


def test_a_label_without_a_source_block_is_refused(tmp_path: Path):
    path = tmp_path / "zz02.yml"
    path.write_text(_label(EXCERPT).split("source:")[0] + "figures: []\n", encoding="utf-8")
    with pytest.raises(real_set.GoldFileError, match="no 'source:' mapping"):
        load_label(path)


def test_score_runs_the_extractor_over_the_excerpts(label_set, capsys):
    labels, texts = label_set
    assert main(["score", "--labels", str(labels), "--texts", str(texts), "--subjects"]) == 0
    out = capsys.readouterr().out
    total = next(line for line in out.splitlines() if line.startswith("TOTAL "))
    # expected 2, matched 2, missing 0, wrong 0
    assert total.split()[1:5] == ["2", "2", "0", "0"]


def test_score_without_excerpts_says_where_it_looked(label_set, capsys):
    labels, _ = label_set
    empty = labels.parent / "nowhere"
    empty.mkdir()
    assert main(["score", "--labels", str(labels), "--texts", str(empty)]) == 2
    assert f"looked in {empty}" in capsys.readouterr().err


def test_several_label_folders_are_scored_as_one_corpus(label_set, capsys):
    labels, texts = label_set
    second = labels.parent / "second"
    second.mkdir()
    label = (labels / "zz01_xingheng.yml").read_text(encoding="utf-8").replace("zz01_", "zz02_")
    (second / "zz02_xingheng.yml").write_text(label, encoding="utf-8")
    # another document (an identical one would be ingested once)
    (texts / "zz02_xingheng.txt").write_text(EXCERPT + "\n（完）", encoding="utf-8")
    assert main(["score", "--labels", str(labels), str(second), "--texts", str(texts), "--subjects"]) == 0
    out = capsys.readouterr().out
    assert "zz01_xingheng" in out and "zz02_xingheng" in out
    total = next(line for line in out.splitlines() if line.startswith("TOTAL "))
    assert total.split()[1:5] == ["4", "4", "0", "0"]
