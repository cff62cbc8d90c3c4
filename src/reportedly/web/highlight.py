"""The reader's highlighted article: HTML built from character offsets, every piece escaped.

The article text is cut at every span boundary (event triggers, figures, attribution sources,
cues and contents) into flat segments; each segment becomes one ``<span>`` whose classes and
``data-`` attributes name every span covering it. Flat segments need no nesting rules, so
overlapping and crossing spans render correctly. The text itself only ever enters the output
through ``markupsafe.escape``: raw article text is never inserted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from markupsafe import Markup, escape

from ..records import Report

# Span kinds, in the order their classes are written; the reader's CSS styles each one.
KINDS: tuple[str, ...] = ("content", "source", "cue", "figure", "trigger")
# The data attribute that carries the ids of each kind (sources/cues/contents are attributions).
ID_ATTRIBUTE: dict[str, str] = {
    "content": "att", "source": "att", "cue": "att", "figure": "fig", "trigger": "ev",
}


@dataclass(frozen=True, slots=True)
class Mark:
    """One highlighted span of the text: what kind, which record it belongs to, where."""

    kind: str
    ref: str
    start: int
    end: int


def report_marks(report: Report) -> list[Mark]:
    """Every highlightable span of a Report (event triggers and mentions, figures, attributions)."""
    marks: list[Mark] = []
    for event in report.events:
        marks.append(Mark("trigger", event.id, event.trigger.start, event.trigger.end))
        for mention in event.mentions:
            marks.append(Mark("trigger", event.id, mention.trigger.start, mention.trigger.end))
    for figure in report.figures:
        if figure.span is not None:
            marks.append(Mark("figure", figure.id, figure.span.start, figure.span.end))
    for attribution in report.attributions:
        marks.append(Mark("content", attribution.id, attribution.content.start, attribution.content.end))
        marks.append(Mark("cue", attribution.id, attribution.cue.start, attribution.cue.end))
        if attribution.source is not None:
            marks.append(Mark("source", attribution.id, attribution.source.start, attribution.source.end))
    return marks


def _valid(marks: Iterable[Mark], length: int) -> list[Mark]:
    """Marks clipped to the text, empty or inverted ones dropped, duplicates merged."""
    seen: dict[tuple[str, str, int, int], Mark] = {}
    for mark in marks:
        start, end = max(0, mark.start), min(length, mark.end)
        if start < end and mark.kind in ID_ATTRIBUTE:
            seen.setdefault((mark.kind, mark.ref, start, end), Mark(mark.kind, mark.ref, start, end))
    return list(seen.values())


def _segment(text: str, covering: list[Mark]) -> Markup:
    if not covering:
        return escape(text)
    # Outer spans first, so the last id of each attribute is the innermost record.
    covering = sorted(covering, key=lambda m: (-(m.end - m.start), m.start))
    kinds = {m.kind for m in covering}
    classes = ["hl"] + [f"k-{kind}" for kind in KINDS if kind in kinds]
    depth = sum(1 for m in covering if m.kind == "content")
    if depth:
        classes.append(f"depth-{min(depth, 3)}")
    refs: dict[str, list[str]] = {}
    for mark in covering:
        ids = refs.setdefault(ID_ATTRIBUTE[mark.kind], [])
        if mark.ref not in ids:
            ids.append(mark.ref)
    attributes = Markup("").join(
        Markup(' data-{}="{}"').format(name, " ".join(ids)) for name, ids in sorted(refs.items())
    )
    interactive = Markup(' tabindex="0" role="button"') if kinds & {"trigger", "figure", "source", "cue"} else ""
    return Markup('<span class="{}"{}{}>{}</span>').format(
        " ".join(classes), attributes, interactive, text
    )


def highlight(text: str, marks: Iterable[Mark]) -> Markup:
    """The text as HTML with one ``<span>`` per run of text covered by the same marks."""
    valid = _valid(marks, len(text))
    bounds = sorted({0, len(text)} | {m.start for m in valid} | {m.end for m in valid})
    pieces = []
    for start, end in zip(bounds, bounds[1:], strict=False):
        covering = [m for m in valid if m.start <= start and m.end >= end]
        pieces.append(_segment(text[start:end], covering))
    return Markup("").join(pieces)


def highlight_report(report: Report) -> Markup:
    return highlight(report.document.text, report_marks(report))
