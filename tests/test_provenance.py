"""Provenance: attribution, source chain and certainty of hand-built events and figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportedly.attribution import AttributionStage
from reportedly.pipeline import Analysis
from reportedly.provenance import ProvenanceStage
from reportedly.records import Actor, Count, Document, Event, Figure, Span

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "kursk-friendly-fire.txt"


@pytest.fixture(scope="module")
def stages():
    return AttributionStage(), ProvenanceStage()


@pytest.fixture(scope="module")
def analyse(pipeline, stages):
    """Parse ``text``, find attributions, add an event at each ``triggers`` word and run provenance."""

    def run(text: str, triggers: list[str], outlet: str | None = "example.com", actor_country: str | None = None,
            hedges: list[str] | None = None) -> Analysis:
        analysis = Analysis(doc=pipeline.nlp(text), document=Document(id="t", text=text, outlet=outlet))
        stages[0](analysis)
        for number, word in enumerate(triggers, start=1):
            start = text.index(word)
            actor = Actor(text="x", name="x", country=actor_country, sector="military") if actor_country else None
            analysis.events.append(Event(
                id=f"e{number}", type="ASSAULT", trigger=Span(text=word, start=start, end=start + len(word)),
                sentence=0, evidence=text, actor=actor, hedges=list(hedges or []),
            ))
        stages[1](analysis)
        return analysis

    return run


def names(event: Event) -> list[tuple[str, str, str | None]]:
    return [(link.name, link.role, link.cue) for link in event.source_chain]


def test_unattributed_event_has_the_publisher_only(analyse):
    event = analyse("Russian artillery shelled the village overnight.", ["shelled"]).events[0]
    assert event.attribution is None
    assert names(event) == [("example.com", "publisher", None)]
    assert event.certainty == "certain"


def test_unknown_outlet_is_named_publisher(analyse):
    event = analyse("Russian artillery shelled the village overnight.", ["shelled"], outlet=None).events[0]
    assert names(event) == [("publisher", "publisher", None)]
    assert event.source_chain[0].type == "media"


def test_three_level_chain_origin_first(analyse):
    analysis = analyse(
        "Reuters reported that a Ukrainian commander said a captured soldier told him that "
        "Russian troops shelled the village.",
        ["shelled"],
    )
    event = analysis.events[0]
    told = next(a for a in analysis.attributions if a.cue.text == "told")
    assert event.attribution == told.id
    chain = names(event)
    assert [role for _, role, _ in chain] == ["origin", "relay", "relay", "publisher"]
    assert "soldier" in chain[0][0] and chain[0][2] == "told"
    assert "commander" in chain[1][0] and chain[1][2] == "said"
    assert chain[2] == ("Reuters", "relay", "reported")
    assert event.source_chain[2].type == "media"


def test_adverb_only_figure_is_hedged_with_the_publisher_chain(pipeline, stages):
    text = "Russia has reportedly suffered over 20,000 casualties in Kursk."
    analysis = Analysis(doc=pipeline.nlp(text), document=Document(id="t", text=text, outlet="example.com"))
    stages[0](analysis)
    start = text.index("over 20,000")
    analysis.figures.append(Figure(
        id="f1", text="over 20,000", span=Span(text="over 20,000", start=start, end=start + 11),
        value=Count(min=20000, approx=True, text="over 20,000"), kind="casualties", sentence=0, evidence=text,
    ))
    stages[1](analysis)
    figure = analysis.figures[0]
    assert figure.attribution is not None
    assert [link.role for link in figure.source_chain] == ["publisher"]
    assert "reportedly" in figure.hedges
    assert figure.certainty == "probable"


def test_claim_cue_lowers_certainty(analyse):
    plain = analyse("The governor said Russian drones struck the power plant.", ["struck"]).events[0]
    claimed = analyse("The governor claimed Russian drones struck the power plant.", ["struck"]).events[0]
    assert plain.certainty == "certain"
    assert claimed.certainty == "probable"


def test_denial_makes_it_uncertain(analyse):
    event = analyse("The ministry denied that its troops shelled the market.", ["shelled"]).events[0]
    assert event.source_chain[0].cue == "denied"
    assert event.certainty == "uncertain"


def test_anonymous_source_lowers_certainty(analyse):
    event = analyse("A source said Russian troops shelled the market.", ["shelled"]).events[0]
    assert event.source_chain[0].type == "anonymous"
    assert event.certainty == "probable"


def test_party_speaking_of_its_enemy_lowers_certainty(analyse):
    text = "Ukraine's General Staff said Russian troops shelled the market."
    enemy = analyse(text, ["shelled"], actor_country="RUS").events[0]
    assert enemy.source_chain[0].type == "military"
    assert enemy.certainty == "probable"
    own = analyse(text, ["shelled"], actor_country="UKR").events[0]
    assert own.certainty == "certain"


def test_captive_statement_lowers_certainty_and_hedges_add_up(analyse):
    text = "A captured soldier said his unit shelled the village."
    assert analyse(text, ["shelled"]).events[0].certainty == "probable"
    hedged = analyse(text, ["shelled"], hedges=["allegedly"]).events[0]
    assert hedged.certainty == "uncertain"


def test_kursk_friendly_fire_chain(analyse):
    text = EXAMPLE.read_text(encoding="utf-8")
    analysis = analyse(text, ["fired on Russian positions"], outlet=None, actor_country="PRK")
    event = analysis.events[0]
    chain = event.source_chain
    assert [(link.name, link.type, link.role) for link in chain] == [
        ("captured Russian soldier", "person", "origin"),
        ("Ukrainian military intelligence", "military", "relay"),
        ("Victoria", "social_media", "relay"),
        ("L'Independent", "media", "relay"),
        ("publisher", "media", "publisher"),
    ]
    assert [link.cue for link in chain[:4]] == ["says", "video released by", "shared by", "according to"]
    assert event.certainty != "certain"  # a captive's account


def test_unattributed_headline_takes_the_source_of_a_later_mention(pipeline, stages):
    from reportedly.records import Mention

    text = "Drones Hit Refinery\n\nThe governor said drones hit the refinery at dawn."
    analysis = Analysis(doc=pipeline.nlp(text), document=Document(id="t", text=text, outlet="example.com"))
    stages[0](analysis)
    first, second = text.index("Hit"), text.index("hit the")
    headline = Span(text="Hit", start=first, end=first + 3)
    body = Span(text="hit", start=second, end=second + 3)
    analysis.events.append(Event(
        id="e1", type="ASSAULT", trigger=headline, sentence=0, evidence="Drones Hit Refinery",
        mentions=[Mention(sentence=0, evidence="Drones Hit Refinery", trigger=headline),
                  Mention(sentence=1, evidence=text.split("\n\n")[1], trigger=body)],
    ))
    stages[1](analysis)
    event = analysis.events[0]
    assert [(link.name, link.role) for link in event.source_chain] == [("governor", "origin"), ("example.com", "publisher")]
