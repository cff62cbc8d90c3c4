"""Stage: attribution — who says what, through which cue, nested in whom.

Cues come from ``data/cues.tsv`` (derived from PolNeAR by ``scripts/derive_cues.py``):
reporting verbs in any inflection and voice ("says", "were reported", "is said to"),
"according to", nominal cues ("a statement from", "a video released by", "in an interview
with"), hedging adverbs ("reportedly", no source) and colon or dash quotes. Sources, cues and
contents are read off the dependency parse; quotations are found once per document by a
linear scan (``find_quotes``) that closes unbalanced quotes at the paragraph end and carries a
quote across paragraphs when the next paragraph reopens it.

Nesting has two layers: an attribution whose cue lies inside another's content is its child;
and a *medium* ("a video released by X", "shared by Y", "the soldier's account") links the
attributions of the medium's owner, anywhere in the document, to its relays, ordered by how
close each relay is to the origin (``data/attribution_relay.tsv``).
"""

from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass, field

from spacy.attrs import LEMMA, LOWER, ORTH, POS
from spacy.symbols import ADJ, ADV, AUX, NOUN, PROPN, VERB
from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from .cue_tagger import (
    TaggedSpan,
    doc_features,
    lower_lemmas,
    quote_mask,
    string_ids,
    tagger,
    token_starts,
)
from .data import read_table
from .hedges import lexicon as hedge_lexicon
from .pipeline import Analysis
from .records import Attribution, CueSpan, SourceSpan, Span
from .sources import SourceResolver, noun_phrase, trim

OPENING_QUOTES = "“«"
CLOSING_QUOTES = "”»"
STRAIGHT_QUOTE = '"'
DASHES = frozenset({"—", "–", "―", "-", "--"})
# The longest speaker label ("UNIDENTIFIED MALE:") and quote signature ("― Edwin G. Monroy") in tokens.
MAX_LABEL_TOKENS = 4
MAX_SIGNATURE_TOKENS = 6
SUBJECTS = frozenset({"nsubj", "nsubjpass", "csubj"})
# Children of a cue verb that belong to the cue ("has said", "did not say", "pointed out").
CUE_LEFT_DEPS = frozenset({"aux", "auxpass", "neg"})
CUE_RIGHT_DEPS = frozenset({"prt"})
# Verbs whose direct object is the addressee, not the content ("told reporters").
ADDRESSEE_VERBS = frozenset({"tell", "ask", "inform", "brief", "urge", "call", "thank", "warn", "remind", "assure"})
# Verbs whose object and its complement together are the content ("called the plan 'a sham'").
NAMING_VERBS = frozenset({"call", "label", "brand", "deem", "name", "dub"})
# Prepositions that introduce a noun cue's source: "a statement from", "a report by".
SOURCE_PREPS = frozenset({"from", "by", "with"})
# Prepositions through which an attribution sits in a medium: "in the video", "on Telegram".
MEDIUM_PREPS = frozenset({"in", "on"})
CLAUSE_DEPS = frozenset({"ccomp", "xcomp", "parataxis"})
# "called for X", "referring to X", "said of X", "agreed with X", "described as X": a preposition
# that belongs to the cue.
CONTENT_PREPS = frozenset({"for", "of", "to", "about", "against", "on", "with", "as"})
# The prepositions that close a light-verb cue ("support behind", "questions about").
LIGHT_PREPS = frozenset({"about", "on", "of", "for", "to", "with", "over", "against", "behind"})
TIME_ENTITIES = frozenset({"DATE", "TIME", "GPE", "LOC", "FAC", "CARDINAL"})
# ", speaking on condition of anonymity", ", facing a stiff challenge": not part of a source.
STOP_PARTICIPLES = frozenset({"VBG", "VBN"})
# The tagger's cue must be at least this sure (its least sure tag's marginal) to add an attribution.
MIN_TAGGED_CUE = 0.4


@dataclass(frozen=True, slots=True)
class Cue:
    lemma: str
    kind: str
    internal_state: bool
    stance: str
    rate: float


class CueLexicon:
    """The cue table, split by part of speech (built once per process)."""

    def __init__(self, rows: tuple[tuple[str, ...], ...]):
        self.verbs: dict[str, Cue] = {}
        self.nouns: dict[str, Cue] = {}
        self.adverbs: dict[str, Cue] = {}
        self.punctuation: dict[str, Cue] = {}
        tables = {"verb": self.verbs, "noun": self.nouns, "adverb": self.adverbs, "punctuation": self.punctuation}
        for row in rows:
            lemma, kind = row[0], row[1]
            cue = Cue(lemma, kind, row[2] == "1", row[5] if len(row) > 5 else "neutral", float(row[4]) if len(row) > 4 else 0.0)
            if kind in tables:
                tables[kind].setdefault(lemma, cue)
        self.relay_rank = {row[0]: int(row[1]) for row in read_table("attribution_relay.tsv")}
        self.not_cues = frozenset(row[0] for row in read_table("attribution_not_cues.tsv"))
        # light-verb cue words ("questions about", "critical of"): lemma -> part of speech
        self.light = {row[0]: row[1] for row in read_table("attribution_light_cues.tsv")}

    def entry(self, lemma: str) -> Cue | None:
        return self.verbs.get(lemma) or self.nouns.get(lemma) or self.adverbs.get(lemma)


@functools.cache
def cue_lexicon() -> CueLexicon:
    return CueLexicon(read_table("cues.tsv"))


def stance_of(doc: Doc, cue_start: int, cue_end: int) -> str:
    """Stance (claim/confirm/deny/neutral) of the cue covering ``doc.text[cue_start:cue_end]``."""
    lex = cue_lexicon()
    span = doc.char_span(cue_start, cue_end, alignment_mode="expand")
    for token in span or ():
        cue = lex.entry(token.lemma_.lower())
        if cue is not None and cue.stance != "neutral":
            return cue.stance
    return "neutral"


# -- quotations ---------------------------------------------------------------------------


