"""The event stage: triggers, status, actors, one event per happening, place and date assignment.

Texts are written for these tests, shaped like wire copy. The stage runs on the real parse; places
are given by hand where the test is about assigning them (so it does not depend on the gazetteer).
"""

from __future__ import annotations

from datetime import date

import pytest

from reportedly.events import EventStage
from reportedly.pipeline import Analysis, DateMention, PlaceMention, make_document
from reportedly.records import Article, Event, Location, When


@pytest.fixture(scope="module")
def stage() -> EventStage:
    return EventStage()


def analysis_of(pipeline, text: str, published: str = "2024-03-15", places=(), dates=()) -> Analysis:
    doc = pipeline.nlp(text)
    document = make_document(Article(text=text, published=published), text)
    analysis = Analysis(doc=doc, document=document, published=date.fromisoformat(published))
    analysis.places = list(places)
    analysis.dates = list(dates)
    return analysis


def events_of(pipeline, stage, text: str, **kwargs) -> list[Event]:
    analysis = analysis_of(pipeline, text, **kwargs)
    stage(analysis)
    return analysis.events


def place(text: str, doc_text: str, name: str, admin1: str, country: str = "UA", precision: str = "admin1") -> PlaceMention:
    start = doc_text.index(text)
    return PlaceMention(
        start=start, end=start + len(text),
        location=Location(text=text, name=name, country=country, admin1=admin1, precision=precision),  # type: ignore[arg-type]
    )


def only(events: list[Event], event_type: str) -> Event:
    found = [e for e in events if e.type == event_type]
    assert len(found) == 1, [(e.type, e.mode, e.trigger.text, e.evidence) for e in events]
    return found[0]


# -- status -----------------------------------------------------------------------------------
def test_negated_fire(pipeline, stage):
    text = "Ukrainian officials said Russian troops did not fire on the village overnight."
    event = only(events_of(pipeline, stage, text), "ASSAULT")
    assert event.status == "negated"
    assert event.actor.country == "RUS"


def test_asserted_fire_is_not_negated(pipeline, stage):
    text = "Ukrainian officials said Russian troops fired on the village overnight."
    event = only(events_of(pipeline, stage, text), "ASSAULT")
    assert event.status == "asserted"
    assert (event.mode, event.actor.country, event.actor.sector) == ("firearms", "RUS", "military")


def test_denied_strike(pipeline, stage):
    text = "Moscow denied striking the hospital in Kharkiv with cruise missiles."
    event = only(events_of(pipeline, stage, text), "ASSAULT")
    assert event.status == "denied"
    assert event.mode == "heavy-weapons"


def test_denial_in_a_later_sentence_marks_the_attack(pipeline, stage):
    text = (
        "Russian artillery shelled a market in the city of Kherson on Monday, killing five people. "
        "The Kremlin denied the accusation on Tuesday."
    )
    event = only(events_of(pipeline, stage, text), "ASSAULT")
    assert event.status == "denied"
    assert event.casualties.killed.min == 5


def test_hypothetical_strike(pipeline, stage):
    text = "Russian bombers could strike the port of Odesa, the analyst said."
    # Not an event by default (gold conventions: analysis, not news) ...
    assert events_of(pipeline, stage, text) == []
    # ... and coded "hypothetical" when asked for.
    event = only(events_of(pipeline, EventStage(hypothetical=True), text), "ASSAULT")
    assert event.status == "hypothetical"


def test_future_deployment(pipeline, stage):
    text = "Belarus will deploy 5,000 troops to its border with Ukraine next month."
    event = only(events_of(pipeline, stage, text), "MOBILIZE")
    assert event.status == "future"
    assert (event.mode, event.actor.country) == ("troops", "BLR")


def test_promised_aid_is_an_agreement(pipeline, stage):
    # gold-format.md: "will send" aid is AGREE (future cooperation), not an AID that happened.
    text = "Germany will send 20 more Leopard tanks to Ukraine, the chancellor said on Friday."
    events = events_of(pipeline, stage, text)
    assert not [e for e in events if e.type == "AID"]
    agree = only(events, "AGREE")
    assert (agree.actor.country, agree.recipient.country) == ("DEU", "UKR")


def test_delivered_aid(pipeline, stage):
    text = "The United States has delivered $400 million in military aid to Ukraine this month."
    event = only(events_of(pipeline, stage, text), "AID")
    assert (event.actor.country, event.recipient.country, event.status) == ("USA", "UKR", "asserted")


def test_threat_to_strike_is_not_an_attack(pipeline, stage):
    text = "Russia's former president threatened to strike Kyiv with hypersonic missiles."
    events = events_of(pipeline, stage, text)
    assert [e.type for e in events] == ["THREATEN"]


