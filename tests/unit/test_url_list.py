"""`sources/urls.txt`: the curated real coverage a scheduled refresh fetches (addresses and facts only)."""

from __future__ import annotations

import ipaddress
from collections import Counter
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from ingest.fetch import read_url_entries
from ingest.text import fold

ROOT = Path(__file__).resolve().parents[2]
URLS = ROOT / "sources" / "urls.txt"
RESERVED = [
    line.strip()
    for line in (ROOT / "tests" / "reserved_companies.txt").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
]


@pytest.fixture(scope="module")
def entries():
    return read_url_entries(URLS)


def test_the_list_holds_150_distinct_well_formed_addresses(entries):
    assert len(entries) >= 150
    urls = [e.url for e in entries]
    assert len(urls) == len(set(urls))
    for url in urls:
        parts = urlsplit(url)
        assert parts.scheme in ("http", "https") and parts.hostname and "." in parts.hostname, url
        assert not any(c.isspace() for c in url) and url.isascii(), url  # percent-encoded paths
        with pytest.raises(ValueError):
            ipaddress.ip_address(parts.hostname)  # a newsroom's name, not a bare address


def test_every_line_names_its_company_date_newsroom_and_script(entries):
    for entry in entries:
        assert len(entry.company) == 2, entry  # simplified | traditional
        assert fold(entry.company[0]) == fold(entry.company[1]), entry
        assert entry.published and date(2019, 1, 1) <= entry.published <= date(2026, 12, 31), entry
        assert entry.publisher and entry.script in ("zh-Hans", "zh-Hant"), entry
    scripts = Counter(e.script for e in entries)
    assert scripts["zh-Hant"] >= 40 and scripts["zh-Hans"] >= 40
    assert len({e.company[0] for e in entries}) >= 40
    scripts_of: dict[str, set[str]] = {}
    for entry in entries:
        scripts_of.setdefault(entry.company[0], set()).add(entry.script)
    assert sum(len(s) == 2 for s in scripts_of.values()) >= 40  # 40 companies covered in both scripts
    assert len({e.publisher for e in entries}) >= 20
    assert max(Counter(e.company[0] for e in entries).values()) <= 6  # no company dominates


def test_no_line_is_about_a_company_kept_for_evaluation(entries):
    subjects = {name for e in entries for name in e.company}
    assert [(s, r) for s in subjects for r in RESERVED if fold(r) in fold(s)] == []
