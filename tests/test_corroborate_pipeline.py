"""Corroboration through the real pipeline: the fixture articles analysed, then corroborated.

Unlike test_corroborate.py (Reports built by hand), the events, places, dates and source
chains here are whatever the extraction stages find, so these assertions are kept to what the
cross-document step must get right whatever small differences the stages make across copies.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reportedly.corroborate import corroborate
from reportedly.records import Article

ARTICLES = json.loads((Path(__file__).parent / "fixtures" / "corroborate_articles.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def analysed(pipeline):
    def run(group: str):
        articles = [
            Article(text=a["text"], id=a["id"], outlet=a["outlet"], published=a["published"], title=a["title"])
            for a in ARTICLES[group]
        ]
        reports = {r.document.external_id: r for r in pipeline.analyze_many(articles)}
        return reports, corroborate(list(reports.values()))

    return run


def _lead_event(report):
    """The first event told in the article's first sentence."""
    events = [e for e in report.events if e.sentence == 0]
    assert events, f"no event in the lead of {report.document.external_id}"
    return min(events, key=lambda e: e.trigger.start)


def test_copied_story_through_the_pipeline_has_one_origin(analysed):
    reports, corroborated = analysed("copied")
    by_key = corroborated.event_of()
    leads = {name: by_key[(r.document.id, _lead_event(r).id)] for name, r in reports.items()}
    assert len({c.cluster for c in leads.values()}) == 1
    corroboration = leads["wire"]
    assert corroboration.reports == 6
    assert corroboration.reuse_clusters == 1
    assert corroboration.independent_origins == 1


def test_two_strikes_through_the_pipeline_stay_apart(analysed):
    reports, corroborated = analysed("two_strikes")
    by_key = corroborated.event_of()

    def cluster(name: str) -> str:
        report = reports[name]
        return by_key[(report.document.id, _lead_event(report).id)].cluster

    assert cluster("school-a") == cluster("school-b")
    assert cluster("school-a") != cluster("market-a")
    assert cluster("school-b") != cluster("market-a")