def find_quotes(text: str) -> list[tuple[int, int]]:
    """Character spans of the quotations in ``text``, quote marks included.

    One pass over the quote characters. A quote still open at the end of its paragraph goes on
    when the next paragraph starts with an opening quote (the convention for a quote running
    over several paragraphs), and otherwise ends at the paragraph end (an unbalanced quote).
    """
    quotes: list[tuple[int, int]] = []
    open_at: int | None = None
    open_char = ""
    length = len(text)
    i = 0
    while i < length:
        char = text[i]
        if char == "\n":
            if open_at is not None and not _reopens(text, i):
                end = i
                while end > open_at and text[end - 1].isspace():
                    end -= 1
                quotes.append((open_at, end))
                open_at = None
            elif open_at is not None:
                # skip to the reopening quote mark: it continues the same quotation
                j = i
                while j < length and text[j].isspace():
                    j += 1
                i = j + 1
                continue
        elif char == "'" and text.startswith("''", i):
            # '' and `` (typewriter double quotes, as in the New York Times' feeds)
            if open_at is None:
                open_at, open_char = i, "''"
            elif open_char == "''":
                quotes.append((open_at, i + 2))
                open_at = None
            i += 2
            continue
        elif char == "`" and text.startswith("``", i) and open_at is None:
            open_at, open_char = i, "''"
            i += 2
            continue
        elif open_at is None:
            if char in OPENING_QUOTES or (char == STRAIGHT_QUOTE) or (char == "‘" and _word_start(text, i)):
                open_at, open_char = i, char
        elif _closes(open_char, char, text, i):
            quotes.append((open_at, i + 1))
            open_at = None
        i += 1
    if open_at is not None:
        end = length
        while end > open_at and text[end - 1].isspace():
            end -= 1
        quotes.append((open_at, end))
    return quotes


def _reopens(text: str, newline: int) -> bool:
    j = newline
    while j < len(text) and text[j].isspace():
        j += 1
    return j < len(text) and (text[j] in OPENING_QUOTES + STRAIGHT_QUOTE or text.startswith("''", j))


def _word_start(text: str, i: int) -> bool:
    return i == 0 or not text[i - 1].isalnum()


def _closes(open_char: str, char: str, text: str, i: int) -> bool:
    if open_char == STRAIGHT_QUOTE:
        return char == STRAIGHT_QUOTE
    if open_char == "‘":
        return char == "’" and (i + 1 >= len(text) or not text[i + 1].isalnum())
    return char in CLOSING_QUOTES


# -- attributions found in the parse, before they become records ----------------------------


@dataclass(slots=True)
class Found:
    cue_start: int  # token indices, end exclusive
    cue_end: int
    kind: str
    content: tuple[int, int]  # character offsets
    source: Token | None = None
    cue: Cue | None = None
    medium: Token | None = None  # the medium noun this attribution relays ("video released by")
    owns: Token | None = None  # the medium noun this attribution's source speaks in
    id: str = ""
    source_id: str | None = None
    local_parent: str | None = None
    parent: str | None = None
    extra: dict = field(default_factory=dict)


