"""Period grammar: reporting periods, as-of dates, ranges and lists in folded text.

`find_periods(folded, published_at)` returns `PeriodMention`s in text order. Single periods
(2024年, 2025年上半年, 截至2025年9月30日止三个月, 2025年11月, 1-9月) are resolved to a `Period`;
ranges (2022年至2024年) and lists (2022年、2023年以及2025年上半年) are merged into one mention
whose `parts` are the periods in order. Dates without a year, 今年 and 去年 are resolved against
the publication date as described in docs/conventions.md.

Hong Kong prospectus forms are read too: Chinese-numeral dates (截至二零二四年十二月三十一日止年度,
二〇二四年), several years sharing one period end (截至2023年及2024年12月31日止年度 → FY2023, FY2024)
and fiscal years ending in another month: 截至2025年3月31日止年度 → FY, 2024-04-01 to 2025-03-31,
labelled by the year it ends in (FY2025), as listed companies label them.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from ingest.numbers import parse_chinese_numeral

# How far after the publication date a yearless date may land before we take the previous year.
FUTURE_TOLERANCE = timedelta(days=62)


@dataclass(frozen=True)
class Period:
    period_type: str  # FY H1 H2 9M Q1..Q4 M CUM AS_OF
    start: date
    end: date
    label: str


@dataclass(frozen=True)
class PeriodMention:
    start: int
    end: int
    text: str
    # period: the single period (for ranges/lists: the cumulative span over the parts)
    period: Period
    # period (a reporting period), as_of (截至 a date / 截至目前), date (a day, e.g. an event),
    # day (今日/昨日: a day relative to publication, used only to date offering figures),
    # comparison (较2024年同期: the base of a change, never the period of a figure),
    # same_period (同期: refers back to the previous period list), list (a range or list)
    role: str
    parts: tuple[Period, ...] = field(default=())

    @property
    def is_multi(self) -> bool:
        return len(self.parts) > 1


def fy(year: int) -> Period:
    return Period("FY", date(year, 1, 1), date(year, 12, 31), f"FY{year}")


def half(year: int, which: int) -> Period:
    if which == 1:
        return Period("H1", date(year, 1, 1), date(year, 6, 30), f"H1-{year}")
    return Period("H2", date(year, 7, 1), date(year, 12, 31), f"H2-{year}")


def quarter(year: int, q: int) -> Period:
    first = 3 * (q - 1) + 1
    last = first + 2
    return Period(f"Q{q}", date(year, first, 1), _month_end(year, last), f"Q{q}-{year}")


def nine_months(year: int) -> Period:
    return Period("9M", date(year, 1, 1), date(year, 9, 30), f"9M-{year}")


def month(year: int, m: int) -> Period:
    return Period("M", date(year, m, 1), _month_end(year, m), f"M-{year}-{m:02d}")


def fiscal_year(end_day: date) -> Period:
    """A twelve-month year ending `end_day`, labelled by the year it ends in (FY2025 = Apr 2024–Mar 2025)."""
    if end_day.month == 12 and end_day.day == 31:
        return fy(end_day.year)
    start = _month_end(end_day.year - 1, end_day.month) + timedelta(days=1)
    return Period("FY", start, end_day, f"FY{end_day.year}")


def as_of(day: date) -> Period:
    return Period("AS_OF", day, day, day.isoformat())


def cumulative(parts: tuple[Period, ...] | list[Period]) -> Period:
    """The CUM period spanning `parts` (in order)."""
    if len(parts) == 1:
        return parts[0]
    first, last = parts[0], parts[-1]
    return Period("CUM", first.start, last.end, f"CUM-{first.label}-{last.label}")


def _full_year(written: str) -> int:
    """'25' → 2025, '2025' → 2025."""
    return int(written) if len(written) == 4 else 2000 + int(written)


def _month_end(year: int, m: int) -> date:
    return date(year, m, calendar.monthrange(year, m)[1])


def months_to_period(year: int, first: int, last: int) -> Period | None:
    """1-6月 → H1, 1-9月 → 9M, 7-9月 → Q3, 1-12月 → FY; other spans are not reporting periods."""
    spans = {(1, 12): fy(year), (1, 6): half(year, 1), (7, 12): half(year, 2), (1, 9): nine_months(year)}
    if (first, last) in spans:
        return spans[(first, last)]
    if last - first == 2 and first in (1, 4, 7, 10):
        return quarter(year, (first - 1) // 3 + 1)
    if first == last and 1 <= first <= 12:
        return month(year, first)
    return None


def ended_period(end_day: date, months: int) -> Period | None:
    """截至<end_day>止<months>个月 → the period ending that day."""
    m = end_day.month
    if months == 12:
        is_month_end = end_day == _month_end(end_day.year, m)
        return fiscal_year(end_day) if is_month_end else None
    if months == 3 and m in (3, 6, 9, 12):
        return quarter(end_day.year, m // 3)
    if months == 6 and m == 6:
        return half(end_day.year, 1)
    if months == 6 and m == 12:
        return half(end_day.year, 2)
    if months == 9 and m == 9:
        return nine_months(end_day.year)
    if months == m and months not in (3, 6, 9, 12):
        # '截至2025年5月底止五个月': the months of the year to that one (CUM-M-2025-01-M-2025-05)
        return cumulative(tuple(month(end_day.year, k) for k in range(1, months + 1)))
    return None


_CN_SMALL = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "六": 6, "九": 9, "十二": 12}
_RELATIVE_DAYS = {"今日": 0, "今天": 0, "昨日": -1, "昨天": -1, "前日": -2, "前天": -2, "明日": 1, "明天": 1}
_REL_YEARS = {
    "今年": 0,
    "本年": 0,
    "本财年": 0,
    "去年": -1,
    "上年": -1,
    "上一财年": -1,
    "前年": -2,
    "明年": 1,
}

# years, months and days as HK prospectuses write them too: 二零二四年 / 二〇二四年, 十二月三十一日
# Hong Kong papers also write two-digit years ('17至19年收入', '19年底', '於12年創立'): read as 20YY
# where the words around are not a duration ('成立10年', '近10年来', '10年间').
_YY = (
    r"(?<![\d.])(?<!近)(?<!过去)(?<!最近)(?<!超过)(?<!逾)(?<!约)(?<!长达)(?<!历时)(?<!成立)(?<!经营)"
    r"(?<!运营)(?<!不到)(?<!不足)(?<!第)(?<!这)(?<!前)(?<!后)(?<!多)(?<!近)"
    r"[0-3]\d(?=\s?年(?!来|内|间|多|半|以上|以来|左右|前|后|时间|期间|里|中|历史|之久|光景|的时间|以内|以后|级|代))"
)
_Y4 = rf"(?:19|20)\d\d|[一二][〇零九][〇零一二三四五六七八九]{{2}}|{_YY}"
_MD = r"\d{1,2}|[一二三四五六七八九十]{1,3}"
_YEAR = rf"(?:(?P<y>{_Y4})\s?(?:财年|年度|年)|(?P<rel>今年|本财年|本年|去年|上一财年|上年|前年|明年))"
_SUB = (
    r"(?:(?P<h1>上半年|上半财年|上半年度|(?:前|首)(?:六|6)个月)|(?P<h2>下半年|下半财年)"
    r"|(?P<m9>前三季度|前三季|首三季度|首三季|(?:前|首)(?:九|9)个月)|(?P<fq>(?:前|首)(?:三|3)个月|首季度?)"
    # '今年首4个月', '前五个月': the months of the year to that one
    r"|(?:前|首)(?P<fm>十一|十|[两二四五七八]|1[01]|[124578])个月"
    r"|第?(?P<qn>[一二三四1-4])季度?|Q(?P<qq>[1-4])"
    r"|(?P<m1>\d{1,2})\s?[-至到~—–]\s?(?P<m2>\d{1,2})月份?"
    rf"|(?P<mo>{_MD})月(?:份)?(?:(?P<d>{_MD})[日号]|(?P<mend>底|末))?"
    r"|(?P<yend>底|末))?"
)
_LIST_JOIN = r"\s?(?:、|,|及|和|以及|与)\s?"
_ENDED = (
    # '截至2023年及2024年12月31日止年度': several years sharing one period end (eyl)
    # '截至2015、2016和2017年12月31日止年度': the earlier years may be written without 年
    rf"(?:截[至止](?:到|至)?\s?)?(?P<eyl>(?:(?:{_Y4})年?{_LIST_JOIN})+)?"
    rf"(?:(?P<ey>{_Y4})年|(?P<erel>今年|去年|本年|上年))?"
    rf"(?P<em>{_MD})月(?:(?P<ed>{_MD})日|(?P<eend>底|末))止?(?:的)?"
    # '截至3月31日止首3个月': 首/前 before the months changes nothing
    r"(?:(?:首|前)?(?P<en>三|六|九|十二|十一|十|[一二两四五七八]|1[012]|[1-9])个月(?:期间)?|(?P<eyear>年度|财年|全年|年)"
    # '截至9月30日止第三季', '截至9月30日止首三季': the quarter or nine months that end that day
    r"|(?P<eq>第[一二三四1-4]季度?)|(?P<e9>首三季度?|前三季度?|首九个月|前九个月))"
)
_PATTERN = re.compile(
    # every period expression starts with one of these: a cheap test before the alternation
    # (never inside a number: '541.93' holds no period after its first digit)
    r"(?:(?<![0-9.])(?=[0-9])|(?=[今本去上前明截同首第下F昨Q]|[一二][〇零九]))(?:"
    + "|".join(
        [
            rf"(?P<ended>{_ENDED})",
            r"(?P<asnow>截[至止](?:到|至)?\s?(?:上市前|目前|现在|今(?!年)|本公告日期?|本文发稿|发稿|最后实际可行日期|最后可行日期))",
            r"(?P<yrange>(?P<ya>(?:19|20)\d\d)\s?[-至到~—–]\s?(?P<yb>(?:19|20)\d\d)\s?(?:财年|年度|年))",
            # '2022、2023及2024年', '2024及2023年度': bare years sharing the last one's 年
            r"(?<![\d.])(?P<ylist>(?:(?:19|20)\d\d\s?[、,，及和与]\s?)+(?:19|20)\d\d\s?(?:财年|年度|年))",
            # '2024年第一至四季度': the quarters of one year
            r"(?P<qrange>(?P<qy>(?:19|20)\d\d)\s?年\s?(?:第)?(?P<qa>[一二三四1-4])\s?(?:季度)?\s?[-至到~]\s?(?:第)?(?P<qb>[一二三四1-4])\s?季度?)",
            # '17至19年': a range of two-digit years (Hong Kong papers)
            r"(?<![\d.])(?P<yyrange>(?P<yya>[0-3]\d)\s?[-至到~—–]\s?(?P<yyb>[0-3]\d)\s?年(?!来|内|间|多|半|以上|以来|左右|前|后))",
            r"(?P<fyl>FY\s?(?P<fyy>(?:19|20)\d\d|(?<=FY)[0-3]\d|(?<=FY )[0-3]\d))(?!\d)",
            # '3Q25', '1H25': the quarter or half first, then the year (brokers' and research notes)
            r"(?<![\d.A-Za-z])(?P<qfirst>(?P<qfq>[1-4])Q(?P<qfy>(?:19|20)?\d\d))(?![0-9A-Za-z])",
            r"(?<![\d.A-Za-z])(?P<hfirst>(?P<hfh>[12])H(?P<hfy>(?:19|20)?\d\d))(?![0-9A-Za-z])",
            r"(?P<iso>(?P<iy>(?:19|20)\d\d)[/.-](?P<im>\d{1,2})[/.-](?P<id>\d{1,2}))(?!\d)",
            rf"(?P<ymd>{_YEAR}[ \t]?{_SUB})",  # ('2019 年 Q4': spaced as some papers write it)
            # '2025Q3', '25Q2': a year and a quarter written together
            r"(?P<yq>(?P<yqy>(?:19|20)\d\d|(?<![\d.])[0-3]\d)\s?Q(?P<yqq>[1-4]))(?![0-9])",
            r"(?<![\d年月\-~])(?:(?<=截至)|(?<=截止)|(?<!至))(?P<bmd>(?P<bm>\d{1,2})月(?P<bd>\d{1,2})[日号])",
            r"(?<![\d年月\-~])(?:(?<=截至)|(?<=截止)|(?<!至))(?P<bmr>(?P<bm1>\d{1,2})\s?[-至到~]\s?(?P<bm2>\d{1,2})月)",
            r"(?<![\d年月\-~])(?:(?<=截至)|(?<=截止)|(?<!至))(?P<bmo>(?P<bmonly>\d{1,2})月份?(?!\d|日|号|份))",
            r"(?<![\d年])(?P<bsub>上半年|下半年|前三季度?|首三季度?|第[一二三四]季度?|(?<![A-Za-z0-9])Q[1-4](?![0-9A-Za-z]))",
            r"(?P<same>同期)",
            r"(?P<rday>今日|今天|昨日|昨天|前日|前天|明日|明天)",
        ]
    )
    + ")"
)
_TWO_DIGIT_YEAR = re.compile(r"(?:截[至止](?:到|至)?\s?)?\d\d(?!\d)")
_COMPARISON_BEFORE = re.compile(r"(?:较|比|相比|相较|相比于|相较于|对比|较之|同比)\s?$")
_AS_OF_BEFORE = re.compile(r"(?:截至|截止|截止到|截至到|于|在)\s?$")
_ENDING_AS_OF = re.compile(r"(?:截至|截止)\s?$")
_SEPARATOR = re.compile(r"^\s?(?:、|,|，|和|及|以及|与|跟|;|；)?\s?$")
_RANGE_CONNECTOR = re.compile(r"^\s?(?:至|到|-|~|—|–)\s?$")

#: Words that make a figure a sum over the periods in context (三年累计, 三年半时间内, 报告期内).
CUM_MARKER = re.compile(
    r"累计|合计|总计|共计|总共|报告期内|报告期间|往绩记录期|"
    r"(?:近|过去|最近)?[一二三四五六七八九十两\d]+个?(?:年半|年零?[一二三四五六七八九十\d]{1,2}个月|年|财年)"
    r"(?:时间|期间)?(?:内|来|间|里|累计)|"
    r"(?:近|过去|最近)[一二三四五六七八九十两\d]+个?年半?|"
    r"[一二三四五六七八九十两]+个?年半?(?=亏损|净亏|收入|营收|净利|研发|合计|共计)"
)


def _num(text: str) -> int:
    """'2024' / '二〇二四' / '十二' → int (Chinese numerals as prospectuses write dates)."""
    return int(text) if text.isdigit() else int(parse_chinese_numeral(text))


def _year(text: str) -> int:
    """A year as written: '2024', '二〇二四', or the two-digit '19' of Hong Kong papers (2019)."""
    value = _num(text)
    return 2000 + value if len(text) == 2 and text.isdigit() else value


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _guard_future(p: Period | None, published_at: date, shift) -> Period | None:
    """A yearless (or 今年) period ending well after publication means the previous year."""
    if p is None:
        return p
    # Early in the year an unqualified half/quarter/month that has not ended means last year's.
    early_in_year = published_at.month <= 2 and p.end > published_at + FUTURE_TOLERANCE
    if p.start > published_at + FUTURE_TOLERANCE or early_in_year:
        return shift()
    return p


def _sub_period(m: re.Match, year: int) -> tuple[Period | None, str]:
    if m.group("h1"):
        return half(year, 1), "period"
    if m.group("h2"):
        return half(year, 2), "period"
    if m.group("m9"):
        return nine_months(year), "period"
    if m.group("fq"):
        return quarter(year, 1), "period"
    if m.group("fm"):
        n = _num(m.group("fm").replace("两", "二"))
        return cumulative(tuple(month(year, k) for k in range(1, n + 1))), "period"
    qn = m.group("qn") or m.group("qq")
    if qn:
        return quarter(year, int(qn) if qn.isdigit() else _CN_SMALL[qn]), "period"
    if m.group("m1"):
        return months_to_period(year, int(m.group("m1")), int(m.group("m2"))), "period"
    if m.group("mo"):
        mo = _num(m.group("mo"))
        if not 1 <= mo <= 12:
            return None, ""
        if m.group("d"):
            day = _safe_date(year, mo, _num(m.group("d")))
            return (as_of(day), "date") if day else (None, "")
        if m.group("mend"):
            return as_of(_month_end(year, mo)), "as_of"
        return month(year, mo), "period"
    if m.group("yend"):
        return as_of(date(year, 12, 31)), "as_of"
    return fy(year), "period"


def _resolve(m: re.Match, published_at: date) -> tuple[Period | None, str]:
    """The period of one atomic match and its role."""
    if m.group("ended"):
        if m.group("ey"):
            y = _year(m.group("ey"))
        else:
            y = published_at.year + _REL_YEARS.get(m.group("erel") or "今年", 0)
        mo = _num(m.group("em"))
        if not 1 <= mo <= 12:
            return None, ""
        end = _month_end(y, mo) if m.group("eend") else _safe_date(y, mo, _num(m.group("ed")))
        if end is None:
            return None, ""
        if m.group("eyear"):
            return ended_period(end, 12), "period"
        if m.group("e9"):
            return ended_period(end, 9), "period"
        if m.group("eq"):
            return ended_period(end, 3), "period"
        n = m.group("en")
        return ended_period(end, _num(n)), "period"
    if m.group("fyl"):
        return fy(_full_year(m.group("fyy"))), "period"
    if m.group("qfirst"):
        return quarter(_full_year(m.group("qfy")), int(m.group("qfq"))), "period"
    if m.group("hfirst"):
        return half(_full_year(m.group("hfy")), int(m.group("hfh"))), "period"
    if m.group("asnow"):
        return as_of(published_at), "as_of"
    if m.group("iso"):
        day = _safe_date(int(m.group("iy")), int(m.group("im")), int(m.group("id")))
        return (as_of(day), "date") if day else (None, "")
    if m.group("ymd"):
        if m.group("y"):
            return _sub_period(m, _year(m.group("y")))
        rel = m.group("rel")
        year = published_at.year + _REL_YEARS[rel]
        period, role = _sub_period(m, year)
        if rel in ("今年", "本年") and period is not None and period.period_type != "FY":
            period = _guard_future(period, published_at, lambda: _sub_period(m, year - 1)[0])
        return period, role
    if m.group("yq"):
        y = m.group("yqy")
        return quarter(int(y) if len(y) == 4 else 2000 + int(y), int(m.group("yqq"))), "period"
    if m.group("bmd"):
        y = published_at.year
        day = _safe_date(y, int(m.group("bm")), int(m.group("bd")))
        if day and day > published_at + FUTURE_TOLERANCE:
            day = _safe_date(y - 1, day.month, day.day)
        return (as_of(day), "date") if day else (None, "")
    if m.group("bmr"):
        y = published_at.year
        first, last = int(m.group("bm1")), int(m.group("bm2"))
        p = months_to_period(y, first, last)
        return _guard_future(p, published_at, lambda: months_to_period(y - 1, first, last)), "period"
    if m.group("bmo"):
        mo = int(m.group("bmonly"))
        if not 1 <= mo <= 12:
            return None, ""
        y = published_at.year
        return _guard_future(month(y, mo), published_at, lambda: month(y - 1, mo)), "period"
    if m.group("bsub"):
        word = m.group("bsub")
        y = published_at.year

        def make(year: int) -> Period:
            if word == "上半年":
                return half(year, 1)
            if word == "下半年":
                return half(year, 2)
            if word.startswith(("前三季", "首三季")):
                return nine_months(year)
            if word.startswith("Q"):
                return quarter(year, int(word[1]))
            return quarter(year, _CN_SMALL[word[1]])

        return _guard_future(make(y), published_at, lambda: make(y - 1)), "period"
    return None, ""


def _shared_end_parts(years_text: str, last: Period) -> tuple[Period, ...]:
    """'截至2023年及2024年12月31日止年度': the earlier years take the period of the last one."""
    years = [_year(y) for y in re.findall(_Y4, years_text)]
    if not years or years != sorted(years) or years[-1] >= last.end.year:
        return ()
    shifted = [_shift_to_year(last, y) for y in years]
    if any(p is None for p in shifted):
        return ()
    return (*shifted, last)


def _shift_to_year(p: Period, year: int) -> Period | None:
    """The same kind of period (an ended FY, H1, 9M, a quarter) ending in `year`."""
    delta = p.end.year - year
    try:
        end = _month_end(p.end.year - delta, p.end.month)
    except ValueError:
        return None
    if p.end != _month_end(p.end.year, p.end.month):
        return None
    months = (p.end.year - p.start.year) * 12 + p.end.month - p.start.month + 1
    return ended_period(end, months)


def _atoms(folded: str, published_at: date) -> list[PeriodMention]:
    out: list[PeriodMention] = []
    for m in _PATTERN.finditer(folded):
        if m.group("rday"):
            # 昨日 in a news report: a day relative to publication (role 'day': never a reporting period)
            day = published_at + timedelta(days=_RELATIVE_DAYS[m.group("rday")])
            out.append(PeriodMention(m.start(), m.end(), m.group(0), as_of(day), "day", (as_of(day),)))
            continue
        if m.group("same"):
            before = folded[max(0, m.start() - 1) : m.start()]
            role = "comparison" if before in ("年", "度", "期") else "same_period"
            out.append(PeriodMention(m.start(), m.end(), m.group(0), as_of(published_at), role))
            continue
        if m.group("qrange"):
            qa, qb = (int(x) if x.isdigit() else _CN_SMALL[x] for x in (m.group("qa"), m.group("qb")))
            if qa < qb:
                year = int(m.group("qy"))
                parts = tuple(quarter(year, n) for n in range(qa, qb + 1))
                out.append(PeriodMention(m.start(), m.end(), m.group(0), cumulative(parts), "list", parts))
            continue
        if m.group("ylist"):
            years = [int(y) for y in re.findall(r"(?:19|20)\d\d", m.group("ylist"))]
            if len(set(years)) == len(years) and max(years) - min(years) <= 15:
                parts = tuple(fy(y) for y in years)  # in the order written: a series follows it
                span = cumulative(tuple(sorted(parts, key=lambda x: x.start)))
                out.append(PeriodMention(m.start(), m.end(), m.group(0), span, "list", parts))
            continue
        if m.group("yrange") or m.group("yyrange"):
            if m.group("yrange"):
                a, b = int(m.group("ya")), int(m.group("yb"))
            else:
                a, b = 2000 + int(m.group("yya")), 2000 + int(m.group("yyb"))
            if a < b <= a + 15 and (m.group("yrange") or b <= published_at.year + 1):
                parts = tuple(fy(y) for y in range(a, b + 1))
                out.append(PeriodMention(m.start(), m.end(), m.group(0), cumulative(parts), "list", parts))
            continue
        try:
            period, role = _resolve(m, published_at)
        except (ValueError, KeyError):
            period = None
        if period is None:
            continue
        if _TWO_DIGIT_YEAR.match(m.group(0)) and period.end.year > published_at.year + 1:
            continue  # '30年' is no year a report looks back on
        if m.group("ended") and m.group("eyl"):
            parts = _shared_end_parts(m.group("eyl"), period)
            if parts:
                out.append(PeriodMention(m.start(), m.end(), m.group(0), cumulative(parts), "list", parts))
            continue
        before = folded[max(0, m.start() - 4) : m.start()]
        after = folded[m.end() : m.end() + 2]
        if after.startswith("同期") or _COMPARISON_BEFORE.search(before):
            role = "comparison"
        elif role == "date" and _AS_OF_BEFORE.search(before) and not m.group("ended"):
            role = "as_of"
        elif m.group("ended") is None and role == "period" and _ENDING_AS_OF.search(before):
            role = "period"  # 截至2025年1-9月: still the reporting period
        out.append(PeriodMention(m.start(), m.end(), m.group(0), period, role, (period,)))
    return out


def _merge(folded: str, atoms: list[PeriodMention]) -> list[PeriodMention]:
    """Merge ranges (2022年至2024年, 2022年~2025年1-6月) and lists (2022年、2023年及2024年)."""
    out: list[PeriodMention] = []
    i = 0
    while i < len(atoms):
        a = atoms[i]
        if a.role not in ("period", "list") or a.period.period_type == "AS_OF":
            out.append(a)
            i += 1
            continue
        group = [a]
        j = i + 1
        while j < len(atoms):
            b = atoms[j]
            gap = folded[group[-1].end : b.start]
            last = group[-1]
            if b.period.period_type == "AS_OF" and _RANGE_CONNECTOR.match(gap):
                # '2022年至2025年6月30日' (a prospectus's reporting period): the years, then the part of
                # the last year that ends on that day
                ended = _period_ending(b.period.end)
                if ended is not None:
                    b = PeriodMention(b.start, b.end, b.text, ended, "period", (ended,))
            if b.role not in ("period", "list") or b.period.period_type == "AS_OF":
                break
            if _RANGE_CONNECTOR.match(gap) and last.period.period_type == "FY" and len(last.parts) == 1:
                y0, y1 = last.period.start.year, b.period.start.year
                if y0 < y1 <= y0 + 15:
                    years = range(y0, y1 + 1) if b.period.period_type == "FY" else range(y0, y1)
                    parts = tuple(fy(y) for y in years) + (
                        () if b.period.period_type == "FY" else (b.period,)
                    )
                    group[-1] = PeriodMention(last.start, b.end, "", cumulative(parts), "list", parts)
                    j += 1
                    continue
                break
            # later periods only; a half year may follow the full year it belongs to (FY2024, H1-2024)
            if (
                _SEPARATOR.match(gap)
                and b.parts[0].start >= last.parts[-1].start
                and b.parts[0] != last.parts[-1]
            ):
                group.append(b)
                j += 1
                continue
            break
        if len(group) == 1 and not group[0].is_multi:
            out.append(a)
        else:
            parts = tuple(p for g in group for p in g.parts)
            start, end = group[0].start, group[-1].end
            out.append(PeriodMention(start, end, folded[start:end], cumulative(parts), "list", parts))
        i = j
    return out


def _period_ending(day: date) -> Period | None:
    """The reporting period of a year that ends on `day`: H1 on 30 June, 9M on 30 September, Q1 on 31
    March, the year on 31 December; None on another day."""
    by_day = {
        (3, 31): lambda y: quarter(y, 1),
        (6, 30): lambda y: half(y, 1),
        (9, 30): nine_months,
        (12, 31): fy,
    }
    make = by_day.get((day.month, day.day))
    return make(day.year) if make else None


def find_periods(folded: str, published_at: date) -> list[PeriodMention]:
    """Period expressions in `folded`, resolved against `published_at`, in text order."""
    return _merge(folded, _atoms(folded, published_at))


def years_back(text: str) -> int | None:
    """去年/上年 → 1, 前年 → 2: a year counted back; None for an explicit year or 今年.

    Beside a figure of a stated period ('2024年亏损X，上年为Y') the count is from that period,
    not from the publication date.
    """
    for word, offset in _REL_YEARS.items():
        if text.startswith(word) and offset < 0:
            return -offset
    return None


def is_relative_year(text: str) -> bool:
    """今年/去年/上一财年…: a year counted from the publication date."""
    return any(text.startswith(word) for word in _REL_YEARS)


def find_cum_markers(folded: str) -> list[tuple[int, int]]:
    """Spans of words that make a figure cumulative over the periods in context."""
    return [(m.start(), m.end()) for m in CUM_MARKER.finditer(folded)]
