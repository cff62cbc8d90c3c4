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
# Light-verb cues: a noun or adjective closed by one of these prepositions.
LIGHT_POS = frozenset({"NOUN", "ADJ"})
LIGHT_PREPS = frozenset({"about", "on", "of", "for", "to", "with", "over", "against", "behind"})
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


def light_word(token) -> tuple[str, str] | None:
    """(lemma, pos) of a noun or adjective followed by its preposition ("support for",
    "questions about", "critical of"): the shape of a light-verb cue."""
    doc = token.doc
    if token.pos_ not in LIGHT_POS or token.i + 1 >= len(doc) or doc[token.i + 1].lower_ not in LIGHT_PREPS:
        return None
    return token.lemma_.lower(), token.pos_


def light_head(span) -> tuple[str, str] | None:
    """The noun or adjective before a cue span's closing preposition ("raised questions about")."""
    words = [t for t in span if not t.is_space and not t.is_punct]
    if len(words) < 2 or words[-1].lower_ not in LIGHT_PREPS:
        return None
    return light_word(words[-2])


def write_light(light_cue, light_overall, out: Path) -> None:
    excluded = {row[0] for row in table("attribution_not_cues.tsv")}  # "attack on" is physical in war news
    rows = []
    for (lemma, pos), freq in light_cue.items():
        rate = freq / max(light_overall[(lemma, pos)], freq)
        if freq >= MIN_FREQ and rate >= MIN_RATE and lemma not in excluded:
            rows.append((lemma, pos, freq, rate))
    rows.sort(key=lambda r: (-r[2], r[0]))
    with out.open("w", encoding="utf-8") as handle:
        handle.write("# Light-verb cue words, derived by scripts/derive_cues.py from PolNeAR train: a noun or\n")
        handle.write("# adjective that, followed by a preposition, closes a cue span (\"raised questions about\",\n")
        handle.write("# \"has thrown his support behind\", \"is critical of\").\n")
        handle.write("# lemma<TAB>pos<TAB>frequency<TAB>cue_rate (share of its uses before a preposition inside a cue)\n")
        for lemma, pos, freq, rate in rows:
            handle.write(f"{lemma}\t{pos}\t{freq}\t{rate:.3f}\n")
    print(f"{len(rows)} light cue words written to {out}")


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
    light_cue: collections.Counter[tuple[str, str]] = collections.Counter()
    light_overall: collections.Counter[tuple[str, str]] = collections.Counter()
    with nlp.select_pipes(enable=["tok2vec", "tagger", "attribute_ruler", "lemmatizer"]):
        for doc, ann in nlp.pipe(texts, as_tuples=True, batch_size=16):
            for token in doc:
                pos = token.pos_
                if pos in KIND_OF_POS:
                    lemma = token.lemma_.lower() if pos != "PUNCT" else token.text
                    overall[(lemma, KIND_OF_POS[pos])] += 1
                if token.lower_ == "according":
                    overall[("according to", "according_to")] += 1
                light = light_word(token)
                if light:
                    light_overall[light] += 1
            for start, end in read_spans(ann, "Cue"):
                span = doc.char_span(start, end, alignment_mode="expand")
                head = cue_head(span) if span is not None else None
                if head:
                    as_cue[head] += 1
                light = light_head(span) if span is not None else None
                if light:
                    light_cue[light] += 1
    write_light(light_cue, light_overall, args.out.parent / "attribution_light_cues.tsv")

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