class DocAttributions:
    """Finds the attributions of one parsed document."""

    def __init__(self, doc: Doc, lex: CueLexicon, text: str | None = None):
        self.doc = doc
        self.lex = lex
        # the parsed text, if the caller has it (Doc.text joins every token on each access)
        self.text = doc.text if text is None else text
        self.quotes = find_quotes(self.text)
        self._quote_starts = [q[0] for q in self.quotes]
        self.found: list[Found] = []
        self._cue_tokens: set[int] = set()
        self._pronoun_sources: dict[int, Token] = {}  # cue verb index -> its relative pronoun

    # quotes -------------------------------------------------------------------------------

    def quote_at(self, char: int) -> tuple[int, int] | None:
        index = bisect.bisect_right(self._quote_starts, char) - 1
        if index >= 0 and self.quotes[index][0] <= char < self.quotes[index][1]:
            return self.quotes[index]
        return None

    def with_quotes(self, start: int, end: int, cue_char: int) -> tuple[int, int]:
        """Widen a content span to the whole of any quotation it overlaps (not the cue's own)."""
        index = bisect.bisect_right(self._quote_starts, end) - 1
        while index >= 0 and self.quotes[index][1] > start:
            q_start, q_end = self.quotes[index]
            if not (q_start <= cue_char < q_end) and q_end - q_start < 5000:
                start, end = min(start, q_start), max(end, q_end)
            index -= 1
        return start, end

    def adjacent_quote(self, token: Token, after: bool) -> tuple[int, int] | None:
        """A quotation right after (or right before) ``token``, across punctuation."""
        doc = self.doc
        i = token.i + 1 if after else token.i - 1
        step = 1 if after else -1
        while 0 <= i < len(doc) and (doc[i].is_space or doc[i].text in {":", ",", "—", "–"}):
            i += step
        if not 0 <= i < len(doc):
            return None
        return self.quote_at(doc[i].idx)

    # spans --------------------------------------------------------------------------------

    def chars(self, start_token: int, end_token: int) -> tuple[int, int]:
        """Character span of tokens [start, end), edge punctuation and spaces trimmed."""
        doc = self.doc
        while start_token < end_token and _is_edge(doc[start_token], leading=True):
            start_token += 1
        while end_token > start_token and _is_edge(doc[end_token - 1], leading=False):
            end_token -= 1
        if start_token >= end_token:
            return (0, 0)
        return doc[start_token].idx, doc[end_token - 1].idx + len(doc[end_token - 1])

    def subtree(self, token: Token) -> tuple[int, int]:
        return self.chars(token.left_edge.i, token.right_edge.i + 1)

    def clause_without(self, clause: Token, excluded: list[tuple[int, int]]) -> tuple[int, int]:
        """The longest contiguous piece of ``clause``'s subtree outside the ``excluded`` token ranges."""
        pieces = [(clause.left_edge.i, clause.right_edge.i + 1)]
        for ex_start, ex_end in excluded:
            next_pieces = []
            for start, end in pieces:
                if ex_end <= start or ex_start >= end:
                    next_pieces.append((start, end))
                    continue
                if start < ex_start:
                    next_pieces.append((start, ex_start))
                if ex_end < end:
                    next_pieces.append((ex_end, end))
            pieces = next_pieces
        best = (0, 0)
        for start, end in pieces:
            span = self.chars(start, end)
            if span[1] - span[0] > best[1] - best[0]:
                best = span
        return best

    # the pass over the tokens ---------------------------------------------------------------

    def run(self) -> list[Found]:
        """Light-verb cues first (so their verb is not taken as a cue of its own), then every
        other family in token order. Tokens are read from the doc's attribute arrays and made
        into Token objects only where a family may apply: most words are no cue."""
        lex, doc = self.lex, self.doc
        rows = doc.to_array([POS, LEMMA, LOWER, ORTH]).tolist()
        lemmas = lower_lemmas(doc)
        for i, (pos, lemma, _lower, _orth) in enumerate(rows):
            if pos in (NOUN, ADJ) and lex.light.get(lemmas[lemma]) == ("NOUN" if pos == NOUN else "ADJ"):
                self._light(doc[i])
        marks = string_ids(doc, (*lex.punctuation, *DASHES))
        according, to = doc.vocab.strings["according"], doc.vocab.strings["to"]
        last = len(rows) - 1
        for i, (pos, lemma, lower, orth) in enumerate(rows):
            if i in self._cue_tokens:
                continue
            if lower == according and i < last and rows[i + 1][2] == to:
                self._according_to(doc[i])
            elif not self._lexical_cue(doc, i, pos, lemmas[lemma]) and orth in marks:
                token = doc[i]
                self._colon_quote(token) or self._speaker_label(token) or self._signature(token)
        self._orphan_quotes()
        self.found.sort(key=lambda f: f.cue_start)
        return self.found

    def _lexical_cue(self, doc: Doc, i: int, pos: int, lemma: str) -> bool:
        """Try the verb, noun and adverb families on token ``i``; False when none applies."""
        lex = self.lex
        if pos in (VERB, AUX):
            if lemma in lex.verbs:
                self._verb(doc[i], lex.verbs[lemma])
                return True
            if pos == VERB and lemma not in lex.not_cues and _takes_that_clause(doc[i]):
                self._verb(doc[i], Cue(lemma, "verb", False, "neutral", 0.0))
                return True
        elif pos in (NOUN, PROPN) and lemma in lex.nouns:
            self._noun(doc[i], lex.nouns[lemma])
            return True
        elif pos == ADV and lemma in lex.adverbs:
            self._adverb(doc[i], lex.adverbs[lemma])
            return True
        return False

    def _add(self, found: Found) -> None:
        if found.content[1] <= found.content[0]:
            return
        cue_char = self.doc[found.cue_start].idx
        own_quote = found.cue is not None and found.cue.lemma == ""  # an orphan quote's cue is its mark
        sourceless = found.source is None  # "reportedly", "were reported": the cue sits in its clause
        if not sourceless and not own_quote and found.content[0] <= cue_char < found.content[1]:
            return  # content never holds its own cue (a headline's "Fired" is no cue)
        cue_range = range(found.cue_start, found.cue_end)
        if any(i in self._cue_tokens for i in cue_range):
            return
        self._cue_tokens.update(cue_range)
        self.found.append(found)

    # cue families ---------------------------------------------------------------------------

    def _light(self, token: Token) -> None:
        """A light verb with a cue noun or adjective and its preposition: "raised questions
        about X", "has thrown his support behind X", "is critical of X"; the verb's subject speaks."""
        doc = self.doc
        if token.i + 1 >= len(doc):
            return
        prep = doc[token.i + 1]
        verb = token.head
        if token.dep_ == "pobj" and verb.dep_ == "prep":
            verb = verb.head  # "came out in support of X"
        elif token.dep_ not in {"dobj", "attr", "acomp", "oprd"}:
            return
        if prep.lower_ not in LIGHT_PREPS or prep.head.i not in {token.i, verb.i}:
            return  # the parse may hang "behind X" on the verb
        target = next((c for c in prep.children if c.dep_ in {"pobj", "pcomp"}), None)
        if target is None or verb.pos_ not in {"VERB", "AUX"} or verb.i > token.i:
            return
        source, _passive = self._verb_source(verb)
        if source is None:
            return
        start = _cue_extent(verb)[0]
        if start <= source.i <= prep.i:
            return
        content = self.with_quotes(*self.subtree(target), token.idx)
        cue = Cue(token.lemma_.lower(), "verb", False, "neutral", 0.0)
        self._add(Found(start, prep.i + 1, "verb", content, source, cue))

    def _according_to(self, token: Token) -> None:
        to = self.doc[token.i + 1]
        objects = [c for c in to.children if c.dep_ == "pobj"] or [c for c in token.children if c.dep_ == "pobj"]
        if not objects:
            return
        source = objects[0]
        clause = _clause_head(token)
        excluded = [(token.left_edge.i, token.right_edge.i + 1)]
        content = self.clause_without(clause, excluded)
        medium = source if source.lemma_.lower() in self.lex.nouns else None
        if medium is not None:  # "according to a statement from X": the statement's source speaks
            inner = _noun_source(medium)
            if inner is not None:
                source = inner
        cue = Cue("according to", "according_to", False, "neutral", 1.0)
        self._add(Found(token.i, token.i + 2, "according_to", content, source, cue, owns=medium))

    def _verb(self, token: Token, cue: Cue) -> None:
        doc = self.doc
        medium = self._medium_of(token)
        if medium is not None:
            self._relay(token, cue, medium)
            return
        if token.dep_ == "amod" or token.tag_ == "VBN" and token.dep_ not in {"ROOT", "ccomp", "conj", "relcl", "advcl", "xcomp", "parataxis"} and not _has_aux(token):
            return
        source, passive = self._verb_source(token)
        if cue.lemma == "cite" and token.dep_ == "advcl":
            reporter = next((a for a in token.ancestors if a.pos_ == "VERB" and a.lemma_.lower() in self.lex.verbs), None)
            if reporter is not None:
                self._citing(token, cue, reporter)
                return
        content = self._verb_content(token, cue)
        if content is None and passive and source is None:
            content = self.subtree(token)  # "Explosions were reported in the city centre"
        if content is None:
            return
        if source is None and not passive:
            return
        if source is not None and source.lower_ == "it" and not passive:
            return  # "it seems", "it shows": no claimant
        start, end = _cue_extent(token)
        owns = None
        for child in token.children:
            if child.dep_ == "prep" and child.lower_ in MEDIUM_PREPS:
                pobj = next((c for c in child.children if c.dep_ == "pobj"), None)
                if pobj is not None and pobj.lemma_.lower() in self.lex.nouns:
                    owns = pobj
                    if child.i == end:  # "said in a statement": the phrase belongs to the cue
                        end = pobj.i + 1
        if source is not None and start <= source.i < end:
            return
        found = Found(start, end, "verb", content, source, cue, owns=owns)
        pronoun = self._pronoun_sources.get(token.i)
        if pronoun is not None and source is not None and source.i == token.head.i:
            found.extra["source_token"] = pronoun
        self._add(found)
        del doc  # keep the local name short-lived

    def _citing(self, token: Token, cue: Cue, head: Token) -> None:
        """ "Reuters reported ..., citing two officials": the officials are the origin, nested
        under the reporter; they vouch for what the head verb reports."""
        cited = next((c for c in token.children if c.dep_ == "dobj"), None)
        if cited is None:
            return
        content = self._verb_content(head, self.lex.verbs[head.lemma_.lower()])
        if content is None:
            return
        if content[0] <= token.idx < content[1]:  # what is reported stops before ", citing ..."
            cut = token.left_edge.idx
            while cut > content[0] and self.text[cut - 1] in " ,;":
                cut -= 1
            content = (content[0], cut)
            head_found = next((f for f in self.found if f.cue_start <= head.i < f.cue_end), None)
            if head_found is not None:
                head_found.content = content
        start, end = _cue_extent(token)
        source = _noun_source(cited) if cited.lemma_.lower() in self.lex.nouns else None
        found = Found(start, end, "verb", content, source or cited, cue, owns=cited if source else None)
        found.extra["parent_token"] = head.i
        self._add(found)

    def _verb_source(self, token: Token) -> tuple[Token | None, bool]:
        passive = any(c.dep_ in {"auxpass", "nsubjpass"} for c in token.children)
        if passive:
            for child in token.children:
                if child.dep_ == "agent":
                    pobj = next((c for c in child.children if c.dep_ == "pobj"), None)
                    if pobj is not None:
                        return pobj, True
            return None, True
        for child in token.children:
            if child.dep_ in {"nsubj", "csubj"}:
                if child.tag_ in {"WP", "WDT"} and token.dep_ == "relcl":
                    self._pronoun_sources[token.i] = child  # PolNeAR's source span is "who"
                    return token.head, False
                if child.lemma_.lower() in self.lex.nouns:
                    inner = _noun_source(child)  # "a statement from the ministry said"
                    if inner is not None:
                        return inner, False
                return child, False
        if token.dep_ == "relcl":
            return token.head, False
        if token.dep_ == "acl" and token.head.pos_ in {"NOUN", "PROPN"}:
            return _noun_source(token.head) or token.head, False  # "a statement saying ..."
        if token.dep_ in {"advcl", "conj", "xcomp"} and token.head.pos_ in {"VERB", "AUX"}:
            head = token.head
            for child in head.children:
                if child.dep_ == "nsubj":
                    return child, False
        if token.dep_ == "ROOT":
            # a misparsed subject ("..., former president Bill Clinton said"): the name just before
            previous = token.i - 1
            while previous >= token.sent.start and (self.doc[previous].pos_ == "ADV" or self.doc[previous].text == ","):
                previous -= 1
            if previous >= token.sent.start and self.doc[previous].pos_ in {"PROPN", "NOUN"}:
                return self.doc[previous], False
        return None, False

    def _verb_content(self, token: Token, cue: Cue) -> tuple[int, int] | None:
        cue_char = token.idx
        after = self.adjacent_quote(_last_cue_token(token), after=True)
        clauses = [c for c in token.children if c.dep_ in {"ccomp", "xcomp"}]
        if clauses:
            clause = clauses[0]
            start, end = self.subtree(clause)
            if clause.i < token.i and clause.dep_ == "ccomp":
                start, end = self._fronted(clause, token)
            if end <= start:
                return None
            return self.with_quotes(start, end, cue_char)
        if after is not None and not cue.internal_state:
            return after
        if token.dep_ == "parataxis" and token.head.pos_ in {"VERB", "AUX"} and token.right_edge.i - token.left_edge.i < 8:
            # a parenthetical cue: "..., Barden says, far too many lives ..."
            return self.clause_without(token.head, [(token.left_edge.i, token.right_edge.i + 1)])
        before = self.adjacent_quote(token.left_edge, after=False)
        if before is not None and before[1] <= token.idx and not cue.internal_state and (
            self.text[before[1] - 2 : before[1] - 1] not in {".", "…"} or token.sent.start_char < before[1]
        ):
            return before  # “...,” Clark said (a quote that ends its sentence belongs to no later cue)
        if after is None and token.right_edge.i > token.i:
            after = self.adjacent_quote(token.right_edge, after=True)
            if after is not None:
                return after  # "As Dell said last week in Tel Aviv, “Israel is ...”"
        preposition = self._content_preposition(token) if cue.rate >= 0.3 else None
        if preposition is not None:
            return self.subtree(preposition)
        objects = [c for c in token.children if c.dep_ in {"dobj", "oprd"}]
        complements = [c for c in token.children if c.dep_ in {"oprd", "xcomp", "ccomp"} and c.i > token.i]
        if objects and cue.lemma in NAMING_VERBS:
            # "called Florida's standards 'strong'": the object and what it is called
            start, end = self.subtree(objects[0])
            if complements:
                end = max(end, self.subtree(complements[-1])[1])
            return self.with_quotes(start, end, cue_char)
        if objects and cue.lemma not in ADDRESSEE_VERBS and objects[0].pos_ != "PRON":
            start, end = self.subtree(objects[0])
            return self.with_quotes(start, end, cue_char)
        return None

    def _content_preposition(self, token: Token) -> Token | None:
        """ "called for X", "referring to X", "said of X": the object of the preposition is the content."""
        for child in token.rights:
            if child.dep_ == "prep" and child.lower_ in CONTENT_PREPS and child.i <= _last_cue_token(token).i + 1:
                pobj = next((c for c in child.children if c.dep_ == "pobj"), None)
                if pobj is not None and pobj.ent_type_ not in TIME_ENTITIES:
                    return pobj
        return None

    def _fronted(self, clause: Token, cue: Token) -> tuple[int, int]:
        """A content clause before its cue: up to the cue phrase (and no further)."""
        last = min(clause.right_edge.i + 1, cue.i)
        start, end = self.chars(clause.left_edge.i, last)
        quote = self.quote_at(start)
        if quote is not None and quote[1] < end:
            # a quote closes before a few capitalised words ("...,” Tulsa police Chief Chuck
            # Jordan said): the parser hung them on the quote, but they name the speaker
            tail = [t for t in self.doc.char_span(quote[1], end, alignment_mode="expand") or () if not t.is_punct and not t.is_space]
            if tail and len(tail) <= MAX_LABEL_TOKENS and all(_capitalised(t) for t in tail):
                end = quote[1]
        return start, end

    def _medium_of(self, token: Token) -> Token | None:
        """The medium noun a "released by X" participle describes ("a video released by X")."""
        if token.tag_ != "VBN" or not any(c.dep_ == "agent" for c in token.children):
            return None
        if any(c.dep_ in SUBJECTS for c in token.children):
            return None
        if token.head.lemma_.lower() in self.lex.nouns and token.head.pos_ in {"NOUN", "PROPN"}:
            return token.head
        # "In the video, shared by Y": the parse may hang the participle elsewhere
        for i in range(token.i - 1, max(token.sent.start, token.i - 4) - 1, -1):
            candidate = self.doc[i]
            if candidate.pos_ in {"NOUN", "PROPN"} and candidate.lemma_.lower() in self.lex.nouns:
                return candidate
            if not (candidate.is_punct or candidate.pos_ == "DET"):
                break
        return None

    def _relay(self, token: Token, cue: Cue, noun: Token) -> None:
        """ "a video released by X", "the statement, shared by Y": a medium and its relay."""
        agent = next(c for c in token.children if c.dep_ == "agent")
        source = next((c for c in agent.children if c.dep_ == "pobj"), None)
        if source is None:
            return
        start = noun.i if noun.i == token.i - 1 else token.i
        end = agent.i + 1
        # the relay vouches for what the rest of the clause says: everything but the medium phrase
        phrase_start = noun.head.left_edge.i if noun.dep_ == "pobj" else noun.left_edge.i
        phrase_start = min(phrase_start, noun.i)
        clause = token.sent.root
        content = self.clause_without(clause, [(phrase_start, source.right_edge.i + 1)])
        self._add(Found(start, end, "noun", content, source, cue, medium=noun))

    def _noun(self, token: Token, cue: Cue) -> None:
        """ "a statement from X", "in an interview with X", "X's account"."""
        verb = token.head.head
        if token.dep_ == "pobj" and verb.i < token.i and verb.pos_ in {"VERB", "AUX"} and verb.lemma_.lower() in self.lex.verbs:
            return  # "said in a statement": part of the verb's cue
        source = None
        end = token.i + 1
        for child in token.children:
            if child.dep_ == "prep" and child.lower_ in SOURCE_PREPS:
                pobj = next((c for c in child.children if c.dep_ == "pobj"), None)
                if pobj is not None:
                    source, end = pobj, child.i + 1
                    break
            if child.dep_ == "poss":
                source = child
        if source is None:
            return
        start = token.i
        if token.dep_ == "pobj" and token.head.i == token.left_edge.i - 1:
            start = token.head.i  # "in an interview with"
        elif source.dep_ != "poss":
            start = token.left_edge.i if token.left_edge.i < token.i and token.left_edge.dep_ == "det" else token.i
        content = self._noun_content(token)
        if content is None:
            return
        self._add(Found(start, end, "noun", content, source, cue, owns=token))

    def _noun_content(self, token: Token) -> tuple[int, int] | None:
        for child in token.children:
            if child.dep_ in {"acl", "relcl"}:
                for grandchild in child.children:
                    if grandchild.dep_ in {"ccomp", "xcomp"}:
                        return self.with_quotes(*self.subtree(grandchild), token.idx)
            if child.dep_ in {"ccomp", "acl"} and any(g.dep_ == "mark" for g in child.children):
                return self.subtree(child)
        after = self.adjacent_quote(token.right_edge, after=True)
        if after is not None:
            return after
        clause = _clause_head(token)
        if clause.i == token.i:
            return None
        top = token
        while top.head.i != clause.i and top.head.i != top.i:
            top = top.head
        return self.clause_without(clause, [(top.left_edge.i, top.right_edge.i + 1)])

    def _adverb(self, token: Token, cue: Cue) -> None:
        if token.dep_ != "advmod":
            return
        head = token.head
        content = self.subtree(head)
        self._add(Found(token.i, token.i + 1, "adverb", content, None, cue))

    def _colon_quote(self, token: Token) -> bool:
        """ 'Zelensky: "We will win."' and 'The soldier — "they fired at us"'."""
        quote = self.adjacent_quote(token, after=True)
        if quote is None or token.i == 0:
            return False
        sent = token.sent
        left = self.doc[sent.start : token.i]
        if not left or any(t.pos_ in {"VERB", "AUX"} for t in left):
            return False
        head = left.root
        if head.pos_ not in {"PROPN", "NOUN", "PRON"}:
            return False
        return self._add_punctuation(token, quote, head)

    def _speaker_label(self, token: Token) -> bool:
        """A transcript's turn: 'PESKOV: We have no such information.' -- an upper-case label
        opening a paragraph; the rest of the paragraph is what the speaker said."""
        if token.text != ":" or token.i == 0:
            return False
        doc, text = self.doc, self.text
        start = token.i
        while start > 0 and token.i - start < MAX_LABEL_TOKENS and _label_word(doc[start - 1]):
            start -= 1
        if start == token.i or not any(doc[i].is_alpha and len(doc[i]) > 1 for i in range(start, token.i)):
            return False
        line_start = text.rfind("\n", 0, doc[start].idx) + 1
        if text[line_start : doc[start].idx].strip(" \t\"“'") != "":
            return False  # not the paragraph's first words ("the report said: ...")
        after = doc.char_span(token.idx + 1, self._line_end(token.idx), alignment_mode="expand")
        if after is None or not len(after):
            return False
        return self._add_punctuation(token, self.chars(after.start, after.end), doc[start:token.i])

    def _signature(self, token: Token) -> bool:
        """A quotation signed after a dash: '"We held the line." ― Oleksandr, 24' -- the name
        (up to the end of its line) is the source."""
        if token.text not in DASHES or token.i == 0:
            return False
        quote = self.adjacent_quote(token, after=False)
        if quote is None or quote[1] > token.idx:
            return False
        doc = self.doc
        name = doc.char_span(token.idx + len(token), self._line_end(token.idx), alignment_mode="expand")
        if name is None:
            return False
        words = [t for t in name if not t.is_space and not t.is_punct]
        if not words or len(words) > MAX_SIGNATURE_TOKENS or not words[0].is_title or any(t.pos_ in {"VERB", "AUX"} for t in words):
            return False
        return self._add_punctuation(token, quote, doc[words[0].i : words[-1].i + 1])

    def _line_end(self, char: int) -> int:
        """Where the line holding ``char`` ends (the text's end for the last line)."""
        end = self.text.find("\n", char)
        return len(self.text) if end < 0 else end

    def _add_punctuation(self, token: Token, content: tuple[int, int], source: Token | SpacySpan) -> bool:
        """A punctuation cue (colon, dash) whose source is a head token (its noun phrase is
        the source span) or a span taken whole (a speaker label, a signature)."""
        cue = Cue(token.text, "punctuation", False, "neutral", 1.0)
        head = source if isinstance(source, Token) else source.root
        found = Found(token.i, token.i + 1, "punctuation", content, head, cue)
        if not isinstance(source, Token):
            found.extra["source_span"] = (source.start, source.end)
        before = len(self.found)
        self._add(found)
        return len(self.found) > before

    # learned cues ---------------------------------------------------------------------------

    def add_tagged(self, spans: list[TaggedSpan]) -> None:
        """Attributions for the cues the tagger finds and the rules missed ("attacked",
        "chanted", "made it clear"): built from the cue's head as a listed cue would be, else
        from the source and content the tagger marks in the same sentence."""
        doc = self.doc
        for span in spans:
            if span.role != "CUE" or span.confidence < MIN_TAGGED_CUE:
                continue
            if any(i in self._cue_tokens for i in range(span.start, span.end)):
                continue
            root = doc[span.start : span.end].root
            lemma = root.lemma_.lower()
            listed = self.lex.entry(lemma)
            cue = Cue(lemma, "noun" if root.pos_ in {"NOUN", "PROPN"} else "verb",
                      bool(listed and listed.internal_state), listed.stance if listed else "neutral", 1.0)
            before = len(self.found)
            if root.pos_ in {"VERB", "AUX"}:
                self._verb(root, cue)
            elif root.pos_ in {"NOUN", "PROPN"}:
                self._noun(root, cue)
            if len(self.found) == before:
                self._from_tags(span, root, cue, spans)
            for f in self.found[before:]:
                f.extra["tagged"] = True
        self._widen_contents(spans)

    def _widen_contents(self, spans: list[TaggedSpan]) -> None:
        """A content the tagger sees reaching further (the rest of a clause, a quote's tail)
        takes in the tagged content it overlaps, short of its own cue and source."""
        doc = self.doc
        contents = [self.chars(s.start, s.end) for s in spans if s.role == "CON"]
        for f in self.found:
            start, end = f.content
            for c_start, c_end in contents:
                if c_end <= start or c_start >= end:
                    continue
                new_start, new_end = min(start, c_start), max(end, c_end)
                cue_start, cue_end = doc[f.cue_start].idx, doc[f.cue_end - 1].idx
                if new_start <= cue_start < new_end or new_start <= cue_end < new_end:
                    continue
                if f.source is not None and new_start <= f.source.idx < new_end:
                    continue
                start, end = new_start, new_end
            f.content = (start, end)

    def _from_tags(self, span: TaggedSpan, root: Token, cue: Cue, spans: list[TaggedSpan]) -> None:
        """A tagged cue with the nearest tagged content (and source) of its sentence."""
        sent = root.sent

        def distance(other: TaggedSpan) -> int:
            return other.start - span.end if other.start >= span.end else span.start - other.end

        near = [o for o in spans if o.role != "CUE" and sent.start <= o.start < sent.end and o.end <= sent.end]
        contents = sorted((o for o in near if o.role == "CON"), key=distance)
        if not contents:
            return
        content = self.chars(contents[0].start, contents[0].end)
        sources = sorted((o for o in near if o.role == "SRC"), key=distance)
        found = Found(span.start, span.end, cue.kind, content, None, cue)
        if sources:
            tagged = sources[0]
            found.source = self.doc[tagged.start : tagged.end].root
            found.extra["source_span"] = (tagged.start, tagged.end)
        self._add(found)

    def _orphan_quotes(self) -> None:
        """A quotation with no cue of its own, right after a quoted speaker, is theirs too."""
        covered = [f.content for f in self.found]
        # a speaker whose own cue sits inside a quotation is being quoted ("You say ...," Merkley
        # said. "..."): the quote that follows is the quoting speaker's, not theirs
        speakers = sorted((f for f in self.found if f.source is not None and self.quote_at(f.content[0]) is not None
                           and self.quote_at(self.doc[f.cue_start].idx) is None), key=lambda f: f.content[0])
        for q_start, q_end in self.quotes:
            if any(start <= q_start and q_end <= end for start, end in covered):
                continue
            previous = [f for f in speakers if f.content[1] <= q_start]
            if not previous:
                continue
            speaker = previous[-1]
            between = self.text[speaker.content[1] : q_start]
            if between.count("\n\n") > 1 or len(between) > 400:
                continue
            opening = self.doc.char_span(q_start, q_start + 1, alignment_mode="expand")
            if opening is None:
                continue
            cue = Cue("", "punctuation", False, "neutral", 1.0)
            continued = Found(opening.start, opening.start + 1, "punctuation", (q_start, q_end), speaker.source, cue)
            continued.extra["speaker"] = speaker  # the same words name the source (see _record)
            self._add(continued)


