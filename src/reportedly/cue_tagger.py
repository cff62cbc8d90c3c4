"""A learned tagger for attribution spans: a linear-chain CRF over spaCy token features.

PolNeAR labels every token once (cue, source, content or none), so its attributions read as a
tag sequence. ``scripts/train_cue_tagger.py`` fits a CRF (python-crfsuite) on PolNeAR train
with BIO tags for CUE, SRC and CON and writes ``data/cue_tagger.crfsuite``; the attribution
stage uses it to find the long tail of cues its rules miss (rare verbs, nouns, idioms); the
rules' own output is among its features, so it learns where they go wrong.

One feature function, ``sentence_features``, serves both training and run time, so the model
always sees the features it was trained on. Besides the parse, a token shows the tagger its
word class: the nearest of a few hundred centroids (``data/cue_tagger_clusters.npz``, k-means
over PolNeAR train, made by the same script) of its spaCy tok2vec vector (``doc.tensor``),
which lets the model generalise from "said" to verbs it never saw as cues. The model is loaded
once per process (``tagger()``); a missing model file or a missing ``pycrfsuite`` turns the
tagger off rather than failing the pipeline.
"""

from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np
from spacy.tokens import Doc
from threadpoolctl import ThreadpoolController

if TYPE_CHECKING:
    from spacy.tokens import Span as SpacySpan

MODEL_FILE = "cue_tagger.crfsuite"
CLUSTERS_FILE = "cue_tagger_clusters.npz"
ROLES = ("CUE", "SRC", "CON")
# How far up the tree a token looks for the verb that governs it ("av=" feature).
GOVERNOR_DEPTH = 6


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


def token_starts(doc: Doc) -> list[int]:
    """Each token's character offset (read off the doc's array, not token by token)."""
    from spacy.attrs import IDX

    return doc.to_array(IDX).tolist()


def quote_mask(doc: Doc, quotes: list[tuple[int, int]] | None = None) -> list[bool]:
    """Whether each token lies inside a quotation (as the attribution stage finds them)."""
    if quotes is None:
        from .attribution import find_quotes

        quotes = find_quotes(doc.text)
    mask = [False] * len(doc)
    if not quotes:
        return mask
    starts = token_starts(doc)
    for q_start, q_end in quotes:
        for i in range(bisect.bisect_left(starts, q_start), bisect.bisect_left(starts, q_end)):
            mask[i] = True
    return mask


@functools.cache
def cue_rates() -> dict[str, str]:
    """A listed cue lemma -> its PolNeAR cue rate as a feature ("cr=3": a cue in 30-40% of uses)."""
    from .attribution import cue_lexicon

    lex = cue_lexicon()
    rates: dict[str, str] = {}
    for table in (lex.adverbs, lex.nouns, lex.verbs):  # a verb's rate wins over a noun's
        for lemma, cue in table.items():
            rates[lemma] = f"cr={min(int(cue.rate * 10), 9)}"
    return rates


class TokenClusters:
    """Word classes from context: the nearest centroid of each token's tok2vec vector, at a
    coarse and a fine granularity (k-means centroids shipped as data)."""

    def __init__(self, coarse: np.ndarray, fine: np.ndarray) -> None:
        self.coarse, self.fine = coarse.astype(np.float32), fine.astype(np.float32)
        self.width = self.coarse.shape[1]
        # the nearest centroid c minimises ||c||^2 - 2 x.c: both centroid sets in one matrix
        # product, with -2c and ||c||^2 made once
        both = np.concatenate([self.coarse, self.fine])
        self._scale = np.ascontiguousarray((-2 * both).T)
        self._norms = (both * both).sum(1)
        self._split = len(self.coarse)
        # one BLAS thread: OpenBLAS's extra threads spin for a while after each product and
        # take the core the parse (or the other ingest worker) needs
        self._blas = ThreadpoolController()
        self.coarse_names = [f"k={j}" for j in range(len(self.coarse))]
        self.fine_names = [f"K={j}" for j in range(len(self.fine))]
        self.head_names = [f"hk={j}" for j in range(len(self.coarse))]
        self.before_names = [f"-1k={j}" for j in range(len(self.coarse))]
        self.after_names = [f"+1k={j}" for j in range(len(self.coarse))]

    def assign(self, doc: Doc) -> tuple[list[int], list[int]] | None:
        """Coarse and fine class of every token, or None when the doc carries no tok2vec
        tensor of the width the centroids were made from (another spaCy model)."""
        tensor = doc.tensor
        if tensor is None or tensor.ndim != 2 or tensor.shape != (len(doc), self.width):
            return None
        with self._blas.limit(limits=1, user_api="blas"):
            scores = np.asarray(tensor, dtype=np.float32) @ self._scale
        scores += self._norms
        split = self._split
        return scores[:, :split].argmin(1).tolist(), scores[:, split:].argmin(1).tolist()


