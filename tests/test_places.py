"""PlaceStage and the gazetteer on real-shaped news text."""

from __future__ import annotations

import pytest

from conftest import EXAMPLE, FIXTURES
from reportedly.gazetteer import gazetteer, normalize
from reportedly.pipeline import Analysis, Document, parse_published
from reportedly.places import PlaceStage, document_country


@pytest.fixture(scope="module")
def places(pipeline):
    stage = PlaceStage()

    def run(text: str) -> Analysis:
        analysis = Analysis(doc=pipeline.nlp(text), document=Document(id="t", text=text), published=parse_published("2024-11-08"))
        stage(analysis)
        return analysis

    return run


def _by_text(analysis: Analysis) -> dict[str, tuple]:
    text = analysis.document.text
    return {text[p.start:p.end]: (p.location.name, p.location.country, p.location.admin1, p.location.precision) for p in analysis.places}


def test_kursk_region_mentions_resolve_to_the_oblast(places):
    analysis = places(EXAMPLE.read_text(encoding="utf-8"))
    found = _by_text(analysis)
    kursk = ("Kursk Oblast", "RU", "RU-KRS", "admin1")
    assert found["Russia’s Kursk region"] == kursk
    assert found["the Kursk region"] == kursk
    assert found["Kursk"] == kursk  # "in Kursk alone", after the region was named
    location = next(p.location for p in analysis.places if p.location.admin1 == "RU-KRS")
    assert location.lat == pytest.approx(51.73, abs=0.05) and location.lon == pytest.approx(36.19, abs=0.05)
    assert location.geonames_id == 538555
    assert found["North Korea"][1] == "KP" and found["Iran"][1] == "IR"
    assert "Victoria" not in found and "Trending" not in found  # an X account, a page widget


def test_mention_offsets_point_into_the_text(places):
    analysis = places(EXAMPLE.read_text(encoding="utf-8"))
    for place in analysis.places:
        assert analysis.document.text[place.start:place.end] == place.location.text


def test_pokrovsk_in_a_ukraine_story_is_in_donetsk_oblast(places):
    analysis = places((FIXTURES / "pokrovsk-strike.txt").read_text(encoding="utf-8"))
    found = _by_text(analysis)
    assert found["Pokrovsk"] == ("Pokrovsk", "UA", "UA-14", "city")
    assert found["the Donetsk region"] == ("Donetsk Oblast", "UA", "UA-14", "admin1")
    assert found["Avdiivka"][2] == "UA-14"  # GeoNames spells it Avdiyivka
    assert document_country(analysis) == "UA"


def test_kharkiv_story_keeps_the_city_and_old_spellings(places):
    found = _by_text(places((FIXTURES / "kharkiv-shelling.txt").read_text(encoding="utf-8")))
    assert found["Kharkiv"] == ("Kharkiv", "UA", "UA-63", "city")
    assert found["the Kharkiv region"] == ("Kharkiv Oblast", "UA", "UA-63", "admin1")
    assert found["the Kharkov region"] == ("Kharkiv Oblast", "UA", "UA-63", "admin1")
    assert found["the Belgorod region"] == ("Belgorod Oblast", "RU", "RU-BEL", "admin1")
    assert "Oleh Syniehubov" not in found and "Syniehubov" not in found


def test_crimea_is_coded_under_ukraine(places):
    found = _by_text(places((FIXTURES / "crimea-bridge.txt").read_text(encoding="utf-8")))
    assert found["Crimea"] == ("Crimea", "UA", "UA-43", "admin1")
    assert found["Sevastopol"][1:3] == ("UA", "UA-40")
    assert found["Kerch"][1:3] == ("UA", "UA-43")
    assert found["Kerch Bridge"][0] == "Crimean Bridge"
    assert found["the Krasnodar region"][2] == "RU-KDA"


def test_non_ukraine_stories(places):
    sudan = places((FIXTURES / "sudan-darfur.txt").read_text(encoding="utf-8"))
    found = _by_text(sudan)
    assert found["Khartoum"] == ("Khartoum", "SD", "SD-KH", "city")
    assert found["North Darfur"][2] == "SD-DN"
    assert document_country(sudan) == "SD"
    gaza = _by_text(places((FIXTURES / "gaza-strike.txt").read_text(encoding="utf-8")))
    assert gaza["Gaza City"][1] == "PS" and gaza["southern Israel"][1] == "IL"
    assert gaza["Washington"][2] == "US-DC"


@pytest.mark.parametrize(
    ("sentence", "absent"),
    [
        ("The report was published in March by Victoria Nuland.", {"March", "Victoria", "Victoria Nuland"}),
        ("Russia-backed separatists and Kyiv-based officials met.", {"Russia", "Kyiv"}),
        ("Best of all, the Western allies said Reading was fine.", {"Best", "Western", "Reading"}),
    ],
)
def test_false_toponyms_are_skipped(places, sentence, absent):
    assert not absent & set(_by_text(places(sentence)))


def test_a_mistagged_city_after_a_preposition_is_kept(places):
    found = _by_text(places("Earlier this week, a cancer hospital in Mykolaiv was also hit."))
    assert found["Mykolaiv"] == ("Mykolaiv", "UA", "UA-48", "city")


def test_gazetteer_spellings():
    places = gazetteer()
    assert {p.entry.admin1 for p in places.lookup("Kiev")} == {"UA-30"}
    assert places.lookup("Kursk Oblast")[0].entry.name == "Kursk Oblast"
    assert places.stem("RU-KRS") == "Kursk"
    assert normalize("Russia’s  Zaporizhzhia – region") == "russia's zaporizhzhia-region"