def _capitalised(token: Token) -> bool:
    """A word with a capital: "Tulsa", "NATO" (a name the parser may have hung elsewhere)."""
    return token.is_alpha and (token.is_title or token.is_upper)


def _label_word(token: Token) -> bool:
    """A word of an upper-case speaker label: "WALLACE", "MR.", "SEN.", "O'NEILL"."""
    return not token.is_space and token.text.isupper() and not token.is_punct


def _is_edge(token: Token, leading: bool) -> bool:
    if token.is_space:
        return True
    if not token.is_punct:
        return False
    text = token.text
    # keep a quotation's own marks when they open (leading) or close (trailing) it
    if leading and text in OPENING_QUOTES + STRAIGHT_QUOTE + "‘":
        return False
    return not (not leading and text in CLOSING_QUOTES + STRAIGHT_QUOTE + "’")


def _takes_that_clause(token: Token) -> bool:
    """A verb with a subject and a "that" clause ("made it clear that", "pledged that"): PolNeAR
    marks nearly every such verb as a cue, listed or not."""
    has_subject = any(c.dep_ in {"nsubj", "nsubjpass"} for c in token.children)
    return has_subject and any(
        c.dep_ == "ccomp" and c.i > token.i and any(m.dep_ == "mark" and m.lower_ == "that" for m in c.children)
        for c in token.children
    )


