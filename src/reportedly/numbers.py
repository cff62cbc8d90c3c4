"""Number expressions in news text: "around 8,000", "over 20,000", "tens of thousands", "two".

``parse_count(text)`` turns one expression into a :class:`~reportedly.records.Count`;
``find_numbers(doc)`` (or ``find_number_expressions(text)``) finds every expression in a text.
Number words, scale words, vague quantities and bound/approximation modifiers come from the
data file ``data/numbers.tsv``; everything is compiled once per process into one regex.

Coding follows ``spec/gold-format.md``: "at least/over N" -> [N, null], "up to N" -> [null, N],
"around N" -> [N, N] approx, "dozens" -> [24, null], "tens of thousands" -> [20000, 90000].
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from spacy.tokens import Doc, Span

from .data import read_table
from .records import Count

# Currency marks written before an amount ("$800m", "€150.000", "US$2 billion").
CURRENCY = r"(?:US\$|C\$|A\$|[$€£¥₴₽]|(?:USD|EUR|GBP|UAH|RUB)\s?)"
# Digits: "8,000", "1.5", "125,600" (comma thousands) and, after a currency mark only,
# the European "150.000" (dot thousands), which in English text is otherwise a decimal.
DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
EURO_DIGITS = r"\d{1,3}(?:\.\d{3})+(?![\d,])"


@dataclass(frozen=True, slots=True)
class NumberExpr:
    """One number expression: character offsets into the text, its Count, and its modifier."""

    start: int
    end: int
    text: str
    count: Count
    modifier: str | None = None  # "around", "over", "at least", ... as written (lower case)
    currency: str | None = None  # the currency mark before the amount, if any
    vague: bool = False  # "dozens", "several": a quantity with no number in it


@dataclass(frozen=True, slots=True)
class NumberSpan:
    """A number expression aligned to the tokens of a Doc."""

    expr: NumberExpr
    span: Span  # the tokens covering the expression

    @property
    def count(self) -> Count:
        return self.expr.count


class NumberGrammar:
    """The tables of ``numbers.tsv`` compiled into one regular expression (built once)."""

    def __init__(self, rows: tuple[tuple[str, ...], ...]):
        self.units: dict[str, float] = {}
        self.scales: dict[str, float] = {}
        self.suffixes: dict[str, float] = {}
        self.vague: dict[str, tuple[int | None, int | None]] = {}
        self.modifiers: dict[str, str] = {}
        for kind, phrase, *values in rows:
            phrase = phrase.lower()
            if kind == "unit":
                self.units[phrase] = float(values[0])
            elif kind == "scale":
                self.scales[phrase] = float(values[0])
            elif kind == "suffix":
                self.suffixes[phrase] = float(values[0])
            elif kind == "vague":
                self.vague[phrase] = (_bound(values[0]), _bound(values[1]) if len(values) > 1 else None)
            elif kind == "modifier":
                self.modifiers[phrase] = values[0]
        self.regex = re.compile(self._pattern(), re.IGNORECASE)
        self._core = re.compile(rf"^(?:{self._core_pattern()})$", re.IGNORECASE)

    @staticmethod
    def _alternation(phrases) -> str:
        ordered = sorted(phrases, key=len, reverse=True)
        return "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in ordered)

    def _core_pattern(self) -> str:
        scale = self._alternation(self.scales)
        word = self._alternation([*self.units, *self.scales, "a"])
        words = rf"(?:{word})(?:(?:\s*[-–]\s*|\s+and\s+|\s+)(?:{word}))*"
        suffix = self._alternation(self.suffixes)
        numeral = rf"(?:{CURRENCY}\s?(?:{EURO_DIGITS})|(?:{CURRENCY}\s?)?(?:{DIGITS}))"
        scaled = rf"{numeral}(?:\s*(?:{scale})(?![\w])|(?:{suffix})(?![\w]))*"
        return rf"(?:{scaled}|{CURRENCY}?(?:{words})(?![\w]))"

    def _pattern(self) -> str:
        core = self._core_pattern()
        modifier = self._alternation(self.modifiers)
        vague = self._alternation(self.vague)
        ranged = (
            rf"(?:between|from)\s+(?:{core})\s*(?:and|to|[-–])\s*(?:{core})"
            rf"|(?:{core})(?:\s*[-–]\s*|\s+to\s+|\s+or\s+)(?:{core})(?![\w-])"
        )
        body = rf"(?:{vague})(?![\w])|{ranged}|(?:{core})"
        return rf"(?<![\w\-./:])(?:(?P<modifier>{modifier})\s+)?(?P<body>{body})(?![\w]|[-.,:]\d)"

    # --- values -------------------------------------------------------------------------
    def value(self, core: str) -> float | None:
        """The number written as ``core`` ("8,000", "$2.6 billion", "Thirty-seven thousand")."""
        text = re.sub(CURRENCY, "", core.strip(), count=1, flags=re.IGNORECASE).strip().lower()
        match = re.match(rf"^(?:{EURO_DIGITS})", text) if core.strip()[:1] in "$€£¥₴₽" else None
        if match and "." in match.group(0):
            number, rest = float(match.group(0).replace(".", "")), text[match.end():]
        elif (match := re.match(rf"^(?:{DIGITS})", text)) is not None:
            number, rest = float(match.group(0).replace(",", "")), text[match.end():]
        else:
            return self._words_value(text)
        for piece in re.findall(r"[a-z]+", rest):
            number *= self.scales.get(piece) or self.suffixes.get(piece) or 1
        return number

    def _words_value(self, text: str) -> float | None:
        tokens = [t for t in re.split(r"[\s\-–]+", text) if t and t != "and"]
        total, current, seen = 0.0, 0.0, False
        index = 0
        while index < len(tokens):
            token = tokens[index]
            pair = " ".join(tokens[index:index + 2])
            if pair in self.units:  # "a dozen", "half a"
                current += self.units[pair]
                index += 2
                seen = True
                continue
            if token == "a":
                current = current or 1.0
            elif token == "dozen":
                current = (current or 1.0) * 12
            elif token in self.units:
                current += self.units[token]
            elif token == "hundred":
                current = (current or 1.0) * 100
            elif token in self.scales:
                total += (current or 1.0) * self.scales[token]
                current = 0.0
            else:
                return None
            seen = True
            index += 1
        return total + current if seen else None

    def count(self, body: str, modifier: str | None) -> Count | None:
        """The Count of an expression ``modifier body`` (both as matched)."""
        text = body if modifier is None else f"{modifier} {body}"
        key = " ".join(body.lower().split())
        if key in self.vague:
            low, high = self.vague[key]
            return _bounded(Count(min=low, max=high, approx=True, text=text), modifier, self)
        ranged = self._range(body)
        if ranged is not None:
            low, high = ranged
            return Count(min=_int(low), max=_int(high), approx=modifier is not None, text=text)
        number = self.value(body)
        if number is None:
            return None
        return _bounded(Count(min=_int(number), max=_int(number), text=text), modifier, self)

    def _range(self, body: str) -> tuple[float, float] | None:
        stripped = re.sub(r"^(?:between|from)\s+", "", body.strip(), flags=re.IGNORECASE)
        for separator in (r"\s+and\s+", r"\s+to\s+", r"\s+or\s+", r"\s*[-–]\s*"):
            parts = re.split(separator, stripped, maxsplit=1, flags=re.IGNORECASE)
            if len(parts) != 2 or not all(self._core.match(p) for p in parts):
                continue
            if "-" in separator and not all(re.match(r"\W?\d", p) for p in parts):
                continue  # "Thirty-seven" is one number, not a range
            low, high = self.value(parts[0]), self.value(parts[1])
            if low is None or high is None or low >= high:
                continue
            # "2.6-3 billion", "$1-2 million": a scale written once applies to both ends.
            if high >= 1000 and low < 1000 and not re.search(r"[a-z]", parts[0], re.I):
                scale = _scale_of(parts[1], self)
                low *= scale
            return low, high
        return None


def _scale_of(core: str, grammar: NumberGrammar) -> float:
    scale = 1.0
    for piece in re.findall(r"[a-z]+", core.lower()):
        scale *= grammar.scales.get(piece) or grammar.suffixes.get(piece) or 1
    return scale


def _bound(cell: str) -> int | None:
    return None if cell in ("", "-") else int(float(cell))


def _int(value: float | None) -> int | None:
    return None if value is None else int(round(value))


def _bounded(count: Count, modifier: str | None, grammar: NumberGrammar) -> Count:
    """Apply a modifier: "over" keeps the minimum, "up to" keeps the maximum, "around" is approx."""
    if modifier is None:
        return count
    role = grammar.modifiers.get(" ".join(modifier.lower().split()), "approx")
    if role == "min":
        return Count(min=count.min, max=None, approx=True, text=count.text)
    if role == "max":
        return Count(min=None, max=count.max if count.max is not None else count.min, approx=True, text=count.text)
    if role == "approx":
        return Count(min=count.min, max=count.max, approx=True, text=count.text)
    return count


@functools.cache
def grammar() -> NumberGrammar:
    return NumberGrammar(read_table("numbers.tsv"))


def parse_count(text: str) -> Count | None:
    """The Count of one number expression ("around 8,000" -> 8000/8000 approx), or None."""
    stripped = " ".join(text.split())
    match = grammar().regex.fullmatch(stripped)
    if match is None or match.group("body").lower() == "a":
        return None
    return grammar().count(match.group("body"), match.group("modifier"))


def find_number_expressions(text: str, offset: int = 0) -> list[NumberExpr]:
    """Every number expression in ``text``, left to right; offsets shifted by ``offset``."""
    found = []
    numbers = grammar()
    for match in numbers.regex.finditer(text):
        body, modifier = match.group("body"), match.group("modifier")
        if body.lower() == "a":  # a bare article is not a number
            continue
        count = numbers.count(body, modifier)
        if count is None:
            continue
        key = " ".join(body.lower().split())
        currency = re.match(CURRENCY, body, re.IGNORECASE)
        found.append(
            NumberExpr(
                start=offset + match.start(),
                end=offset + match.end(),
                text=match.group(0),
                count=count,
                modifier=" ".join(modifier.lower().split()) if modifier else None,
                currency=currency.group(0).strip() if currency else None,
                vague=key in numbers.vague,
            )
        )
    return found


def find_numbers(doc: Doc | Span) -> list[NumberSpan]:
    """Number expressions of a Doc (or Span), each with the tokens that cover it."""
    base = doc.doc if isinstance(doc, Span) else doc
    offset = doc.start_char if isinstance(doc, Span) else 0
    spans = []
    for expr in find_number_expressions(doc.text, offset):
        span = base.char_span(expr.start, expr.end, alignment_mode="expand")
        if span is not None:
            spans.append(NumberSpan(expr, span))
    return spans
