"""Actors: who acts and who is acted upon, normalised to a name, a country and a sector.

The tables are data files a user can read and extend (``data/countries.tsv``,
``data/actors.tsv``, ``data/sectors.tsv``, ``data/alliances.tsv``), compiled once per process.
Aliases are found in a document's text with one regular expression per table (one pass per
document); an actor phrase then looks up the matches inside its own character range.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass
from datetime import date

from spacy.tokens import Doc, Token

from .data import read_table
from .records import Actor, Sector

# Determiners and quantifiers left out of a canonical name ("the Russian forces").
_LEADING = {"the", "a", "an", "this", "that", "these", "those", "its", "their", "his", "her", "our"}
# Dependency labels of an actor phrase's head that are *not* part of the phrase: clauses
# hanging off it ("soldiers, deployed by Moscow,") are their own business.
_CLAUSAL = {"relcl", "acl", "advcl", "appos", "punct", "parataxis", "ccomp", "dep"}
PRONOUNS = {"he", "she", "they", "it", "we", "i", "us", "them", "him", "her", "me", "who", "which", "its", "their", "his", "our", "my"}
# Sector words used to build a name from a country: ("PRK", "military") -> "North Korean armed forces".
_SECTOR_NOUN = {
    "military": "armed forces", "government": "government", "police": "police",
    "civilian": "civilians", "rebel": "rebels", "media": "media",
}
# Event types whose bare-country actor ("Ukraine's incursion") is the armed forces.
MATERIAL_TYPES = {"ASSAULT", "MOBILIZE", "RETREAT", "COERCE"}


@dataclass(frozen=True, slots=True)
class NamedActor:
    name: str
    country: str | None
    sector: Sector


@dataclass(frozen=True, slots=True)
class AliasHit:
    """One alias found in a document: character offsets and what it stands for."""

    start: int
    end: int
    value: str | NamedActor  # ISO alpha-3 (countries) or a NamedActor (actors table)


class AliasTable:
    """Aliases compiled into two regexes: lower-case ones match case-insensitively, the rest exactly."""

    def __init__(self, entries: dict[str, str | NamedActor]):
        self.entries = {alias if _has_upper(alias) else alias.lower(): value for alias, value in entries.items()}
        folded = [a for a in self.entries if not _has_upper(a)]
        exact = [a for a in self.entries if _has_upper(a)]
        self._folded = _alias_regex(folded, re.IGNORECASE)
        self._exact = _alias_regex(exact, 0)

    def find(self, text: str) -> list[AliasHit]:
        """Non-overlapping hits in ``text``, longest first where they overlap, sorted by start."""
        text = text.replace("’", "'")
        hits = []
        for regex, fold in ((self._folded, True), (self._exact, False)):
            if regex is None:
                continue
            for match in regex.finditer(text):
                key = match.group(0).lower() if fold else match.group(0)
                key = " ".join(key.split())
                if key in self.entries:
                    hits.append(AliasHit(match.start(), match.end(), self.entries[key]))
        hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
        kept: list[AliasHit] = []
        for hit in hits:
            if kept and hit.start < kept[-1].end:
                continue
            kept.append(hit)
        return kept


def _has_upper(alias: str) -> bool:
    return any(ch.isupper() for ch in alias)


def _alias_regex(aliases: list[str], flags: int) -> re.Pattern | None:
    if not aliases:
        return None
    parts = sorted(aliases, key=len, reverse=True)
    body = "|".join(re.escape(a).replace(r"\ ", r"\s+") for a in parts)
    return re.compile(rf"(?<![\w.-])(?:{body})(?![\w-])", flags)


@dataclass(frozen=True, slots=True)
class Country:
    iso3: str
    name: str
    adjective: str


class Alliances:
    """Dated sides of conflicts (``alliances.tsv``): are two countries allies on a date?"""

    def __init__(self, rows: tuple[tuple[str, ...], ...]):
        self.rows = [
            (conflict, side, iso3, _date(start), _date(end)) for conflict, side, iso3, start, end in rows
        ]

    def sides(self, iso3: str, on: date | None) -> set[tuple[str, str]]:
        return {
            (conflict, side)
            for conflict, side, code, start, end in self.rows
            if code == iso3 and (on is None or ((start is None or start <= on) and (end is None or on <= end)))
        }

    def same_side(self, first: str | None, second: str | None, on: date | None) -> bool:
        """True when both are on one side of a conflict on ``on`` (or are the same country)."""
        if not first or not second:
            return False
        if first == second:
            return True
        return bool(self.sides(first, on) & self.sides(second, on))


    def opponent(self, iso3: str | None, on: date | None) -> str | None:
        """The lead country of the other side, when ``iso3`` is in exactly one conflict on ``on``."""
        if not iso3:
            return None
        sides = self.sides(iso3, on)
        if len({conflict for conflict, _ in sides}) != 1:
            return None
        conflict, side = next(iter(sides))
        for row_conflict, row_side, code, start, end in self.rows:
            active = on is None or ((start is None or start <= on) and (end is None or on <= end))
            if row_conflict == conflict and row_side != side and active:
                return code
        return None


def _date(cell: str) -> date | None:
    return None if cell in ("", "-") else date.fromisoformat(cell)


class ActorTables:
    """Every actor table, loaded once: countries, named actors, sectors and alliances."""

    def __init__(self) -> None:
        self.countries: dict[str, Country] = {}
        country_aliases: dict[str, str | NamedActor] = {}
        for iso3, name, adjective, aliases in read_table("countries.tsv"):
            self.countries[iso3] = Country(iso3, name, adjective)
            for alias in aliases.split("|"):
                country_aliases.setdefault(alias.strip(), iso3)
        self.country_aliases = AliasTable(country_aliases)
        named: dict[str, str | NamedActor] = {}
        for alias, name, iso3, sector in read_table("actors.tsv"):
            named.setdefault(alias, NamedActor(name, None if iso3 == "-" else iso3, sector))  # type: ignore[arg-type]
        self.named = AliasTable(named)
        self.sectors: dict[str, Sector] = {}
        for row in read_table("sectors.tsv"):
            self.sectors.setdefault(row[0], row[1])  # type: ignore[arg-type]
        self.alliances = Alliances(read_table("alliances.tsv"))


@functools.cache
def tables() -> ActorTables:
    return ActorTables()


class DocActors:
    """The alias hits of one document, and the resolution of actor phrases against them."""

    def __init__(self, doc: Doc, actor_tables: ActorTables | None = None, text: str | None = None):
        self.doc = doc
        # the parsed text, if the caller has it (Doc.text joins every token on each access)
        self.text = doc.text if text is None else text
        self.tables = actor_tables or tables()
        self.country_hits = self.tables.country_aliases.find(self.text)
        self.named_hits = self.tables.named.find(self.text)
        self._country_starts = [h.start for h in self.country_hits]
        self._named_starts = [h.start for h in self.named_hits]

    # -- alias look-ups -------------------------------------------------------------------
    def countries_in(self, start: int, end: int) -> list[AliasHit]:
        return _hits_in(self.country_hits, self._country_starts, start, end)

    def named_in(self, start: int, end: int) -> list[AliasHit]:
        return _hits_in(self.named_hits, self._named_starts, start, end)

    def country_of_token(self, token: Token) -> str | None:
        hits = self.countries_in(token.idx, token.idx + len(token.text))
        return hits[0].value if hits else None  # type: ignore[return-value]

    # -- phrases --------------------------------------------------------------------------
    @staticmethod
    def phrase_tokens(head: Token) -> list[Token]:
        """The actor phrase of ``head``: its subtree without clauses and appositions hanging off it."""
        keep = [head]
        stack = list(head.children)
        while stack:
            child = stack.pop()
            if child.head == head and child.dep_ in _CLAUSAL:
                continue
            if child.dep_ in ("relcl", "acl") or child.is_space:
                continue
            keep.append(child)
            stack.extend(child.children)
        keep.sort(key=lambda t: t.i)
        # Keep one contiguous run around the head (a dropped clause must not leave holes).
        run = [head]
        index = keep.index(head)
        for tok in reversed(keep[:index]):
            if tok.i == run[0].i - 1:
                run.insert(0, tok)
            else:
                break
        for tok in keep[index + 1:]:
            if tok.i == run[-1].i + 1:
                run.append(tok)
            else:
                break
        while run and (run[-1].is_punct or run[-1].dep_ == "cc") and run[-1] != head:
            run.pop()
        while run and run[0].is_punct and run[0] != head:
            run.pop(0)
        return run

    def resolve(self, head: Token, event_type: str | None = None, depth: int = 0) -> Actor | None:
        """The Actor that the phrase headed by ``head`` names, or None when it names nothing."""
        if head.lower_ in PRONOUNS and head.pos_ == "PRON":
            # First person in a quote is the speaker, whom the provenance stage knows, not we.
            first_person = head.lower_ in ("we", "i", "us", "me", "our", "my")
            antecedent = self.antecedent(head) if depth == 0 and not first_person else None
            if antecedent is None:
                return Actor(text=head.text, name=head.text, country=None, sector="other")
            actor = self.resolve(antecedent, event_type, depth + 1)
            if actor is None:
                return None
            return Actor(text=head.text, name=actor.name, country=actor.country, sector=actor.sector)
        tokens = self.phrase_tokens(head)
        start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
        text = self.text[start:end]
        named = self.named_in(start, end)
        countries = self.countries_in(start, end)
        country = _primary_country(countries, head, self.doc)
        sector = self.sector_of(head, tokens)
        if named:
            entry = _head_nearest(named, head)
            actor_info: NamedActor = entry.value  # type: ignore[assignment]
            country = actor_info.country or country
            # "DPR forces" keeps the named actor's country; "the DPR court" keeps "court".
            if sector is None or actor_info.sector in ("igo", "ngo", "business"):
                sector = actor_info.sector
            name = actor_info.name if _covers_head(entry, head) else _name(text, country, sector, self.tables)
            return Actor(text=text, name=name, country=country, sector=sector)
        head_is_country = any(h.start <= head.idx < h.end for h in countries)
        if sector is None:
            if head_is_country or head.ent_type_ in ("GPE", "NORP"):
                sector = "military" if event_type in MATERIAL_TYPES else "government"
            elif head.ent_type_ == "PERSON":
                sector = "government" if country else "civilian"
            else:
                sector = "other"
        if country is None and sector == "other" and head.pos_ not in ("PROPN",):
            return Actor(text=text, name=_strip(text), country=None, sector="other")
        if head.ent_type_ == "PERSON" or (head.pos_ == "PROPN" and not head_is_country):
            name = _strip(text)
        else:
            name = _name(text, country, sector, self.tables)
        return Actor(text=text, name=name, country=country, sector=sector)

    def sector_of(self, head: Token, tokens: list[Token]) -> Sector | None:
        sectors = self.tables.sectors
        lemma = head.lemma_.lower()
        for key in (f"{_compound(head)} {lemma}".strip(), lemma, head.lower_):
            if key in sectors:
                return sectors[key]
        for tok in tokens:  # titles and modifiers: "President Zelensky", "military officials"
            if tok != head and tok.dep_ in ("compound", "amod", "nmod") and tok.lemma_.lower() in sectors:
                found = sectors[tok.lemma_.lower()]
                if found in ("government", "military", "police", "media"):
                    return found
        return None

    def antecedent(self, pronoun: Token) -> Token | None:
        """The nearest earlier subject (this or the two previous sentences) that names a party."""
        sent_start = pronoun.sent.start
        earliest = max(0, sent_start - 120)
        want_person = pronoun.lower_ in ("he", "she", "him", "her", "his")
        # Subjects first: "Two volunteers fought beside Ukrainian forces before they were captured".
        for roles in (("nsubj", "nsubjpass"), ("pobj", "dobj")):
            found = self._antecedent_in(pronoun, earliest, roles, want_person)
            if found is not None:
                return found
        return None

    def _antecedent_in(self, pronoun: Token, earliest: int, roles: tuple[str, ...], want_person: bool) -> Token | None:
        for tok in reversed(self.doc[earliest:pronoun.i]):
            if tok.dep_ not in roles or tok.pos_ not in ("NOUN", "PROPN"):
                continue
            if want_person and tok.ent_type_ != "PERSON":
                continue
            if tok.ent_type_ == "PERSON" and not want_person and pronoun.lower_ in ("it",):
                continue
            start = tok.left_edge.idx
            end = tok.idx + len(tok.text)
            if self.countries_in(start, end) or self.named_in(start, end) or (want_person and tok.ent_type_ == "PERSON"):
                return tok
        return None


def _hits_in(hits: list[AliasHit], starts: list[int], start: int, end: int) -> list[AliasHit]:
    i = bisect.bisect_left(starts, start)
    found = []
    while i < len(hits) and hits[i].start < end:
        if hits[i].end <= end:
            found.append(hits[i])
        i += 1
    return found


def _primary_country(hits: list[AliasHit], head: Token, doc: Doc) -> str | None:
    """The country the phrase is *of*: the modifier nearest before the head, else the first one."""
    if not hits:
        return None
    before = [h for h in hits if h.start <= head.idx]
    return (before[-1] if before else hits[0]).value  # type: ignore[return-value]


def _head_nearest(hits: list[AliasHit], head: Token) -> AliasHit:
    covering = [h for h in hits if h.start <= head.idx < h.end]
    if covering:
        return covering[0]
    before = [h for h in hits if h.start <= head.idx]
    return before[-1] if before else hits[0]


def _covers_head(hit: AliasHit, head: Token) -> bool:
    return hit.start <= head.idx < hit.end or head.idx + len(head.text) == hit.end


def _compound(head: Token) -> str:
    parts = [c.lemma_.lower() for c in head.lefts if c.dep_ == "compound"]
    return " ".join(parts)


def _strip(text: str) -> str:
    words = text.split()
    while words and words[0].lower() in _LEADING:
        words.pop(0)
    return " ".join(words) or text


def _name(text: str, country: str | None, sector: str, actor_tables: ActorTables) -> str:
    if country and country in actor_tables.countries:
        info = actor_tables.countries[country]
        noun = _SECTOR_NOUN.get(sector)
        return f"{info.adjective} {noun}" if noun else info.name
    return _strip(text)


@functools.cache
def alpha3(alpha2: str | None) -> str | None:
    """ISO alpha-3 of a location's alpha-2 country code."""
    if not alpha2:
        return None
    import pycountry

    found = pycountry.countries.get(alpha_2=alpha2.upper())
    return found.alpha_3 if found else None


