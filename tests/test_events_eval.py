"""`reportedly eval events`: snippet location, date comparison, and scoring the seed gold."""

from __future__ import annotations

from reportedly.evaluation.events import _date_matches, locate, run
from reportedly.records import When


def test_locate_ignores_soft_hyphens_and_spacing():
    text = "Some were killed, some died in Russian air and \u00adartillery strikes."
    assert locate(text, "some died in Russian air and artillery strikes") == text.index("some died")
    assert locate(text, "nowhere in the text") is None


def test_dates_compare_at_the_gold_precision():
    day = When(text="on Monday", start="2022-04-08", end="2022-04-08", precision="day")
    assert _date_matches("2022-04-08", day)
    assert _date_matches("2022-04", day)
    assert not _date_matches("2022-05", day)
    assert _date_matches(None, None) and not _date_matches(None, day)


def test_seed_gold_scores(pipeline, shared):
    tally = run([shared / "eval" / "warnews" / "seed.jsonl"], shared)
    assert tally.gold == 4
    # friendly fire, deployment, incursion and the request to Iran are all found
    assert tally.matched == 4, tally.errors
    assert tally.accuracy("actor_country") == 1.0
    assert tally.accuracy("friendly_fire") == 1.0
