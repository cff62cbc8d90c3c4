"""A learned tagger for attribution spans: a linear-chain CRF over spaCy token features.

PolNeAR labels every token once (cue, source, content or none), so its attributions read as a
tag sequence. ``scripts/train_cue_tagger.py`` fits a CRF (python-crfsuite) on PolNeAR train
with BIO tags for CUE, SRC and CON and writes ``data/cue_tagger.crfsuite``; the attribution
stage uses it to find the long tail of cues its rules miss (rare verbs, nouns, idioms) and to
drop rule cues the tagger is sure are not cues.

One feature function, ``sentence_features``, serves both training and run time, so the model
always sees the features it was trained on. The model is loaded once per process
(``tagger()``); a missing model file or a missing ``pycrfsuite`` turns the tagger off rather
than failing the pipeline.
"""

from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

from spacy.tokens import Doc

if TYPE_CHECKING:
    from spacy.tokens import Span as SpacySpan

MODEL_FILE = "cue_tagger.crfsuite"
ROLES = ("CUE", "SRC", "CON")
# Shorter strings are cheaper to build and look up: these are the feature-name prefixes.
NEIGHBOURS = (-2, -1, 1, 2)
NEIGHBOUR_NAMES = {offset: f"{offset}" for offset in NEIGHBOURS}


@dataclass(frozen=True, slots=True)
class TaggedSpan:
    role: str  # CUE | SRC | CON
    start: int  # token indices in the doc, end exclusive
    end: int
    confidence: float  # the lowest marginal probability of its tags


@functools.cache
def lexicon_sets() -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
    """Lemmas the rule lexicon lists as verb, noun, adverb and light cues."""
    from .attribution import cue_lexicon

    lex = cue_lexicon()
    return frozenset(lex.verbs), frozenset(lex.nouns), frozenset(lex.adverbs), frozenset(lex.light)


def quote_mask(doc: Doc, quotes: list[tuple[int, int]] | None = None) -> list[bool]:
    """Whether each token lies inside a quotation (as the attribution stage finds them)."""
    if quotes is None:
        from .attribution import find_quotes

        quotes = find_quotes(doc.text)
    mask = [False] * len(doc)
    if not quotes:
        return mask
    starts = [t.idx for t in doc]
    for q_start, q_end in quotes:
        for i in range(bisect.bisect_left(starts, q_start), bisect.bisect_left(starts, q_end)):
            mask[i] = True
    return mask


class _Strings:
    """Feature strings by (prefix, string hash), built once per process: features are made
    from the doc's attribute arrays without creating a string per token per feature."""

    def __init__(self, doc: Doc) -> None:
        self.store = doc.vocab.strings
        self.cache: dict[tuple[str, int], str] = {}
        self.lemmas: dict[int, str] = {}

    def lemma(self, key: int) -> str:
        text = self.lemmas.get(key)
        if text is None:
            text = self.lemmas[key] = self.store[key].lower()
        return text

    def get(self, prefix: str, key: int) -> str:
        text = self.cache.get((prefix, key))
        if text is None:
            value = self.lemma(key) if prefix in LEMMA_PREFIXES else self.store[key]
            text = self.cache[(prefix, key)] = prefix + value
        return text


LEMMA_PREFIXES = frozenset({"l=", "hl=", "-2", "-1", "1", "2"})
_STRINGS: list[_Strings] = []


def _strings(doc: Doc) -> _Strings:
    if not _STRINGS or _STRINGS[0].store is not doc.vocab.strings:
        _STRINGS[:] = [_Strings(doc)]
    return _STRINGS[0]


def doc_features(doc: Doc, in_quote: list[bool], rule_roles: list[str]) -> list[list[str] | None]:
    """Each token's own features (None for spaces), from the doc's attribute arrays.

    ``rule_roles`` holds, per token, the role the attribution rules gave it ("C" cue, "S"
    source, "T" content, "" none): the tagger learns where the rules go wrong."""
    from spacy.attrs import DEP, ENT_TYPE, HEAD, IS_SPACE, LEMMA, LOWER, POS, SHAPE, TAG

    verbs, nouns, adverbs, light = lexicon_sets()
    strings = _strings(doc)
    get = strings.get
    columns = doc.to_array([LOWER, LEMMA, POS, TAG, DEP, ENT_TYPE, SHAPE, IS_SPACE]).tolist()
    heads = doc.to_array(HEAD).view("int64").tolist()  # offsets to the head, may be negative
    children: list[list[str]] = [[] for _ in columns]
    for i, head in enumerate(heads):
        if head:
            children[i + head].append(get("c=", columns[i][4]))
    features: list[list[str] | None] = []
    for i, (lower, lemma, pos, tag, dep, ent, shape, space) in enumerate(columns):
        head = heads[i]
        if space:
            features.append(None)
            continue
        head_row = columns[i + head]
        lemma_text = strings.lemma(lemma)
        head_lemma = strings.lemma(head_row[1])
        words = [
            get("w=", lower), get("l=", lemma), get("p=", pos), get("t=", tag), get("d=", dep),
            get("hl=", head_row[1]), get("hp=", head_row[2]), get("d=", dep) + get("|", head_row[2]),
            get("s=", shape), "q" if in_quote[i] else "nq", "r=" + rule_roles[i],
        ]
        if lemma_text in verbs:
            words.append("LV")
        if lemma_text in nouns:
            words.append("LN")
        if lemma_text in adverbs:
            words.append("LA")
        if lemma_text in light:
            words.append("LL")
        if head_lemma in verbs:
            words.append("HLV")
        if ent:
            words.append(get("e=", ent))
        words.extend(children[i])
        features.append(words)
    return features


