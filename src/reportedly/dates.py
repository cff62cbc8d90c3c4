"""Stage: dates. Time expressions, resolved against the publication date.

A fast path handles what news text mostly says ("on August 6", "Feb. 24, 2022", "in March",
"on Thursday", "last week", "two days ago", "yesterday") with one compiled regex and
calendar arithmetic; spaCy DATE entities that it does not cover go to ``dateparser``
(slow, so only on those spans, with one parser per publication date). News tells of the
past: "on Thursday" in an article published on a Friday is the day before, unless the
sentence speaks of the future ("will meet on Thursday").
``DateMention.start``/``end`` are character offsets into the document text.
"""

from __future__ import annotations

import calendar
import functools
import re
from datetime import date, datetime, timedelta

from spacy.tokens import Doc, Span

from .data import read_table
from .numbers import parse_count
from .pipeline import Analysis, DateMention
from .records import When

MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
WEEKDAYS = {name.lower(): number for number, name in enumerate(calendar.day_name)}
# Words of a sentence that put what it tells in the future.
FUTURE_CUES = frozenset({"will", "'ll", "’ll", "shall", "next", "scheduled", "upcoming", "due", "plans", "planned"})
# Words before an expression that belong to it ("on August 6", "since February 24").
PREPOSITIONS = ("on", "in", "since", "until", "by", "from", "through", "during")
MAX_FUTURE_DRIFT = timedelta(days=14)  # a yearless date further ahead than this is last year's


def _alternation(words) -> str:
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


def _month_alternation() -> str:
    """Month names; only abbreviations take a full stop ("Feb.", never "March.")."""
    names = sorted(MONTHS, key=len, reverse=True)
    return "|".join(re.escape(n) + (r"\.?" if len(n) <= 4 and n != "june" and n != "july" else "") for n in names)


@functools.cache
def relative_table() -> dict[str, tuple[str, int, str]]:
    """Phrases resolved against the publication date ("yesterday", "last week")."""
    return {" ".join(row[0].lower().split()): (row[1], int(row[2]), row[3]) for row in read_table("relative_dates.tsv") if len(row) < 5}


@functools.cache
def anchored_table() -> dict[str, tuple[str, int, str]]:
    """Phrases resolved against the last day the text named ("the day before")."""
    return {" ".join(row[0].lower().split()): (row[1], int(row[2]), row[3]) for row in read_table("relative_dates.tsv") if len(row) >= 5}


@functools.cache
def date_regex() -> re.Pattern:
    month = rf"(?P<month>{_month_alternation()})"
    day = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
    year = r"(?P<year>(?:19|20)\d{2})(?!\d)"
    prep = rf"(?P<prep>(?:{'|'.join(PREPOSITIONS)})\s+)?"
    phase = r"(?:(?P<phase>early|mid|late|the\s+end\s+of|the\s+beginning\s+of)[\s-]+)?"
    relative = _alternation(relative_table()).replace(r"\ ", r"\s+")
    anchored = _alternation(anchored_table()).replace(r"\ ", r"\s+")
    number = r"(?P<amount>\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a\s+few|several)"
    patterns = [
        r"(?P<iso>(?P<iy>(?:19|20)\d{2})-(?P<im>[01]\d)-(?P<id>[0-3]\d))(?![\d:])",
        rf"{month}\s*{day}(?!\d|:\d|\s*(?:%|per\s*cent|km|miles?|people|soldiers|troops))(?:,?\s*(?:-\s*)?{year})?",
        rf"{day.replace('day>', 'day2>')}\s+(?:of\s+)?(?P<month2>{_month_alternation()})(?:,?\s+(?P<year2>(?:19|20)\d{{2}})(?!\d))?",
        rf"{phase}(?P<month3>{_month_alternation()})(?:,?\s+(?P<year3>(?:19|20)\d{{2}})(?!\d))?",
        rf"(?P<which>last|this|next|past)?\s*(?P<weekday>{_alternation(WEEKDAYS)})(?:\s+(?:morning|afternoon|evening|night))?",
        rf"(?P<relative>{relative})",  # first: "the day before yesterday" is not "the day before"
        rf"(?P<anchored>{anchored})",
        rf"{number}\s+(?P<unit>days?|weeks?|months?|years?)\s+(?:ago|earlier)",
        rf"{phase.replace('phase>', 'phase2>')}(?P<year4>(?:19|20)\d{{2}})(?![\d,.]\d|-|\s*(?:%|km|people))",
    ]
    body = "|".join(f"(?:{p})" for p in patterns)
    return re.compile(rf"(?<![\w-]){prep}(?P<body>{body})(?![\w])", re.IGNORECASE)


