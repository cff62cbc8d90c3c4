"""Train the attribution span tagger (``src/reportedly/data/cue_tagger.crfsuite``) on PolNeAR train.

Each PolNeAR article (brat standoff: Source, Cue, Content spans) is parsed with the project's
spaCy pipeline. The tok2vec vectors of the train tokens are clustered first (k-means, two
granularities, written to ``src/reportedly/data/cue_tagger_clusters.npz``): a token's cluster is
one of its features. Then every non-space token gets a BIO tag for CUE, SRC or CON from the gold span
that holds it, and a linear-chain CRF (python-crfsuite) is fitted per sentence over the
features of ``reportedly.cue_tagger.sentence_features`` -- the same function the attribution
stage calls at run time. Run on demand (about ten minutes on one core):

    .venv/bin/python scripts/train_cue_tagger.py [--polnear ../shared/eval/polnear/data/train]
        [--dev ../shared/eval/polnear/data/dev] [--cache /tmp/polnear-train.spacy]

Reads ../shared in place and writes only the model and cluster files. ``--cache`` keeps the parsed
articles (a DocBin outside the repository) so a re-run skips the parse; ``--dev`` prints
token-level precision, recall and F1 per role on the dev split.
"""

from __future__ import annotations

import argparse
import bisect
import time
from collections import Counter
from pathlib import Path

import numpy as np

from reportedly import cue_tagger
from reportedly.attribution import DocAttributions, cue_lexicon, learned_features
from reportedly.cue_tagger import decode, sentence_features

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "src" / "reportedly" / "data" / "cue_tagger.crfsuite"
CLUSTERS = ROOT / "src" / "reportedly" / "data" / cue_tagger.CLUSTERS_FILE
# Word classes: 64 coarse and 512 fine k-means centroids over a sample of train token vectors.
CLUSTER_SIZES = {"coarse": 64, "fine": 512}
CLUSTER_SAMPLE = 200_000
POLNEAR = ROOT.parent / "shared" / "eval" / "polnear" / "data"
LABELS = {"Cue": "CUE", "Source": "SRC", "Content": "CON"}
# L1 keeps the model small (most lexical features get zero weight); L2 smooths the rest.
PARAMS = {"c1": 1.0, "c2": 0.01, "max_iterations": 200, "feature.possible_transitions": True}


def read_spans(ann: Path) -> list[tuple[str, int, int, int]]:
    """(role, start, end, span id) of every gold piece; a discontinuous span keeps one id."""
    spans = []
    for number, line in enumerate(ann.read_text(encoding="utf-8").splitlines()):
        parts = line.split("\t")
        if len(parts) < 2 or not parts[0].startswith("T"):
            continue
        label, _, offsets = parts[1].partition(" ")
        if label not in LABELS:
            continue
        for piece in offsets.split(";"):
            start, end = piece.split()
            spans.append((LABELS[label], int(start), int(end), number))
    return spans


def articles(split: Path) -> list[tuple[str, Path]]:
    """(text name, .ann path) of every annotation; an article annotated twice counts twice."""
    pairs = []
    for ann in sorted((split / "attributions").glob("*.ann")):
        name = ann.stem.rsplit("_", 1)[0]
        if (split / "text" / f"{name}.txt").exists():
            pairs.append((name, ann))
    return pairs


def parsed(split: Path, names: list[str], cache: Path | None) -> dict:
    from spacy.tokens import DocBin

    from reportedly.nlp import load

    nlp = load()
    if cache is not None and cache.exists():
        docs = list(DocBin().from_disk(cache).get_docs(nlp.vocab))
        for doc in docs:  # a DocBin keeps no tensor: it travels in user_data
            doc.tensor = np.frombuffer(doc.user_data.pop("tensor"), dtype=np.float16).reshape(len(doc), -1).astype(np.float32)
        return {doc.user_data["name"]: doc for doc in docs}
    texts = [(split / "text" / f"{name}.txt").read_text(encoding="utf-8") for name in names]
    result = {}
    store = DocBin(store_user_data=True)
    for name, doc in zip(names, nlp.pipe(texts, batch_size=16), strict=True):
        doc.user_data["name"] = name
        result[name] = doc
        doc.user_data["tensor"] = doc.tensor.astype(np.float16).tobytes()
        store.add(doc)
        del doc.user_data["tensor"]
    if cache is not None:
        store.to_disk(cache)
    return result


def kmeans(vectors: np.ndarray, k: int, rng: np.random.Generator, iterations: int = 25) -> np.ndarray:
    """Lloyd's k-means; an emptied cluster restarts at a random vector."""
    centroids = vectors[rng.choice(len(vectors), k, replace=False)].copy()
    for _ in range(iterations):
        nearest = ((centroids * centroids).sum(1) - 2 * vectors @ centroids.T).argmin(1)
        for j in range(k):
            members = vectors[nearest == j]
            centroids[j] = members.mean(0) if len(members) else vectors[rng.integers(len(vectors))]
    return centroids


