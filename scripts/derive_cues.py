"""Derive the attribution cue lexicon (``src/reportedly/data/cues.tsv``) from PolNeAR train.

PolNeAR (brat standoff: Source, Cue, Content spans) marks every attribution cue in ~900 news
articles. For each cue span we take its head word's lemma and part of speech, count how often
that lemma is a cue and how often it occurs at all, and keep lemmas that are cues often enough
to be worth matching. Internal-state (cognition) lemmas, stance (claim/confirm/deny) and cues
the political corpus lacks but war reporting needs ("released", "video") come from small
hand-kept tables under ``data/attribution_*.tsv``.

    .venv/bin/python scripts/derive_cues.py [--polnear ../shared/eval/polnear/data/train]

Reads ../shared in place; writes only the derived table. Needs the spaCy model (tagger only).
"""

from __future__ import annotations

import argparse
import collections
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "reportedly" / "data"
DEFAULT_TRAIN = ROOT.parent / "shared" / "eval" / "polnear" / "data" / "train"

# Keep a lemma when it is a cue at least MIN_FREQ times and at least MIN_RATE of its uses.
MIN_FREQ = 3
MIN_RATE = 0.15
# Parts of speech a cue head can have, in the order we prefer them inside one cue span.
HEAD_POS = ("VERB", "NOUN", "ADJ", "ADV", "PUNCT")
KIND_OF_POS = {"VERB": "verb", "NOUN": "noun", "ADJ": "verb", "ADV": "adverb", "PUNCT": "punctuation"}


def read_spans(ann: Path, label: str) -> list[tuple[int, int]]:
    spans = []
    for line in ann.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) < 3 or not parts[1].startswith(label + " "):
            continue
        for piece in parts[1][len(label) + 1:].split(";"):
            start, end = piece.split()
            spans.append((int(start), int(end)))
    return spans


def cue_head(tokens) -> tuple[str, str] | None:
    """(lemma, kind) of a cue span's head; "according to" is its own kind."""
    words = [t for t in tokens if not t.is_space]
    lowered = [t.lower_ for t in words]
    if "according" in lowered:
        return "according to", "according_to"
    for pos in HEAD_POS:
        for token in words:
            if token.pos_ == pos and token.lemma_.lower() not in {"also", "not", "n't", "never", "publicly"}:
                lemma = token.lemma_.lower() if pos != "PUNCT" else token.text
                return lemma, KIND_OF_POS[pos]
    return None


def table(name: str) -> list[list[str]]:
    rows = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append([cell.strip() for cell in line.split("\t")])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--polnear", type=Path, default=DEFAULT_TRAIN)
    parser.add_argument("--out", type=Path, default=DATA / "cues.tsv")
    args = parser.parse_args()
    if not (args.polnear / "attributions").is_dir():
        raise SystemExit(f"PolNeAR train not found at {args.polnear}")

    from reportedly.nlp import load

    nlp = load()
    as_cue: collections.Counter[tuple[str, str]] = collections.Counter()
    overall: collections.Counter[tuple[str, str]] = collections.Counter()
    files = sorted((args.polnear / "attributions").glob("*.ann"))
    texts = []
    for ann in files:
        stem = ann.stem.rsplit("_", 1)[0]
        texts.append(((args.polnear / "text" / f"{stem}.txt").read_text(encoding="utf-8"), ann))
    with nlp.select_pipes(enable=["tok2vec", "tagger", "attribute_ruler", "lemmatizer"]):
        for doc, ann in nlp.pipe(texts, as_tuples=True, batch_size=16):
            for token in doc:
                pos = token.pos_
                if pos in KIND_OF_POS:
                    lemma = token.lemma_.lower() if pos != "PUNCT" else token.text
                    overall[(lemma, KIND_OF_POS[pos])] += 1
                if token.lower_ == "according":
                    overall[("according to", "according_to")] += 1
            for start, end in read_spans(ann, "Cue"):
                span = doc.char_span(start, end, alignment_mode="expand")
                head = cue_head(span) if span is not None else None
                if head:
                    as_cue[head] += 1

    internal = {row[0] for row in table("attribution_internal_state.tsv")}
    stance = {row[0]: row[1] for row in table("attribution_stance.tsv")}
    excluded = {row[0] for row in table("attribution_not_cues.tsv")}
    rows = []
    for (lemma, kind), freq in as_cue.items():
        rate = freq / max(overall[(lemma, kind)], freq)
        if lemma in excluded:
            continue
        if freq >= MIN_FREQ and rate >= MIN_RATE and (kind != "punctuation" or lemma in {":", "—", "–"}):
            rows.append((lemma, kind, freq, rate, "polnear"))
    known = {(r[0], r[1]) for r in rows}
    for extra in table("attribution_cues_extra.tsv"):
        lemma, kind = extra[0], extra[1]
        if (lemma, kind) not in known:
            rows.append((lemma, kind, as_cue[(lemma, kind)], 0.0, "extra"))
    rows.sort(key=lambda r: (-r[2], r[0]))
    with args.out.open("w", encoding="utf-8") as out:
        out.write("# Attribution cues, derived by scripts/derive_cues.py from PolNeAR train (do not edit by hand;\n")
        out.write("# add cues to attribution_cues_extra.tsv and re-run, or append rows below the derived ones).\n")
        out.write("# lemma<TAB>kind<TAB>internal_state<TAB>frequency<TAB>cue_rate<TAB>stance<TAB>origin\n")
        out.write("# kind: verb | noun | adverb | according_to | punctuation; internal_state: 1 for cognition\n")
        out.write("# (believe, fear); frequency: times a PolNeAR train cue; cue_rate: share of the lemma's uses\n")
        out.write("# that are cues; stance: claim | confirm | deny | neutral (used for certainty).\n")
        for lemma, kind, freq, rate, origin in rows:
            flag = "1" if lemma in internal else "0"
            out.write(f"{lemma}\t{kind}\t{flag}\t{freq}\t{rate:.3f}\t{stance.get(lemma, 'neutral')}\t{origin}\n")
    print(f"{len(rows)} cues written to {args.out}")


if __name__ == "__main__":
    main()
