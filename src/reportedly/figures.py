"""Stage: figures. Every number the text reports about troops, casualties, equipment, money ...

Numbers come from :mod:`reportedly.numbers`; what they count comes from the parse: the noun
the number modifies ("around 8,000 North Korean soldiers"), the noun of an "of" phrase
("tens of thousands of people", "two of our own"), or the subject of "estimated at/in"
("casualties are estimated in the tens of thousands"). The noun, the verb governing it and the
adjectives on it give the kind through ``data/figure_kinds.tsv``. Years, times, ages,
distances, calibres, durations, percentages and labels ("Article 5") are not figures.

Attribution, source chains and certainty are left to the provenance stage.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from .data import read_table
from .hedges import lexicon
from .numbers import NumberSpan, find_numbers, grammar
from .pipeline import Analysis
from .records import Event, Figure
from .records import Span as TextSpan

# spaCy labels under which a number is part of a name, a date, a measure: not a figure.
SKIP_LABELS = frozenset({"DATE", "TIME", "PERCENT", "QUANTITY", "ORDINAL", "PERSON", "ORG", "PRODUCT", "WORK_OF_ART", "LAW", "FAC", "EVENT", "GPE", "LOC"})
# Kinds a casualty verb or adjective gives whatever noun is counted ("killed 53 POWs" -> killed).
CASUALTY_KINDS = frozenset({"killed", "injured", "casualties", "captured", "displaced"})
# Events whose casualties or forces a figure in their sentence counts.
EVENT_TYPES_FOR_KIND = {
    "killed": ("ASSAULT",), "injured": ("ASSAULT",), "casualties": ("ASSAULT",),
    "captured": ("ASSAULT", "COERCE"), "displaced": ("ASSAULT",), "troops": ("MOBILIZE", "ASSAULT"),
    "equipment": ("ASSAULT", "AID", "MOBILIZE"), "money": ("AID", "SANCTION"),
}
WORDS_BEFORE_ONE = frozenset({"no", "any", "every", "the", "this", "that", "which", "each", "someone", "anyone"})
MAX_WHAT_TOKENS = 12
# Words before a lone number that compare it with a count just told ("Ukraine's 125,600").
ELLIPSIS_CUES = frozenset({"'s", "’s", "than", "compared", "versus", "vs", "vs."})
CONTAINER_NOUNS = frozenset({"unit", "piece", "item", "batch", "set", "pair", "type", "kind"})
WHAT_STOPS = frozenset({"according", "said", "says", "say", "reported", "citing"})
# Verbs that give a total: their subject names what the number counts ("losses stand at 19,000").
TOTAL_VERBS = frozenset({"be", "have", "estimate", "put", "stand", "reach", "number", "total", "rise", "climb", "include", "say", "report"})


@dataclass(frozen=True)
class KindTable:
    nouns: dict[str, str]
    verbs: dict[str, str]
    adjectives: dict[str, str]
    units: frozenset[str]
    labels: frozenset[str]


@functools.cache
def kind_table() -> KindTable:
    roles: dict[str, dict[str, str]] = {"noun": {}, "verb": {}, "adj": {}, "unit": {}, "label": {}}
    for role, word, kind in read_table("figure_kinds.tsv"):
        roles[role][word.lower()] = kind
    return KindTable(roles["noun"], roles["verb"], roles["adj"], frozenset(roles["unit"]), frozenset(roles["label"]))


@functools.cache
def _unit_regex() -> re.Pattern:
    units = sorted(kind_table().units, key=len, reverse=True)
    alternation = "|".join(re.escape(u).replace(r"\ ", r"\s+") for u in units)
    return re.compile(rf"\s*(?:-\s*)?(?:{alternation})(?![\w])", re.IGNORECASE)


class FigureStage:
    """Fills ``analysis.figures`` with a Figure for every reported number that counts something."""

    def __init__(self) -> None:
        self.kinds = kind_table()
        self.hedges = lexicon()
        self.units = _unit_regex()

    def __call__(self, analysis: Analysis) -> None:
        doc = analysis.doc
        text = analysis.text
        dates = [(d.start, d.end) for d in analysis.dates]
        figures: list[Figure] = []
        for index, sentence in enumerate(doc.sents):
            for number in find_numbers(sentence):
                if not self.is_figure(number, doc, text, dates):
                    continue
                figure = self.figure(number, sentence, text, index, analysis.events, len(figures) + 1)
                if figure is not None:
                    _inherit_elided_kind(figure, number.span, figures)
                    figures.append(figure)
        analysis.figures = figures

    # --- what is not a figure -------------------------------------------------------------
    def is_figure(self, number: NumberSpan, doc: Doc, text: str, dates: list[tuple[int, int]]) -> bool:
        expr, span = number.expr, number.span
        if any(start < expr.end and expr.start < end for start, end in dates):
            return False
        labelled = any(t.ent_type_ in SKIP_LABELS for t in span if t.like_num or t.ent_type_ != "DATE")
        if labelled and not expr.currency and not expr.vague:
            return False
        if self.units.match(text, expr.end):
            return False
        if re.match(r"-[A-Za-z]", text[expr.end:expr.end + 2]):
            return False  # "510-crew", "two-year-old": a compound adjective, not a count
        core = expr.text[len(expr.modifier or ""):].strip()
        if re.fullmatch(r"(?:19|20)\d{2}", core) and not expr.modifier:
            return False  # a year
        if core.lower() == "one" and span.end < len(doc) and doc[span.end].lower_ == "of":
            return False  # "one of their vehicles": a selection, not a count
        if re.match(r",\s*(?:19|20)\d{2}\b", text[expr.end:expr.end + 7]):
            return False  # "1, 2022": the day of a date whose month the sentence split left behind
        return span.start == 0 or not self._labelled(doc[span.start - 1], span, core)

    def _labelled(self, before: Token, span: Span, core: str) -> bool:
        """Whether the word before makes the number a label or part of a name."""
        if before.lower_.rstrip(".") in self.kinds.labels or before.lower_ in self.kinds.labels:
            return True  # "Article 5", "day 100"
        if core.lower() == "one" and before.lower_ in WORDS_BEFORE_ONE:
            return True  # "no one", "the one"
        if before.text in ("#", "No", "no.", "No.") or before.text.endswith("-"):
            return True
        if before.text == "." and before.i > 0 and before.doc[before.i - 1].text in ("No", "no"):
            return True  # "No. 5" split into three tokens
        # "Formula One", "Channel 24", "Patriot 3": a number that is part of a name.
        head = _number_token(span)
        return before.pos_ == "PROPN" and not before.text.endswith("s") and (core[:1].isupper() or head.dep_ in ("compound", "appos", "npadvmod", "nmod"))

    # --- one figure -----------------------------------------------------------------------
    def figure(self, number: NumberSpan, sentence: Span, text: str, index: int, events: list[Event], ordinal: int) -> Figure | None:
        expr, span = number.expr, number.span
        head = _number_token(span)
        noun = counted_noun(head, span)
        if noun is not None and noun.pos_ not in ("NOUN", "PROPN", "PRON", "NUM", "ADJ"):
            noun = None
        kind = self.kind(number, head, noun)
        if kind is None or (head.lower_ == "one" and kind not in ("killed", "injured", "captured", "casualties", "equipment")):
            return None  # "one people", "one soldier said": "one" counts only victims and weapons
        clause = clause_span(head)
        hedges = [h.text for h in self.hedges.in_span(text, clause[0], clause[1])]
        if expr.modifier and grammar().modifiers.get(expr.modifier) == "approx" and expr.modifier not in hedges:
            hedges.append(expr.modifier)
        return Figure(
            id=f"f{ordinal}",
            text=expr.text,
            span=TextSpan(text=expr.text, start=expr.start, end=expr.end),
            value=expr.count,
            kind=kind,
            what=what_phrase(noun, span) if noun is not None else "",
            sentence=index,
            evidence=sentence.text.strip(),
            hedges=list(dict.fromkeys(hedges)),
            event=linked_event(kind, index, expr.start, events),
        )

    def kind(self, number: NumberSpan, head: Token, noun: Token | None) -> str | None:
        """The figure's kind, or None when the number counts nothing (a bare "one")."""
        if number.expr.currency:
            return "money"
        noun_kind = self._noun_kind(noun) if noun is not None else None
        if noun_kind in ("equipment", "money"):
            return noun_kind
        cue = self._cue_kind(head, noun)
        if noun_kind in ("casualties", "killed", "injured") and cue not in ("killed", "injured"):
            return noun_kind
        if cue in CASUALTY_KINDS and noun_kind in (None, "people", "troops", "captured", "other"):
            if cue == "casualties" and noun is None and head.dep_ not in ("dobj", "pobj", "nsubj", "nsubjpass", "attr"):
                return "other"
            return cue
        if noun_kind and noun_kind != "people":
            return noun_kind
        if cue == "troops" and noun_kind == "people":
            return "troops"
        if noun is None and cue is None:
            count = number.expr.count
            return None if head.lower_ == "one" or (count.min is None and count.max is None) else "other"
        if noun is not None and noun.pos_ == "PRON":
            return None
        if head.lower_ == "one":
            return None  # "one suitcase", "one image": a single thing is not a reported count
        return "other"

    def _noun_kind(self, noun: Token) -> str:
        singular = noun.lower_[:-1] if noun.lower_.endswith("s") else noun.lower_  # the tagger's lemma can be odd ("graves" -> "graf")
        for key in (noun.lower_, noun.lemma_.lower(), noun.text, singular):
            if key in self.kinds.nouns:
                return self.kinds.nouns[key]
        for child in noun.children:  # "killed and wounded soldiers", "dead civilians"
            if child.dep_ == "amod" and child.lower_ in self.kinds.adjectives and noun.lemma_.lower() in ("people", "person", "civilian", "soldier"):
                return self.kinds.adjectives[child.lower_]
        return "other"

    def _cue_kind(self, head: Token, noun: Token | None) -> str | None:
        """The kind a verb or adjective gives: "killed 53", "53 were killed", "six injured"."""
        # Govern from the noun the number modifies ("53 POWs were killed"), else from the number
        # itself ("the deaths of dozens of prisoners", "killed 53").
        anchor = noun if noun is not None and noun.i == head.head.i else head
        modifier = self._modifier_cue(noun or head)
        governing = self._governor_cue(anchor, head.i)
        # The nearest casualty word wins ("dozens injured"), and any casualty word wins over a
        # troop word ("volunteers fighting for Ukraine held by separatists").
        if modifier in CASUALTY_KINDS or modifier is not None and governing not in CASUALTY_KINDS:
            return modifier
        return governing

    def _modifier_cue(self, token: Token) -> str | None:
        """"50 prisoners dead", "six injured", "people killed", "volunteers fighting"."""
        for child in token.children:
            if child.dep_ in ("amod", "acl", "acomp", "oprd", "relcl") and child.lower_ in self.kinds.adjectives:
                return self.kinds.adjectives[child.lower_]
            if child.dep_ in ("acl", "relcl") and child.lemma_.lower() in self.kinds.verbs:
                return self.kinds.verbs[child.lemma_.lower()]
        return None

    def _governor_cue(self, anchor: Token, number: int) -> str | None:
        """The kind from the verbs, adjectives and nouns above ``anchor``."""
        for token in _governors(anchor):
            lemma = token.lemma_.lower()
            if token.pos_ in ("VERB", "AUX") and lemma in self.kinds.verbs:
                return self._both_ways(token, self.kinds.verbs[lemma], number)
            if token.pos_ == "ADJ" and token.lower_ in self.kinds.adjectives:
                return self.kinds.adjectives[token.lower_]
            if token.pos_ == "NOUN" and self.kinds.nouns.get(token.lemma_.lower()) in ("killed", "injured", "casualties"):
                return self.kinds.nouns[token.lemma_.lower()]  # "the deaths of dozens of prisoners"
            if token.pos_ in ("VERB", "AUX"):
                for child in token.children:  # "left 11 dead", "losses stand at 19,000"
                    if child.dep_ in ("oprd", "acomp") and child.lower_ in self.kinds.adjectives:
                        return self.kinds.adjectives[child.lower_]
                    if child.dep_ in ("nsubj", "nsubjpass") and child.i != anchor.i and lemma in TOTAL_VERBS \
                            and self.kinds.nouns.get(child.lemma_.lower()) in ("killed", "injured", "casualties"):
                        return self.kinds.nouns[child.lemma_.lower()]
            if token.pos_ in ("VERB", "AUX"):
                for child in token.children:
                    # "4,000 people came to fight": the purpose verb says who they are.
                    if child.dep_ in ("xcomp", "advcl") and child.pos_ == "VERB" and _purpose_kind(child, self.kinds) == "troops":
                        return "troops"
                    # "37,000 women are in the army": a people count placed in a force.
                    if lemma == "be" and child.dep_ == "prep" and child.lower_ in ("in", "into", "with"):
                        objects = [c for c in child.children if c.dep_ == "pobj"]
                        if objects and self.kinds.nouns.get(objects[0].lemma_.lower()) == "troops":
                            return "troops"
            if token.pos_ == "VERB" and lemma not in TOTAL_VERBS:
                # "laid down their arms and surrendered": a coordinated verb shares the subject.
                for other in token.conjuncts:
                    if other.pos_ == "VERB" and other.lemma_.lower() in self.kinds.verbs:
                        return self.kinds.verbs[other.lemma_.lower()]
                break
        return None

    def _both_ways(self, verb: Token, kind: str, number: int) -> str:
        """"killed or injured at least 1,500": killed and injured together are casualties
        (both verbs before the number; "killed 53 and wounded another 75" stays apart)."""
        if kind not in ("killed", "injured"):
            return kind
        for other in (*verb.conjuncts, verb.head):
            if not (verb.i < number and other.i < number) or other.i == verb.i:
                continue
            if any(c.dep_ in ("dobj", "attr") for c in (verb if other.i > verb.i else other).children):
                continue  # "kills four, injures 11": the first verb has its own count
            other_kind = self.kinds.verbs.get(other.lemma_.lower()) or self.kinds.adjectives.get(other.lower_)
            if other_kind in ("killed", "injured") and other_kind != kind:
                return "casualties"
        return kind


