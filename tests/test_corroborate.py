"""Corroboration across articles: reuse clusters, cross-document events, origin counting.

The articles in fixtures/corroborate_articles.json were written for these tests; the events
and figures the extraction stages would find in them are listed beside each one, and built
into Reports here, so that these tests check the cross-document logic on its own.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from reportedly.corroborate import apply, corroborate
from reportedly.corroborate.origins import normalise_name, resolve_name
from reportedly.corroborate.reuse import reuse_clusters_of_texts, shingles
from reportedly.pipeline import document_id
from reportedly.records import (
    Actor,
    Casualties,
    ChainLink,
    Count,
    Document,
    Event,
    Figure,
    Location,
    Mention,
    Report,
    Source,
    Span,
    When,
)

FIXTURES = Path(__file__).parent / "fixtures"
ARTICLES = json.loads((FIXTURES / "corroborate_articles.json").read_text(encoding="utf-8"))
_SENTENCE = re.compile(r"[^.!?]+[.!?]+")


def _sentence_of(text: str, trigger: str) -> tuple[int, str, int]:
    for number, match in enumerate(_SENTENCE.finditer(text)):
        if trigger in match.group():
            return number, match.group().strip(), match.start() + match.group().index(trigger)
    raise AssertionError(f"trigger {trigger!r} not in text")


def _count(value) -> Count | None:
    if value is None:
        return None
    return Count(min=value[0], max=value[1], approx=value[2], text=str(value[0]))


def _chain(links, outlet: str, sources: list[Source]) -> list[ChainLink]:
    chain = []
    for name, kind, party in links:
        source = next((s for s in sources if s.name == name), None)
        if source is None:
            source = Source(id=f"s{len(sources) + 1}", name=name, type=kind, party_to_conflict=party)
            sources.append(source)
        chain.append(ChainLink(source_id=source.id, name=name, type=kind, role="relay"))
    if chain:
        chain[0].role = "origin"
    chain.append(ChainLink(source_id=None, name=outlet, type="media", role="publisher"))
    return chain


def build_report(article: dict) -> Report:
    """A Report as the extraction stages would write it for one fixture article."""
    text = article["text"]
    sources: list[Source] = []
    events = []
    for spec in article["events"]:
        sentence, evidence, start = _sentence_of(text, spec["trigger"])
        trigger = Span(text=spec["trigger"], start=start, end=start + len(spec["trigger"]))
        place = spec["location"]
        events.append(
            Event(
                id=spec["id"],
                type=spec["type"],
                mode=spec["mode"],
                trigger=trigger,
                sentence=sentence,
                evidence=evidence,
                mentions=[Mention(sentence=sentence, evidence=evidence, trigger=trigger)],
                actor=Actor(text=spec["actor"][0], name=spec["actor"][1], country=spec["actor"][2], sector=spec["actor"][3])
                if spec["actor"] else None,
                recipient=Actor(text=spec["recipient"][0], name=spec["recipient"][1], country=spec["recipient"][2], sector=spec["recipient"][3])
                if spec["recipient"] else None,
                location=Location(text=place[0], name=place[1], country=place[2], admin1=place[3], lat=place[4], lon=place[5], precision=place[6])
                if place else None,
                date=When(text=spec["date"], start=spec["date"], end=spec["date"]) if spec["date"] else None,
                casualties=Casualties(killed=_count(spec["killed"]), injured=_count(spec["injured"])),
                source_chain=_chain(spec["chain"], article["outlet"], sources),
            )
        )
    figures = []
    for spec in article["figures"]:
        sentence, evidence, start = _sentence_of(text, spec["text"])
        figures.append(
            Figure(
                id=spec["id"],
                text=spec["text"],
                value=_count(spec["value"]),
                kind=spec["kind"],
                what=spec["what"],
                sentence=sentence,
                evidence=evidence,
                event=spec["event"],
                source_chain=_chain(spec["chain"], article["outlet"], sources),
            )
        )
    document = Document(
        id=document_id(text), external_id=article["id"], outlet=article["outlet"],
        title=article["title"], published=article["published"], text=text,
        word_count=len(text.split()),
    )
    return Report(document=document, events=events, figures=figures, sources=sources)


def reports_of(group: str) -> dict[str, Report]:
    return {article["id"]: build_report(article) for article in ARTICLES[group]}


def event_corroboration(reports: dict[str, Report], article: str, event: str = "e1"):
    corroborated = corroborate(list(reports.values()))
    return corroborated.event_of()[(reports[article].document.id, event)], corroborated


# ------------------------------------------------------------------ text reuse


def test_shingles_are_word_five_grams():
    assert shingles("One two three four five six") == {b"one two three four five", b"two three four five six"}
    assert shingles("Short text") == {b"short text"}


def test_copies_with_light_edits_form_one_reuse_cluster_and_others_stay_apart():
    texts = [(a["id"], a["text"]) for group in ("copied", "two_strikes") for a in ARTICLES[group]]
    clusters = reuse_clusters_of_texts(texts)
    copied = {clusters[a["id"]] for a in ARTICLES["copied"]}
    assert len(copied) == 1
    others = [clusters[a["id"]] for a in ARTICLES["two_strikes"]]
    assert len(set(others)) == len(others)
    assert not copied & set(others)


# ------------------------------------------------------------------ the three MUST cases


def test_one_story_copied_by_five_outlets_has_one_independent_origin():
    reports = reports_of("copied")
    corroboration, corroborated = event_corroboration(reports, "wire")
    assert corroboration.reports == 6
    assert corroboration.outlets == 6
    assert corroboration.reuse_clusters == 1
    assert corroboration.independent_origins == 1
    assert [o.name for o in corroboration.origins] == ["State Emergency Service of Ukraine"]
    assert corroboration.origins[0].party_to_conflict == "UKR"
    assert corroboration.both_sides is False
    assert corroboration.first_reported.date == "2022-10-06"
    assert len(corroborated.events) == 1


def test_copies_that_name_no_source_still_count_one_origin():
    reports = reports_of("copied")
    for report in reports.values():
        for event in report.events:
            event.source_chain = event.source_chain[-1:]  # publisher only
    corroboration, _ = event_corroboration(reports, "copy3")
    assert corroboration.reports == 6
    assert corroboration.independent_origins == 1
    assert corroboration.origins[0].name == "wire.example"  # the first outlet of the copies


def test_same_event_from_ukrainian_and_russian_officials_is_two_origins_on_both_sides():
    reports = reports_of("both_sides")
    corroboration, corroborated = event_corroboration(reports, "ru-side")
    assert len(corroborated.events) == 1
    assert corroboration.reports == 2
    assert corroboration.independent_origins == 2
    assert corroboration.both_sides is True
    assert {o.party_to_conflict for o in corroboration.origins} == {"UKR", "RUS"}
    assert "Armed Forces of Ukraine" in {o.name for o in corroboration.origins}


def test_two_strikes_in_one_city_on_one_day_stay_two_events():
    reports = reports_of("two_strikes")
    corroborated = corroborate(list(reports.values()))
    cluster_of = {(m.doc_id, m.item_id): c.id for c in corroborated.events for m in c.mentions}

    def cluster(article: str, event: str = "e1") -> str:
        return cluster_of[(reports[article].document.id, event)]

    assert cluster("school-a") == cluster("school-b") == cluster("roundup", "e1")
    assert cluster("market-a") == cluster("market-b") == cluster("roundup", "e2")
    assert cluster("school-a") != cluster("market-a")
    assert len(corroborated.events) == 2
    school = corroborated.event_of()[(reports["school-a"].document.id, "e1")]
    assert school.reports == 3
    assert school.independent_origins == 3  # the mayor, the governor, the roundup's outlet


def test_conflicting_figures_are_listed_side_by_side_with_their_origins():
    reports = reports_of("conflicting")
    corroboration, _ = event_corroboration(reports, "kyiv-claim")
    assert corroboration.reports == 2
    assert corroboration.both_sides is True
    values = {(c.value.min, c.origin) for c in corroboration.conflicting}
    assert values == {(300, "General Staff of the Armed Forces of Ukraine"), (30, "Russian Ministry of Defence")}
    figures = corroborate(list(reports.values())).figure_of()
    figure = figures[(reports["moscow-claim"].document.id, "f1")]
    assert figure.reports == 2
    assert {c.value.min for c in figure.conflicting} == {300, 30}


def test_apply_attaches_corroboration_to_every_event_and_figure():
    reports = list(reports_of("copied").values())
    attached = apply(reports, corroborate(reports))
    assert all(e.corroboration is not None for r in attached for e in r.events)
    assert all(f.corroboration is not None for r in attached for f in r.figures)
    assert reports[0].events[0].corroboration is None  # the input is not modified
    assert attached[0].events[0].corroboration.cluster == attached[1].events[0].corroboration.cluster


# ------------------------------------------------------------------ names


@pytest.mark.parametrize(
    "name",
    ["Ukraine's military intelligence", "HUR", "GUR", "Defence Intelligence of Ukraine", "the Ukrainian military intelligence"],
)
def test_aliases_merge_names_of_ukrainian_military_intelligence(name):
    assert resolve_name(name)[0] == "Defence Intelligence of Ukraine"


def test_aliases_merge_russian_defence_ministry_spellings():
    names = {resolve_name(n)[0] for n in ["Russian Defence Ministry", "Russia's defense ministry", "MoD", "Russia’s Defence Ministry"]}
    assert names == {"Russian Ministry of Defence"}
    assert normalise_name("The Russian Defence  Ministry's") == "russian defense ministry"


def test_copies_outvote_an_odd_spelling_and_contained_names_merge():
    reports = reports_of("copied")
    # one copy names the service without the country, another without the attribution
    reports["copy1"].events[0].source_chain[0].name = "State Emergency Service"
    corroboration, _ = event_corroboration(reports, "copy1")
    assert corroboration.independent_origins == 1
    assert corroboration.origins[0].name == "State Emergency Service of Ukraine"


def test_both_sides_needs_two_sides_of_one_conflict():
    from reportedly.corroborate.origins import opposing

    assert opposing(["UKR", "RUS"])
    assert not opposing(["RUS", "BLR"])  # allies (data/alliances.tsv)
    assert not opposing(["UKR", None])
