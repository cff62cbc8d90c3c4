"""Normalising article text before the parse, and telling its language.

``clean_text`` runs on every document and its output is hashed into the document id, so it
must be fast (compiled regexes and str methods only) and idempotent:
``clean_text(clean_text(x)) == clean_text(x)``.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from ..data import read_table

# Characters that end a line (str.splitlines' set); all become "\n".
_LINE_BREAKS = re.compile(r"\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
# Invisible or control characters a reader never wants: C0/C1 controls other than tab and
# newline, zero-width spaces, soft hyphens, BOMs, and bidi marks left by copy-paste.
_INVISIBLE = re.compile(
    r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u00ad\u180e\u200b\u200e\u200f"
    r"\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]"
)
# Lone surrogates (from bytes decoded with surrogateescape) cannot be encoded to UTF-8,
# which the document id needs.
_SURROGATES = re.compile(r"[\ud800-\udfff]")
# Every other whitespace character (all of str.isspace but "\n") is a space inside a line.
_SPACES = re.compile(r"[\t\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_MAX_CREDIT_LENGTH = 200


@functools.cache
def _boilerplate_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(page-furniture lines, credit lines) from data/boilerplate.tsv, each one regex."""
    drop: list[str] = []
    credit: list[str] = []
    for kind, pattern, *_ in read_table("boilerplate.tsv"):
        if kind == "exact":
            drop.append(re.escape(_SPACES.sub(" ", pattern)))
        elif kind == "regex":
            drop.append(pattern)
        elif kind == "credit":
            credit.append(pattern)
        else:
            raise ValueError(f"boilerplate.tsv: unknown kind {kind!r}")

    def compile_any(patterns: list[str]) -> re.Pattern[str]:
        return re.compile("|".join(f"(?:{p})" for p in patterns) or r"(?!)", re.IGNORECASE)

    return compile_any(drop), compile_any(credit)


def _normalise(text: str) -> str:
    text = _SURROGATES.sub("\ufffd", text)
    text = _LINE_BREAKS.sub("\n", text)
    text = _INVISIBLE.sub("", text)
    # NFC after removing invisible characters: removing one can bring a base letter and
    # its combining mark together, and the result must already be composed.
    return unicodedata.normalize("NFC", text)


def clean_text(text: str) -> str:
    """Whitespace and Unicode normalised; page furniture and repeated photo credits dropped.

    Paragraph breaks stay as one blank line, single newlines stay, spaces inside a line
    collapse to one, and lines are stripped.
    """
    drop, credit = _boilerplate_patterns()
    seen_credits: set[str] = set()
    kept: list[str] = []
    for raw_line in _normalise(text).split("\n"):
        line = _SPACES.sub(" ", raw_line).strip()
        if line and drop.fullmatch(line):
            continue
        if line and len(line) <= _MAX_CREDIT_LENGTH and credit.fullmatch(line):
            if line in seen_credits:
                continue
            seen_credits.add(line)
        kept.append(line)
    return _BLANK_LINES.sub("\n\n", "\n".join(kept)).strip()


@functools.cache
def _language_identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


# Enough text to tell the language; classifying a whole long article only costs time.
_LANGUAGE_SAMPLE = 4000


def detect_language(text: str) -> tuple[str, float]:
    """(ISO 639-1 code, probability) of the text's language, by py3langid.

    ("und", 0.0) when the text holds nothing to judge by.
    """
    sample = text[:_LANGUAGE_SAMPLE]
    if not any(ch.isalpha() for ch in sample):
        return "und", 0.0
    language, probability = _language_identifier().classify(sample)
    return str(language), float(probability)
