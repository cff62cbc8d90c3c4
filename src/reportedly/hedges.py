"""Hedge cues ("reportedly", "I believe", "could not be verified") and what they do to certainty.

The cue list is a data file (``data/hedges.tsv``) that a user can read and extend.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from .data import read_table
from .records import Certainty


@dataclass(frozen=True, slots=True)
class Hedge:
    text: str  # the cue as written in the lexicon ("reportedly")
    strength: str  # "weak" or "strong"
    start: int  # character offsets into the document text
    end: int


class HedgeLexicon:
    """All hedge cues compiled into one regular expression (built once per process)."""

    def __init__(self, entries: dict[str, str]):
        self.strength = entries
        alternatives = sorted(entries, key=len, reverse=True)
        pattern = "|".join(re.escape(cue).replace(r"\ ", r"\s+") for cue in alternatives)
        self._regex = re.compile(rf"(?<![\w'’])(?:{pattern})(?![\w'’])", re.IGNORECASE)

    def find(self, text: str, offset: int = 0) -> list[Hedge]:
        """Hedges in ``text``; offsets are shifted by ``offset`` (the text's start in the document)."""
        found = []
        for match in self._regex.finditer(text):
            cue = " ".join(match.group(0).lower().split())
            found.append(Hedge(cue, self.strength.get(cue, "weak"), offset + match.start(), offset + match.end()))
        return found

    def in_span(self, text: str, start: int, end: int) -> list[Hedge]:
        """Hedges inside ``text[start:end]``, with document offsets."""
        return self.find(text[start:end], start)


@functools.cache
def lexicon() -> HedgeLexicon:
    return HedgeLexicon({row[0].lower(): (row[1] if len(row) > 1 else "weak") for row in read_table("hedges.tsv")})


def certainty_from_hedges(hedges: list[Hedge] | list[str]) -> Certainty:
    """Certainty from hedge cues alone: none -> certain, weak -> probable, strong -> possible."""
    if not hedges:
        return "certain"
    lex = lexicon()
    strengths = {h.strength if isinstance(h, Hedge) else lex.strength.get(h, "weak") for h in hedges}
    return "possible" if "strong" in strengths else "probable"