def _inherit_elided_kind(figure: Figure, span: Span, earlier: list[Figure]) -> None:
    """"Russia's 2 million", "compared to less than 200,000": a number whose noun is elided
    counts what the figure before it in the sentence counts."""
    if figure.kind != "other" or figure.what:
        return
    before = [f for f in earlier if f.sentence == figure.sentence and f.kind != "other"]
    if not before:
        return
    doc = span.doc
    previous = [t.lower_ for t in doc[max(span.sent.start, span.start - 3):span.start]]
    if any(word in ELLIPSIS_CUES for word in previous):
        figure.kind, figure.what = before[-1].kind, before[-1].what


def _purpose_kind(verb: Token, kinds: KindTable) -> str | None:
    """"came to fight", "came to join the fight": the verb's own kind, or its object's."""
    if verb.lemma_.lower() in kinds.verbs:
        return kinds.verbs[verb.lemma_.lower()]
    for child in verb.children:
        if child.dep_ == "dobj" and child.lemma_.lower() in ("fight", "army", "war", "battle", "military", "force", "forces"):
            return "troops"
    return None


def _number_token(span: Span) -> Token:
    """The token that carries the number: the syntactic root of the expression's tokens."""
    numeric = [t for t in span if t.like_num or t.lower_ in grammar().vague or t.lower_ in grammar().units]
    candidates = numeric or list(span)
    inside = {t.i for t in span}
    for token in candidates:
        if token.head.i not in inside or token.head.i == token.i:
            return token
    return candidates[-1]


