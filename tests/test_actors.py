"""Actor normalisation: demonyms, capitals as metonyms, named groups, sectors, dated alliances."""

from __future__ import annotations

from datetime import date

import pytest

from reportedly.actors import DocActors, alpha3, infer_sides, tables
from reportedly.records import Actor


@pytest.fixture(scope="module")
def nlp(pipeline):
    return pipeline.nlp


def resolve(nlp, text: str, word: str, event_type: str = "ASSAULT") -> Actor:
    doc = nlp(text)
    head = next(t for t in doc if t.text == word)
    actor = DocActors(doc).resolve(head, event_type)
    assert actor is not None
    return actor


@pytest.mark.parametrize(
    ("text", "word", "country", "sector"),
    [
        ("North Korean soldiers fired on the trenches.", "soldiers", "PRK", "military"),
        ("The Koreans started shooting at the trenches.", "Koreans", "PRK", "military"),
        ("Moscow denied the report.", "Moscow", "RUS", "government"),
        ("The Kremlin denied the report.", "Kremlin", "RUS", "government"),
        ("Kyiv asked for more air defence.", "Kyiv", "UKR", "government"),
        ("Wagner fighters stormed the town.", "fighters", "RUS", "military"),
        ("The Azov Regiment destroyed two tanks.", "Regiment", "UKR", "military"),
        ("Air defence units of the Ukrainian army shot down a drone.", "units", "UKR", "military"),
        ("Russian police detained a reporter.", "police", "RUS", "police"),
        ("The US said it would send more rockets.", "US", "USA", "government"),
        ("President Zelensky asked for jets.", "Zelensky", "UKR", "government"),
        ("Civilians in the town were evacuated.", "Civilians", None, "civilian"),
    ],
)
def test_country_and_sector(nlp, text, word, country, sector):
    actor = resolve(nlp, text, word, "REQUEST" if sector == "government" else "ASSAULT")
    assert (actor.country, actor.sector) == (country, sector)


def test_lower_case_us_is_not_the_united_states(nlp):
    actor = resolve(nlp, "They started shooting at us.", "us")
    assert actor.country is None


def test_country_alone_is_its_armed_forces_in_an_attack_and_its_government_in_a_request(nlp):
    assert resolve(nlp, "Ukraine attacked the bridge.", "Ukraine", "ASSAULT").sector == "military"
    assert resolve(nlp, "Ukraine asked for help.", "Ukraine", "REQUEST").sector == "government"


def test_canonical_name_from_country_and_sector(nlp):
    actor = resolve(nlp, "North Korean troops opened fire.", "troops")
    assert actor.name == "North Korean armed forces"
    assert actor.text == "North Korean troops"


def test_named_actor_keeps_its_canonical_name(nlp):
    actor = resolve(nlp, "Ukraine's HUR released a video.", "HUR", "AID")
    assert actor.name == "Ukrainian military intelligence (HUR)"


def test_alliances_are_dated():
    sides = tables().alliances
    assert sides.same_side("PRK", "RUS", date(2024, 11, 8))
    assert not sides.same_side("PRK", "RUS", date(2023, 1, 1))  # not yet fighting beside Russia
    assert not sides.same_side("UKR", "RUS", date(2024, 11, 8))
    assert sides.opponent("UKR", date(2022, 5, 1)) == "RUS"
    assert sides.opponent("USA", date(2022, 5, 1)) is None


def test_attacker_inferred_from_the_sides_of_the_war():
    target = Actor(text="a residential area", name="residential area", country=None, sector="civilian")
    actor, recipient = infer_sides("ASSAULT", None, target, "UA", date(2022, 7, 30))
    assert (actor.country, actor.text, recipient.country) == ("RUS", "", "UKR")
    # not for statements, and not outside a war in the table
    assert infer_sides("REQUEST", None, target, "UA", date(2022, 7, 30)) == (None, target)
    assert infer_sides("ASSAULT", None, None, "FR", date(2022, 7, 30)) == (None, None)


def test_unnamed_target_of_an_attack_is_the_country_where_it_is_hit():
    attacker = Actor(text="Russian forces", name="Russian armed forces", country="RUS", sector="military")
    actor, recipient = infer_sides("ASSAULT", attacker, None, "UA", date(2022, 7, 30))
    assert (actor.country, recipient.country, recipient.text) == ("RUS", "UKR", "")
    # the attacker's own country is not its target, and no war in France
    assert infer_sides("ASSAULT", attacker, None, "RU", date(2022, 7, 30))[1] is None
    assert infer_sides("ASSAULT", attacker, None, "FR", date(2022, 7, 30))[1] is None


def test_alpha3():
    assert (alpha3("UA"), alpha3("RU"), alpha3(None)) == ("UKR", "RUS", None)
