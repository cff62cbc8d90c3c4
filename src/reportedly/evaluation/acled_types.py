"""`reportedly eval acled-types`: ACLED sub-event types on the CASE 2021 snippets.

../shared/eval/case2021-acled-subtypes/ holds news snippets labelled with an ACLED sub-event
type (``AIR_STRIKE``, ``ARMED_CLASH``, ...) or a non-ACLED class (``NATURAL_DISASTER``,
``ORG_CRIME``, ...). Each snippet is parsed and coded; the prediction is the ACLED subtype of its
first violent event (ASSAULT, then PROTEST, COERCE, the rest), or ``NONE`` when no event has one.
Reports accuracy over all snippets and over those whose gold is an ACLED type, plus a confusion
summary.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import click

from . import shared_dir

# ACLED sub-event type (as reportedly writes it) -> the CASE 2021 label.
CASE_LABELS: dict[str, str] = {
    "Armed clash": "ARMED_CLASH",
    "Government regains territory": "GOV_REGAINS_TERIT",
    "Non-state actor overtakes territory": "NON_STATE_ACTOR_OVERTAKES_TER",
    "Shelling/artillery/missile attack": "ART_MISS_ATTACK",
    "Air/drone strike": "AIR_STRIKE",
    "Remote explosive/landmine/IED": "REM_EXPLOS",
    "Grenade": "GRENADE",
    "Suicide bomb": "SUIC_BOMB",
    "Chemical weapon": "CHEM_WEAP",
    "Attack": "ATTACK",
    "Abduction/forced disappearance": "ABDUCT_DISSAP",
    "Sexual violence": "SEX_VIOL",
    "Peaceful protest": "PEACE_PROTEST",
    "Protest with intervention": "PROTEST_WITH_INTER",
    "Excessive force against protesters": "FORCE_AGAINST_PROTEST",
    "Violent demonstration": "VIOL_DEMONSTR",
    "Mob violence": "MOB_VIOL",
    "Agreement": "AGREEMENT",
    "Arrests": "ARREST",
    "Change to group/activity": "CHANGE_TO_GROUP_ACT",
    "Disrupted weapons use": "DISR_WEAP",
    "Headquarters or base established": "HQ_ESTABLISHED",
    "Looting/property destruction": "PROPERTY_DISTRUCT",
    "Non-violent transfer of territory": "NON_VIOL_TERRIT_TRANSFER",
    "Other": "OTHER",
}
NON_ACLED = {"NATURAL_DISASTER", "MAN_MADE_DISASTER", "ORG_CRIME", "ATTRIB", "DIPLO"}
TYPE_ORDER = ("ASSAULT", "PROTEST", "COERCE")


def read_snippets(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(rows, None)
        return [(row[1], row[2].strip()) for row in rows if len(row) >= 3]


def predict(events) -> str:
    ranked = sorted(
        (e for e in events if e.acled_subtype),
        key=lambda e: TYPE_ORDER.index(e.type) if e.type in TYPE_ORDER else len(TYPE_ORDER),
    )
    return CASE_LABELS.get(ranked[0].acled_subtype, "OTHER") if ranked else "NONE"


@click.command("acled-types")
@click.option("--shared", "shared_path", type=click.Path(path_type=Path), default=None)
@click.option("--limit", type=int, default=None, help="Score only the first N snippets.")
def command(shared_path: Path | None, limit: int | None) -> None:
    """ACLED sub-event type accuracy on the CASE 2021 snippets."""
    shared = shared_path or shared_dir()
    path = shared / "eval" / "case2021-acled-subtypes" / "test_set_final_release_with_labels.tsv" if shared else None
    if path is None or not path.is_file():
        click.echo("../shared/eval/case2021-acled-subtypes is absent: nothing to score (skipped).")
        return
    from ..pipeline import Pipeline

    pipeline = Pipeline(stages=("events",))  # the type needs the parse and the event stage only
    snippets = read_snippets(path)[:limit]
    confusion: Counter = Counter()
    right = acled_right = acled_total = predicted_any = 0
    reports = pipeline.nlp.pipe((text for text, _ in snippets), batch_size=32)
    from ..pipeline import make_document
    from ..records import Article

    for (text, gold), doc in zip(snippets, reports, strict=True):
        report = pipeline.run_stages(doc, make_document(Article(text=text), text))
        guess = predict(report.events)
        predicted_any += guess != "NONE"
        hit = guess == gold or (gold in NON_ACLED and guess == "NONE")
        right += hit
        if gold not in NON_ACLED:
            acled_total += 1
            acled_right += guess == gold
        if not hit:
            confusion[(gold, guess)] += 1
    total = len(snippets)
    click.echo(f"snippets: {total}  with a predicted ACLED subtype: {predicted_any}")
    click.echo(f"accuracy (all; non-ACLED gold counts right when nothing is predicted): {right / total:.3f}")
    if acled_total:
        click.echo(f"accuracy on ACLED-labelled snippets: {acled_right}/{acled_total} = {acled_right / acled_total:.3f}")
    click.echo("most frequent confusions (gold -> predicted):")
    for (gold, guess), count in confusion.most_common(12):
        click.echo(f"  {gold:30} -> {guess:30} {count}")