def infer_sides(event_type: str, actor: Actor | None, recipient: Actor | None, location_country: str | None, on: date | None) -> tuple[Actor | None, Actor | None]:
    """Fill the missing country of an attack's parties from the dated sides of the conflict.

    An attack on a party of a two-sided war is by the other side; an attack inside a warring
    country with no attacker named is by its enemy (what a conflict-data coder records);
    unnamed targets ("a residential area") get the country of where they are. The inferred
    attacker has an empty ``text``: nothing in the document names it.
    """
    if event_type != "ASSAULT":
        return actor, recipient
    sides = tables().alliances
    where = alpha3(location_country)
    if recipient is not None and recipient.country is None and recipient.sector in ("civilian", "other") and where:
        recipient = Actor(text=recipient.text, name=recipient.name, country=where, sector=recipient.sector)
    if recipient is None and where and sides.opponent(where, on) and (actor is None or actor.country != where):
        # an attack with no target named, in a warring country's place ("shelling hit
        # Mykolaiv", "an airstrike on an apartment block"): it is that country that is hit
        info = tables().countries.get(where)
        recipient = Actor(text="", name=info.name if info else where, country=where, sector="other")
    if actor is None or actor.country is None:
        target = recipient.country if recipient is not None and recipient.country else where
        enemy = sides.opponent(target, on)
        if enemy:
            info = tables().countries.get(enemy)
            name = f"{info.adjective} armed forces" if info else enemy
            actor = Actor(text=actor.text if actor else "", name=name if actor is None else actor.name, country=enemy, sector="military" if actor is None else actor.sector)
    if recipient is not None and recipient.country is None and actor is not None and actor.country:
        enemy = sides.opponent(actor.country, on)
        if enemy:
            recipient = Actor(text=recipient.text, name=recipient.name, country=enemy, sector=recipient.sector)
    return actor, recipient


def friendly_fire(actor: Actor | None, recipient: Actor | None, on: date | None) -> bool:
    """Actor and recipient armed parties on the same side on ``on`` (alliances.tsv)."""
    if actor is None or recipient is None:
        return False
    if recipient.sector not in ("military", "government", "police"):
        return False
    if actor.sector not in ("military", "government", "police", "rebel", "other"):
        return False
    return tables().alliances.same_side(actor.country, recipient.country, on)