def sentence_features(sent: SpacySpan, features: list[list[str] | None]) -> tuple[list[int], list[list[str]]]:
    """The token indices (spaces left out) of ``sent`` and each token's feature strings: its
    own (``doc_features``) and its neighbours' lemma and part of speech. Shared by training
    and tagging."""
    indices = [i for i in range(sent.start, sent.end) if features[i] is not None]
    count = len(indices)
    items: list[list[str]] = []
    for position, i in enumerate(indices):
        words = list(features[i])  # type: ignore[arg-type]
        if position == 0:
            words.append("BOS")
        if position == count - 1:
            words.append("EOS")
        for offset in NEIGHBOURS:
            other = position + offset
            if 0 <= other < count:
                near = features[indices[other]]
                words.append(NEIGHBOUR_NAMES[offset] + near[1][2:])  # type: ignore[index]
                words.append(NEIGHBOUR_NAMES[offset] + near[2])  # type: ignore[index]
                words.append(NEIGHBOUR_NAMES[offset] + near[10])  # type: ignore[index]
        items.append(words)
    return indices, items


@dataclass(slots=True)
class Tagging:
    spans: list[TaggedSpan]
    not_cue: dict[int, float]  # token index of a rule cue -> P(tag O)


def decode(indices: list[int], tags: list[str], probabilities: list[float]) -> list[TaggedSpan]:
    """BIO tags (one per token index) to spans; an I- tag with no B- before it opens a span."""
    spans: list[TaggedSpan] = []
    role = None
    start = end = 0
    lowest = 1.0
    for index, tag, probability in zip(indices, tags, probabilities, strict=True):
        kind, _, tag_role = tag.partition("-")
        if role is not None and (kind != "I" or tag_role != role):
            spans.append(TaggedSpan(role, start, end, lowest))
            role = None
        if kind in {"B", "I"} and role is None:
            role, start, lowest = tag_role, index, 1.0
        if role is not None:
            end = index + 1
            lowest = min(lowest, probability)
    if role is not None:
        spans.append(TaggedSpan(role, start, end, lowest))
    return spans


class CueTagger:
    """The trained CRF, loaded once; ``tag(doc)`` gives the doc's tagged spans."""

    def __init__(self, model_path: str) -> None:
        import pycrfsuite

        self._tagger = pycrfsuite.Tagger()
        self._tagger.open(model_path)

    def tag(self, doc: Doc, features: list[list[str] | None]) -> Tagging:
        """Tagged spans of ``doc`` from its ``doc_features``, and how sure the tagger is that
        each token the rules call a cue is none."""
        tagging = Tagging([], {})
        tagger = self._tagger
        for sent in doc.sents:
            indices, items = sentence_features(sent, features)
            if not indices:
                continue
            tags = tagger.tag(items)
            # marginals only where they are read: inside tagged spans and on rule cues
            probabilities = [1.0 if tag == "O" else tagger.marginal(tag, position) for position, tag in enumerate(tags)]
            tagging.spans.extend(decode(indices, tags, probabilities))
            for position, i in enumerate(indices):
                if items[position][10] == "r=C":
                    tagging.not_cue[i] = tagger.marginal("O", position)
        return tagging


@functools.cache
def tagger() -> CueTagger | None:
    """The packaged tagger, or None when the model file or pycrfsuite is missing."""
    try:
        import pycrfsuite  # noqa: F401
    except ImportError:
        return None
    resource = resources.files("reportedly.data").joinpath(MODEL_FILE)
    if not resource.is_file():
        return None
    with resources.as_file(resource) as path:
        return CueTagger(str(path))
