"""Normalising article text before the parse, and telling its language.

``clean_text`` runs on every document and its output is hashed into the document id, so it
must be fast (compiled regexes and str methods only) and idempotent:
``clean_text(clean_text(x)) == clean_text(x)``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from ..data import read_table

_LINE_BREAK_CHARS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"  # str.splitlines' set, bar "\n"
# Invisible or control characters a reader never wants: C0/C1 controls other than tab and
# newline, zero-width spaces, soft hyphens, BOMs, and bidi marks left by copy-paste.
_INVISIBLE_CHARS = (
    r"\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u00ad\u180e\u200b\u200e\u200f"
    r"\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb"
)
# Lone surrogates (from bytes decoded with surrogateescape) cannot be encoded to UTF-8,
# which the document id needs: they become U+FFFD.
_SURROGATE_CHARS = r"\ud800-\udfff"
# One scan finds all three kinds (they are rare); the replacement tells them apart.
_ODD_CHARS = re.compile(f"[{re.escape(_LINE_BREAK_CHARS)}{_INVISIBLE_CHARS}{_SURROGATE_CHARS}]")
# Whitespace inside a line (all of str.isspace but "\n"; line breaks are gone by then).
_OTHER_SPACES = r"\t\x1f\xa0\u1680\u2000-\u200a\u202f\u205f\u3000"
_OTHER_SPACE = re.compile(f"[{_OTHER_SPACES}]")
_MAX_CREDIT_LENGTH = 200
# Longer lines are article text: no boilerplate pattern is tried on them.
_MAX_BOILERPLATE_LENGTH = 400


def _replace_odd(match: re.Match[str]) -> str:
    char = match.group()
    if char in _LINE_BREAK_CHARS:
        return "\n"
    return "\ufffd" if "\ud800" <= char <= "\udfff" else ""


@dataclass(frozen=True, slots=True)
class _Boilerplate:
    exact: frozenset[str]  # casefolded whole lines
    patterns: re.Pattern[str]  # whole-line regexes
    credits: re.Pattern[str]  # credit lines (repeats dropped)


@functools.cache
def _boilerplate() -> _Boilerplate:
    """The lines of data/boilerplate.tsv, read and compiled once."""
    exact: set[str] = set()
    patterns: list[str] = []
    credits: list[str] = []
    for kind, pattern, *_ in read_table("boilerplate.tsv"):
        if kind == "exact":
            exact.add(" ".join(pattern.split()).casefold())
        elif kind == "regex":
            patterns.append(pattern)
        elif kind == "credit":
            credits.append(pattern)
        else:
            raise ValueError(f"boilerplate.tsv: unknown kind {kind!r}")

    def compile_any(alternatives: list[str]) -> re.Pattern[str]:
        return re.compile("|".join(f"(?:{p})" for p in alternatives) or r"(?!)", re.IGNORECASE)

    return _Boilerplate(frozenset(exact), compile_any(patterns), compile_any(credits))


def _normalise(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    text = _ODD_CHARS.sub(_replace_odd, text)
    # NFC after removing invisible characters: removing one can bring a base letter and
    # its combining mark together, and the result must already be composed.
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    # Other spaces become plain ones, then runs of plain spaces halve until single: str
    # methods, since one regex over every space of a long text is many times slower.
    text = _OTHER_SPACE.sub(" ", text)
    while "  " in text:
        text = text.replace("  ", " ")
    return text


def clean_text(text: str) -> str:
    """Whitespace and Unicode normalised; page furniture and repeated photo credits dropped.

    Paragraph breaks stay as one blank line, single newlines stay, spaces inside a line
    collapse to one, and lines are stripped.
    """
    boilerplate = _boilerplate()
    seen_credits: set[str] = set()
    kept: list[str] = []
    for raw_line in _normalise(text).split("\n"):
        line = raw_line.strip(" ")
        if not line:
            # at most one blank line in a row, none at the start (a regex over the joined
            # text would scan every character again)
            if kept and kept[-1]:
                kept.append(line)
            continue
        if len(line) <= _MAX_BOILERPLATE_LENGTH:
            if line.casefold() in boilerplate.exact or boilerplate.patterns.fullmatch(line):
                continue
            if len(line) <= _MAX_CREDIT_LENGTH and boilerplate.credits.fullmatch(line):
                if line in seen_credits:
                    continue
                seen_credits.add(line)
        kept.append(line)
    if kept and not kept[-1]:
        kept.pop()
    return "\n".join(kept)


@functools.cache
def _language_identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


# Enough text to tell the language; classifying a whole long article only costs time.
_LANGUAGE_SAMPLE = 1500
_LATIN_WORDS = re.compile(r"[a-z]+(?:'[a-z]+)?")
_FAST_PATH_MIN_WORDS = 40
_FAST_PATH_MIN_SHARE = 0.15


@functools.cache
def _english_function_words() -> frozenset[str]:
    return frozenset(row[0].lower() for row in read_table("english_function_words.tsv"))


def _plainly_english(sample: str) -> bool:
    """Many English function words among the first words: English without asking py3langid."""
    words = _LATIN_WORDS.findall(sample.lower())[:300]
    if len(words) < _FAST_PATH_MIN_WORDS:
        return False
    function_words = _english_function_words()
    return sum(word in function_words for word in words) >= _FAST_PATH_MIN_SHARE * len(words)


def detect_language(text: str) -> tuple[str, float]:
    """(ISO 639-1 code, probability) of the text's language, by py3langid.

    ("und", 0.0) when the text holds nothing to judge by. Text that is plainly English (many
    English function words) is ("en", 1.0) without running the classifier.
    """
    sample = text[:_LANGUAGE_SAMPLE]
    if not any(ch.isalpha() for ch in sample):
        return "und", 0.0
    if _plainly_english(sample):
        return "en", 1.0
    language, probability = _language_identifier().classify(sample)
    return str(language), float(probability)