class DateStage:
    """Fills ``analysis.dates`` with a DateMention for every time expression found."""

    def __init__(self) -> None:
        self.regex = date_regex()
        self.relative = relative_table()

    def __call__(self, analysis: Analysis) -> None:
        doc, published = analysis.doc, analysis.published
        mentions: list[DateMention] = []
        covered: list[tuple[int, int]] = []
        last_day = published  # what "the day before" counts from: the last day named so far
        for match in self.regex.finditer(analysis.text):
            if match.group("anchored"):
                when = self.anchored(match, last_day)
            else:
                when = self.resolve(match, doc, published)
            if when is not None and when.precision == "day" and when.start:
                last_day = date.fromisoformat(when.start)
            if when is not None:
                mentions.append(DateMention(start=match.start(), end=match.end(), when=when))
                covered.append((match.start("body"), match.end()))
        for entity in doc.ents:
            if entity.label_ == "DATE" and not _overlaps(entity, covered):
                mention = self.from_dateparser(entity, published)
                if mention is not None:
                    mentions.append(mention)
        mentions.sort(key=lambda m: m.start)
        analysis.dates = mentions

    # --- the fast path --------------------------------------------------------------------
    def resolve(self, match: re.Match, doc: Doc, published: date | None) -> When | None:
        text = match.group(0)
        groups = match.groupdict()
        if not self._plausible(match, doc):
            return None
        future = _future_context(doc, match.start("body"), match.end())
        if groups["iso"]:
            return _day(text, _safe_date(int(groups["iy"]), int(groups["im"]), int(groups["id"])))
        month_name = groups["month"] or groups["month2"]
        if month_name:
            day_text = groups["day"] or groups["day2"]
            year_text = groups["year"] or groups["year2"]
            month = MONTHS[month_name.lower().rstrip(".")]
            if year_text:
                return _day(text, _safe_date(int(year_text), month, int(day_text)))
            if published is None:
                return When(text=text, precision="relative")
            return _day(text, _yearless(published, month, int(day_text), future))
        if groups["month3"]:
            return self._month(text, groups, published, future)
        if groups["weekday"]:
            return self._weekday(text, groups, published, future)
        if groups["relative"]:
            unit, offset, precision = self.relative[" ".join(groups["relative"].lower().split())]
            return _shifted(text, published, unit, offset, precision)
        if groups["unit"]:
            amount = _amount(groups["amount"])
            unit = groups["unit"].lower().rstrip("s")
            return _shifted(text, published, unit, -amount, unit) if amount is not None else None
        if groups["year4"]:
            year = int(groups["year4"])
            return When(text=text, start=f"{year}-01-01", end=f"{year}-12-31", precision="year")
        return None

    def anchored(self, match: re.Match, anchor: date | None) -> When | None:
        unit, offset, precision = anchored_table()[" ".join(match.group("anchored").lower().split())]
        return _shifted(match.group(0), anchor, unit, offset, precision)

    def _plausible(self, match: re.Match, doc: Doc) -> bool:
        """Not "May" the verb, not "March" the verb, not a bare year that is a number."""
        groups = match.groupdict()
        name = groups["month"] or groups["month2"] or groups["month3"] or groups["weekday"]
        if name and not name[0].isupper():
            return False  # "may", "march": verbs; names of months and days are capitalised
        if groups["month3"] and not (groups["prep"] or groups["phase"] or groups["year3"]):
            # A bare month name: only "in/since ... March" or "March 2022" read as dates.
            return False
        if groups["year4"] and not (groups["prep"] or groups["phase2"]):
            return False  # "the 2022 invasion", "2,000": a bare year is an adjective or a count
        if groups["weekday"] is None and groups["month"] is None and groups["month2"] is None:
            return True
        token_span = doc.char_span(match.start("body"), match.end(), alignment_mode="expand")
        return token_span is None or not any(t.ent_type_ in ("PERSON", "ORG") for t in token_span)

    def _month(self, text: str, groups: dict, published: date | None, future: bool) -> When | None:
        month = MONTHS[groups["month3"].lower().rstrip(".")]
        if groups["year3"]:
            year = int(groups["year3"])
        elif published is not None:
            year = published.year
            if month > published.month and not future:
                year -= 1
        else:
            return When(text=text, precision="relative")
        last = calendar.monthrange(year, month)[1]
        return When(text=text, start=f"{year}-{month:02d}-01", end=f"{year}-{month:02d}-{last:02d}", precision="month")

    def _weekday(self, text: str, groups: dict, published: date | None, future: bool) -> When | None:
        if published is None:
            return When(text=text, precision="relative")
        weekday = WEEKDAYS[groups["weekday"].lower()]
        which = (groups["which"] or "").lower()
        if which == "next" or (future and which != "last"):
            ahead = (weekday - published.weekday()) % 7 or 7
            return _day(text, published + timedelta(days=ahead))
        back = (published.weekday() - weekday) % 7
        if which in ("last", "past") and back == 0:
            back = 7
        return _day(text, published - timedelta(days=back))

    # --- the slow path --------------------------------------------------------------------
    def from_dateparser(self, entity: Span, published: date | None) -> DateMention | None:
        text = entity.text
        lowered = text.lower()
        words = set(re.findall(r"[a-z]+", lowered))
        if not (words & MONTHS.keys() or words & WEEKDAYS.keys() or re.search(r"\b(?:19|20)\d{2}\b", text)):
            return None  # "the past two weeks", "three years": durations, not dates
        if re.search(r"year-old|years old|-year|per ?cent|%", lowered) or re.fullmatch(r"(?:the\s+)?\d{4}", lowered):
            return None  # ages, shares, and a bare year used as an adjective ("the 2022 invasion")
        data = _parser(published).get_date_data(text)
        if data is None or data.date_obj is None:
            return None
        resolved = data.date_obj.date()
        period = data.period or "day"
        if period == "month":
            last = calendar.monthrange(resolved.year, resolved.month)[1]
            when = When(text=text, start=f"{resolved:%Y-%m}-01", end=f"{resolved:%Y-%m}-{last:02d}", precision="month")
        elif period == "year":
            when = When(text=text, start=f"{resolved.year}-01-01", end=f"{resolved.year}-12-31", precision="year")
        elif period == "week":
            monday = resolved - timedelta(days=resolved.weekday())
            when = When(text=text, start=monday.isoformat(), end=(monday + timedelta(days=6)).isoformat(), precision="week")
        else:
            when = _day(text, resolved)
        return DateMention(start=entity.start_char, end=entity.end_char, when=when)


