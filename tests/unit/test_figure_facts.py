"""Facts ingest knows about each figure and writes down, so the models never parse them again from text:
the precision written, the dimension's kind and value, and the conversion a figure states."""

from __future__ import annotations

import pytest

from ingest.figures.records import split_dimension, written_precision
from tests.unit.test_figures import extract


@pytest.mark.parametrize(
    ("value_text", "expected"),
    [
        ("1.25亿元", (1.25, 2)),
        ("约3000万港元", (3000.0, 0)),
        ("１２．５％", (12.5, 1)),  # full-width digits and point
        ("1,234.50万美元", (1234.5, 2)),  # separators dropped, a trailing zero is a written decimal
        ("28.98%", (28.98, 2)),
        ("七成", (None, 0)),  # no arabic number: the models take the leading digit
        ("", (None, 0)),
    ],
)
def test_the_number_and_decimals_as_written(value_text, expected):
    assert written_precision(value_text) == expected


@pytest.mark.parametrize(
    ("dimension", "expected"),
    [
        ("segment:智慧医疗", ("segment", "智慧医疗")),
        ("exchange:STAR", ("exchange", "STAR")),
        ("market:中国AI:解决方案市场", ("market", "中国AI:解决方案市场")),  # only the first colon splits
        ("at_open", ("moment", "at_open")),
        ("intraday@09:58", ("moment", "intraday@09:58")),  # a time's colon is no kind
        ("", ("", "")),
    ],
)
def test_a_dimension_splits_into_its_kind_and_value(dimension, expected):
    assert split_dimension(dimension) == expected


def test_figures_carry_their_written_facts_and_dimension_parts():
    found = extract("光信智能2024年智慧医疗业务收入为1.25亿元，同比增长12.5%。")
    revenue = found.figures.filter(metric="revenue").row(0, named=True)
    assert (revenue["written_number"], revenue["decimals_written"]) == (1.25, 2)
    assert revenue["value"] == 125_000_000.0
    growth = found.figures.filter(metric="revenue_growth_yoy_pct").row(0, named=True)
    assert (growth["written_number"], growth["decimals_written"]) == (12.5, 1)
    for row in found.figures.iter_rows(named=True):
        kind, value = row["dimension_kind"], row["dimension_value"]
        assert row["dimension"] == ("" if not kind else value if kind == "moment" else f"{kind}:{value}")


def test_a_figure_names_the_conversion_it_states():
    found = extract(
        "海韵科技今年8月的Pre-IPO轮融资中，投后估值达到64亿美元（约合人民币458亿元）。", subjects=("haiyun",)
    )
    [rate] = found.implied_fx.iter_rows(named=True)
    assert (rate["base_currency"], rate["quote_currency"], rate["rate"]) == ("USD", "CNY", round(458 / 64, 6))
    valuation = found.figures.filter(metric="valuation_post_money").row(0, named=True)
    assert valuation["implied_fx_rate_id"] == rate["fx_rate_id"] is not None
    assert found.figures.filter(metric="valuation_post_money").height == 1