@functools.cache
def token_clusters() -> TokenClusters | None:
    """The packaged centroids, or None when the file is absent."""
    resource = resources.files("reportedly.data").joinpath(CLUSTERS_FILE)
    if not resource.is_file():
        return None
    with resources.as_file(resource) as path, np.load(path) as arrays:
        return TokenClusters(arrays["coarse"], arrays["fine"])


def governing_verbs(heads: list[int], is_verb: list[bool]) -> list[int]:
    """For each token, the nearest verb above it in the parse (at most ``GOVERNOR_DEPTH``
    steps up; the last token reached otherwise), or -1 for the root itself."""
    governors = []
    for i in range(len(heads)):
        current, depth = heads[i], 0
        while heads[current] != current and not is_verb[current] and depth < GOVERNOR_DEPTH:
            current, depth = heads[current], depth + 1
        governors.append(current if current != i else -1)
    return governors


class _Named(dict):
    """Feature string by string-store hash ("l=" + the lemma), made at first sight and kept:
    features come from the doc's attribute arrays without building strings per token."""

    def __init__(self, store, prefix: str, lower: bool = False) -> None:
        super().__init__()
        self.store, self.prefix, self.lower = store, prefix, lower

    def __missing__(self, key: int) -> str:
        text = self.store[key]
        text = self[key] = self.prefix + (text.lower() if self.lower else text)
        return text


class _Strings:
    """The named feature strings of one vocabulary."""

    def __init__(self, doc: Doc) -> None:
        store = self.store = doc.vocab.strings
        self.lemma = _Named(store, "", lower=True)
        self.named = {prefix: _Named(store, prefix, lower=prefix in {"l=", "hl=", "av="})
                      for prefix in ("l=", "p=", "t=", "d=", "hl=", "hp=", "hd=", "|", "c=", "e=", "sb=", "av=")}


_STRINGS: list[_Strings] = []


@functools.cache
def _ids_in(store, names: tuple[str, ...]) -> frozenset[int]:
    return frozenset(store[name] for name in names)


def string_ids(doc: Doc, names: tuple[str, ...]) -> frozenset[int]:
    """The string-store ids of ``names`` (labels, tags, words), to compare with attribute
    arrays without making strings; kept per vocabulary."""
    return _ids_in(doc.vocab.strings, names)


def _strings(doc: Doc) -> _Strings:
    if not _STRINGS or _STRINGS[0].store is not doc.vocab.strings:
        _STRINGS[:] = [_Strings(doc)]
    return _STRINGS[0]


def lower_lemmas(doc: Doc) -> dict[int, str]:
    """Lower-case lemma by string-store hash, for the doc's vocabulary (cached across docs)."""
    return _strings(doc).lemma


