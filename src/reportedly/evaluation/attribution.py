"""`reportedly eval attribution`: source, cue and content spans against PolNeAR (brat standoff).

Each PolNeAR article is parsed as it stands (no cleaning, so offsets line up) and run through
the AttributionStage alone (rules and learned cue tagger; ``--rules-only`` leaves the tagger out). For each role (source, cue, content):

- exact: a predicted span counts when a gold span of the same role has the same offsets
  after trimming spaces and edge punctuation (discontinuous gold spans join their pieces);
- token: precision/recall over word tokens (``\\w+``; punctuation is not scored) labelled with
  the role, micro-averaged over the corpus. PolNeAR gives each token one label, so a
  predicted token keeps only its strongest role (cue, then source, then content).

Our attributions nest (a quote inside a quote, a speech act inside the medium that relays it);
PolNeAR's do not, so ours are projected onto one layer first (``univocal``): a noun or adverb
cue framing a reporting verb ("in a statement released by the campaign, X said ...") gives
way to the verb, then only the outermost attributions are kept.

Default data: ``../shared/eval/polnear/data/dev``.
"""

from __future__ import annotations

import bisect
import re
import time
from collections import Counter
from pathlib import Path

import click

from . import shared_dir

ROLES = ("cue", "source", "content")
WORD = re.compile(r"\w+")
FRAMING_KINDS = frozenset({"noun", "adverb"})
EDGE = " \t\n\r.,;:!?\"“”‘’'()[]—–-"


Pieces = tuple[tuple[int, int], ...]


def read_brat(ann: Path) -> tuple[dict[str, tuple[str, Pieces]], list[list[str]]]:
    """A brat file's text-bound spans (id -> lower-case label, pieces) and its events
    (``E1 Attribution:T4 Cue:T2 Source:T1 ...`` as argument lists)."""
    spans: dict[str, tuple[str, Pieces]] = {}
    events: list[list[str]] = []
    for line in ann.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) < 2:
            continue
        if parts[0].startswith("T"):
            label, _, offsets = parts[1].partition(" ")
            pieces = tuple((int(a), int(b)) for a, b in (piece.split() for piece in offsets.split(";")))
            spans[parts[0]] = (label.lower(), pieces)
        elif parts[0].startswith("E"):
            events.append(parts[1].split())
    return spans, events


def read_gold(ann: Path) -> dict[str, list[Pieces]]:
    """Gold spans by role; each span is a tuple of (start, end) pieces."""
    spans: dict[str, list[Pieces]] = {role: [] for role in ROLES}
    for role, pieces in read_brat(ann)[0].values():
        if role in spans:
            spans[role].append(pieces)
    return spans


def read_gold_attributions(ann: Path) -> list[dict[str, Pieces]]:
    """Gold attributions (brat events): for each, role -> pieces of the roles it has."""
    spans, events = read_brat(ann)
    attributions = []
    for arguments in events:
        roles = {}
        for argument in arguments:
            role, pieces = spans.get(argument.partition(":")[2], ("", ()))
            if role in ROLES:
                roles[role] = pieces
        attributions.append(roles)
    return attributions


def word_indices(word_starts: list[int], pieces: Pieces) -> list[int]:
    """The word tokens (indices into ``word_starts``) that start inside ``pieces``."""
    return [i for start, end in pieces
            for i in range(bisect.bisect_left(word_starts, start), bisect.bisect_left(word_starts, end))]


def tally_losses(text: str, gold: list[dict], predicted: dict, losses: Counter) -> None:
    """Where cue and source tokens are lost: gold tokens missed in attributions we find (their
    cue overlaps one of ours: a span-extent error) or in attributions we miss altogether, and
    our tokens outside any gold span of the role (attributions PolNeAR does not mark)."""
    word_starts = [m.start() for m in WORD.finditer(text)]
    predicted_labels = token_labels(text, predicted, word_starts)

    def tokens(pieces: Pieces) -> set[int]:
        return set(word_indices(word_starts, pieces))

    predicted_cue = {i for i, role in predicted_labels.items() if role == "cue"}
    gold_tokens: dict[str, set[int]] = {"cue": set(), "source": set()}
    for attribution in gold:
        found = bool(tokens(attribution.get("cue", ())) & predicted_cue)
        for role in gold_tokens:
            held = tokens(attribution.get(role, ()))
            gold_tokens[role] |= held
            missed = sum(1 for i in held if predicted_labels.get(i) != role)
            losses[(role, "missed in found attributions" if found else "missed in missed attributions")] += missed
    for role, held in gold_tokens.items():
        ours = {i for i, label in predicted_labels.items() if label == role}
        losses[(role, "predicted outside gold")] += len(ours - held)


def normalise(text: str, pieces) -> tuple[int, int] | None:
    start, end = min(p[0] for p in pieces), max(p[1] for p in pieces)
    while start < end and text[start] in EDGE:
        start += 1
    while end > start and text[end - 1] in EDGE:
        end -= 1
    return (start, end) if end > start else None


class Tally:
    def __init__(self) -> None:
        self.true_pos = 0
        self.predicted = 0
        self.gold = 0

    def add(self, true_pos: int, predicted: int, gold: int) -> None:
        self.true_pos += true_pos
        self.predicted += predicted
        self.gold += gold

    def scores(self) -> tuple[float, float, float]:
        precision = self.true_pos / self.predicted if self.predicted else 0.0
        recall = self.true_pos / self.gold if self.gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1


