"""How well the extractor reads: recall and wrong values against the hand-checked gold files.

- `tests/articles/` (test articles about other companies, both scripts, with `<stem>.expected.yml`):
  recall >= 0.90 and no wrong value.
- `sources/` (the two source articles, gold in `tests/gold/`): recall >= 0.95 and no wrong value.

A *wrong* figure is one whose (company, metric, dimension, period) is expected but whose value,
qualifier or currency is not: worse than a missing one, so none is allowed. Spurious figures (keys no
gold row has) are printed but not asserted. Misses are printed so a failure says what to fix:
`python -m ingest.evaluate tests/articles --details` shows the same.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.evaluate import DocumentResult, combine, evaluate_folder, format_details, format_table

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "tests/articles"
SOURCES = ROOT / "sources"
GOLD = ROOT / "tests/gold"


@pytest.fixture(scope="module")
def articles_results() -> list[DocumentResult]:
    return evaluate_folder(ARTICLES)


@pytest.fixture(scope="module")
def sources_results() -> list[DocumentResult]:
    return evaluate_folder(SOURCES, GOLD)


def _report(results: list[DocumentResult]) -> str:
    return format_table(results) + "\n\n" + format_details(results)


def test_every_test_article_and_source_is_scored(articles_results, sources_results):
    assert len(articles_results) == len(list(ARTICLES.glob("*.expected.yml")))
    assert sorted(r.document_id for r in sources_results) == sorted(p.stem for p in GOLD.glob("*.yml"))


@pytest.mark.parametrize(
    ("which", "min_recall"),
    [("articles_results", 0.90), ("sources_results", 0.95)],
    ids=["test_articles", "sources"],
)
def test_figures_recall_and_no_wrong_values(request, which, min_recall):
    results = request.getfixturevalue(which)
    total = combine([r.figures for r in results])
    print(_report(results))
    assert total.wrong_count == 0, f"{total.wrong_count} wrong figures:\n{format_details(results)}"
    assert total.recall >= min_recall, (
        f"figure recall {total.recall:.3f} < {min_recall}\n{format_table(results)}"
    )


@pytest.mark.parametrize(
    ("which", "min_recall"),
    [("articles_results", 0.90), ("sources_results", 0.95)],
    ids=["test_articles", "sources"],
)
def test_shareholders_and_events_recall_and_no_wrong_values(request, which, min_recall):
    results = request.getfixturevalue(which)
    for kind in ("shareholders", "events"):
        total = combine([getattr(r, kind) for r in results])
        print(kind, f"recall {total.recall:.3f}, wrong {total.wrong_count}, spurious {total.spurious_count}")
        assert total.wrong_count == 0, f"{kind}: {total.wrong_count} wrong rows\n{_report(results)}"
        assert total.recall >= min_recall, (
            f"{kind}: recall {total.recall:.3f} < {min_recall}\n{_report(results)}"
        )


HOLDOUT = ARTICLES / "holdout"


def test_holdout_articles_figures(capsys):
    """Five articles written after the first extractor round by the gold author and kept away from the
    extractor's authors (who saw only the totals line) until they were added here: a check that the
    rules generalise rather than fit the articles above. Its own, lower bar: no wrong value, recall
    >= 0.90 on figures (0.93 when added)."""
    results = evaluate_folder(HOLDOUT)
    total = combine([r.figures for r in results])
    print(_report(results))
    assert len(results) == 5
    assert total.wrong_count == 0, format_details(results)
    assert total.recall >= 0.90, format_table(results)
