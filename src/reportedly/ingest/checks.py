"""The checks every document passes before it becomes an Article, and rejection reasons.

A reason reads ``"<kind>: <detail>"`` (``"too short: 3 words ..."``), except the language
reason the brief fixes as ``"language xx, not English"``; ``rejection_kind`` reads the kind
back for end-of-batch summaries.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable
from datetime import date

from ..records import Article, Rejected
from .clean import clean_text, detect_language

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MIN_WORDS = 5
# py3langid must be this sure of another language before an article is turned away: short
# English texts full of place names can come out as another language with low confidence.
MIN_LANGUAGE_CONFIDENCE = 0.8
LANGUAGE_REASON = re.compile(r"language (\w+), not English")
_ISO_DATE = re.compile(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})")


class RejectInput(Exception):
    """Raised inside the readers to turn the current input (or row) into a Rejected."""

    def __init__(self, kind: str, detail: str = ""):
        self.reason = f"{kind}: {detail}" if detail else kind
        super().__init__(self.reason)


def rejection_kind(reason: str) -> str:
    """The kind of a rejection reason: ``"too short"``, ``"language"``, ``"malformed JSON"``..."""
    if LANGUAGE_REASON.match(reason):
        return "language"
    return reason.split(":", 1)[0].strip() or "unknown"


def summarize_rejections(rejected: Iterable[Rejected]) -> dict[str, int]:
    """How many inputs were rejected for each kind of reason, most frequent first."""
    counts = Counter(rejection_kind(item.reason) for item in rejected)
    return dict(counts.most_common())


def normalize_date(value: object) -> str | None:
    """An ISO date (YYYY-MM-DD) from a date, date-time or free-form date string, else None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, date):
        return value.isoformat()[:10]
    text = str(value).strip()
    if not text:
        return None
    match = _ISO_DATE.match(text)
    if match:
        try:
            return date(*map(int, match.groups())).isoformat()
        except ValueError:
            return None
    return _parse_free_date(text[:100])


@functools.lru_cache(maxsize=4096)
def _parse_free_date(text: str) -> str | None:
    # dateparser is slow to import and to run: only dates that are not ISO come here.
    import dateparser

    try:
        parsed = dateparser.parse(
            text, languages=["en"], settings={"PREFER_DAY_OF_MONTH": "first", "STRICT_PARSING": True}
        )
    except Exception:  # dateparser raises assorted errors on odd strings; a date is optional
        return None
    return parsed.date().isoformat() if parsed else None


def text_field(value: object) -> str | None:
    """A metadata value as a stripped string (lists of names joined), None when absent."""
    if value is None or isinstance(value, dict):
        return None
    if isinstance(value, list | tuple):
        parts = [text_field(v) for v in value]
        value = ", ".join(p for p in parts if p)
    text = " ".join(str(value).split())
    return text or None


def make_article(
    label: str,
    text: str,
    *,
    id: str | None,
    title: str | None = None,
    url: str | None = None,
    outlet: str | None = None,
    author: str | None = None,
    published: str | None = None,
) -> Article | Rejected:
    """An Article of the cleaned text, or a Rejected when it is empty, too short or not English."""
    if not text.strip():
        return Rejected(input=label, reason="empty: no text" if not text else "empty: only whitespace")
    cleaned = clean_text(text)
    if not cleaned:
        return Rejected(input=label, reason="empty: nothing left after removing page furniture")
    words = len(cleaned.split())
    if words < MIN_WORDS:
        return Rejected(
            input=label,
            reason=f"too short: {words} word{'s' * (words != 1)} (an article needs at least {MIN_WORDS})",
        )
    language, confidence = detect_language(cleaned)
    if language != "en" and confidence >= MIN_LANGUAGE_CONFIDENCE:
        return Rejected(input=label, reason=f"language {language}, not English")
    return Article(
        text=cleaned,
        id=id,
        title=text_field(title),
        url=text_field(url),
        outlet=text_field(outlet),
        author=text_field(author),
        published=normalize_date(published),
    )
