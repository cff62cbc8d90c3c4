"""The article the project started from, end to end (issue 2's acceptance checks).

A captured Russian soldier says, in a video released by Ukrainian military intelligence, shared
by an X account and reported by a French outlet, that North Korean troops fired on Russian
positions in Kursk. Gold: ../shared/eval/warnews/seed.jsonl.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import EXAMPLE, FIXTURES, ROOT
from reportedly.records import Report


def friendly_fire(report: Report):
    shootings = [e for e in report.events if e.type == "ASSAULT" and e.mode == "firearms"]
    assert len(shootings) == 1, [(e.type, e.mode, e.evidence) for e in report.events]
    return shootings[0]


def figure(report: Report, text: str):
    found = [f for f in report.figures if f.text.lower() == text.lower()]
    assert found, [f.text for f in report.figures]
    return found[0]


def check_kursk(report: Report) -> None:
    event = friendly_fire(report)
    evidence = " ".join(m.evidence for m in event.mentions)
    assert "accidentally fired on Russian positions" in evidence
    assert "started shooting at us" in evidence
    assert "opened fire in the wrong direction" in evidence
    assert event.sentence in [m.sentence for m in event.mentions]
    assert "accidentally fired on Russian positions" in event.evidence
    assert (event.actor.country, event.actor.sector) == ("PRK", "military")
    assert (event.recipient.country, event.recipient.sector) == ("RUS", "military")
    assert event.friendly_fire is True
    assert event.location.admin1 == "RU-KRS"
    assert event.location.lat == pytest.approx(51.73, abs=0.3)
    assert event.location.lon == pytest.approx(36.19, abs=0.3)
    assert {"reportedly", "i believe"} & {h.lower() for h in event.hedges}
    assert event.certainty != "certain"

    chain = event.source_chain
    assert [link.role for link in chain] == ["origin", "relay", "relay", "relay", "publisher"]
    assert "soldier" in chain[0].name.lower() and chain[0].type == "person"
    assert chain[1].name == "Ukrainian military intelligence" and chain[1].type == "military"
    assert "Victoria" in chain[2].name and chain[2].type == "social_media"
    assert chain[3].name == "L'Independent" and chain[3].type == "media"

    troops = figure(report, "around 8,000")
    assert (troops.value.min, troops.value.max, troops.value.approx, troops.kind) == (8000, 8000, True, "troops")
    assert troops.source_chain[0].name == "Ukrainian military officials"
    over = figure(report, "over 20,000")
    assert (over.value.min, over.value.max, over.kind) == (20000, None, "casualties")
    assert over.hedges
    tens = figure(report, "tens of thousands")
    assert (tens.value.min, tens.value.max) == (20000, 90000)

    mobilize = [e for e in report.events if e.type == "MOBILIZE"]
    assert any(e.actor and e.actor.country == "PRK" and "8,000" in e.evidence for e in mobilize)
    incursion = [e for e in report.events if e.type == "ASSAULT" and "incursion" in e.trigger.text]
    assert incursion and incursion[0].date and incursion[0].date.start == "2024-08-06"
    assert incursion[0].actor.country == "UKR"


def test_kursk_text(kursk_report: Report):
    check_kursk(kursk_report)


def test_koreans_started_shooting_is_the_soldiers_words(kursk_report: Report):
    quote = "The Koreans started shooting at us"
    holders = [a for a in kursk_report.attributions if quote in a.content.text]
    assert holders, [a.content.text for a in kursk_report.attributions]
    assert "soldier" in (holders[0].source.resolved or "").lower()


def test_the_soldier_is_one_source_with_each_mention_listed_once(kursk_report: Report):
    (soldier,) = [s for s in kursk_report.sources if s.name == "captured Russian soldier"]
    offsets = [(m.start, m.end) for m in soldier.mentions]
    assert len(offsets) == len(set(offsets)), offsets
    # "A Russian soldier captured ...", "The soldier's", "the captured soldier", "I", ...
    assert len(offsets) >= 5
    assert all(a.source.source_id == soldier.id for a in kursk_report.attributions
               if a.source and a.source.text in ("the captured soldier", "I"))


def test_kursk_html_through_the_html_reader(pipeline):
    from reportedly.ingest import read_inputs

    items = list(read_inputs([str(FIXTURES / "kursk.html")]))
    assert len(items) == 1 and items[0].__class__.__name__ == "Article", items
    article = items[0]
    assert article.published == "2024-11-08"
    assert "Trending Now" not in article.text and "TRENDING NOW" not in article.text
    check_kursk(pipeline.analyze(article))


def test_cli_jsonl_validates_and_holds_the_event():
    import jsonschema

    result = subprocess.run(
        [sys.executable, "-m", "reportedly", "analyze", str(EXAMPLE), "--published", "2024-11-08", "--format", "jsonl"],
        capture_output=True, text=True, cwd=ROOT, check=True,
    )
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    schema = json.loads((ROOT / "src/reportedly/schema/report.schema.json").read_text())
    jsonschema.validate(record, schema)
    from reportedly.records import decode_report

    check_kursk(decode_report(lines[0]))
