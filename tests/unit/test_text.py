"""Folding for matching: same length as the original, so offsets found in the fold quote the original."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.text import fold

CASES = [
    # original, folded
    ("智譜開盤上漲約3.3%", "智谱开盘上涨约3.3%"),
    ("１２０港元，約合人民幣１０８元", "120港元,约合人民币108元"),
    ("募資將用於潛在收購", "募资将用于潜在收购"),  # OpenCC's phrase rules keep 於 here; folding must not
    ("「大模型」與『AGI』", '"大模型"与"AGI"'),
    ("百分之三十", "百分之三十"),
    ("市值528億港元　", "市值528亿港元 "),
    ("㈠ 收入", "㈠ 收入"),  # NFKC would make it three characters: kept as is
]


@pytest.mark.parametrize(("original", "folded"), CASES)
def test_fold(original, folded):
    assert fold(original) == folded


@given(st.text(max_size=200))
def test_fold_keeps_the_length_so_offsets_stay_valid(text):
    assert len(fold(text)) == len(text)
