"""Corroboration across articles: text reuse, cross-document events and figures, origins.

The core is pure functions over Reports, so it can run over partitions of a corpus:

1. ``reuse.signatures`` per document, ``reuse.band_keys`` grouped, ``reuse.group_links`` per
   group, ``reuse.clusters_from_links``: doc_id -> reuse cluster (text only, no parse).
2. ``events.mentions_of(report)`` per document: the fields cross-document matching reads.
3. ``corroborate_mentions``: events clustered, then figures (a figure of a clustered event
   follows it), and a ``Corroboration`` record per cross-document event and figure.

``corroborate(reports)`` runs the three on Reports in memory; ``persist.corroborate_store``
runs them incrementally on a store (new documents join existing clusters).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import msgspec

from ..records import ConflictingValue, Corroboration, Count, FirstReported, Report
from . import reuse as reuse_module
from .events import DEFAULT_MATCH, MatchConfig, Mention, cluster, cluster_ids, mentions_of
from .origins import count_origins
from .reuse import DEFAULT, ReuseConfig

__all__ = [
    "Corroborated",
    "CrossCluster",
    "Mention",
    "MatchConfig",
    "ReuseConfig",
    "apply",
    "corroborate",
    "corroborate_mentions",
    "summarise",
]

_CASUALTY_KINDS = ("killed", "injured", "captured", "missing")


@dataclass(slots=True)
class CrossCluster:
    """One cross-document event or figure: all its mentions and their corroboration."""

    id: str
    mentions: list[Mention]
    corroboration: Corroboration


@dataclass(slots=True)
class Corroborated:
    reuse: dict[str, str]
    events: list[CrossCluster] = field(default_factory=list)
    figures: list[CrossCluster] = field(default_factory=list)

    def event_of(self) -> dict[tuple[str, str], Corroboration]:
        return {(m.doc_id, m.item_id): c.corroboration for c in self.events for m in c.mentions}

    def figure_of(self) -> dict[tuple[str, str], Corroboration]:
        return {(m.doc_id, m.item_id): c.corroboration for c in self.figures for m in c.mentions}


def corroborate(
    reports: Sequence[Report],
    reuse: Mapping[str, str] | None = None,
    *,
    reuse_config: ReuseConfig = DEFAULT,
    match_config: MatchConfig = DEFAULT_MATCH,
) -> Corroborated:
    """Corroboration of every event and figure of ``reports`` (reuse computed when not given)."""
    if reuse is None:
        reuse = reuse_module.reuse_clusters_of_texts(
            ((r.document.id, r.document.text) for r in reports), reuse_config
        )
    event_mentions: list[Mention] = []
    figure_mentions: list[Mention] = []
    for report in reports:
        events, figures = mentions_of(report)
        event_mentions += events
        figure_mentions += figures
    return corroborate_mentions(event_mentions, figure_mentions, reuse, match_config)


def corroborate_mentions(
    event_mentions: list[Mention],
    figure_mentions: list[Mention],
    reuse: Mapping[str, str],
    config: MatchConfig = DEFAULT_MATCH,
    prior: Mapping[str, str] | None = None,
    prior_figures: Mapping[str, str] | None = None,
) -> Corroborated:
    """Cluster event then figure mentions; ``prior`` and ``prior_figures`` (mention key ->
    cluster id from an earlier run) keep cluster ids stable as new mentions join."""
    for m in (*event_mentions, *figure_mentions):
        m.reuse = reuse.get(m.doc_id, "r" + m.doc_id)
    events = _clusters(event_mentions, config.event_threshold, config, "c", prior)
    event_cluster = {(m.doc_id, m.item_id): c.id for c in events for m in c.mentions}
    for m in figure_mentions:
        m.event_cluster = event_cluster.get((m.doc_id, m.event_id)) if m.event_id else None
    figures = _clusters(figure_mentions, config.figure_threshold, config, "f", prior_figures)
    return Corroborated(reuse=dict(reuse), events=events, figures=figures)


def _clusters(
    mentions: list[Mention], threshold: float, config: MatchConfig, prefix: str, prior
) -> list[CrossCluster]:
    groups = cluster(mentions, threshold, config)
    ids = cluster_ids(groups, mentions, prefix, prior)
    result = []
    for cluster_id, group in zip(ids, groups, strict=True):
        members = [mentions[i] for i in group]
        result.append(CrossCluster(cluster_id, members, summarise(cluster_id, members)))
    return result


def summarise(cluster_id: str, mentions: Sequence[Mention]) -> Corroboration:
    """The Corroboration record of one cross-document event or figure."""
    origins = count_origins(mentions)
    first = min(mentions, key=lambda m: (m.published or "9999", m.doc_id))
    outlets = {m.outlet or f"document {m.doc_id}" for m in mentions}
    return Corroboration(
        cluster=cluster_id,
        reports=len({m.doc_id for m in mentions}),
        outlets=len(outlets),
        independent_origins=origins.independent,
        origins=origins.origins,
        both_sides=origins.both_sides,
        first_reported=FirstReported(date=first.published, outlet=first.outlet),
        reuse_clusters=len({m.reuse for m in mentions}),
        conflicting=conflicting(mentions),
    )


def _bounds(value: Count) -> tuple[float, float] | None:
    """The range a count allows ("at least 5": 5 to infinity), widened 10% when approximate."""
    if value.min is None and value.max is None:
        return None
    low = value.min if value.min is not None else 0
    high = value.max if value.max is not None else float("inf")
    slack = 0.1 if value.approx else 0.0
    return low * (1 - slack), high * (1 + slack)


def _disjoint(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return a[1] < b[0] or b[1] < a[0]


def conflicting(mentions: Sequence[Mention]) -> list[ConflictingValue]:
    """Values that disagree, side by side with their origins (Kyiv says 300, Moscow 30).

    Figures compare their value; events the first casualty kind whose counts disagree.
    Only disagreements between different origins count: one origin's update is not a conflict.
    """
    for kind in ("value", *_CASUALTY_KINDS):
        claims: dict[tuple, tuple[Count, str, str]] = {}
        for m in sorted(mentions, key=lambda m: (m.published or "", m.doc_id)):
            value = m.counts.get(kind)
            if value is not None and _bounds(value) is not None:
                claims.setdefault((value.min, value.max, m.origin_key), (value, m.origin_name, m.origin_key))
        values = list(claims.values())
        clash = any(
            a[2] != b[2] and _disjoint(_bounds(a[0]), _bounds(b[0]))
            for n, a in enumerate(values)
            for b in values[n + 1 :]
        )
        if clash:
            return [ConflictingValue(value=value, origin=origin) for value, origin, _ in values]
    return []


def apply(reports: Iterable[Report], corroborated: Corroborated) -> list[Report]:
    """Copies of ``reports`` whose events and figures carry their corroboration."""
    events, figures = corroborated.event_of(), corroborated.figure_of()
    result = []
    for report in reports:
        doc_id = report.document.id
        result.append(
            msgspec.structs.replace(
                report,
                events=[
                    msgspec.structs.replace(e, corroboration=events.get((doc_id, e.id)))
                    for e in report.events
                ],
                figures=[
                    msgspec.structs.replace(f, corroboration=figures.get((doc_id, f.id)))
                    for f in report.figures
                ],
            )
        )
    return result
