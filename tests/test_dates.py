"""DateStage: time expressions resolved against the publication date (news tells of the past)."""

from __future__ import annotations

import pytest

from conftest import EXAMPLE
from reportedly.dates import DateStage
from reportedly.pipeline import Analysis, Document, parse_published


@pytest.fixture(scope="module")
def dates(pipeline):
    stage = DateStage()

    def run(text: str, published: str | None = "2024-11-08") -> dict[str, tuple]:
        analysis = Analysis(doc=pipeline.nlp(text), document=Document(id="t", text=text), published=parse_published(published))
        stage(analysis)
        for mention in analysis.dates:
            assert text[mention.start:mention.end] == mention.when.text
        return {m.when.text: (m.when.start, m.when.end, m.when.precision) for m in analysis.dates}

    return run


def test_kursk_incursion_date(dates):
    found = dates(EXAMPLE.read_text(encoding="utf-8"))
    assert found["on August 6"] == ("2024-08-06", "2024-08-06", "day")
    assert not any("9:59" in text for text in found)


# 2024-11-08 is a Friday.
@pytest.mark.parametrize(
    ("sentence", "expression", "expected"),
    [
        ("Officials said on Thursday that two people died.", "on Thursday", ("2024-11-07", "2024-11-07", "day")),
        ("The strike happened on Friday morning.", "on Friday morning", ("2024-11-08", "2024-11-08", "day")),
        ("The talks will resume on Monday.", "on Monday", ("2024-11-11", "2024-11-11", "day")),
        ("Shelling intensified last week.", "last week", ("2024-10-28", "2024-11-03", "week")),
        ("A drone hit the depot two days ago.", "two days ago", ("2024-11-06", "2024-11-06", "day")),
        ("The governor said yesterday that schools were shut.", "yesterday", ("2024-11-07", "2024-11-07", "day")),
        ("Troops withdrew in March.", "in March", ("2024-03-01", "2024-03-31", "month")),
        ("Fighting resumed in early December.", "in early December", ("2023-12-01", "2023-12-31", "month")),
        ("The invasion began on Feb. 24, 2022.", "on Feb. 24, 2022", ("2022-02-24", "2022-02-24", "day")),
        ("Russia has held the town since 24 February.", "since 24 February", ("2024-02-24", "2024-02-24", "day")),
        ("In 2014 Russia annexed Crimea.", "In 2014", ("2014-01-01", "2014-12-31", "year")),
        ("Prices rose last month.", "last month", ("2024-10-01", "2024-10-31", "month")),
        ("The decree was signed on 2023-05-17.", "on 2023-05-17", ("2023-05-17", "2023-05-17", "day")),
        # a future word elsewhere in the sentence does not move this date forward
        ("Russian forces shelled Kharkiv on Wednesday, due to tensions that will persist.", "on Wednesday",
         ("2024-11-06", "2024-11-06", "day")),
        ("The president is due to visit Kyiv on Tuesday.", "on Tuesday", ("2024-11-12", "2024-11-12", "day")),
    ],
)
def test_expressions(dates, sentence, expression, expected):
    assert dates(sentence)[expression] == expected


def test_yearless_date_after_publication_is_last_year(dates):
    assert dates("The siege began on December 28.", "2025-01-05")["on December 28"][0] == "2024-12-28"


@pytest.mark.parametrize(
    "sentence",
    [
        "He served for three years and is 45 years old.",
        "A 67-year-old woman was wounded at 9:15 a.m.",
        "The 2022 invasion displaced millions.",
        "Officials may 10 times repeat the claim.",
        "Over the past two weeks, 34 attacks were repelled.",
    ],
)
def test_durations_ages_times_are_not_dates(dates, sentence):
    assert dates(sentence) == {}


def test_without_a_publication_date_relative_stays_relative(dates):
    found = dates("The attack happened on Thursday, not on Feb. 24, 2022.", None)
    assert found["on Thursday"] == (None, None, "relative")
    assert found["on Feb. 24, 2022"][0] == "2022-02-24"


def test_the_day_before_counts_from_the_last_day_named(dates):
    found = dates("Russian tanks were destroyed on April 7. The day before, a convoy was hit. Yesterday, talks resumed.", "2022-04-10")
    assert found["on April 7"][0] == "2022-04-07"
    assert found["The day before"] == ("2022-04-06", "2022-04-06", "day")
    assert found["Yesterday"][0] == "2022-04-09"
    assert dates("It began the day before yesterday.", "2022-04-10")["the day before yesterday"][0] == "2022-04-08"
