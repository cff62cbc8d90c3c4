"""Cross-document coreference: which events (and figures) of different articles are one.

Each event or figure of a Report becomes a small ``Mention`` (the fields that decide
coreference, and its origin). Mentions are compared only inside blocks (same event type or
figure kind) and a date window, so the cost grows with the mentions per day, not with the
square of the corpus. A pair links when it is *compatible* (hard rules: mode, actors, place,
date, status) and *similar* enough (IDF-weighted overlap of the evidence sentences, plus
agreement on place, date and actors, and a bonus for articles that copy one another). Links
merge greedily, best first, and never put two events of one article together (the article
already told them apart) nor join clusters holding an incompatible pair, so that chains of
weak links cannot glue two strikes on one city into one.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import msgspec

from ..data import read_table
from ..records import Count, Event, Figure, Report
from .origins import OriginRef, origin_of

_WORD = re.compile(r"[^\W_]+")
_IRREALIS = frozenset({"hypothetical", "future", "threatened"})


@dataclass(frozen=True, slots=True)
class MatchConfig:
    """Thresholds of cross-document matching (days, kilometres, scores)."""

    window_days: int = 1  # explicit event dates may differ by this much
    report_lag_days: int = 3  # an undated event happened up to this long before publication
    distance_km: float = 50.0  # points closer than this are one place
    event_threshold: float = 0.4
    figure_threshold: float = 0.4
    reuse_bonus: float = 0.3  # the two articles copy one another
    place_bonus: float = 0.1
    date_bonus: float = 0.1
    actor_bonus: float = 0.05
    same_event_bonus: float = 0.5  # two figures count events of one cross-document event
    max_check: int = 20000  # largest cluster pair whose every cross pair is checked


DEFAULT_MATCH = MatchConfig()


class Mention(msgspec.Struct, kw_only=True):
    """One event or figure of one article, reduced to what cross-document matching reads."""

    doc_id: str
    item_id: str
    block: str  # event type or figure kind: only mentions of one block are compared
    mode: str | None = None
    realis: bool = True
    actor: str | None = None  # country code
    actor_name: str | None = None
    recipient: str | None = None
    recipient_name: str | None = None
    country: str | None = None
    admin1: str | None = None
    place: str | None = None
    lat: float | None = None
    lon: float | None = None
    precise: bool = False  # point or city precision: its coordinates mean the place
    start: int | None = None  # explicit date interval, as date ordinals
    end: int | None = None
    published: str | None = None
    published_day: int | None = None
    outlet: str | None = None
    tokens: list[str] = []
    origin_key: str = ""
    origin_name: str = ""
    origin_party: str | None = None
    origin_publisher: bool = False
    origin_scoped: bool = False
    counts: dict[str, Count] = {}  # casualties of an event; {"value": Count} for a figure
    event_id: str | None = None  # a figure's event, inside its article
    event_cluster: str | None = None  # filled once events are clustered
    reuse: str = ""  # the article's reuse cluster, filled before matching

    @property
    def key(self) -> str:
        return f"{self.doc_id}:{self.item_id}"

    @property
    def origin(self) -> OriginRef:
        return OriginRef(
            key=self.origin_key,
            name=self.origin_name,
            party=self.origin_party,
            publisher=self.origin_publisher,
            scoped=self.origin_scoped,
        )

    @property
    def anchor(self) -> int | None:
        """The day used for windowing: the event's date, else its article's."""
        return self.start if self.start is not None else self.published_day


# ---------------------------------------------------------------- mentions from Reports


@functools.cache
def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    # Weekdays and times of day say when, which dates already compare.
    when = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
            "morning", "afternoon", "evening", "night", "overnight", "early", "late", "today",
            "yesterday", "dawn"}
    return frozenset(STOP_WORDS) | when | {"said", "says", "told", "according", "reported", "report"}


@functools.cache
def mode_groups() -> dict[str, str]:
    return {row[0]: row[1] for row in read_table("corroboration_modes.tsv") if len(row) >= 2}


def _stem(word: str) -> str:
    """A crude suffix strip, enough to meet 'killed'/'killing' and 'strikes'/'strike'."""
    for suffix in ("ing", "ed"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def content_tokens(texts: Iterable[str], drop: Iterable[str] = ()) -> list[str]:
    """Sorted distinct content words (stop words, ``drop`` words and 1-letter words removed)."""
    stop = _stop_words()
    dropped = {w.lower() for text in drop for w in _WORD.findall(text)}
    words = {
        _stem(w)
        for text in texts
        for w in _WORD.findall(text.lower())
        if len(w) > 1 and w not in stop and w not in dropped
    }
    return sorted(words)


def _day(value: str | None, last: bool = False) -> int | None:
    """Date ordinal of an ISO date, month (``2024-11``) or year; its last day when ``last``."""
    if not value:
        return None
    parts = value[:10].split("-")
    try:
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 else (12 if last else 1)
        if len(parts) > 2:
            return date(year, month, int(parts[2])).toordinal()
        if last:
            following = date(year + (month == 12), month % 12 + 1, 1)
            return following.toordinal() - 1
        return date(year, month, 1).toordinal()
    except (ValueError, IndexError):
        return None


def _place_fields(location) -> dict:
    if location is None:
        return {}
    return {
        "country": (location.country or "").upper() or None,
        "admin1": location.admin1,
        "place": location.name.lower() if location.name else None,
        "lat": location.lat,
        "lon": location.lon,
        "precise": location.precision in ("point", "city"),
    }


def event_mention(report: Report, event: Event, sources: Mapping) -> Mention:
    doc = report.document
    texts = [m.evidence for m in event.mentions[:3]] or [event.evidence]
    drop = [event.location.text] if event.location else []
    origin = origin_of(event.source_chain, sources, doc.outlet, doc.id)
    start = end = None
    if event.date is not None and event.date.precision != "relative":
        start, end = _day(event.date.start), _day(event.date.end or event.date.start, last=True)
    counts = {
        kind: value
        for kind in ("killed", "injured", "captured", "missing")
        if (value := getattr(event.casualties, kind)) is not None
    }
    return Mention(
        doc_id=doc.id,
        item_id=event.id,
        block=event.type,
        mode=event.mode,
        realis=event.status not in _IRREALIS,
        actor=event.actor.country if event.actor else None,
        actor_name=event.actor.name.lower() if event.actor else None,
        recipient=event.recipient.country if event.recipient else None,
        recipient_name=event.recipient.name.lower() if event.recipient else None,
        start=start,
        end=end if start is not None else None,
        published=doc.published,
        published_day=_day(doc.published),
        outlet=doc.outlet,
        tokens=content_tokens(texts, drop),
        counts=counts,
        **_origin_fields(origin),
        **_place_fields(event.location),
    )


def figure_mention(report: Report, figure: Figure, sources: Mapping, events: Mapping[str, Event]) -> Mention:
    doc = report.document
    event = events.get(figure.event or "")
    origin = origin_of(figure.source_chain, sources, doc.outlet, doc.id)
    start = None
    if event is not None and event.date is not None and event.date.precision != "relative":
        start = _day(event.date.start)
    return Mention(
        doc_id=doc.id,
        item_id=figure.id,
        block=figure.kind,
        start=start,
        end=start,
        published=doc.published,
        published_day=_day(doc.published),
        outlet=doc.outlet,
        tokens=content_tokens([figure.evidence, figure.what], [figure.text]),
        counts={"value": figure.value},
        event_id=event.id if event is not None else None,
        **_origin_fields(origin),
        **(_place_fields(event.location) if event is not None else {}),
    )


def _origin_fields(origin: OriginRef) -> dict:
    return {
        "origin_key": origin.key,
        "origin_name": origin.name,
        "origin_party": origin.party,
        "origin_publisher": origin.publisher,
        "origin_scoped": origin.scoped,
    }


def mentions_of(report: Report) -> tuple[list[Mention], list[Mention]]:
    """(event mentions, figure mentions) of one Report: a pure, per-document step."""
    sources = {source.id: source for source in report.sources}
    events = {event.id: event for event in report.events}
    return (
        [event_mention(report, event, sources) for event in report.events],
        [figure_mention(report, figure, sources, events) for figure in report.figures],
    )


# ---------------------------------------------------------------- compatibility and score


def _distance_km(a: Mention, b: Mention) -> float | None:
    if None in (a.lat, a.lon, b.lat, b.lon):
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(min(1.0, h)))


def places_compatible(a: Mention, b: Mention, config: MatchConfig = DEFAULT_MATCH) -> bool:
    """Same country, and same admin1 or within ``distance_km`` when both are that precise."""
    if a.country and b.country and a.country != b.country:
        return False
    distance = _distance_km(a, b) if a.precise and b.precise else None
    if distance is not None and distance <= config.distance_km:
        return True
    if a.admin1 and b.admin1:
        return a.admin1 == b.admin1
    return distance is None or distance <= config.distance_km


def _interval(m: Mention, config: MatchConfig) -> tuple[int, int] | None:
    if m.start is not None:
        return m.start, m.end if m.end is not None else m.start
    if m.published_day is not None:
        return m.published_day - config.report_lag_days, m.published_day
    return None


def dates_compatible(a: Mention, b: Mention, config: MatchConfig = DEFAULT_MATCH) -> bool:
    """The two date intervals (an undated one: the days before publication) overlap within
    ``window_days``."""
    ia, ib = _interval(a, config), _interval(b, config)
    if ia is None or ib is None:
        return True
    return ia[0] - config.window_days <= ib[1] and ib[0] - config.window_days <= ia[1]


def modes_compatible(a: str | None, b: str | None) -> bool:
    if a is None or b is None or a == b:
        return True
    groups = mode_groups()
    group_a, group_b = groups.get(a), groups.get(b)
    if "*" in (group_a, group_b):
        return True
    return group_a is not None and group_a == group_b


def _agree(x: str | None, y: str | None) -> bool:
    return x is None or y is None or x == y


def parties_compatible(a: Mention, b: Mention) -> bool:
    """Actors and recipients agree, directly or swapped: each side tells a battle as the
    other side's attack ("Ukraine repelled a Russian assault" / "Russian marines advanced").
    A swap must match on at least one party, or any two one-sided attacks would agree."""
    if _agree(a.actor, b.actor) and _agree(a.recipient, b.recipient):
        return True
    swapped_match = (a.actor is not None and a.actor == b.recipient) or (
        a.recipient is not None and a.recipient == b.actor
    )
    return swapped_match and _agree(a.actor, b.recipient) and _agree(a.recipient, b.actor)


def compatible(a: Mention, b: Mention, config: MatchConfig = DEFAULT_MATCH) -> bool:
    """Hard rules: may these two mentions tell one happening at all?"""
    if a.doc_id == b.doc_id or a.block != b.block or a.realis != b.realis:
        return False
    if not modes_compatible(a.mode, b.mode):
        return False
    if not parties_compatible(a, b):
        return False
    if a.event_cluster and b.event_cluster and a.event_cluster != b.event_cluster:
        return False
    return places_compatible(a, b, config) and dates_compatible(a, b, config)


class Weights:
    """IDF weights of evidence words over one set of mentions (rare words weigh more)."""

    def __init__(self, mentions: Sequence[Mention]) -> None:
        frequency = Counter(token for m in mentions for token in m.tokens)
        total = len(mentions) + 1
        self.idf = {token: math.log(total / count) + 1.0 for token, count in frequency.items()}
        self.sets = [frozenset(m.tokens) for m in mentions]
        self.mass = [sum(self.idf[t] for t in tokens) for tokens in self.sets]

    def similarity(self, i: int, j: int) -> float:
        """Weighted overlap: the shared words' weight over the smaller sentence's weight.

        Overlap rather than cosine because one outlet's sentence is often a short version of
        another's; the smaller weight counts as at least half the larger, so that a sentence
        of two words cannot match everything that contains them.
        """
        shared = self.sets[i] & self.sets[j]
        if not shared:
            return 0.0
        small, large = sorted((self.mass[i], self.mass[j]))
        return sum(self.idf[t] for t in shared) / max(small, large / 2)


def score(a: Mention, b: Mention, text_similarity: float, config: MatchConfig = DEFAULT_MATCH) -> float:
    """How strongly two compatible mentions look like one happening."""
    value = text_similarity
    if a.reuse and a.reuse == b.reuse:
        value += config.reuse_bonus
    if (a.place and a.place == b.place) or (a.admin1 and a.admin1 == b.admin1 and a.precise and b.precise):
        value += config.place_bonus
    if a.start is not None and a.start == b.start:
        value += config.date_bonus
    if a.actor_name and a.actor_name == b.actor_name:
        value += config.actor_bonus
    if a.recipient_name and a.recipient_name == b.recipient_name:
        value += config.actor_bonus
    if a.actor_name != b.actor_name and (
        (a.actor_name and a.actor_name == b.recipient_name)
        or (a.recipient_name and a.recipient_name == b.actor_name)
    ):
        value += config.actor_bonus  # the same parties, told from the other side
    if a.event_cluster and a.event_cluster == b.event_cluster:
        value += config.same_event_bonus
    return value


# ---------------------------------------------------------------- candidates and clustering


def candidate_pairs(mentions: Sequence[Mention], window: int) -> Iterable[tuple[int, int]]:
    """Index pairs in one block and within ``window`` days.

    Located mentions meet those of their own admin1, those of their country without an
    admin1, and the unlocated ones: blocking by place keeps a busy war's thousands of strikes
    a day from meeting one another. (Two points near an admin1 border, in different
    admin1s, are thus not compared: ``places_compatible`` would allow them.)
    """
    groups: dict[tuple[str, str | None, str | None], list[int]] = defaultdict(list)
    undated: dict[str, list[int]] = defaultdict(list)
    for index, m in enumerate(mentions):
        if m.anchor is None:
            undated[m.block].append(index)
        else:
            groups[(m.block, m.country, m.admin1 if m.country else None)].append(index)
    for members in groups.values():
        members.sort(key=lambda i: mentions[i].anchor)
    for (block, country, admin1), members in groups.items():
        yield from _windowed(mentions, members, members, window, same=True)
        wider = []
        if admin1 is not None:
            wider.append((block, country, None))  # the same country, no admin1
        if country is not None:
            wider.append((block, None, None))  # unlocated
        for key in wider:
            if key in groups:
                yield from _windowed(mentions, members, groups[key], window, same=False)
        for other in undated.get(block, ()):
            yield from ((i, other) for i in members)
    for members in undated.values():
        yield from ((a, b) for n, a in enumerate(members) for b in members[n + 1 :])


def _windowed(mentions: Sequence[Mention], left: list[int], right: list[int], window: int, same: bool):
    days = [mentions[i].anchor for i in right]
    for position, i in enumerate(left):
        day = mentions[i].anchor
        begin = position + 1 if same else bisect_right(days, day - window - 1)
        for j in right[begin : bisect_right(days, day + window)]:
            yield i, j


def cluster(
    mentions: Sequence[Mention],
    threshold: float,
    config: MatchConfig = DEFAULT_MATCH,
    is_compatible: Callable[[Mention, Mention], bool] | None = None,
) -> list[list[int]]:
    """Clusters of mention indexes: best links first, constrained merging (module docstring)."""
    check = is_compatible or (lambda a, b: compatible(a, b, config))
    weights = Weights(mentions)
    window = config.window_days + config.report_lag_days
    links = []
    for i, j in candidate_pairs(mentions, window):
        a, b = mentions[i], mentions[j]
        if check(a, b):
            value = score(a, b, weights.similarity(i, j), config)
            if value >= threshold:
                links.append((value, i, j))
    links.sort(key=lambda link: (-link[0], link[1], link[2]))
    members: dict[int, list[int]] = {i: [i] for i in range(len(mentions))}
    owner = list(range(len(mentions)))
    for _, i, j in links:
        a, b = owner[i], owner[j]
        if a == b or not _mergeable(members[a], members[b], mentions, check, config.max_check):
            continue
        if len(members[a]) < len(members[b]):
            a, b = b, a
        for index in members[b]:
            owner[index] = a
        members[a].extend(members.pop(b))
    return sorted(members.values(), key=lambda group: min(group))


def _mergeable(left: list[int], right: list[int], mentions: Sequence[Mention], check, limit: int) -> bool:
    if {mentions[i].doc_id for i in left} & {mentions[j].doc_id for j in right}:
        return False
    if len(left) * len(right) > limit:
        return True
    return all(check(mentions[i], mentions[j]) or mentions[i].doc_id == mentions[j].doc_id
               for i in left for j in right)


def cluster_ids(
    groups: Iterable[list[int]], mentions: Sequence[Mention], prefix: str, prior: Mapping[str, str] | None = None
) -> list[str]:
    """A stable id per cluster: the prior id most of its members had (incremental runs: new
    mentions join existing clusters), else a hash of its first member's key."""
    groups = list(groups)
    ids = [""] * len(groups)
    used: set[str] = set()
    order = sorted(range(len(groups)), key=lambda n: -len(groups[n]))
    for n in order:
        votes = Counter(prior[mentions[i].key] for i in groups[n] if prior and mentions[i].key in prior)
        for candidate, _ in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0])):
            if candidate not in used:
                ids[n] = candidate
                break
        if not ids[n]:
            first = min(mentions[i].key for i in groups[n])
            ids[n] = prefix + hashlib.sha1(first.encode()).hexdigest()[:10]
            salt = 0
            while ids[n] in used:  # a prior cluster kept this id: its first member moved
                salt += 1
                ids[n] = prefix + hashlib.sha1(f"{first}#{salt}".encode()).hexdigest()[:10]
        used.add(ids[n])
    return ids