def _has_aux(token: Token) -> bool:
    return any(c.dep_ in {"aux", "auxpass"} for c in token.children)


def _cue_extent(token: Token) -> tuple[int, int]:
    """The cue's tokens: the verb with its auxiliaries, negation, adverbs and particle
    ("has also said", "later said", "pointed out", "said Tuesday", "called for", "goes on to say")."""
    start, end = token.i, token.i + 1
    lefts = sorted((c for c in token.lefts if c.dep_ in CUE_LEFT_DEPS or (c.dep_ == "advmod" and c.pos_ == "ADV")), key=lambda c: -c.i)
    for child in lefts:
        if child.i == start - 1:
            start = child.i
    for child in token.rights:
        if child.i != end:
            continue
        if _extends_cue(child):
            end = child.i + 1
    head = token.head
    if token.dep_ == "xcomp" and head.pos_ == "VERB" and head.i < token.i and token.i - head.i <= 3 and start - head.i <= 2:
        start = head.i  # "goes on to say", "declined to comment"
        for child in head.lefts:
            if child.dep_ in CUE_LEFT_DEPS and child.i == start - 1:
                start = child.i
    return start, end


def _extends_cue(child: Token) -> bool:
    """A right child that belongs to the cue: particle, bare adverb, day ("said Tuesday"), "of"/"for"."""
    if child.dep_ in CUE_RIGHT_DEPS:
        return True
    if child.dep_ == "advmod":
        return child.pos_ == "ADV" and child.n_lefts + child.n_rights == 0
    if child.dep_ == "npadvmod":
        return child.ent_type_ in {"DATE", "TIME"} and child.right_edge.i == child.i
    if child.dep_ == "prep" and child.lower_ in CONTENT_PREPS:
        return any(c.dep_ == "pobj" and c.ent_type_ not in TIME_ENTITIES for c in child.children)
    return False


