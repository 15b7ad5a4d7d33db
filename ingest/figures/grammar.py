"""The figure extractor's fixed grammar, loaded from `ingest/rules/grammar.yml`.

These words drive control flow (series markers, conversion brackets, price moments, market totals);
the metric vocabulary is `ingest/rules/metrics.yml` (`ingest.lexicon`). Every name below is read from
the rules file at import, and a missing or malformed entry raises an error naming the file and the key.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

GRAMMAR_YML = Path(__file__).resolve().parent.parent / "rules" / "grammar.yml"


def _load() -> dict:
    try:
        data = yaml.safe_load(GRAMMAR_YML.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"{GRAMMAR_YML}: cannot be read as YAML: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("patterns"), dict):
        raise ValueError(f"{GRAMMAR_YML}: expected a mapping with a 'patterns' mapping")
    return data


_DATA = _load()
_IGNORE_CASE = frozenset(_DATA.get("ignore_case") or ())


def _value(key: str):
    if key not in _DATA:
        raise KeyError(f"{GRAMMAR_YML}: missing key {key!r}")
    return _DATA[key]


def _pattern(name: str) -> re.Pattern[str]:
    patterns = _DATA["patterns"]
    if name not in patterns:
        raise KeyError(f"{GRAMMAR_YML}: missing pattern {name!r}")
    try:
        return re.compile(patterns[name], re.IGNORECASE if name in _IGNORE_CASE else 0)
    except re.error as exc:
        raise ValueError(f"{GRAMMAR_YML}: pattern {name!r} does not compile: {exc}") from exc


CLAUSE_STOP: str = _value("clause_stop")
CLAUSE_END = re.compile("[" + re.escape(CLAUSE_STOP) + "]")
FALLING_GROWTH_WORDS: tuple[str, ...] = tuple(_value("falling_growth_words"))
FALLING_PRICE_WORDS: tuple[str, ...] = tuple(_value("falling_price_words"))
NEGATIVE_DIRECTION: tuple[str, ...] = tuple(_value("negative_direction"))
HK_DOLLAR_METRICS = frozenset(_value("hk_dollar_metrics"))
VENUE_CURRENCY_METRICS = frozenset(_value("venue_currency_metrics"))
VENUE_CURRENCIES: dict[str, str] = dict(_value("venue_currencies"))
MARKET_WORDS: dict[str, re.Pattern[str]] = {k: re.compile(v) for k, v in _value("market_words").items()}
VENUE_MARKETS: dict[str, str] = dict(_value("venue_markets"))
LISTING_METRICS = frozenset(_value("listing_metrics"))
OFFERING_AMOUNT_METRICS = frozenset(_value("offering_amount_metrics"))
LISTING_DAY_METRICS = frozenset(_value("listing_day_metrics"))
GROWTH_METRICS = frozenset(_value("growth_metrics"))
PROCEEDS_RANGE_METRICS = frozenset(_value("proceeds_range_metrics"))
PRICE_BOUND_METRICS = frozenset(_value("price_bound_metrics"))
SHARE_OVER_SPAN = frozenset(_value("share_over_span"))
GENERIC_SEGMENTS = frozenset(_value("generic_segments"))
GENERIC_MARKETS = frozenset(_value("generic_markets"))
MONEY_SCALES: tuple[str, ...] = tuple(_value("money_scales"))
NO_COMPANY_REASONS = frozenset(_value("no_company_reasons"))
FLOW_FALLBACK_SENTENCES: int = int(_value("flow_fallback_sentences"))
TOPIC_SENTENCES: int = int(_value("topic_sentences"))
TOPIC_OPENING_CHARS: int = int(_value("topic_opening_chars"))
PURPOSE_CHARS: int = int(_value("purpose_chars"))
OPENING_TIMES = frozenset(_value("opening_times"))
PROCEEDS_LIST_SENTENCES: int = int(_value("proceeds_list_sentences"))
LIST_LINE_CHARS: int = int(_value("list_line_chars"))
EXCHANGES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(e["pattern"]), e["code"]) for e in _value("exchanges")
)

# candidates
CONVERSION_OPEN = _pattern("conversion_open")
CONVERSION_CLOSE = _pattern("conversion_close")
APPROX_JUST_BEFORE = _pattern("approx_just_before")
PER_SHARE_BEFORE = _pattern("per_share_before")
PER_SHARE_AFTER = _pattern("per_share_after")
HK_PRICE_CONTEXT = _pattern("hk_price_context")
CURRENCY_DECLARATION = _pattern("currency_declaration")
# series
SERIES_MARKER = _pattern("series_marker")
SERIES_LEAD_GAP = _pattern("series_lead_gap")
SERIES_GAP = _pattern("series_gap")
SERIES_ITEM_LOSS = _pattern("series_item_loss")
SERIES_ITEM_GAIN = _pattern("series_item_gain")
SERIES_ITEM_FALL = _pattern("series_item_fall")
SERIES_ITEM_RISE = _pattern("series_item_rise")
SERIES_ITEM_COPULA = _pattern("series_item_copula")
ITEM_LIST = _pattern("item_list")
LIST_JOINER = _pattern("list_joiner")
NAME_JOINER = _pattern("name_joiner")
# metric
USE_OF_PROCEEDS_CONTEXT = _pattern("use_of_proceeds_context")
USE_OF_PROCEEDS_AFTER = _pattern("use_of_proceeds_after")
PURPOSE_LIST_OPENING = _pattern("purpose_list_opening")
PURPOSE_SEPARATOR = _pattern("purpose_separator")
PURPOSE_BEFORE_SHARE = _pattern("purpose_before_share")
SHARE_ONLY_ENTRY = _pattern("share_only_entry")
PURPOSE_CUT = _pattern("purpose_cut")
PURPOSE_PARTICLES = _pattern("purpose_particles")
LEADING_PAREN = _pattern("leading_paren")
PROCEEDS_ALTERNATIVE = _pattern("proceeds_alternative")
THRESHOLD_AFTER = _pattern("threshold_after")
SHARE_OF_PREVIOUS = _pattern("share_of_previous")
OTHER_PERIOD_GAP = _pattern("other_period_gap")
COMPARISON_TAIL = _pattern("comparison_tail")
RANKED_ABOVE = _pattern("ranked_above")
COMPARED_BEFORE = _pattern("compared_before")
SUBSCRIBED = _pattern("subscribed")
SUBSCRIBED_SHARES_PAREN = _pattern("subscribed_shares_paren")
GROWTH_OF_PREVIOUS = _pattern("growth_of_previous")
PRICE_MOVE = _pattern("price_move")
AT_MOST_BEFORE = _pattern("at_most_before")
WRITTEN_CURRENCY = _pattern("written_currency")
ROUNDING_WORD = _pattern("rounding_word")
ONE_OFF_METRICS = frozenset(_value("one_off_metrics"))
ROUNDING_TOLERANCE = 0.2  # a rounded repeat of a value: within 20% of it ("近三成" for 28.98%)
SHARE_IN_BRACKETS = _pattern("share_in_brackets")
REVENUE_SOURCES = _pattern("revenue_sources")
OTHER_MEASURES = _pattern("other_measures")
REVENUE_WORDS = _pattern("revenue_words")
SIGN_ONLY_KEYWORD = _pattern("sign_only_keyword")
LOSS_BETWEEN = _pattern("loss_between")
RANGE_PRICE_CONTEXT = _pattern("range_price_context")
RANGE_PRICE_AFTER = _pattern("range_price_after")
RANK = _pattern("rank")
RANK_MARKET = _pattern("rank_market")
RANK_MARKET_AFTER = _pattern("rank_market_after")
RANK_MARKET_TRAIL = _pattern("rank_market_trail")
LISTING_EVENT = _pattern("listing_event")
FUTURE_WORDS = _pattern("future_words")
LISTING_DAY = _pattern("listing_day")
OFFERING_UNDER_WAY = _pattern("offering_under_way")
RESULTS_WORD = _pattern("results_word")
LEAD_FOR_RESULTS = 400  # characters of the body where the results a document reports are announced
PLAN_SOURCE = _pattern("plan_source")
# period
AS_OF_WORD = _pattern("as_of_word")
PERIOD_END_WORDS = _pattern("period_end_words")
FROM_BEFORE = _pattern("from_before")
TABLE_CHANGE_HEADER = _pattern("table_change_header")
TABLE_UNIT = _pattern("table_unit")
WRITTEN_YEAR = _pattern("written_year")
TABLE_ADJUSTED_LABEL = _pattern("table_adjusted_label")
IN_THE_PERIOD = _pattern("in_the_period")
FROM_WITH_PERIOD = _pattern("from_with_period")
OWN_PERIOD_GAP = _pattern("own_period_gap")
TO_BETWEEN = _pattern("to_between")
TO_BETWEEN_WITH_RATE = _pattern("to_between_with_rate")
FOUNDING_BEFORE = _pattern("founding_before")
RANK_BASIS_AFTER = _pattern("rank_basis_after")
NUMBERED_YEARS = _pattern("numbered_years")
TRACK_RECORD = _pattern("track_record")
# company
COMPANY_PEER_CUE = _pattern("company_peer_cue")
TOPIC_VERB = _pattern("topic_verb")
SENTENCE_ENDS: str = _value("sentence_ends")
COMPANY_LIKE = _pattern("company_like")
INVESTOR_AFTER = _pattern("investor_after")
INVESTOR_LIST_AFTER = _pattern("investor_list_after")
INVESTOR_LIST_BEFORE = _pattern("investor_list_before")
INVESTOR_LIST_REACH = 240  # characters from an investor list's cue to a name of the list
# dimension
OPEN_WORDS = _pattern("open_words")
CLOSE_WORDS = _pattern("close_words")
FIRST_DAY_WORDS = _pattern("first_day_words")
INTRADAY = _pattern("intraday")
ROUND = _pattern("round")
MODEL_QUOTED = _pattern("model_quoted")
MODEL_LATIN = _pattern("model_latin")
SEGMENT_NOUN = _pattern("segment_noun")
PRONOUN_START = _pattern("pronoun_start")
CUSTOMER_KIND_BEFORE = _pattern("customer_kind_before")
PARTNER_WORDS = _pattern("partner_words")
STRIP_WORDS = _pattern("strip_words")
DIMENSION_NOISE = _pattern("dimension_noise")
DIMENSION_TAIL = _pattern("dimension_tail")
SEGMENT_CUE = _pattern("segment_cue")
SEGMENT_REVENUE_AFTER = _pattern("segment_revenue_after")
SEGMENT_SUFFIX = _pattern("segment_suffix")
REGION_WORDS = _pattern("region_words")
REVENUE_FROM = _pattern("revenue_from")
PARENS = _pattern("parens")
NUMBERING_AND_YEARS = _pattern("numbering_and_years")
LATIN_CJK_SPACE = _pattern("latin_cjk_space")
DOTTED_PRODUCT = _pattern("dotted_product")
DOTTED_PRODUCT_START = _pattern("dotted_product_start")
LATIN_LATIN_SPACE = _pattern("latin_latin_space")
SEGMENT_PRONOUN = _pattern("segment_pronoun")
SEGMENT_CLAUSE_BEFORE = _pattern("segment_clause_before")
GROWTH_AFTER_LEVEL = _pattern("growth_after_level")
SHARE_AFTER_LEVEL = _pattern("share_after_level")
SEGMENT_SOURCE_BEFORE = _pattern("segment_source_before")
REVENUE_WORD_END = _pattern("revenue_word_end")
SEGMENT_WORD_END = _pattern("segment_word_end")
SEGMENT_TAIL_WORDS = _pattern("segment_tail_words")
LEADING_COPULA = _pattern("leading_copula")
SPACES = _pattern("spaces")

# every pattern of the file is used here: an entry without a name above is a typo in the rules file
_UNUSED = set(_DATA["patterns"]) - {
    k.lower() for k, v in dict(globals()).items() if isinstance(v, re.Pattern)
}
if _UNUSED:
    raise ValueError(f"{GRAMMAR_YML}: patterns not used by the extractor: {sorted(_UNUSED)}")
