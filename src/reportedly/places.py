"""Stage: places. Every toponym of the document, geocoded through the gazetteer.

Toponyms are found by looking capitalised token n-grams up in the gazetteer's name index,
not from spaCy's GPE/LOC labels alone (the small model tags "Kursk" as PRODUCT). A name often
has several readings (Pokrovsk in Donetsk Oblast and in Yakutia); the document's country
context, from the countries and unambiguous places it names, picks one, with population as
the tie-break. ``PlaceMention.start``/``end`` are character offsets into the document text.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from .gazetteer import REGION_WORDS, Gazetteer, Place, gazetteer, normalize, population_score
from .pipeline import Analysis, PlaceMention
from .records import Location

# spaCy labels under which a capitalised word is not a place name.
NOT_PLACE_LABELS = frozenset({"PERSON", "DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY", "WORK_OF_ART"})
# Labels of a longer entity that swallows a place name ("the Kyiv Independent", "Kyiv Post").
ENCLOSING_LABELS = frozenset({"PERSON", "ORG", "WORK_OF_ART", "PRODUCT", "EVENT", "FAC"})
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
PRECISION = {"city": "city", "admin1": "admin1", "country": "country"}
CONTEXT_WEIGHT = 3.0  # how far the document's countries outweigh population (log10 units)
CONTEXT_SATURATION = 2.0  # country weight at which the context bonus is full
PREFERRED_BONUS = 3.0  # a spelling curated in places_extra.tsv ("Moscow region" -> Moscow Oblast)
SMALL_TOWN = 50_000  # below this, a town abroad needs the document to be about its country
TINY_TOWN = 5_000
LOCATIVES = frozenset({"in", "near", "at", "outside", "from", "to", "around", "into", "across", "towards", "toward"})
BIG_PLACE = 100_000  # a name this big is a toponym even where the tagger says otherwise
# A subdivision's population here is its largest town's: "Wyoming" the state beats the town.
ADMIN1_BONUS = 0.7


@dataclass(slots=True)
class Candidate:
    """A name found in the text with its possible readings, before resolution."""

    span: Span  # the tokens of the name itself
    key: str
    places: list[Place]
    start: int  # character offsets of the whole mention ("the", "Russia's", "eastern" included)
    end: int
    choice: Place | None = None
    context: str | None = None  # country named in a possessive before it ("Russia's")


class PlaceStage:
    """Fills ``analysis.places`` with a PlaceMention for every toponym found."""

    def __init__(self, places: Gazetteer | None = None):
        self.gazetteer = places or gazetteer()

    def __call__(self, analysis: Analysis) -> None:
        text = analysis.text
        candidates = self.candidates(analysis.doc, text)
        if not candidates:
            return
        weights, contributions = country_weights(candidates)
        for candidate, own in zip(candidates, contributions, strict=True):
            # A name is not evidence for itself: "God" (a town in Hungary) alone is no context.
            candidate.choice = self.resolve(candidate, weights - own)
        self.corefer_regions(candidates)
        analysis.places = [mention(text, c) for c in self.merge_possessives(analysis.doc, candidates) if c.choice]

    # --- finding names --------------------------------------------------------------------
    def candidates(self, doc: Doc, text: str | None = None) -> list[Candidate]:
        found: list[Candidate] = []
        index, first_words = self.gazetteer.index, self.gazetteer.first_words
        text = doc.text if text is None else text
        sent_starts = [token.is_sent_start for token in doc]
        position = 0
        while position < len(doc):
            token = doc[position]
            longest = first_words.get(normalize(token.text), 0) if _starts_name(token) else 0
            for size in range(min(longest, len(doc) - position), 0, -1):
                if size > 1 and any(sent_starts[position + 1:position + size]):
                    continue
                last = doc[position + size - 1]
                key = normalize(text[token.idx:last.idx + len(last.text)])
                if key in index:
                    span = doc[position:position + size]
                    if self.plausible(span):
                        start, end = self.extend(doc, span)
                        found.append(Candidate(span, key, self.gazetteer.lookup_key(key), start, end))
                        position += size - 1
                        break
            position += 1
        return found

    def plausible(self, span: Span) -> bool:
        """Whether a gazetteer hit reads as a toponym here (not a person, a date, a word)."""
        if span[-1].is_punct or span[-1].is_space:
            return False
        if any(t.ent_type_ in NOT_PLACE_LABELS for t in span) and not self._mislabelled_place(span):
            return False
        for token in span:
            if token.ent_type_ in ENCLOSING_LABELS and not _region_tail(span):
                entity = _entity_of(token)
                if entity is not None and entity[0].lower_ == "the":
                    entity = entity[1:]  # "the Zaporizhzhia nuclear power plant" is the name itself
                if entity is not None and len(entity) > len(span) and entity.start <= span.start and span.end <= entity.end:
                    return False
        if span.end < len(span.doc) and span.doc[span.end].text in ("-", "–") and not span.doc[span.end].whitespace_:
            return False  # "Russia-backed", "Kyiv-based": part of a compound adjective
        following = span.doc[span.end] if span.end < len(span.doc) else None
        if following is not None and following.ent_type_ == "PERSON" and following.ent_iob_ == "I":
            return False  # "Antony Blinken": the first name of a person
        if len(span) == 1:
            token = span[0]
            if token.is_stop or len(token.text) <= 2 and not token.text.isupper():
                return False
            if token.ent_type_ in PLACE_LABELS or token.pos_ == "PROPN":
                return True
            # The tagger misses names ("Kyiv and other cities": ADJ); a big place's name still counts.
            return any(p.entry.kind == "country" or p.population >= BIG_PLACE for p in self.gazetteer.lookup_key(normalize(token.text)))
        return True

    def _mislabelled_place(self, span: Span) -> bool:
        """"a hospital in Mykolaiv" tagged PERSON: a big place right after a locative preposition."""
        if _region_tail(span) or (len(span) > 1 and not all(t.ent_type_ for t in span)):
            return True  # "the Mykolaiv region", "Zaporizhzhia nuclear power plant": a longer name wins
        if span.start == 0 or span.doc[span.start - 1].lower_ not in LOCATIVES:
            return False
        if any(t.ent_type_ not in ("PERSON", "") for t in span):
            return False
        return any(p.entry.kind in ("country", "admin1") or p.population >= BIG_PLACE for p in self.gazetteer.lookup_key(normalize(span.text)))

    def extend(self, doc: Doc, span: Span) -> tuple[int, int]:
        """Character extent of the mention: leading "the" and direction words join it."""
        start = span.start
        while start > 0 and normalize(doc[start - 1].text) in self.gazetteer.modifiers:
            start -= 1
        if start > 0 and doc[start - 1].lower_ == "the" and (start < span.start or _region_tail(span)):
            start -= 1
        return doc[start].idx, span.end_char

    # --- choosing a reading ---------------------------------------------------------------
    def resolve(self, candidate: Candidate, weights: Counter) -> Place | None:
        places = self._without_shadowed_admin1(candidate)

        def score(place: Place) -> float:
            # Saturating: every country the story is substantially about gets the full bonus,
            # so population still decides between Donetsk (UA) and Donetsk (Rostov).
            context = min(1.0, weights.get(place.entry.country, 0.0) / CONTEXT_SATURATION)
            bonus = (PREFERRED_BONUS if place.preferred else 0.0) + (ADMIN1_BONUS if place.entry.kind == "admin1" else 0.0)
            return population_score(place.population) + CONTEXT_WEIGHT * context + bonus

        best = max(places, key=score, default=None)
        if best is None:
            return None
        entry = best.entry
        if not weights.get(entry.country):
            named_as_place = any(t.ent_type_ in PLACE_LABELS for t in candidate.span)
            if entry.kind == "city" and (entry.population < TINY_TOWN or (entry.population < SMALL_TOWN and not named_as_place)):
                return None
            # A subdivision abroad with a one-word name ("Western", "Bay") must be tagged a place.
            if entry.kind == "admin1" and len(candidate.span) == 1 and not named_as_place:
                return None
        return best

    @staticmethod
    def _without_shadowed_admin1(candidate: Candidate) -> list[Place]:
        """"Kyiv", "Moscow", "Mykolaiv": a city and the subdivision around it -> the city."""
        if _region_tail(candidate.span):
            return candidate.places
        city_admin1 = {p.entry.admin1 for p in candidate.places if p.entry.kind == "city"}
        kept = [p for p in candidate.places if not (p.entry.kind == "admin1" and p.entry.admin1 in city_admin1)]
        return kept or candidate.places

    def corefer_regions(self, candidates: list[Candidate]) -> None:
        """A bare "Kursk" after "the Kursk region" is the region, in the whole document.

        Only when the region is named first: "shelled Kharkiv ... the Kharkiv region" keeps
        the city, as a story that opens on the city is about the city.
        """
        regions: dict[str, Place] = {}
        decided: dict[str, Place | None] = {}
        for candidate in candidates:
            entry = candidate.choice.entry if candidate.choice else None
            if entry is None:
                continue
            if entry.kind == "admin1" and (stem := self.gazetteer.stem(entry.admin1)):
                regions.setdefault(normalize(stem), candidate.choice)
            elif entry.kind == "city":
                if candidate.key not in decided:
                    region = regions.get(candidate.key)
                    decided[candidate.key] = region if region and region.entry.admin1 == entry.admin1 else None
                if decided[candidate.key] is not None:
                    candidate.choice = decided[candidate.key]

    @staticmethod
    def merge_possessives(doc: Doc, candidates: list[Candidate]) -> list[Candidate]:
        """"Russia's Kursk region": one mention, the inner place, the country as its context."""
        merged: list[Candidate] = []
        for candidate in candidates:
            previous = merged[-1] if merged else None
            if previous and previous.choice and candidate.choice and previous.choice.entry.kind == "country" \
                    and previous.choice.entry.country == candidate.choice.entry.country \
                    and _possessive_between(doc, previous.span, candidate.span, candidate.start):
                candidate.start = previous.start
                candidate.context = previous.choice.entry.country
                merged[-1] = candidate
                continue
            merged.append(candidate)
        return merged


def country_weights(candidates: list[Candidate]) -> tuple[Counter, list[Counter]]:
    """How much the document is about each country (countries named count twice, places
    inside one country once), and what each candidate itself contributed to that."""
    weights: Counter = Counter()
    contributions: list[Counter] = []
    for candidate in candidates:
        own: Counter = Counter()
        countries = {p.entry.country for p in candidate.places}
        kinds = {p.entry.kind for p in candidate.places}
        if len(countries) == 1:
            own[next(iter(countries))] = 2.0 if kinds == {"country"} else 1.0
        else:
            # An ambiguous name still leans towards the country of its most populous reading.
            top = max(candidate.places, key=lambda p: p.population)
            if top.population >= 500_000:
                own[top.entry.country] = 0.5
        weights.update(own)
        contributions.append(own)
    return weights, contributions


def mention(text: str, candidate: Candidate) -> PlaceMention:
    entry = candidate.choice.entry
    precision = PRECISION.get(entry.kind, entry.kind)
    if precision not in ("point", "city", "admin1", "country"):
        precision = "point"
    location = Location(
        text=text[candidate.start:candidate.end],
        name=entry.name,
        country=entry.country,
        admin1=entry.admin1,
        geonames_id=entry.geonames_id,
        lat=None if entry.lat is None else round(entry.lat, 5),
        lon=None if entry.lon is None else round(entry.lon, 5),
        precision=precision,
    )
    return PlaceMention(start=candidate.start, end=candidate.end, location=location)


def _entity_of(token: Token) -> Span | None:
    """The named entity a token is part of (walking its IOB tags, not rebuilding doc.ents)."""
    doc, start = token.doc, token.i
    while start > 0 and doc[start].ent_iob_ == "I":
        start -= 1
    end = token.i + 1
    while end < len(doc) and doc[end].ent_iob_ == "I":
        end += 1
    return doc[start:end] if doc[start].ent_type_ else None


def _starts_name(token: Token) -> bool:
    text = token.text
    return bool(text) and text[0].isupper() and not token.is_punct


def _region_tail(span: Span) -> bool:
    return span[-1].lower_ in REGION_WORDS


def _possessive_between(doc: Doc, first: Span, second: Span, second_start: int) -> bool:
    """Whether ``first`` is "Russia's" right before the mention that starts at ``second_start``."""
    if first.end >= len(doc) or doc[first.end].lower_ not in ("'s", "’s", "'"):
        return False
    marker = doc[first.end]
    return marker.idx + len(marker.text) + len(marker.whitespace_) == second_start


def document_country(analysis: Analysis) -> str | None:
    """The country (alpha-2) the document is mostly about, from its places; None without any.

    Countries named count twice, places inside a country once. The events stage reads this
    for actors and events whose place is not given.
    """
    weights: Counter = Counter()
    for place in analysis.places:
        location = place.location
        if location.country:
            weights[location.country] += 2.0 if location.precision == "country" else 1.0
    if not weights:
        return None
    return weights.most_common(1)[0][0]