def derive_clusters(docs: dict, path: Path, seed: int = 0) -> None:
    """Cluster the train token vectors and write the centroids the tagger's features use."""
    rng = np.random.default_rng(seed)
    vectors = np.concatenate([doc.tensor for doc in docs.values()]).astype(np.float32)
    vectors = vectors[rng.choice(len(vectors), min(CLUSTER_SAMPLE, len(vectors)), replace=False)]
    np.savez(path, **{name: kmeans(vectors, k, rng) for name, k in CLUSTER_SIZES.items()})
    cue_tagger.token_clusters.cache_clear()
    print(f"{path}: {path.stat().st_size / 1e6:.2f} MB")


def token_tags(doc, spans: list[tuple[str, int, int, int]]) -> dict[int, tuple[str, int]]:
    """Token index -> (role, span id) for tokens whose first character lies in a gold span."""
    starts = [t.idx for t in doc]
    tags: dict[int, tuple[str, int]] = {}
    for role, start, end, number in spans:
        for i in range(bisect.bisect_left(starts, start), bisect.bisect_left(starts, end)):
            if not doc[i].is_space:
                tags[i] = (role, number)
    return tags


def features_of(doc) -> list:
    """The tagger's features of ``doc``: the rules run first, as in the attribution stage."""
    finder = DocAttributions(doc, cue_lexicon())
    finder.run()
    return learned_features(finder)


def sequences(doc, spans):
    """(features, BIO labels) per sentence of ``doc``."""
    tags = token_tags(doc, spans)
    features = features_of(doc)
    for sent in doc.sents:
        indices, items = sentence_features(sent, features)
        if not indices:
            continue
        labels = []
        previous = None
        for i in indices:
            tag = tags.get(i)
            if tag is None:
                labels.append("O")
            else:
                labels.append(("I-" if tag == previous else "B-") + tag[0])
            previous = tag
        yield items, labels


def train(split: Path, cache: Path | None, model: Path, params: dict) -> None:
    import pycrfsuite

    pairs = articles(split)
    docs = parsed(split, sorted({name for name, _ in pairs}), cache)
    derive_clusters(docs, CLUSTERS)
    trainer = pycrfsuite.Trainer(verbose=False)
    count = 0
    for name, ann in pairs:
        for items, labels in sequences(docs[name], read_spans(ann)):
            trainer.append(items, labels)
            count += 1
    trainer.set_params(params)
    started = time.perf_counter()
    trainer.train(str(model))
    print(f"trained on {count} sentences of {len(pairs)} annotations in {time.perf_counter() - started:.0f} s")
    print(f"{model}: {model.stat().st_size / 1e6:.2f} MB")


def score(split: Path, cache: Path | None, model: Path) -> None:
    import pycrfsuite

    tagger = pycrfsuite.Tagger()
    tagger.open(str(model))
    pairs = articles(split)
    docs = parsed(split, sorted({name for name, _ in pairs}), cache)
    hits, predicted, gold = Counter(), Counter(), Counter()
    for name, ann in pairs:
        doc = docs[name]
        gold_tags = {i: tag[0] for i, tag in token_tags(doc, read_spans(ann)).items() if doc[i].is_alpha}
        predicted_tags = {}
        features = features_of(doc)
        for sent in doc.sents:
            indices, items = sentence_features(sent, features)
            if not indices:
                continue
            tags = tagger.tag(items)
            for span in decode(indices, tags, [1.0] * len(tags)):
                for i in range(span.start, span.end):
                    if doc[i].is_alpha:
                        predicted_tags[i] = span.role
        for role in ("CUE", "SRC", "CON"):
            g = {i for i, r in gold_tags.items() if r == role}
            p = {i for i, r in predicted_tags.items() if r == role}
            hits[role] += len(g & p)
            predicted[role] += len(p)
            gold[role] += len(g)
    for role in ("CUE", "SRC", "CON"):
        precision = hits[role] / predicted[role] if predicted[role] else 0.0
        recall = hits[role] / gold[role] if gold[role] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        print(f"{role}: P {precision:.3f} R {recall:.3f} F1 {f1:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--polnear", type=Path, default=POLNEAR / "train", help="PolNeAR train split")
    parser.add_argument("--dev", type=Path, default=None, help="score the model on this split")
    parser.add_argument("--cache", type=Path, default=None, help="DocBin of the parsed train split")
    parser.add_argument("--dev-cache", type=Path, default=None, help="DocBin of the parsed dev split")
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--score-only", action="store_true", help="skip training")
    parser.add_argument("--c1", type=float, default=PARAMS["c1"], help="L1 weight (higher: smaller model)")
    args = parser.parse_args()
    if not (args.polnear / "attributions").is_dir():
        raise SystemExit(f"no PolNeAR split at {args.polnear}")
    if not args.score_only:
        train(args.polnear, args.cache, args.model, {**PARAMS, "c1": args.c1})
    if args.dev is not None:
        score(args.dev, args.dev_cache, args.model)


if __name__ == "__main__":
    main()