def _governors(token: Token, depth: int = 3):
    """The token's heads, nearest first, through conjunctions ("killed and six injured")."""
    current = token
    for _ in range(depth):
        if current.head.i == current.i:
            return
        current = current.head
        yield current
        for child in current.children:
            if child.dep_ == "conj" and child.i > token.i and child.pos_ in ("VERB", "ADJ"):
                yield child


def counted_noun(head: Token, span: Span) -> Token | None:
    """The noun a number counts: its head noun, the noun of its "of" phrase, or the subject
    of "estimated at/in" whose value it gives."""
    inside = {t.i for t in span}
    if head.dep_ in ("nummod", "quantmod", "amod", "compound") and head.head.i not in inside and head.head.pos_ in ("NOUN", "PROPN"):
        noun = head.head
        while noun.dep_ == "compound" and noun.head.pos_ in ("NOUN", "PROPN") and noun.head.i > noun.i:
            noun = noun.head  # "50 Ram II drones": the count is of drones
        if noun.lemma_.lower() in CONTAINER_NOUNS:  # "25 units of special equipment"
            for child in noun.children:
                objects = [c for c in child.children if c.dep_ == "pobj"] if child.dep_ == "prep" and child.lower_ == "of" else []
                if objects:
                    return objects[0]
        return noun
    for child in head.children:
        if child.dep_ == "prep" and child.lower_ == "of":
            objects = [c for c in child.children if c.dep_ == "pobj" and c.i not in inside]
            if objects:
                return objects[0]
    for token in span:  # "tens of thousands of people": the "of" is inside the expression
        for child in token.children:
            if child.dep_ == "prep" and child.lower_ == "of" and child.i >= span.end - 1:
                objects = [c for c in child.children if c.dep_ == "pobj" and c.i not in inside]
                if objects:
                    return objects[0]
    if head.dep_ == "pobj" and head.head.dep_ == "prep" and head.head.lower_ in ("at", "in", "to"):
        verb = head.head.head
        subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
        if verb.pos_ in ("VERB", "AUX") and subjects and subjects[0].pos_ == "NOUN":
            return subjects[0]
    return None  # the number stands alone ("killed 53"): its verb says what it counts