@functools.lru_cache(maxsize=64)
def _parser(published: date | None):
    """One dateparser DateDataParser per publication date (its settings are costly to build)."""
    from dateparser.date import DateDataParser

    settings = {"PREFER_DATES_FROM": "past", "RETURN_TIME_AS_PERIOD": False, "REQUIRE_PARTS": []}
    if published is not None:
        settings["RELATIVE_BASE"] = datetime(published.year, published.month, published.day)
    return DateDataParser(languages=["en"], settings=settings)


def _overlaps(entity: Span, covered: list[tuple[int, int]]) -> bool:
    return any(start < entity.end_char and entity.start_char < end for start, end in covered)


def _future_context(doc: Doc, start: int, end: int) -> bool:
    """Whether the verb the expression hangs from speaks of the future ("will meet on
    Thursday", "is due to visit on Friday", "the upcoming talks on Monday"). Only that verb
    and the words between it and the date count: a "will" or "due to" elsewhere in the
    sentence says nothing about when this date falls."""
    tokens = doc.char_span(start, end, alignment_mode="expand")
    if not tokens:
        return False
    words: set[str] = set()
    token = tokens.root
    while token.pos_ not in ("VERB", "AUX") and token.head != token:
        token = token.head
        words.add(token.lower_)
    words.add(token.lower_)
    words.update(c.lower_ for c in token.children if c.dep_ in ("aux", "auxpass", "amod"))
    if token.dep_ == "xcomp":  # "plans to visit", "is due to visit", "scheduled to meet"
        words.add(token.head.lower_)
    return bool(words & FUTURE_CUES)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _yearless(published: date, month: int, day: int, future: bool) -> date | None:
    """"August 6" in a story of 2024-11-08 is 2024-08-06; "December 28" in January is last year's."""
    resolved = _safe_date(published.year, month, day)
    if resolved is not None and not future and resolved > published + MAX_FUTURE_DRIFT:
        resolved = _safe_date(published.year - 1, month, day)
    return resolved


def _day(text: str, day: date | None) -> When | None:
    if day is None:
        return None
    return When(text=text, start=day.isoformat(), end=day.isoformat(), precision="day")


def _amount(text: str) -> int | None:
    text = text.lower()
    if text in ("a", "an"):
        return 1
    count = parse_count(text)
    return count.min if count is not None else None


def _shifted(text: str, published: date | None, unit: str, offset: int, precision: str) -> When | None:
    """The day/week/month/year ``offset`` units from the publication date."""
    if published is None:
        return When(text=text, precision="relative")
    if unit == "day":
        day = published + timedelta(days=offset)
        if precision == "day":
            return _day(text, day)
        return When(text=text, start=day.isoformat(), end=day.isoformat(), precision="day")
    if unit == "week":
        monday = published - timedelta(days=published.weekday()) + timedelta(weeks=offset)
        if precision == "week":
            return When(text=text, start=monday.isoformat(), end=(monday + timedelta(days=6)).isoformat(), precision="week")
        return _day(text, monday)
    if unit == "month":
        index = published.year * 12 + published.month - 1 + offset
        year, month = divmod(index, 12)
        month += 1
        last = calendar.monthrange(year, month)[1]
        return When(text=text, start=f"{year}-{month:02d}-01", end=f"{year}-{month:02d}-{last:02d}", precision="month")
    year = published.year + offset
    return When(text=text, start=f"{year}-01-01", end=f"{year}-12-31", precision="year")