def test_expectation_is_not_an_event(pipeline, stage):
    text = "Analysts expect Russian forces to attack the town of Bakhmut again this summer."
    assert events_of(pipeline, stage, text) == []


# -- one event per happening ---------------------------------------------------------------------
STRIKE_TWICE = (
    "A Russian missile strike hit an apartment block in the city of Dnipro on Saturday, killing 12 people. "
    "Rescue workers searched the rubble through the night. "
    "Officials said the Russian missile strike on the apartment block was the deadliest in the region this year."
)


def test_a_strike_told_twice_is_one_event(pipeline, stage):
    places = [place("the city of Dnipro", STRIKE_TWICE, "Dnipro", "UA-12", precision="city")]
    events = events_of(pipeline, stage, STRIKE_TWICE, places=places)
    strike = only(events, "ASSAULT")
    assert [m.sentence for m in strike.mentions] == [0, 2]
    assert strike.mentions[0].sentence == strike.sentence
    assert (strike.mode, strike.actor.country) == ("heavy-weapons", "RUS")
    assert strike.acled_subtype == "Shelling/artillery/missile attack"
    assert strike.casualties.killed.min == 12
    assert strike.location.admin1 == "UA-12"


def test_two_strikes_in_two_places_stay_two(pipeline, stage):
    text = (
        "Russian drones struck an energy facility in the Odesa region on Sunday. "
        "Separately, Russian drones struck a school in the Sumy region on Monday."
    )
    places = [
        place("the Odesa region", text, "Odesa Oblast", "UA-51"),
        place("the Sumy region", text, "Sumy Oblast", "UA-59"),
    ]
    strikes = [e for e in events_of(pipeline, stage, text, places=places) if e.type == "ASSAULT"]
    assert sorted(e.location.admin1 for e in strikes) == ["UA-51", "UA-59"]
    assert all(e.mode == "drone" for e in strikes)


# -- place and date -----------------------------------------------------------------------------
def test_location_is_the_nearest_place_in_the_clause(pipeline, stage):
    text = "Officials in Kyiv said Russian artillery shelled the town of Kupiansk overnight."
    places = [
        place("Kyiv", text, "Kyiv", "UA-30", precision="city"),
        place("the town of Kupiansk", text, "Kupiansk", "UA-63", precision="city"),
    ]
    event = only(events_of(pipeline, stage, text, places=places), "ASSAULT")
    assert event.location.admin1 == "UA-63"


def test_a_country_named_as_a_participant_is_not_the_setting(pipeline, stage):
    text = "Moscow has leaned on allies like North Korea and has also sought drones from Iran."
    places = [
        place("North Korea", text, "North Korea", None, country="KP", precision="country"),
        place("Iran", text, "Iran", None, country="IR", precision="country"),
    ]
    request = only(events_of(pipeline, stage, text, places=places), "REQUEST")
    assert request.recipient.country == "IRN"
    assert request.location is None


def test_the_target_of_an_attack_is_its_setting(pipeline, stage):
    text = "Russian artillery shelled Kharkiv overnight."
    places = [place("Kharkiv", text, "Kharkiv", "UA-63", precision="city")]
    event = only(events_of(pipeline, stage, text, places=places), "ASSAULT")
    assert event.location.admin1 == "UA-63"


def test_location_from_the_sentence_before(pipeline, stage):
    text = (
        "Fighting continued around the town of Pokrovsk in the Donetsk region. "
        "Russian artillery shelled Ukrainian positions overnight, the general staff said."
    )
    places = [place("the town of Pokrovsk", text, "Pokrovsk", "UA-14", precision="city")]
    event = [e for e in events_of(pipeline, stage, text, places=places) if e.mode == "heavy-weapons"][0]
    assert event.location.admin1 == "UA-14"


def test_metonym_is_not_a_location(pipeline, stage):
    text = "Moscow deployed additional troops to the Belgorod region on Tuesday."
    places = [
        place("Moscow", text, "Moscow", "RU-MOW", country="RU", precision="city"),
        place("the Belgorod region", text, "Belgorod Oblast", "RU-BEL", country="RU"),
    ]
    event = only(events_of(pipeline, stage, text, places=places), "MOBILIZE")
    assert event.location.admin1 == "RU-BEL"
    assert event.actor.country == "RUS"


def test_date_mention_in_the_sentence(pipeline, stage):
    text = "Russian forces shelled the city of Kherson on Monday, the governor said."
    start = text.index("on Monday")
    dates = [DateMention(start=start, end=start + 9, when=When(text="on Monday", start="2024-03-11", end="2024-03-11"))]
    event = only(events_of(pipeline, stage, text, dates=dates), "ASSAULT")
    assert event.date.start == "2024-03-11"