def _last_cue_token(token: Token) -> Token:
    for child in token.rights:
        if child.dep_ in CUE_RIGHT_DEPS:
            return child
    return token


def _clause_head(token: Token) -> Token:
    """The nearest verb above ``token`` that heads a clause (not a participle modifier)."""
    current = token
    while current.head.i != current.i:
        current = current.head
        if current.pos_ in {"VERB", "AUX"} and current.dep_ not in {"acl", "amod"}:
            return current
    return current


def _noun_source(noun: Token) -> Token | None:
    for child in noun.children:
        if child.dep_ == "poss":
            return child
        if child.dep_ == "prep" and child.lower_ in SOURCE_PREPS:
            pobj = next((c for c in child.children if c.dep_ == "pobj"), None)
            if pobj is not None:
                return pobj
        if child.dep_ == "acl":
            agent = next((c for c in child.children if c.dep_ == "agent"), None)
            if agent is not None:
                return next((c for c in agent.children if c.dep_ == "pobj"), None)
    return None


# -- nesting ------------------------------------------------------------------------------


def local_parents(found: list[Found]) -> None:
    """Each attribution's parent: the innermost other attribution whose content holds its cue."""
    for child in found:
        cue_char = child.extra["cue_char"]
        best = None
        for other in found:
            if other is child:
                continue
            start, end = other.content
            if not start <= cue_char < end:
                continue
            size = end - start
            child_size = child.content[1] - child.content[0]
            if child.content[0] <= other.extra["cue_char"] < child.content[1] and size <= child_size:
                continue  # two attributions inside each other: the wider one is the parent
            if best is None or size < best.content[1] - best.content[0]:
                best = other
        child.local_parent = best.id if best is not None else None
        child.parent = child.local_parent


