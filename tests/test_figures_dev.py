"""Figures and event places against the warnews dev gold (../shared): recall, precision, kinds.

Runs the place, date and figure stages only (no events), so the score is this module's own.
A gold figure is found when a figure of the same sentence has the same minimum (or, for "up to"
figures, the same maximum); figures of kind "other" are not scored (gold-format.md).
"""

from __future__ import annotations

import json

import pytest

from conftest import ROOT
from reportedly.dates import DateStage
from reportedly.figures import FigureStage
from reportedly.pipeline import Analysis, Document, parse_published
from reportedly.places import PlaceStage

pytestmark = [pytest.mark.shared, pytest.mark.slow]


@pytest.fixture(scope="module")
def dev(shared, pipeline):
    golds = [json.loads(line) for name in ("seed.jsonl", "dev.jsonl") for line in (shared / "eval" / "warnews" / name).open(encoding="utf-8")]
    wanted = {g["id"] for g in golds}
    texts: dict[str, str] = {}
    for path in sorted((shared / "corpora" / "ukraine-war-news-2022").glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if any(w in line[:120] for w in wanted):
                    record = json.loads(line)
                    if record["id"] in wanted:
                        texts[record["id"]] = record["text"]
    stages = (PlaceStage(), DateStage(), FigureStage())
    analysed = []
    for gold in golds:
        path = ROOT / gold["id"]
        text = path.read_text(encoding="utf-8") if gold["id"].startswith("examples/") else texts.get(gold["id"])
        if text is None:
            continue
        analysis = Analysis(doc=pipeline.nlp(text), document=Document(id=gold["id"], text=text), published=parse_published(gold["published"]))
        for stage in stages:
            stage(analysis)
        analysed.append((gold, analysis))
    if not analysed:
        pytest.skip("no warnews gold article found in the shared corpus")
    return analysed


def test_dev_figures(dev):
    found = wrong_kind = missed = extra = 0
    for gold, analysis in dev:
        ours = [f for f in analysis.figures if f.kind != "other"]
        used: set[int] = set()
        for figure in gold["figures"]:
            match = next(
                (i for i, f in enumerate(ours) if i not in used and figure["snippet"][:40] in f.evidence
                 and (f.value.min == figure["min"] if figure["min"] is not None else f.value.max == figure["max"])),
                None,
            )
            if match is None:
                missed += 1
                continue
            used.add(match)
            found += 1
            wrong_kind += ours[match].kind != figure["kind"]
        extra += len(ours) - len(used)
    recall, precision = found / (found + missed), found / max(1, found + extra)
    print(f"figures: recall {recall:.2f}, precision {precision:.2f}, kind accuracy {1 - wrong_kind / max(1, found):.2f}")
    assert recall >= 0.8 and precision >= 0.9 and wrong_kind / max(1, found) <= 0.1


def test_dev_event_places(dev):
    right = wrong = 0
    for gold, analysis in dev:
        text = analysis.document.text
        for event in gold["events"]:
            location = event.get("location")
            if not location or not location.get("admin1"):
                continue
            anchor = text.find(event["snippet"][:30])
            named = [p for p in analysis.places if location["text"].lower() == text[p.start:p.end].lower()]
            if not named:
                continue  # "the area", "the plant": anaphora is the events stage's work
            nearest = min(named, key=lambda p: abs(p.start - anchor)).location
            if (nearest.country, nearest.admin1) == (location["country"], location["admin1"]):
                right += 1
            else:
                wrong += 1
    print(f"event places named as in the gold: {right} right, {wrong} wrong")
    assert right >= 20 and wrong <= right * 0.15