def what_phrase(noun: Token, number: Span) -> str:
    """The counted noun phrase without the number: "North Korean soldiers stationed in the area"."""
    doc = noun.doc
    skip = set(range(number.start, number.end))
    tokens = [t for t in noun.subtree if t.i not in skip and not _in_clause_of(t, noun)]
    tokens = [t for t in tokens if t.i >= noun.left_edge.i]
    if noun.dep_ == "nsubjpass" and noun.head.tag_ == "VBN":  # "... soldiers are stationed in the area"
        verb = noun.head
        phrases = [c for c in verb.children if c.dep_ == "prep" and c.i > verb.i]
        if not any(c.left_edge.i <= number.start <= c.right_edge.i for c in phrases):
            tokens.append(verb)
            for token in phrases[0].subtree if phrases else ():
                if token.is_punct:
                    break  # "in Izyum, one of ...": the apposition is not part of it
                tokens.append(token)
    tokens = sorted({t.i: t for t in tokens}.values(), key=lambda t: t.i)
    cut = next((n for n, t in enumerate(tokens) if t.lower_ in WHAT_STOPS and n > 0), None)
    if cut is not None:  # "people displaced according to Israeli tallies": the source is not the count
        tokens = tokens[:cut]
    while tokens and (tokens[0].dep_ in ("det", "prep", "cc") or tokens[0].is_punct or tokens[0].i in skip):
        tokens.pop(0)
    tokens = tokens[:MAX_WHAT_TOKENS]
    if not tokens:
        return noun.text
    return doc[tokens[0].i:tokens[-1].i + 1].text if _contiguous(tokens) else " ".join(t.text for t in tokens)