def explicit_parents(found: list[Found]) -> None:
    """ "..., citing X": X's attribution sits under the attribution of the verb it modifies."""
    by_cue_token = {i: f for f in found for i in range(f.cue_start, f.cue_end)}
    for f in found:
        head = f.extra.get("parent_token")
        parent = by_cue_token.get(head) if head is not None else None
        if parent is not None and parent is not f:
            f.parent = f.local_parent = parent.id
            if parent.parent == f.id:
                parent.parent = parent.local_parent = None


class Media:
    """Union-find over medium nouns: "a video" and later "the video" are one medium."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, i: int) -> int:
        while self.parent.get(i, i) != i:
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def link_media(found: list[Found], doc: Doc, lex: CueLexicon) -> None:
    """Nest the owners' attributions inside the relays of the medium they speak in.

    "The soldier's account, shared in a video released by X" and "In the video, shared by Y,
    the soldier describes ...": the soldier's attributions go under X, X under Y, and Y under
    whatever holds the first mention of the medium (an "according to Z").
    """
    media = Media()
    nouns = [f.medium for f in found if f.medium is not None] + [f.owns for f in found if f.owns is not None]
    if not nouns:
        return
    by_lemma: dict[str, int] = {}
    for token in doc:
        lemma = token.lemma_.lower()
        if token.pos_ == "NOUN" and lemma in lex.nouns:
            # "shared in a video": the account travels in the video
            if token.dep_ == "pobj" and token.head.lower_ in MEDIUM_PREPS and token.head.head.dep_ == "acl":
                carried = token.head.head.head
                if carried.lemma_.lower() in lex.nouns:
                    media.union(token.i, carried.i)
            first_child = next(iter(token.lefts), None)
            definite = first_child is not None and first_child.lower_ in {"the", "this", "that"}
            if lemma in by_lemma and definite:
                media.union(token.i, by_lemma[lemma])
            by_lemma.setdefault(lemma, token.i)
    groups: dict[int, list[Found]] = {}
    owners: dict[int, set[str]] = {}
    for f in found:
        if f.medium is not None:
            groups.setdefault(media.find(f.medium.i), []).append(f)
        if f.owns is not None and f.source_id:
            owners.setdefault(media.find(f.owns.i), set()).add(f.source_id)
    for root, relays in groups.items():
        relays.sort(key=lambda f: (lex.relay_rank.get(f.cue.lemma if f.cue else "", 2), f.cue_start))
        relay_ids = {f.id for f in relays}
        outer = next((f.local_parent for f in relays if f.local_parent and f.local_parent not in relay_ids), None)
        for inner, outer_relay in zip(relays, relays[1:], strict=False):
            inner.parent = outer_relay.id
        relays[-1].parent = outer
        source_ids = owners.get(root, set())
        for f in found:
            if f.id in relay_ids or f.source_id not in source_ids:
                continue
            if f.parent is None or f.parent in relay_ids:
                f.parent = relays[0].id
    _break_cycles(found)


def _break_cycles(found: list[Found]) -> None:
    by_id = {f.id: f for f in found}
    for f in found:
        seen = {f.id}
        current = f
        while current.parent is not None:
            if current.parent in seen or current.parent not in by_id:
                current.parent = None
                break
            seen.add(current.parent)
            current = by_id[current.parent]


# -- the stage ----------------------------------------------------------------------------


class AttributionStage:
    """Fills ``analysis.sources`` and ``analysis.attributions``."""

    def __init__(self, learned: bool = True) -> None:
        self.lex = cue_lexicon()
        self.hedges = hedge_lexicon()
        # the CRF cue tagger (data/cue_tagger.crfsuite), loaded once per process
        self.tagger = tagger() if learned else None

    def __call__(self, analysis: Analysis) -> None:
        doc = analysis.doc
        finder = DocAttributions(doc, self.lex, analysis.text)
        found = finder.run()
        if self.tagger is not None:
            finder.add_tagged(self.tagger.tag(doc, learned_features(finder)))
            found = sorted(finder.found, key=lambda f: f.cue_start)
        resolver = SourceResolver()
        text = finder.text
        for index, f in enumerate(found, start=1):
            f.id = f"a{index}"
            f.extra["cue_char"] = doc[f.cue_start].idx
        resolved: dict[str, str] = {}
        for f in found:
            if f.source is None:
                continue
            speaker = _speaker(f, found)
            f.source_id, resolved[f.id] = resolver.resolve(f.source, speaker)
        local_parents(found)
        explicit_parents(found)
        link_media(found, doc, self.lex)
        analysis.sources = resolver.sources()
        cue_tokens = {i for f in found for i in range(f.cue_start, f.cue_end)}
        analysis.attributions = [self._record(f, doc, text, resolved.get(f.id), cue_tokens) for f in found]

    def _record(self, f: Found, doc: Doc, text: str, resolved: str | None, cue_tokens: set[int]) -> Attribution:
        source = None
        if f.source is not None:
            speaker = f.extra.get("speaker")  # a quote continued after its cue: named as before
            tagged = f.extra.get("source_span") or (speaker.extra.get("recorded_source") if speaker else None)
            np = doc[tagged[0] : tagged[1]] if tagged else source_phrase(f.extra.get("source_token", f.source), cue_tokens)
            np = _after_quote(np, f.content[1])
            f.extra["recorded_source"] = (np.start, np.end)
            source = SourceSpan(text=np.text, start=np.start_char, end=np.end_char, resolved=resolved, source_id=f.source_id)
        cue_span = doc[f.cue_start : f.cue_end]
        content_start, content_end = f.content
        hedges = [h.text for h in self.hedges.in_span(text, content_start, content_end)]
        if f.kind == "adverb" and cue_span.text.lower() not in hedges:
            hedges.insert(0, cue_span.text.lower())
        return Attribution(
            id=f.id,
            source=source,
            cue=CueSpan(
                text=cue_span.text, start=cue_span.start_char, end=cue_span.end_char, kind=f.kind,  # type: ignore[arg-type]
                internal_state=bool(f.cue and f.cue.internal_state),
            ),
            content=Span(text=text[content_start:content_end], start=content_start, end=content_end),
            parent=f.parent,
            hedges=hedges,
        )


def source_phrase(head: Token, cue_tokens: set[int]) -> SpacySpan:
    """The source span as PolNeAR marks it: the noun phrase of ``head`` with its appositions
    and relative clauses, but never a cue (its own or another attribution's: "X, who also
    said ...") and not a trailing participle phrase (", speaking on condition of anonymity")."""
    doc = head.doc
    phrase = noun_phrase(head)
    start, end = phrase.start, phrase.end
    for child in head.rights:
        if child.i >= end:
            break
        subtree = range(child.left_edge.i, child.right_edge.i + 1)
        after_comma = doc[child.left_edge.i - 1].text == ","
        if child.dep_ == "acl" and child.tag_ in STOP_PARTICIPLES and after_comma:
            end = child.left_edge.i
            break
        if child.dep_ == "prep" and (child.lower_ == "via" or any(g.dep_ == "pobj" and g.ent_type_ in {"DATE", "TIME"} for g in child.children)):
            end = child.left_edge.i
            break
        cue = next((i for i in subtree if i in cue_tokens), None)
        if cue is not None:
            end = _clause_start(doc[cue], head)
            break
    for i in range(start, head.i):
        if i in cue_tokens or _is_dash(doc[i]):
            start = i + 1  # "CLEVELAND - Donald Trump": a dateline is no part of the source
    if end - 1 > head.i and doc[end - 1].dep_ == "case":
        end -= 1
    if head.dep_ != "poss" and doc[head.i + 1:end + 1] and end == head.i + 2 and doc[head.i + 1].dep_ == "case":
        end = head.i + 1  # "Clinton's claim": the source is "Clinton"
    return trim(doc[start:max(end, head.i + 1)])


def _after_quote(source: SpacySpan, content_end: int) -> SpacySpan:
    """A source right after its quoted content takes the capitalised words the parse left
    between them ("...,” Tulsa police Chief Chuck Jordan said": "Tulsa" is the speaker's)."""
    doc = source.doc
    if content_end > source.start_char or source.start == 0:
        return source
    start = source.start
    while start > 1 and source.start - start < MAX_LABEL_TOKENS and doc[start - 1].idx >= content_end and _capitalised(doc[start - 1]):
        start -= 1
    stop = doc[start - 1]  # what the words reach back to: the quote's end, or its punctuation
    if start == source.start or (stop.idx >= content_end and not stop.is_punct):
        return source
    return doc[start : source.end]


def learned_features(finder: DocAttributions) -> list[list[str] | None]:
    """The cue tagger's features of a document the rules have run on (``finder.run()``):
    the one feature function of both training (scripts/train_cue_tagger.py) and tagging."""
    doc = finder.doc
    return doc_features(doc, quote_mask(doc, finder.quotes), rule_roles(doc, finder.found))


def rule_roles(doc: Doc, found: list[Found]) -> list[str]:
    """Per token, the role the rules gave it: "C" cue, "S" source, "T" content, "" none."""
    roles = [""] * len(doc)
    starts = token_starts(doc)
    for f in found:
        for i in range(bisect.bisect_left(starts, f.content[0]), bisect.bisect_left(starts, f.content[1])):
            roles[i] = "T"
    cue_tokens = {i for f in found for i in range(f.cue_start, f.cue_end)}
    for f in found:
        if f.source is not None:
            phrase = source_phrase(f.extra.get("source_token", f.source), cue_tokens)
            for i in range(phrase.start, phrase.end):
                roles[i] = "S"
    for i in cue_tokens:
        roles[i] = "C"
    return roles


def _is_dash(token: Token) -> bool:
    """A dash between words, not the hyphen inside "Lopez-Cantera"."""
    return token.text in {"—", "–", "--"} or (token.text == "-" and token.i > 0 and bool(token.doc[token.i - 1].whitespace_))


def _clause_start(cue: Token, head: Token) -> int:
    """Where the clause holding ``cue`` starts inside the phrase of ``head``: the innermost
    relative clause or participle above the cue, else the head's child that holds it."""
    current = cue
    while current.head.i != head.i and current.head.i != current.i:
        if current.dep_ in {"relcl", "acl"}:
            return current.left_edge.i
        current = current.head
    return current.left_edge.i


def _speaker(f: Found, found: list[Found]) -> str | None:
    """The source id of the innermost already-resolved attribution whose content holds ``f``'s source."""
    char = f.source.idx if f.source is not None else -1
    best = None
    for other in found:
        if other is f or not other.source_id:
            continue
        start, end = other.content
        if start <= char < end and (best is None or end - start < best.content[1] - best.content[0]):
            best = other
    return best.source_id if best is not None else None