def test_date_on_the_verb_the_event_hangs_from(pipeline, stage):
    text = "Zelensky on Thursday praised his troops and issued a warning to Russia."
    start = text.index("on Thursday")
    dates = [DateMention(start=start, end=start + 11, when=When(text="on Thursday", start="2024-03-14", end="2024-03-14"))]
    event = only(events_of(pipeline, stage, text, dates=dates), "THREATEN")
    assert event.date.start == "2024-03-14"


def test_past_event_without_date_has_none(pipeline, stage):
    text = "Russia has massed troops along the border."
    event = only(events_of(pipeline, stage, text), "MOBILIZE")
    assert event.date is None


def test_a_capital_as_the_party_of_a_threat_stands_for_its_country(pipeline, stage):
    text = "President Biden threatened Moscow with more sanctions."
    places = [place("Moscow", text, "Moscow", "RU-MOW", country="RU", precision="city")]
    event = only(events_of(pipeline, stage, text, places=places), "THREATEN")
    assert (event.actor.country, event.recipient.country) == ("USA", "RUS")


def test_aid_recipient_on_the_object(pipeline, stage):
    text = "Canada will provide a further aid package to Ukraine."
    places = [place("Ukraine", text, "Ukraine", None, precision="country")]
    event = only(events_of(pipeline, stage, text, places=places), "AGREE")
    assert event.recipient.country == "UKR"


def test_quoted_pronoun_retelling_is_a_mention_of_the_attack(pipeline, stage):
    text = (
        "Chechen fighters opened fire on Russian positions near the river, a captured soldier said. "
        "“I think they hit three of our men.”"
    )
    assaults = [e for e in events_of(pipeline, stage, text) if e.type == "ASSAULT"]
    assert len(assaults) == 1
    assert [m.sentence for m in assaults[0].mentions] == [0, 1]


def test_request_recipient_is_the_subject_of_what_is_demanded(pipeline, stage):
    text = "The Kremlin demanded that Moldova officially declare itself a neutral country."
    places = [place("Moldova", text, "Moldova", None, country="MD", precision="country")]
    event = only(events_of(pipeline, stage, text, places=places), "REQUEST")
    assert event.recipient.country == "MDA"


def test_a_toll_belongs_to_the_attack_not_to_the_accusation(pipeline, stage):
    text = "A missile strike killed 12 people in what EU leaders condemned as a war crime."
    accusations = [e for e in events_of(pipeline, stage, text) if e.type != "ASSAULT"]
    assert accusations and all(e.casualties.killed is None for e in accusations)


def test_state_just_reached_takes_the_month(pipeline, stage):
    text = "A fuel depot near the town has been destroyed by Russian missiles."
    event = only(events_of(pipeline, stage, text), "ASSAULT")
    assert (event.date.start, event.date.precision) == ("2024-03", "month")


def test_present_tense_without_date_falls_back_to_the_month(pipeline, stage):
    text = "Around 3,000 Russian soldiers are now stationed near the border."
    event = only(events_of(pipeline, stage, text), "MOBILIZE")
    assert (event.date.start, event.date.precision) == ("2024-03", "month")
    assert event.actor.country == "RUS"


# -- hedges, friendly fire, precision --------------------------------------------------------------
def test_hedges_over_the_event_sentence(pipeline, stage):
    text = "Russian troops reportedly shelled the village of Hrakove."
    event = only(events_of(pipeline, stage, text), "ASSAULT")
    assert "reportedly" in event.hedges


def test_friendly_fire_between_allies(pipeline, stage):
    text = "North Korean troops opened fire on Russian positions by mistake, the soldier said."
    event = only(events_of(pipeline, stage, text, published="2024-11-08"), "ASSAULT")
    assert (event.actor.country, event.recipient.country) == ("PRK", "RUS")
    assert event.friendly_fire is True


def test_enemies_are_not_friendly_fire(pipeline, stage):
    text = "Ukrainian troops opened fire on Russian positions near the border, the soldier said."
    event = only(events_of(pipeline, stage, text), "ASSAULT")
    assert event.friendly_fire is False


@pytest.mark.parametrize(
    "text",
    [
        "The film was a hit with audiences in Berlin.",
        "Prices hit a record high on Tuesday.",
        "The company launched an attack on its rivals' pricing.",
    ],
)
def test_ambiguous_triggers_without_parties_are_not_events(pipeline, stage, text):
    assert [e for e in events_of(pipeline, stage, text) if e.type == "ASSAULT"] == []


def test_request_from_a_country(pipeline, stage):
    text = "Russia has sought drones and ammunition from Iran."
    event = only(events_of(pipeline, stage, text), "REQUEST")
    assert (event.actor.country, event.recipient.country) == ("RUS", "IRN")


def test_arrest_is_coerce(pipeline, stage):
    text = "Russian police arrested a journalist in Moscow on Friday."
    event = only(events_of(pipeline, stage, text), "COERCE")
    assert (event.mode, event.actor.sector) == ("arrest", "police")
