"""Sentence splitting: the units whose words a figure is read with."""

from ingest.sentences import split_sentences


def test_a_key_and_its_value_across_a_lone_bar_are_one_sentence():
    text = "招股價\n|\n港元 8.50\n|\n|\n上市時間\n|\n2024/07/12\n|\n備註文字\n"
    spans = [text[s.start : s.end] for s in split_sentences(text)]
    assert spans == ["招股價\n|\n港元 8.50", "上市時間\n|\n2024/07/12", "備註文字"]
