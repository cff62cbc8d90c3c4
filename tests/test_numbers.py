"""Number expressions: parse_count and find_number_expressions on real-shaped phrases."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reportedly.numbers import find_number_expressions, parse_count


@pytest.mark.parametrize(
    ("text", "low", "high", "approx"),
    [
        ("two", 2, 2, False),
        ("around ten", 10, 10, True),
        ("around 8,000", 8000, 8000, True),
        ("over 20,000", 20000, None, True),
        ("tens of thousands", 20000, 90000, True),
        ("dozens", 24, None, True),
        ("scores", 40, None, True),
        ("several", 3, None, True),
        ("a few", 3, None, True),
        ("hundreds", 200, None, True),
        ("Millions", 2000000, None, True),
        ("Thirty-seven thousand", 37000, 37000, False),
        ("two hundred and fifty", 250, 250, False),
        ("a dozen", 12, 12, False),
        ("more than $2.6 billion", 2600000000, None, True),
        ("$800m", 800000000, 800000000, False),
        ("almost £9million", 9000000, 9000000, True),
        ("€150.000", 150000, 150000, False),
        ("nearly half a billion", 500000000, 500000000, True),
        ("between 10 and 20", 10, 20, False),
        ("10-20", 10, 20, False),
        ("two or three", 2, 3, False),
        ("$1-2 million", 1000000, 2000000, False),
        ("up to 50", None, 50, True),
        ("as many as 100,000", None, 100000, True),
        ("less than 200,000", None, 200000, True),
        ("at least 5", 5, None, True),
        ("some 300", 300, 300, True),
        ("another 75", 75, 75, False),
        ("1.5 million", 1500000, 1500000, False),
        ("125,600", 125600, 125600, False),
    ],
)
def test_parse_count(text, low, high, approx):
    count = parse_count(text)
    assert count is not None
    assert (count.min, count.max, count.approx, count.text) == (low, high, approx, text)


@pytest.mark.parametrize("text", ["", "soldiers", "the third", "F-16", "a"])
def test_parse_count_rejects_non_numbers(text):
    assert parse_count(text) is None


def test_find_skips_times_model_names_and_units():
    text = "At 9:59 AM the Su-25 and F-16s fired 3kg shells at around 40 soldiers."
    found = [(e.text, e.count.min, e.modifier) for e in find_number_expressions(text)]
    assert found == [("around 40", 40, "around")]


def test_find_offsets_point_into_text():
    text = "Officials said over 20,000 were killed and tens of thousands fled."
    found = find_number_expressions(text, offset=100)
    assert [text[e.start - 100:e.end - 100] for e in found] == ["over 20,000", "tens of thousands"]
    assert found[1].vague and not found[0].vague


WORDS = st.sampled_from(["around", "over", "8,000", "two", "tens", "of", "thousands", "soldiers", "$", "2.5", "bn", "-", "10", "to", "20", "a", "dozen", ",", "at", "least"])


@settings(max_examples=200, deadline=None)
@given(st.lists(WORDS, max_size=12), st.text(max_size=30))
def test_find_never_fails_and_offsets_hold(words, noise):
    text = " ".join(words) + noise
    for expr in find_number_expressions(text):
        assert text[expr.start:expr.end] == expr.text
        count = expr.count
        assert count.min is not None or count.max is not None
        if count.min is not None and count.max is not None:
            assert count.min <= count.max
        assert parse_count(expr.text) == count
