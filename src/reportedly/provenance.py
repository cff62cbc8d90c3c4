"""Stage: provenance — each event's and figure's attribution, source chain and certainty.

Runs last. For every event (by its trigger) and figure (by its span) the innermost
attribution whose content holds it gives ``attribution``; walking up that attribution's
parents gives ``source_chain``, origin first, each link with its cue, and the publishing
outlet last. ``certainty`` starts from the hedges and drops one step for each reason to
doubt the chain: a claim cue ("claimed", "alleged"), an unnamed source, a captive's
statement, a party to the conflict speaking of its enemy; a denial makes it uncertain.
"""

from __future__ import annotations

from datetime import date

from .attribution import cue_lexicon, stance_of
from .hedges import certainty_from_hedges
from .pipeline import Analysis
from .records import Attribution, Certainty, ChainLink, Source
from .sources import source_table

LEVELS: tuple[Certainty, ...] = ("certain", "probable", "possible", "uncertain")
# Cues that seldom report speech ("decided to", "attempting to") stay attributions for the
# record but do not make their subject the origin of what follows them.
MIN_CHAIN_RATE = 0.3
ANONYMOUS_TYPES = frozenset({"anonymous"})


def _same_side(first: str | None, second: str | None, on: date | None) -> bool:
    try:
        from .actors import tables
    except ImportError:  # the actors module is optional here: without it, only equal countries
        return first == second
    try:
        return tables().alliances.same_side(first, second, on)
    except Exception:
        return first == second


class ProvenanceStage:
    """Fills ``attribution``, ``source_chain``, ``certainty`` (and adds hedges) of events and figures."""

    def __init__(self) -> None:
        self.lex = cue_lexicon()
        self.table = source_table()

    def __call__(self, analysis: Analysis) -> None:
        attributions = [a for a in analysis.attributions if self._counts(a, analysis)]
        by_id = {a.id: a for a in analysis.attributions}
        sources = {s.id: s for s in analysis.sources}
        publisher = ChainLink(source_id=None, name=analysis.document.outlet or "publisher", type="media", role="publisher")
        for event in analysis.events:
            holder = innermost(attributions, event.trigger.start, event.trigger.end)
            if not self._sourced(holder, by_id):
                # a headline or summary restating an attributed sentence: take that sentence's source
                for mention in event.mentions:
                    candidate = innermost(attributions, mention.trigger.start, mention.trigger.end)
                    if self._sourced(candidate, by_id):
                        holder = candidate
                        break
            actor_country = event.actor.country if event.actor else None
            event.attribution, event.source_chain, event.hedges, event.certainty = self._provenance(
                holder, by_id, sources, publisher, list(event.hedges), actor_country, analysis
            )
        for figure in analysis.figures:
            holder = innermost(attributions, figure.span.start, figure.span.end) if figure.span else None
            figure.attribution, figure.source_chain, figure.hedges, figure.certainty = self._provenance(
                holder, by_id, sources, publisher, list(figure.hedges), None, analysis
            )

    @staticmethod
    def _sourced(holder: Attribution | None, by_id: dict[str, Attribution]) -> bool:
        """Does some attribution on this chain name a source?"""
        return any(a.source is not None for a in ancestry(holder, by_id))

    def _counts(self, attribution: Attribution, analysis: Analysis) -> bool:
        """Does this attribution's cue report speech or thought (not "decided to")?"""
        if attribution.cue.kind != "verb" or attribution.cue.internal_state:
            return True
        span = analysis.doc.char_span(attribution.cue.start, attribution.cue.end, alignment_mode="expand")
        for token in span or ():
            cue = self.lex.verbs.get(token.lemma_.lower())
            if cue is not None:
                return cue.rate >= MIN_CHAIN_RATE or cue.lemma in self.lex.relay_rank or cue.stance != "neutral"
        return True

    def _provenance(self, holder, by_id, sources, publisher, hedges, actor_country, analysis):
        chain_attributions = ancestry(holder, by_id)
        for attribution in chain_attributions:
            if attribution.cue.kind == "adverb":
                for hedge in attribution.hedges[:1]:
                    if hedge not in hedges:
                        hedges.append(hedge)
        chain = source_chain(chain_attributions, sources) + [publisher]
        certainty = self._certainty(hedges, chain_attributions, sources, actor_country, analysis)
        return (holder.id if holder else None), chain, hedges, certainty

    def _certainty(self, hedges, chain_attributions, sources, actor_country, analysis) -> Certainty:
        level = LEVELS.index(certainty_from_hedges(hedges))
        if not chain_attributions:
            return LEVELS[level]
        stance = stance_of(analysis.doc, chain_attributions[0].cue.start, chain_attributions[0].cue.end)
        if stance == "deny":
            return "uncertain"
        doubts = 0
        if stance == "claim":
            doubts += 1
        named = [sources.get(a.source.source_id) for a in chain_attributions if a.source and a.source.source_id]
        origin = named[0] if named else None
        only_adverbs = all(a.cue.kind == "adverb" for a in chain_attributions)  # "reportedly": a hedge already
        if (origin is None and not only_adverbs) or any(s and s.type in ANONYMOUS_TYPES for s in named):
            doubts += 1
        if origin is not None and self._captive(origin):
            doubts += 1
        if self._speaks_of_enemy(origin, actor_country, analysis.published):
            doubts += 1
        if doubts and level == 0:
            level = 1
            doubts -= 1
        return LEVELS[min(len(LEVELS) - 1, level + doubts)]

    @staticmethod
    def _speaks_of_enemy(origin: Source | None, actor_country: str | None, on: date | None) -> bool:
        """A party to the conflict telling what its enemy did."""
        if origin is None or not origin.party_to_conflict or not actor_country:
            return False
        return actor_country != origin.party_to_conflict and not _same_side(origin.party_to_conflict, actor_country, on)

    def _captive(self, source: Source) -> bool:
        words = {w.lower().strip(".,") for m in source.mentions for w in m.text.split()}
        words |= set(source.name.lower().split())
        return self.table.is_captive(words)


def innermost(attributions: list[Attribution], start: int, end: int) -> Attribution | None:
    """The attribution with the smallest content that holds [start, end)."""
    best = None
    for attribution in attributions:
        content = attribution.content
        if content.start <= start and end <= content.end and (
            best is None or content.end - content.start < best.content.end - best.content.start
        ):
            best = attribution
    return best


def ancestry(attribution: Attribution | None, by_id: dict[str, Attribution]) -> list[Attribution]:
    """The attribution and its parents, innermost first (cycles cut)."""
    path: list[Attribution] = []
    seen: set[str] = set()
    while attribution is not None and attribution.id not in seen:
        path.append(attribution)
        seen.add(attribution.id)
        attribution = by_id.get(attribution.parent) if attribution.parent else None
    return path


def source_chain(path: list[Attribution], sources: dict[str, Source]) -> list[ChainLink]:
    """Links for the sources along ``path`` (sourceless cues skipped, repeats merged), origin first."""
    links: list[ChainLink] = []
    for attribution in path:
        if attribution.source is None:
            continue
        source = sources.get(attribution.source.source_id or "")
        if links and links[-1].source_id == (source.id if source else None) and source is not None:
            continue  # the soldier's quote inside the soldier's account: one link
        links.append(
            ChainLink(
                source_id=source.id if source else None,
                name=source.name if source else (attribution.source.resolved or attribution.source.text),
                type=source.type if source else "unknown",
                role="origin" if not links else "relay",
                cue=attribution.cue.text,
            )
        )
    return links
