"""`reportedly eval chains`: nested source chains against MPQA (writer -> ... -> source).

The gold (``../shared/eval/mpqa-nested-sources/dev.json``) gives, for a target phrase in a
sentence, its nested source chain outermost first, ``w`` being the writer. We run the
AttributionStage over each article, take the innermost attribution whose content holds the
target, walk up its parents and compare the chain, writer first, with the gold.

- Repeated sources next to each other count once on both sides (MPQA repeats a source
  for "said" and the private state under it).
- A predicted link matches a gold link when they share a content word, reading both the
  source span as written and its resolved name (gold names are mention texts, sometimes
  the first full mention).
- chain accuracy: every link matches, in order, and the lengths agree (writer included);
  link P/R/F1: links below the writer, matched in order-free one-to-one fashion.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import click

from . import shared_dir

WORD = re.compile(r"[a-z0-9]+")
STOP = frozenset(
    ["the", "a", "an", "of", "and", "in", "on", "for", "to", "at", "by", "from", "with", "his", "her", "its", "their", "our", "my", "your", "this", "that", "these", "those", "mr", "mrs", "ms", "dr", "who", "which", "said"]
)


def words(text: str) -> set[str]:
    return {w for w in WORD.findall(text.lower()) if w not in STOP}


def collapse(chain: list) -> list:
    out: list = []
    for link in chain:
        if not out or out[-1] != link:
            out.append(link)
    return out


def clean_context(raw: str) -> str:
    """MPQA contexts keep escaped tabs and newlines as text: turn them into layout."""
    return raw.replace("\\t", " ").replace("\\n", "\n")


def locate(text: str, sentence: str, target: str) -> tuple[int, int] | None:
    at = text.find(sentence)
    if at >= 0:
        inner = sentence.find(target)
        if inner >= 0:
            return at + inner, at + inner + len(target)
    at = text.find(target)
    return (at, at + len(target)) if at >= 0 else None


def predicted_chain(attributions, by_id, start: int, end: int) -> list[set[str]]:
    """Source word sets, outermost first, for the innermost attribution holding [start, end)."""
    from ..provenance import ancestry, innermost

    holder = innermost(attributions, start, end)
    links: list[set[str]] = []
    previous = None
    for attribution in ancestry(holder, by_id):
        if attribution.source is None:
            continue
        key = attribution.source.source_id
        if key is not None and key == previous:
            continue
        previous = key
        links.append(words(attribution.source.text) | words(attribution.source.resolved or ""))
    return list(reversed(links))


def score_item(gold: list[str], predicted: list[set[str]]) -> tuple[bool, int, int, int]:
    """(exact chain match, matched links, predicted links, gold links) below the writer."""
    gold_links = [words(g) for g in collapse([g for g in gold if g != "w"])]
    matched, used = 0, set()
    for pred in predicted:
        for index, gold_words in enumerate(gold_links):
            if index not in used and pred & gold_words:
                used.add(index)
                matched += 1
                break
    exact = len(predicted) == len(gold_links) and all(p & g for p, g in zip(predicted, gold_links, strict=False))
    return exact, matched, len(predicted), len(gold_links)


def evaluate(path: Path, limit: int | None = None) -> dict:
    from ..attribution import AttributionStage
    from ..nlp import load
    from ..pipeline import Analysis
    from ..records import Document

    data = json.loads(path.read_text(encoding="utf-8"))
    items = list(data.items())[: limit or None]
    nlp = load()
    stage = AttributionStage()
    totals = {"items": 0, "exact": 0, "matched": 0, "predicted": 0, "gold": 0, "unlocated": 0}
    by_length: dict[int, list[int]] = {}
    started = time.perf_counter()
    texts = [(clean_context(entry["context"]), entry) for _, entry in items]
    for doc, entry in nlp.pipe(texts, as_tuples=True, batch_size=8):
        analysis = Analysis(doc=doc, document=Document(id="mpqa", text=doc.text))
        stage(analysis)
        by_id = {a.id: a for a in analysis.attributions}
        for extract in entry["extract"]:
            where = locate(doc.text, extract["text"], extract["question"])
            if where is None:
                totals["unlocated"] += 1
                continue
            chain = predicted_chain(analysis.attributions, by_id, *where)
            exact, matched, predicted, gold = score_item(extract["answer"], chain)
            totals["items"] += 1
            totals["exact"] += exact
            totals["matched"] += matched
            totals["predicted"] += predicted
            totals["gold"] += gold
            bucket = by_length.setdefault(gold + 1, [0, 0])
            bucket[0] += exact
            bucket[1] += 1
    precision = totals["matched"] / totals["predicted"] if totals["predicted"] else 0.0
    recall = totals["matched"] / totals["gold"] if totals["gold"] else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "documents": len(items),
        "seconds": round(time.perf_counter() - started, 1),
        "items": totals["items"],
        "unlocated": totals["unlocated"],
        "chain_accuracy": totals["exact"] / totals["items"] if totals["items"] else 0.0,
        "link_precision": precision,
        "link_recall": recall,
        "link_f1": f1,
        "accuracy_by_length": {k: (v[0] / v[1], v[1]) for k, v in sorted(by_length.items())},
    }


@click.command("chains")
@click.option("--mpqa", type=click.Path(path_type=Path), default=None,
              help="The nested-sources JSON (default: ../shared/eval/mpqa-nested-sources/dev.json).")
@click.option("--limit", type=int, default=None, help="Score only the first N documents.")
def command(mpqa: Path | None, limit: int | None) -> None:
    """Score nested source chains against MPQA (chain accuracy, per-link F1)."""
    if mpqa is None:
        shared = shared_dir()
        if shared is None:
            click.echo("../shared is absent: nothing to score (pass --mpqa FILE)")
            return
        mpqa = shared / "eval" / "mpqa-nested-sources" / "dev.json"
    if not mpqa.is_file():
        click.echo(f"no MPQA nested-source file at {mpqa}")
        return
    result = evaluate(mpqa, limit)
    click.echo(f"MPQA {mpqa.name}: {result['documents']} documents, {result['items']} targets "
               f"({result['unlocated']} not found in the text), {result['seconds']} s")
    click.echo(f"chain accuracy {result['chain_accuracy']:.3f}")
    click.echo(f"links: P {result['link_precision']:.3f}  R {result['link_recall']:.3f}  F1 {result['link_f1']:.3f}")
    for length, (accuracy, count) in result["accuracy_by_length"].items():
        click.echo(f"  chain length {length} (writer included): accuracy {accuracy:.3f} over {count}")
