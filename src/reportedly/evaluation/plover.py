"""`reportedly eval plover`: PLOVER event type accuracy on ../shared/eval/plover/PLOVER_GSR_CAMEO.txt.

The gold standard records (JSON list) give a sentence (``text``), its event words
(``eventText``) and the event type, in the codebook's earlier names for some types (DEMAND,
FIGHT, DISAPPROVE, INVESTIGATE), mapped here to today's (REQUEST, ASSAULT, ACCUSE, ACCUSE).
The prediction for a sentence is the event whose trigger overlaps the gold event words, else
the first event coded; no event counts as wrong. Reports accuracy, coverage and per-type recall.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import click

from . import shared_dir

RENAMED = {"DEMAND": "REQUEST", "FIGHT": "ASSAULT", "DISAPPROVE": "ACCUSE", "INVESTIGATE": "ACCUSE"}


def read_gold(path: Path) -> list[dict]:
    rows = json.loads(path.read_text(encoding="utf-8"))
    return [r for r in rows if r.get("event") and r["event"] != "DOCUMENT" and r.get("text")]


def predicted_type(events, text: str, event_text: str) -> str | None:
    at = text.find(event_text) if event_text else -1
    if at >= 0:
        for event in events:
            if any(at <= m.trigger.start < at + len(event_text) for m in event.mentions):
                return event.type
    return events[0].type if events else None


@click.command("plover")
@click.option("--shared", "shared_path", type=click.Path(path_type=Path), default=None)
@click.option("--verbose", "-v", is_flag=True, help="List the sentences coded wrong.")
def command(shared_path: Path | None, verbose: bool) -> None:
    """PLOVER type accuracy on the 322 gold sentences."""
    shared = shared_path or shared_dir()
    path = shared / "eval" / "plover" / "PLOVER_GSR_CAMEO.txt" if shared else None
    if path is None or not path.is_file():
        click.echo("../shared/eval/plover is absent: nothing to score (skipped).")
        return
    from ..pipeline import Pipeline, make_document
    from ..records import Article

    pipeline = Pipeline(stages=("events",))
    rows = read_gold(path)
    right = covered = 0
    per_type: Counter = Counter()
    per_type_right: Counter = Counter()
    docs = pipeline.nlp.pipe((r["text"] for r in rows), batch_size=32)
    for row, doc in zip(rows, docs, strict=True):
        gold = RENAMED.get(row["event"], row["event"])
        report = pipeline.run_stages(doc, make_document(Article(text=row["text"]), row["text"]))
        guess = predicted_type(report.events, row["text"], row.get("eventText", ""))
        covered += guess is not None
        per_type[gold] += 1
        if guess == gold:
            right += 1
            per_type_right[gold] += 1
        elif verbose:
            click.echo(f"  {gold:9} got {guess!s:9} {row['text'][:110]}")
    total = len(rows)
    click.echo(f"sentences: {total}  with an event: {covered} ({covered / total:.3f})")
    click.echo(f"type accuracy: {right}/{total} = {right / total:.3f}")
    click.echo("recall by type: " + ", ".join(f"{t} {per_type_right[t]}/{n}" for t, n in per_type.most_common()))
