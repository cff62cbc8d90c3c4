"""The record types of ``shared/spec/records.md``, defined once and used everywhere.

They are ``msgspec.Struct`` classes: typed, cheap to build, and encoded to JSON far faster
than dataclasses through ``json`` (thousands of documents a second must not wait on JSON).
Field names and value sets are the contract; more fields may be added, never renamed.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

import msgspec

EventType = Literal[
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
]
EVENT_TYPES: tuple[str, ...] = EventType.__args__  # type: ignore[attr-defined]
Status = Literal["asserted", "negated", "denied", "hypothetical", "future", "threatened"]
Certainty = Literal["certain", "probable", "possible", "uncertain"]
Sector = Literal[
    "military", "government", "police", "rebel", "civilian", "media", "ngo", "igo",
    "business", "other",
]
SourceType = Literal[
    "person", "official", "military", "government", "media", "social_media", "expert",
    "ngo", "igo", "document", "anonymous", "unknown",
]
CueKind = Literal["verb", "according_to", "noun", "punctuation", "adverb"]
Role = Literal["origin", "relay", "publisher"]
Precision = Literal["point", "city", "admin1", "country"]
DatePrecision = Literal["day", "week", "month", "year", "relative"]
FigureKind = Literal[
    "troops", "killed", "injured", "casualties", "captured", "displaced", "equipment",
    "money", "other",
]


class Record(msgspec.Struct, kw_only=True, omit_defaults=False):
    """Base of every record: keyword-only construction, ``to_dict`` for JSON-shaped data."""

    def to_dict(self) -> dict:
        return msgspec.to_builtins(self)


class Span(Record, kw_only=True):
    text: str
    start: int
    end: int


class SourceSpan(Span, kw_only=True):
    """An attribution's source span, with the name it resolves to and its Source id."""

    resolved: str | None = None
    source_id: str | None = None


class CueSpan(Span, kw_only=True):
    kind: CueKind = "verb"
    internal_state: bool = False  # a cognition cue ("believes", "fears"), not a speech act


class Count(Record, kw_only=True):
    min: int | None = None
    max: int | None = None
    approx: bool = False
    text: str = ""


class Actor(Record, kw_only=True):
    text: str
    name: str
    country: str | None = None
    sector: Sector = "other"


class Location(Record, kw_only=True):
    text: str
    name: str
    country: str | None = None
    admin1: str | None = None
    geonames_id: int | None = None
    lat: float | None = None
    lon: float | None = None
    precision: Precision = "point"


class When(Record, kw_only=True):
    text: str
    start: str | None = None
    end: str | None = None
    precision: DatePrecision = "day"


class ChainLink(Record, kw_only=True):
    source_id: str | None
    name: str
    type: SourceType
    role: Role
    cue: str | None = None


class Mention(Record, kw_only=True):
    sentence: int
    evidence: str
    trigger: Span


class Casualties(Record, kw_only=True):
    killed: Count | None = None
    injured: Count | None = None
    captured: Count | None = None
    missing: Count | None = None


class Origin(Record, kw_only=True):
    name: str
    party_to_conflict: str | None = None


class FirstReported(Record, kw_only=True):
    date: str | None = None
    outlet: str | None = None


class ConflictingValue(Record, kw_only=True):
    value: Count
    origin: str | None = None


class Corroboration(Record, kw_only=True):
    cluster: str
    reports: int = 1
    outlets: int = 1
    independent_origins: int = 1
    origins: list[Origin] = []
    both_sides: bool = False
    first_reported: FirstReported | None = None
    reuse_clusters: int = 1
    conflicting: list[ConflictingValue] = []


class Event(Record, kw_only=True):
    id: str
    type: EventType
    mode: str | None = None
    acled_type: str | None = None
    acled_subtype: str | None = None
    trigger: Span
    sentence: int
    evidence: str
    mentions: list[Mention] = []
    actor: Actor | None = None
    recipient: Actor | None = None
    friendly_fire: bool = False
    location: Location | None = None
    date: When | None = None
    casualties: Casualties = msgspec.field(default_factory=Casualties)
    status: Status = "asserted"
    certainty: Certainty = "certain"
    hedges: list[str] = []
    attribution: str | None = None
    source_chain: list[ChainLink] = []
    corroboration: Corroboration | None = None


class Figure(Record, kw_only=True):
    id: str
    text: str
    span: Span | None = None  # where ``text`` stands in document.text (an addition to records.md)
    value: Count
    kind: FigureKind = "other"
    what: str = ""
    sentence: int
    evidence: str
    attribution: str | None = None
    source_chain: list[ChainLink] = []
    certainty: Certainty = "certain"
    hedges: list[str] = []
    event: str | None = None
    corroboration: Corroboration | None = None


class Attribution(Record, kw_only=True):
    id: str
    source: SourceSpan | None
    cue: CueSpan
    content: Span
    parent: str | None = None
    hedges: list[str] = []


class Source(Record, kw_only=True):
    id: str
    name: str
    mentions: list[Span] = []
    type: SourceType = "unknown"
    affiliation: str | None = None
    party_to_conflict: str | None = None


class Document(Record, kw_only=True):
    id: str
    external_id: str | None = None
    url: str | None = None
    outlet: str | None = None
    title: str | None = None
    author: str | None = None
    published: str | None = None
    language: str | None = "en"
    word_count: int = 0
    text: str = ""


class Report(Record, kw_only=True):
    """Everything reportedly says about one document: the unit of output (one JSON line)."""

    document: Document
    events: list[Event] = []
    figures: list[Figure] = []
    attributions: list[Attribution] = []
    sources: list[Source] = []


class Article(Record, kw_only=True):
    """One input document before analysis: the input fields of records.md."""

    text: str
    id: str | None = None
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    author: str | None = None
    published: str | None = None


class Rejected(Record, kw_only=True):
    """An input that was not analysed, and why (recorded, never silently dropped)."""

    input: str
    reason: str


def iso_date(value: str | None) -> date | None:
    """The date of an ISO string (``2024-11-08``, or a longer date-time); None when it is not one."""
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


_encoder = msgspec.json.Encoder()
_report_decoder = msgspec.json.Decoder(Report)


def encode(record: Record) -> bytes:
    """JSON bytes of any record (one line: no newlines inside)."""
    return _encoder.encode(record)


def decode_report(data: bytes | str) -> Report:
    """A Report from its JSON form, validated against the types above."""
    return _report_decoder.decode(data)


def json_schema() -> dict:
    """The JSON Schema of one output line (a Report), generated from these types."""
    return msgspec.json.schema(Report)
