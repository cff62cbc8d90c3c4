"""clean_text and detect_language: normalisation, boilerplate, idempotence."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from reportedly.ingest.clean import clean_text, detect_language
from reportedly.pipeline import document_id

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "kursk-friendly-fire.txt"


def test_whitespace_paragraphs_and_single_newlines():
    text = "  First\tline  of the\u00a0story. \r\nSecond line.\r\n\r\n\r\n\n  Next paragraph.  \n\n\n"
    assert clean_text(text) == "First line of the story.\nSecond line.\n\nNext paragraph."


def test_unicode_nfc_and_invisible_characters():
    decomposed = "Kharkive\u0301 re\u0301gion\u200b said\u00ad it"
    cleaned = clean_text(decomposed)
    assert cleaned == "Kharkivé région said it"
    assert unicodedata.is_normalized("NFC", cleaned)
    # a zero-width space between a letter and its accent must not leave it decomposed
    assert clean_text("e\u200b\u0301") == "\u00e9"


def test_other_line_breaks_become_newlines():
    assert clean_text("one\u2028two\x0cthree\u2029\u2029four") == "one\ntwo\nthree\n\nfour"


def test_lone_surrogates_replaced_so_the_id_can_be_computed():
    cleaned = clean_text("bad \udcff byte in the text")
    assert cleaned == "bad \ufffd byte in the text"
    document_id(cleaned)  # must not raise UnicodeEncodeError


def test_boilerplate_lines_dropped_in_any_case():
    text = (
        "Officials said the bridge was hit.\n\nTrending Now\n\nTRENDING NOW\n\nAdvertisement\n"
        "Share this article\nSign up for our newsletter\n"
        "We use cookies to give you the best experience on our website.\n"
        "© 2024 Example News. All rights reserved.\n\nThe repairs will take weeks."
    )
    assert clean_text(text) == "Officials said the bridge was hit.\n\nThe repairs will take weeks."


def test_boilerplate_only_whole_lines():
    text = "Residents said trending now on local channels was footage of the strike."
    assert clean_text(text) == text
    assert clean_text("Advertisement revenue fell, the outlet said.") == "Advertisement revenue fell, the outlet said."


def test_repeated_photo_credits_keep_the_first():
    text = (
        "Photo: Sfc Keith J. Gardner / Wikimedia Commons\n"
        "Photo: Sfc Keith J. Gardner / Wikimedia Commons\n"
        "Troops dug in.\n\n(Photo by Jane Roe/Agency)\n\nMore troops arrived.\n\n(Photo by Jane Roe/Agency)"
    )
    assert clean_text(text) == (
        "Photo: Sfc Keith J. Gardner / Wikimedia Commons\nTroops dug in.\n\n"
        "(Photo by Jane Roe/Agency)\n\nMore troops arrived."
    )


def test_repeated_ordinary_lines_are_kept():
    text = "Air raid alert.\n\nAir raid alert."
    assert clean_text(text) == text


def test_example_article_cleaned():
    raw = EXAMPLE.read_text(encoding="utf-8")
    cleaned = clean_text(raw)
    assert "Trending Now" not in cleaned and "TRENDING NOW" not in cleaned
    assert cleaned.count("Photo: Sfc Keith J. Gardner") == 1
    assert "The Koreans started shooting at us" in cleaned
    assert "\n\n\n" not in cleaned
    assert clean_text(cleaned) == cleaned


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=300))
def test_clean_text_is_idempotent(text):
    once = clean_text(text)
    assert clean_text(once) == once
    once.encode("utf-8")


_LINES = st.sampled_from(
    ["Trending Now", "TRENDING NOW", "Photo: A / B", "Photo: A / B", "  ", "", "\u00a0", "e\u0301",
     "Advertisement", "Troops moved in.", "\u200b", "\r", "\t x \t"]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_LINES, max_size=20), st.sampled_from(["\n", "\r\n", "\n\n", "\u2028"]))
def test_clean_text_is_idempotent_on_article_shaped_lines(lines, sep):
    once = clean_text(sep.join(lines))
    assert clean_text(once) == once
    assert "\n\n\n" not in once and once == once.strip()


def test_detect_language():
    english, confidence = detect_language(clean_text(EXAMPLE.read_text(encoding="utf-8")))
    assert english == "en" and confidence > 0.9
    french, _ = detect_language(
        "Les forces russes ont lancé des drones sur la région d'Odessa pendant la nuit, "
        "endommageant un entrepôt de céréales, selon le commandement militaire."
    )
    assert french == "fr"
    assert detect_language("12 345 -- 678") == ("und", 0.0)
