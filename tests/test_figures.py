"""FigureStage: reported numbers, what they count, and what is not a figure."""

from __future__ import annotations

import pytest

from conftest import FIXTURES
from reportedly.dates import DateStage
from reportedly.figures import FigureStage
from reportedly.pipeline import Analysis, Document, parse_published


@pytest.fixture(scope="module")
def figures(pipeline):
    dates, stage = DateStage(), FigureStage()

    def run(text: str, published: str = "2024-11-08") -> list:
        analysis = Analysis(doc=pipeline.nlp(text), document=Document(id="t", text=text), published=parse_published(published))
        dates(analysis)
        stage(analysis)
        for figure in analysis.figures:
            assert text[figure.span.start:figure.span.end] == figure.text
        return analysis.figures

    return run


def _values(found) -> list[tuple]:
    return [(f.text, f.value.min, f.value.max, f.value.approx, f.kind) for f in found]


def test_kursk_figures(kursk_report):
    by_text = {f.text: f for f in kursk_report.figures}
    assert set(by_text) >= {"around ten", "two", "around 8,000", "over 20,000", "tens of thousands"}
    ten, two, eight, twenty, tens = (by_text[t] for t in ("around ten", "two", "around 8,000", "over 20,000", "tens of thousands"))
    assert (ten.kind, ten.value.min, ten.value.max, ten.value.approx) == ("troops", 10, 10, True)
    assert (two.kind, two.value.min, two.value.max) == ("casualties", 2, 2)
    assert (eight.kind, eight.value.min, eight.value.approx) == ("troops", 8000, True)
    assert eight.what == "North Korean soldiers stationed in the area"
    assert (twenty.kind, twenty.value.min, twenty.value.max, twenty.value.approx) == ("casualties", 20000, None, True)
    assert "reportedly" in twenty.hedges
    assert (tens.kind, tens.value.min, tens.value.max) == ("casualties", 20000, 90000)
    assert "around" in ten.hedges and "i believe" in two.hedges
    assert not any(f.text in ("9", "59", "2024", "08", "6") for f in kursk_report.figures)
    for figure in kursk_report.figures:
        assert figure.evidence and figure.evidence in kursk_report.document.text
        if figure.event is not None:
            assert figure.event in {e.id for e in kursk_report.events}


def test_strike_report_casualties_apart(figures):
    found = _values(figures((FIXTURES / "pokrovsk-strike.txt").read_text(encoding="utf-8"), "2024-01-12"))
    assert ("at least four", 4, None, True, "killed") in found
    assert ("11", 11, 11, False, "injured") in found
    assert ("two", 2, 2, False, "equipment") in found  # two S-300 missiles
    assert ("tens of thousands", 20000, 90000, True, "troops") in found
    assert not any(text in ("9", "15", "2022", "300") for text, *_ in found)  # time, model, year


def test_shelling_report(figures):
    found = figures((FIXTURES / "kharkiv-shelling.txt").read_text(encoding="utf-8"))
    values = _values(found)
    assert ("around 30", 30, 30, True, "injured") in values
    assert ("Some 8,000", 8000, 8000, True, "displaced") in values
    assert ("15", 15, 15, False, "equipment") in values
    assert not any(text in ("67", "30 km", "18", "10") for text, *_ in values)  # age, distance, date


@pytest.mark.parametrize(
    ("sentence", "text", "kind", "low", "high"),
    [
        ("Separatist officials said the attack killed 53 Ukrainian POWs and wounded another 75.", "53", "killed", 53, 53),
        ("Separatist officials said the attack killed 53 Ukrainian POWs and wounded another 75.", "another 75", "injured", 75, 75),
        ("The war has already killed or injured at least 1,500 civilians, the UN said.", "at least 1,500", "casualties", 1500, None),
        ("Russian combat losses stand at an estimated 19,000 personnel, the General Staff said.", "an estimated 19,000", "casualties", 19000, 19000),
        ("Both sides blamed each other for the deaths of dozens of prisoners of war.", "dozens", "killed", 24, None),
        ("The strike left 11 dead, the mayor said.", "11", "killed", 11, 11),
        ("The U.S. has sent more than $2.6 billion in security aid.", "more than $2.6 billion", "money", 2600000000, None),
        ("They could buy an initial 50 Ram II drones with the money.", "50", "equipment", 50, 50),
        ("Russia has massed as many as 100,000 troops along the border.", "as many as 100,000", "troops", None, 100000),
        ("Two American volunteers have been held by separatists since June.", "Two", "captured", 2, 2),
        ("Millions of refugees have fled to Poland and Slovakia.", "Millions", "displaced", 2000000, None),
    ],
)
def test_kinds_and_values(figures, sentence, text, kind, low, high):
    found = {f.text: f for f in figures(sentence)}
    assert text in found
    assert (found[text].kind, found[text].value.min, found[text].value.max) == (kind, low, high)


@pytest.mark.parametrize(
    "sentence",
    [
        "The 19-km bridge opened in 2018 at 9:15 a.m.",
        "A 67-year-old woman and a man aged 45 were hurt.",
        "Prices rose 12% as Article 5 was invoked on day 100 of the war.",
        "The 155 mm shells and the S-300 and Su-25 were mentioned.",
        "No one was hurt, and one of their vehicles burned.",
    ],
)
def test_not_figures(figures, sentence):
    assert _values(figures(sentence)) == []


def test_elided_nouns_inherit_the_kind_told_before(figures):
    found = {f.text: f for f in figures(
        "Russia has around 900,000 active-duty troops, compared to less than 200,000 in Ukraine. "
        "With about 280,000 soldiers in its army, Russia's troops more than double Ukraine's 125,600. He owns 3 cats."
    )}
    assert (found["less than 200,000"].kind, found["less than 200,000"].value.max) == ("troops", 200000)
    assert found["125,600"].kind == "troops"
    assert found["3"].kind == "other"  # a count with its own noun keeps it