def doc_features(doc: Doc, in_quote: list[bool], rule_roles: list[str]) -> list[list[str] | None]:
    """Each token's own features (None for spaces), from the doc's attribute arrays.

    ``rule_roles`` holds, per token, the role the attribution rules gave it ("C" cue, "S"
    source, "T" content, "" none): the tagger learns where the rules go wrong. The first
    three features are the ones a token shows its neighbours (lemma, part of speech, role)."""
    from spacy.attrs import DEP, ENT_TYPE, HEAD, IS_SPACE, LEMMA, POS, TAG

    verbs, nouns, adverbs, light = lexicon_sets()
    rates = cue_rates()
    strings = _strings(doc)
    lemmas = strings.lemma
    named = strings.named
    lemma_f, pos_f, tag_f, dep_f, head_lemma_f, head_pos_f, head_dep_f, pipe_f, child_f, ent_f, subject_f = (
        named[prefix] for prefix in ("l=", "p=", "t=", "d=", "hl=", "hp=", "hd=", "|", "c=", "e=", "sb=")
    )
    columns = doc.to_array([LEMMA, POS, TAG, DEP, ENT_TYPE, IS_SPACE]).tolist()
    subject_deps = string_ids(doc, ("nsubj", "nsubjpass"))
    heads = doc.to_array(HEAD).view("int64").tolist()  # offsets to the head, may be negative
    verb_pos = string_ids(doc, ("VERB", "AUX"))
    governors = governing_verbs([i + head for i, head in enumerate(heads)], [row[1] in verb_pos for row in columns])
    governor_f = named["av="]
    clusters = token_clusters()
    classes = clusters.assign(doc) if clusters is not None else None
    last = len(columns) - 1
    children: list[list[str]] = [[] for _ in columns]
    for i, head in enumerate(heads):
        if head:
            row = columns[i]
            children[i + head].append(child_f[row[3]])
            if row[3] in subject_deps:  # who the clause is about: a person, a pronoun, a thing
                children[i + head].append(subject_f[row[4]] if row[4] else subject_f[row[2]])
    features: list[list[str] | None] = []
    for i, (lemma, pos, tag, dep, ent, space) in enumerate(columns):
        if space:
            features.append(None)
            continue
        head_row = columns[i + heads[i]]
        lemma_text = lemmas[lemma]
        words = [
            lemma_f[lemma], pos_f[pos], "r=" + rule_roles[i],
            tag_f[tag], dep_f[dep], head_lemma_f[head_row[0]], head_pos_f[head_row[1]],
            head_dep_f[head_row[3]], dep_f[dep] + pipe_f[head_row[1]], "q" if in_quote[i] else "nq",
        ]
        if lemma_text in rates:
            words.append(rates[lemma_text])
        if lemma_text in verbs:
            words.append("LV")
        if lemma_text in nouns:
            words.append("LN")
        if lemma_text in adverbs:
            words.append("LA")
        if lemma_text in light:
            words.append("LL")
        if lemmas[head_row[0]] in verbs:
            words.append("HLV")
        if ent:
            words.append(ent_f[ent])
        words.extend(children[i])
        governor = governors[i]
        if governor >= 0:  # the verb a content word hangs from ("said" for the words it reports)
            governor_lemma = columns[governor][0]
            words.append(governor_f[governor_lemma])
            if lemmas[governor_lemma] in verbs:
                words.append("avLV")
        if classes is not None:
            coarse, fine = classes
            words += (clusters.coarse_names[coarse[i]], clusters.fine_names[fine[i]], clusters.head_names[coarse[i + heads[i]]])  # type: ignore[union-attr]
            if i:
                words.append(clusters.before_names[coarse[i - 1]])  # type: ignore[union-attr]
            if i < last:
                words.append(clusters.after_names[coarse[i + 1]])  # type: ignore[union-attr]
        features.append(words)
    return features


def sentence_features(sent: SpacySpan, features: list[list[str] | None]) -> tuple[list[int], list[list[str]]]:
    """The token indices (spaces left out) of ``sent`` and each token's feature strings: its
    own (``doc_features``) and its neighbours' lemma (one either side), part of speech and
    rule role (two either side). Shared by training and tagging."""
    indices = [i for i in range(sent.start, sent.end) if features[i] is not None]
    own = [features[i] for i in indices]
    count = len(indices)
    quoted = any(words[9] == "q" for words in own)  # type: ignore[index]
    items: list[list[str]] = []
    for position in range(count):
        words = list(own[position])  # type: ignore[arg-type]
        if position == 0:
            words.append("BOS")
        elif position == 1:
            words.append("BOS1")
        if position == count - 1:
            words.append("EOS")
        if quoted:
            words.append("SQ")
        if position >= 1:
            near = own[position - 1]
            words += ("-1" + near[0], "-1" + near[1], "-1" + near[2])  # type: ignore[index]
            if position >= 2:
                near = own[position - 2]
                words += ("-2" + near[1], "-2" + near[2])  # type: ignore[index]
        if position + 1 < count:
            near = own[position + 1]
            words += ("+1" + near[0], "+1" + near[1], "+1" + near[2])  # type: ignore[index]
            if position + 2 < count:
                near = own[position + 2]
                words += ("+2" + near[1], "+2" + near[2])  # type: ignore[index]
        items.append(words)
    return indices, items


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

    def tag(self, doc: Doc, features: list[list[str] | None]) -> list[TaggedSpan]:
        """Tagged spans of ``doc`` from its ``doc_features``."""
        spans: list[TaggedSpan] = []
        tagger = self._tagger
        for sent in doc.sents:
            indices, items = sentence_features(sent, features)
            if not indices:
                continue
            tags = tagger.tag(items)
            # marginals only where they are read: inside tagged spans
            probabilities = [1.0 if tag == "O" else tagger.marginal(tag, position) for position, tag in enumerate(tags)]
            spans.extend(decode(indices, tags, probabilities))
        return spans


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