def univocal(attributions) -> list:
    """The outermost attributions: PolNeAR labels each token once, so it leaves out attributions
    nested inside another's content (a quote inside a quote); ours are projected the same way."""
    framing = [a for a in attributions if a.cue.kind in FRAMING_KINDS and any(
        other.cue.kind == "verb" and a.content.start <= other.cue.start < a.content.end for other in attributions
    )]
    # a medium or adverb framing a speech act ("in a statement released by the campaign, X said
    # ...") is not what PolNeAR marks: the speech act inside it is
    outer = [a for a in attributions if not any(a is f for f in framing)]
    kept = []
    for attribution in outer:
        cue = attribution.cue.start
        if not any(other is not attribution and other.content.start <= cue < other.content.end for other in outer):
            kept.append(attribution)
    return kept


def predicted_spans(attributions) -> dict[str, list[tuple[tuple[int, int], ...]]]:
    spans: dict[str, list] = {role: [] for role in ROLES}
    for attribution in univocal(attributions):
        spans["cue"].append(((attribution.cue.start, attribution.cue.end),))
        spans["content"].append(((attribution.content.start, attribution.content.end),))
        if attribution.source is not None:
            spans["source"].append(((attribution.source.start, attribution.source.end),))
    return spans


def token_labels(text: str, spans: dict[str, list], word_starts: list[int]) -> dict[int, str]:
    """Word-token index -> role, the strongest role winning (cue > source > content)."""
    labels: dict[int, str] = {}
    for role in reversed(ROLES):  # content first, so cue and source overwrite it
        for pieces in spans[role]:
            for index in word_indices(word_starts, pieces):
                labels[index] = role
    return labels


def score_document(text: str, gold: dict, predicted: dict, exact: dict[str, Tally], token: dict[str, Tally]) -> None:
    for role in ROLES:
        gold_exact = Counter(filter(None, (normalise(text, p) for p in gold[role])))
        pred_exact = Counter(filter(None, (normalise(text, p) for p in predicted[role])))
        matched = sum((gold_exact & pred_exact).values())
        exact[role].add(matched, sum(pred_exact.values()), sum(gold_exact.values()))
    word_starts = [m.start() for m in WORD.finditer(text)]
    gold_labels = token_labels(text, gold, word_starts)
    pred_labels = token_labels(text, predicted, word_starts)
    for role in ROLES:
        gold_tokens = {i for i, r in gold_labels.items() if r == role}
        pred_tokens = {i for i, r in pred_labels.items() if r == role}
        token[role].add(len(gold_tokens & pred_tokens), len(pred_tokens), len(gold_tokens))


def evaluate(polnear: Path, limit: int | None = None, learned: bool = True) -> dict:
    from ..attribution import AttributionStage
    from ..nlp import load
    from ..pipeline import Analysis
    from ..records import Document

    nlp = load()
    stage = AttributionStage(learned=learned)
    anns = sorted((polnear / "attributions").glob("*.ann"))[: limit or None]
    pairs = []
    for ann in anns:
        text_path = polnear / "text" / (ann.stem.rsplit("_", 1)[0] + ".txt")
        if text_path.exists():
            pairs.append((text_path.read_text(encoding="utf-8"), ann))
    exact = {role: Tally() for role in ROLES}
    token = {role: Tally() for role in ROLES}
    losses: Counter = Counter()
    started = time.perf_counter()
    for doc, ann in nlp.pipe(pairs, as_tuples=True, batch_size=16):
        analysis = Analysis(doc=doc, document=Document(id=ann.stem, text=doc.text))
        stage(analysis)
        text, predicted = doc.text, predicted_spans(analysis.attributions)
        score_document(text, read_gold(ann), predicted, exact, token)
        tally_losses(text, read_gold_attributions(ann), predicted, losses)
    return {
        "documents": len(pairs),
        "seconds": round(time.perf_counter() - started, 1),
        "exact": {role: exact[role].scores() for role in ROLES},
        "token": {role: token[role].scores() for role in ROLES},
        "losses": {f"{role} {kind}": count for (role, kind), count in sorted(losses.items())},
    }


@click.command("attribution")
@click.option("--polnear", type=click.Path(path_type=Path), default=None,
              help="A PolNeAR split folder holding text/ and attributions/ (default: ../shared dev).")
@click.option("--limit", type=int, default=None, help="Score only the first N articles.")
@click.option("--rules-only", is_flag=True, help="Leave out the learned cue tagger (the rules alone).")
@click.option("--explain", is_flag=True,
              help="Also say where cue and source tokens are lost (found vs missed attributions).")
def command(polnear: Path | None, limit: int | None, rules_only: bool, explain: bool) -> None:
    """Score attribution spans (source, cue, content) against PolNeAR brat files."""
    if polnear is None:
        shared = shared_dir()
        if shared is None:
            click.echo("../shared is absent: nothing to score (pass --polnear DIR)")
            return
        polnear = shared / "eval" / "polnear" / "data" / "dev"
    if not (polnear / "attributions").is_dir():
        click.echo(f"no PolNeAR split at {polnear} (expected text/ and attributions/)")
        return
    result = evaluate(polnear, limit, learned=not rules_only)
    click.echo(f"PolNeAR {polnear.name}: {result['documents']} documents, {result['seconds']} s")
    click.echo(f"{'role':<8} {'exact P':>8} {'R':>6} {'F1':>6}   {'token P':>8} {'R':>6} {'F1':>6}")
    for role in ROLES:
        ep, er, ef = result["exact"][role]
        tp, tr, tf = result["token"][role]
        click.echo(f"{role:<8} {ep:8.3f} {er:6.3f} {ef:6.3f}   {tp:8.3f} {tr:6.3f} {tf:6.3f}")
    if explain:
        click.echo("where word tokens are lost (a found attribution is one whose gold cue we tag):")
        for name, count in result["losses"].items():
            click.echo(f"  {name:<42} {count:>7,}")
