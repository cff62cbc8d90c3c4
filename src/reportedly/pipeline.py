"""The pipeline: one spaCy parse, then small stages over one shared ``Analysis``.

Like spaCy's own components, each stage is a callable built once (tables loaded at
start-up) and called per document: ``stage(analysis) -> None``. Stages fill the lists of
the Analysis in order; ``to_report`` turns it into the record types of records.md.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from spacy.tokens import Doc

from . import nlp as nlp_loader
from .records import (
    Article,
    Attribution,
    Document,
    Event,
    Figure,
    Location,
    Report,
    Source,
    When,
    iso_date,
)


@dataclass(slots=True)
class PlaceMention:
    """A toponym found in the text, with the gazetteer entry it resolved to."""

    start: int
    end: int
    location: Location


@dataclass(slots=True)
class DateMention:
    """A time expression found in the text, resolved against the publication date."""

    start: int
    end: int
    when: When


@dataclass(slots=True)
class Analysis:
    """One document under analysis: the parse and what each stage has found so far."""

    doc: Doc
    document: Document
    published: date | None = None
    sources: list[Source] = field(default_factory=list)
    attributions: list[Attribution] = field(default_factory=list)
    places: list[PlaceMention] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.published is None:
            self.published = iso_date(self.document.published)

    @property
    def text(self) -> str:
        """The text that was parsed: the document's own string when the parse covers it, so
        stages need not read ``Doc.text`` (which joins every token anew on each access)."""
        text, doc = self.document.text, self.doc
        if len(doc) and doc[-1].idx + len(doc[-1].text_with_ws) == len(text):
            return text
        return doc.text

    def to_report(self) -> Report:
        return Report(
            document=self.document,
            events=self.events,
            figures=self.figures,
            attributions=self.attributions,
            sources=self.sources,
        )


class Stage(Protocol):
    def __call__(self, analysis: Analysis) -> None: ...


# Stage name -> "module:factory". Order matters: later stages read what earlier ones found.
STAGES: dict[str, str] = {
    "attribution": "reportedly.attribution:AttributionStage",
    "places": "reportedly.places:PlaceStage",
    "dates": "reportedly.dates:DateStage",
    "events": "reportedly.events:EventStage",
    "figures": "reportedly.figures:FigureStage",
    "provenance": "reportedly.provenance:ProvenanceStage",
}
DEFAULT_STAGES: tuple[str, ...] = tuple(STAGES)


def build_stage(name: str) -> Stage:
    """A stage by its registered name, or by a ``module:factory`` path for your own stages."""
    module_name, factory = STAGES.get(name, name).split(":")
    return getattr(importlib.import_module(module_name), factory)()


def document_id(text: str) -> str:
    """sha256 of the cleaned text, first 16 hex characters (records.md)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


# The publication date of a Document (kept under this name for the stages and tests).
parse_published = iso_date


def make_document(article: Article, text: str) -> Document:
    return Document(
        id=document_id(text),
        external_id=article.id,
        url=article.url,
        outlet=article.outlet,
        title=article.title,
        author=article.author,
        published=(article.published or "")[:10] or None,
        language="en",
        word_count=len(text.split()),
        text=text,
    )


class Pipeline:
    """The spaCy model plus the extraction stages, built once and reused for every document."""

    def __init__(self, stages: Iterable[str] = DEFAULT_STAGES, model: str | None = None):
        self.nlp = nlp_loader.load(model)
        self.stage_names = tuple(stages)
        self.stages: list[Stage] = [build_stage(name) for name in self.stage_names]

    def run_stages(self, doc: Doc, document: Document) -> Report:
        analysis = Analysis(doc=doc, document=document)
        for stage in self.stages:
            stage(analysis)
        return analysis.to_report()

    def analyze(self, article: Article) -> Report:
        from .ingest.clean import clean_text

        text = clean_text(article.text)
        document = make_document(article, text)
        return self.run_stages(self.nlp(text), document)

    def analyze_many(self, articles: Iterable[Article], batch_size: int = 32) -> Iterator[Report]:
        """Reports in input order; the parse runs through ``nlp.pipe`` in batches."""
        from .ingest.clean import clean_text

        documents = (make_document(a, clean_text(a.text)) for a in articles)
        pairs = ((d.text, d) for d in documents)
        for doc, document in self.nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
            yield self.run_stages(doc, document)


_default_pipeline: Pipeline | None = None


def default_pipeline() -> Pipeline:
    """The process-wide pipeline (one model load per process)."""
    global _default_pipeline
    if _default_pipeline is None:
        _default_pipeline = Pipeline()
    return _default_pipeline
