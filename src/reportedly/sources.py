"""Sources: who an attribution's source span is, under one name, with type and side.

A source span ("he", "the soldier", "A Russian soldier captured by Ukrainian forces") is
resolved to a cluster of mentions inside the document (pronouns to the latest compatible
source, definite descriptions and surnames to an earlier full mention) and each cluster becomes
one ``Source`` record, named after its first full mention and typed from ``data/sources.tsv``
(outlets, agencies, ministries, militaries, platforms, head nouns) and
``data/attribution_demonyms.tsv`` (affiliation). Both tables are meant to be extended.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from spacy.tokens import Span as SpacySpan
from spacy.tokens import Token

from .data import read_table
from .records import Source, SourceType
from .records import Span as SpanRecord

PRONOUNS_PERSON = frozenset({"he", "she", "him", "her", "his"})
PRONOUNS_SPEAKER = frozenset({"i", "me", "we", "us", "my", "our"})
PRONOUNS_GROUP = frozenset({"they", "them", "their"})
PRONOUNS_THING = frozenset({"it", "its"})
PRONOUNS = PRONOUNS_PERSON | PRONOUNS_SPEAKER | PRONOUNS_GROUP | PRONOUNS_THING
DEFINITE = frozenset({"the", "this", "that", "these", "those"})
# Types whose country is also their side in a conflict (a ministry speaks for its state).
STATE_TYPES = frozenset({"military", "government", "official"})
# Person heads that belong to a side (a soldier fights for one; a villager does not).
COMBATANT_HEADS = frozenset({"soldier", "fighter", "officer", "commander", "prisoner", "pow", "captive", "marine", "pilot"})
PERSONISH = frozenset({"person", "official", "military", "expert", "anonymous", "media"})
QUOTE_CHARS = "\"“”‘’«»'"


@dataclass(frozen=True, slots=True)
class Typing:
    type: SourceType = "unknown"
    affiliation: str | None = None
    party: str | None = None
    canonical: str | None = None


def _cell(row: tuple[str, ...], index: int) -> str | None:
    value = row[index] if len(row) > index else ""
    return None if value in {"", "-"} else value


class SourceTable:
    """``data/sources.tsv`` and the demonym table, compiled once."""

    def __init__(self) -> None:
        self.names: dict[str, Typing] = {}
        self.heads: dict[str, Typing] = {}
        for row in read_table("sources.tsv"):
            typing = Typing(row[2], _cell(row, 3), _cell(row, 4), _cell(row, 5))  # type: ignore[arg-type]
            (self.names if row[1] == "name" else self.heads)[row[0].lower()] = typing
        self.demonyms = {row[0].lower(): _cell(row, 1) for row in read_table("attribution_demonyms.tsv")}
        self.captive = frozenset(row[0].lower() for row in read_table("attribution_captive.tsv"))
        self._name_regex = _phrase_regex(self.names)
        self._demonym_regex = _phrase_regex(self.demonyms)

    def classify(self, text: str, head_lemma: str, entity_label: str | None) -> Typing:
        """Type, affiliation and side of a mention from its text, head lemma and NER label."""
        lowered = text.lower()
        known = [self.names[m.group(0)] for m in self._name_regex.finditer(lowered)]
        named = max(known, key=lambda t: len(t.canonical or ""), default=None)
        if named is not None and named.type != "social_media":
            best = named
        else:
            head = self.heads.get(head_lemma)
            if named is not None:  # "X account" outranks its head noun
                best = named
            elif head is not None:
                best = head
            elif entity_label == "PERSON":
                best = Typing("person")
            elif entity_label in {"GPE", "NORP"}:
                best = Typing("government")
            elif entity_label == "ORG":
                best = Typing("unknown")
            else:
                best = Typing("unknown")
        affiliation = best.affiliation
        if affiliation is None:
            countries = [self.demonyms[m.group(0)] for m in self._demonym_regex.finditer(lowered)]
            affiliation = next((c for c in countries if c), None)
        party = best.party
        if party is None and affiliation and len(affiliation) == 3 and affiliation.isupper() and (
            best.type in STATE_TYPES or head_lemma in COMBATANT_HEADS
        ):
            party = affiliation
        return Typing(best.type, affiliation, party, best.canonical)

    def is_captive(self, words: set[str]) -> bool:
        return bool(words & self.captive)


def _phrase_regex(phrases) -> re.Pattern[str]:
    alternatives = sorted(phrases, key=len, reverse=True)
    body = "|".join(re.escape(p) for p in alternatives)
    return re.compile(rf"(?<![\w'’-])(?:{body})(?![\w-])")


@functools.cache
def source_table() -> SourceTable:
    return SourceTable()


def trim(span: SpacySpan) -> SpacySpan:
    """The span without punctuation or spaces at its edges."""
    start, end = span.start, span.end
    doc = span.doc
    while start < end and (doc[start].is_punct or doc[start].is_space):
        start += 1
    while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space):
        end -= 1
    text = doc[start:end].text
    if text.count("“") > text.count("”"):  # 'account “Victoria,”': keep the closing mark
        for i in range(end, min(end + 3, len(doc))):
            if doc[i].text == "”":
                end = i + 1
                break
    return doc[start:end]


# Right-hand dependents that end a source noun phrase: "Zaheed, ..., which organized the
# letter", "defenders today", "the activists, surprisingly enough".
PHRASE_STOPS = frozenset({"advmod", "npadvmod", "parataxis"})


def noun_phrase(head: Token) -> SpacySpan:
    """The noun phrase of ``head``: its subtree without trailing relative clauses and
    adverbials, inside its own line, trimmed of edge punctuation."""
    doc = head.doc
    end = head.i + 1
    for child in head.rights:
        if child.dep_ in PHRASE_STOPS:
            break
        end = child.right_edge.i + 1
    start = head.left_edge.i
    for i in range(head.i - 1, start - 1, -1):
        if "\n" in doc[i].text:
            start = i + 1
            break
    for i in range(head.i + 1, end):
        if "\n" in doc[i].text:
            end = i
            break
    return trim(doc[start:end])


def mention_name(head: Token) -> str:
    """A short canonical name for a noun phrase headed by ``head``.

    Proper names keep their name chain ("New York Post"); a named appositive wins
    ('the X account "Victoria"' -> "Victoria"); common nouns keep their modifiers and move
    participles to the front ("A Russian soldier captured by Ukrainian forces" ->
    "captured Russian soldier").
    """
    for child in head.children:
        if child.dep_ == "appos" and child.pos_ == "PROPN":
            return _strip_quotes(_name_chain(child))
    if head.pos_ == "PROPN":
        return _strip_quotes(_name_chain(head))
    participles = [c.text for c in head.rights if c.dep_ == "acl" and c.tag_ == "VBN"]
    modifiers = []
    for child in head.lefts:
        if child.dep_ in {"amod", "compound", "nmod", "nummod", "poss", "npadvmod"} and child.lower_ not in DEFINITE:
            modifiers.append(head.doc[child.left_edge.i : child.i + 1].text)
    words = participles + modifiers + [head.text]
    return _strip_quotes(" ".join(words))


def _name_chain(head: Token) -> str:
    start = head.i
    for child in head.lefts:
        if child.dep_ in {"compound", "flat", "amod", "nmod"} and (child.pos_ in {"PROPN", "ADJ", "NOUN"}):
            start = min(start, child.left_edge.i)
    end = head.i + 1
    for child in head.rights:
        if child.dep_ in {"flat", "compound"} and child.i == end:
            end = child.i + 1
    tokens = [t for t in head.doc[start:end] if t.lower_ not in DEFINITE]
    return "".join(t.text_with_ws for t in tokens).strip()


def _strip_quotes(text: str) -> str:
    return text.strip(QUOTE_CHARS + ",. ")


@dataclass(slots=True)
class Cluster:
    """Mentions of one source inside one document."""

    id: str
    name: str
    head_lemma: str
    words: set[str]
    typing: Typing
    proper: bool
    plural: bool
    mentions: list[SpanRecord] = field(default_factory=list)
    last_offset: int = 0


class SourceResolver:
    """Resolves the source mentions of one document into Source records (ids ``s1``, ``s2``...)."""

    def __init__(self, table: SourceTable | None = None):
        self.table = table or source_table()
        self.clusters: list[Cluster] = []

    def resolve(self, head: Token, speaker: str | None = None) -> tuple[str, str]:
        """(source id, resolved name) for the source noun phrase headed by ``head``.

        ``speaker`` is the source id of the quote ``head`` stands in, for "I" and "we".
        """
        span = noun_phrase(head)
        record = SpanRecord(text=span.text, start=span.start_char, end=span.end_char)
        cluster = self._find(head, span, speaker)
        if cluster is None:
            cluster = self._new(head, span)
        # One speaker often sources several attributions from one phrase ("the soldier
        # recalls ..., explaining ..."): a mention is listed once.
        if record not in cluster.mentions:
            cluster.mentions.append(record)
        cluster.last_offset = max(cluster.last_offset, span.start_char)
        return cluster.id, cluster.name

    def sources(self) -> list[Source]:
        return [
            Source(
                id=c.id, name=c.name, mentions=c.mentions, type=c.typing.type,
                affiliation=c.typing.affiliation, party_to_conflict=c.typing.party,
            )
            for c in self.clusters
        ]

    def by_id(self, source_id: str) -> Cluster | None:
        return next((c for c in self.clusters if c.id == source_id), None)

    # -- finding an earlier cluster -------------------------------------------------------

    def _find(self, head: Token, span: SpacySpan, speaker: str | None) -> Cluster | None:
        lower = head.lower_
        before = [c for c in self.clusters if c.last_offset <= span.start_char] or self.clusters
        if head.pos_ == "PRON" or lower in PRONOUNS:
            return self._antecedent(lower, before, speaker, head)
        words = {t.lower_ for t in span if not t.is_punct}
        if head.pos_ == "PROPN":
            for cluster in self.clusters:
                if cluster.proper and lower in cluster.words:
                    return cluster
            return None
        if not len(span):
            return None  # an empty source span (a source trimmed to nothing) starts no cluster
        determiner = span[0].lower_
        if determiner not in DEFINITE and span[0].pos_ != "PROPN":
            return None  # "a source", "another official": a new source
        lemma = head.lemma_.lower()
        for cluster in reversed(before):
            if cluster.head_lemma == lemma and (words - DEFINITE) <= cluster.words | {lemma, head.lower_}:
                return cluster
        for cluster in reversed(before):
            if cluster.head_lemma == lemma:
                return cluster
        category = self.table.heads.get(lemma)
        if category is not None and determiner in DEFINITE:
            for cluster in reversed(before):
                if cluster.typing.type == category.type and cluster.proper:
                    return cluster  # "the agency" -> the agency named before
        return None

    def _antecedent(self, lower: str, before: list[Cluster], speaker: str | None, head: Token) -> Cluster | None:
        if lower in PRONOUNS_SPEAKER and speaker:
            return self.by_id(speaker)
        for cluster in reversed(before):
            if lower in PRONOUNS_PERSON and cluster.typing.type in PERSONISH and not cluster.plural:
                return cluster
            if lower in PRONOUNS_GROUP and (cluster.plural or cluster.typing.type not in {"person"}):
                return cluster
            if lower in PRONOUNS_THING and cluster.typing.type not in {"person", "official"} and not cluster.plural:
                return cluster
        if lower in PRONOUNS_PERSON:
            person = _latest_person_entity(head)
            if person is not None:
                return self._find(person.root, person, speaker) or self._new(person.root, person)
        return None

    def _new(self, head: Token, span: SpacySpan) -> Cluster:
        lemma = head.lemma_.lower()
        label = head.ent_type_ or None
        if head.lower_ in PRONOUNS:
            name, typing = head.text, Typing("unknown")
        else:
            name = mention_name(head)
            typing = self.table.classify(span.text, lemma, label)
            if typing.canonical:
                name = typing.canonical
        if typing.type == "person" and label is None and span[0].lower_ in {"a", "an", "another", "one"} and lemma in {"source", "person"}:
            typing = Typing("anonymous", typing.affiliation, typing.party)
        cluster = Cluster(
            id=f"s{len(self.clusters) + 1}",
            name=name,
            head_lemma=lemma,
            words={t.lower_ for t in span if not t.is_punct},
            typing=typing,
            proper=head.pos_ == "PROPN" or any(c.dep_ == "appos" and c.pos_ == "PROPN" for c in head.children),
            plural=head.tag_ in {"NNS", "NNPS"},
        )
        self.clusters.append(cluster)
        return cluster


def _latest_person_entity(head: Token) -> SpacySpan | None:
    """The last PERSON entity before ``head`` (for "he"/"she" with no earlier source),
    else the last proper-name subject (the small model often tags Slavic names ORG)."""
    doc = head.doc
    latest = None
    for ent in doc.ents:
        if ent.start >= head.i:
            break
        if ent.label_ == "PERSON":
            latest = ent
    if latest is not None:
        return latest
    for i in range(head.i - 1, max(-1, head.i - 80), -1):
        token = doc[i]
        if token.dep_ == "nsubj" and token.pos_ == "PROPN" and token.ent_type_ not in {"GPE", "NORP", "LOC"}:
            return noun_phrase(token)
    return None