def _in_clause_of(token: Token, noun: Token) -> bool:
    """Whether ``token`` hangs off ``noun`` through what ``what`` leaves out: relative clauses,
    appositions, punctuation, and prepositions other than "of" ("casualties in Kursk")."""
    if token.is_punct:
        return True
    current = token
    while current.i != noun.i and current.head.i != current.i:
        if current.head.i == noun.i and (current.dep_ in ("relcl", "appos", "punct", "cc", "conj") or (current.dep_ == "prep" and current.lower_ not in ("of", "from"))):
            return True
        current = current.head
    return False


def _contiguous(tokens: list[Token]) -> bool:
    return all(b.i == a.i + 1 for a, b in zip(tokens, tokens[1:], strict=False))


def clause_span(token: Token) -> tuple[int, int]:
    """Character range of the clause holding ``token``, widened through xcomp/ccomp heads
    ("I believe they ended up hitting two": the belief is part of the figure's clause)."""
    current = token
    while current.head.i != current.i and current.pos_ not in ("VERB", "AUX"):
        current = current.head
    while current.dep_ in ("xcomp", "ccomp", "advcl", "conj") and current.head.i != current.i:
        current = current.head
    sentence = token.sent
    subtree = list(current.subtree)
    start = max(subtree[0].idx, sentence.start_char)
    end = min(subtree[-1].idx + len(subtree[-1].text), sentence.end_char)
    return start, end


def linked_event(kind: str, sentence: int, char: int, events: list[Event]) -> str | None:
    """The event in the figure's sentence whose casualties or forces it counts, if any."""
    types = EVENT_TYPES_FOR_KIND.get(kind)
    if not types:
        return None
    best: tuple[int, str] | None = None
    for event in events:
        if event.type not in types:
            continue
        mentions = event.mentions or []
        triggers = [(m.sentence, m.trigger.start) for m in mentions] or [(event.sentence, event.trigger.start)]
        for mention_sentence, trigger_start in triggers:
            if mention_sentence == sentence:
                distance = abs(trigger_start - char)
                if best is None or distance < best[0]:
                    best = (distance, event.id)
    return best[1] if best else None
