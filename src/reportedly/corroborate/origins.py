"""Origins: who first said it, resolved across documents, and how many independent ones.

The origin of a mention is the first link of its source chain; a chain of the publisher
alone (the outlet asserts it itself) makes the outlet the origin. Names are merged across
documents by normalisation and the alias table ``data/source_aliases.tsv``. Articles of one
reuse cluster (copies of one another) contribute one origin set: their publisher-only
mentions collapse into the cluster's first outlet, since copies are not independent.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from ..data import read_table
from ..records import ChainLink, Origin, Source

# Spelling variants folded before alias lookup (British/American, transliterations).
_FOLD = (("defence", "defense"), ("zelenskyy", "zelensky"), ("kyiv", "kyiv"), ("kiev", "kyiv"))
_POSSESSIVE = re.compile(r"['’]s\b")
_NON_WORD = re.compile(r"[^\w]+")
# Source types whose name says who in general, not who in particular ("a source",
# "officials"): two articles quoting them are not known to quote the same claimant.
_SCOPED_TYPES = frozenset({"anonymous", "unknown"})


def normalise_name(name: str) -> str:
    """Lowercase, accents and punctuation removed, possessives and a leading 'the' dropped."""
    text = _POSSESSIVE.sub("", name)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = _NON_WORD.sub(" ", text).strip()
    text = text.removeprefix("the ")
    for variant, folded in _FOLD:
        text = re.sub(rf"\b{variant}\b", folded, text)
    return text


@functools.cache
def alias_index() -> dict[str, tuple[str, str | None]]:
    """normalised alias -> (canonical name, party_to_conflict), from source_aliases.tsv."""
    index: dict[str, tuple[str, str | None]] = {}
    for row in read_table("source_aliases.tsv"):
        alias, canonical = row[0], row[1]
        party = row[2] if len(row) > 2 and row[2] else None
        index[normalise_name(alias)] = (canonical, party)
        index.setdefault(normalise_name(canonical), (canonical, party))
    return index


def resolve_name(name: str) -> tuple[str, str | None, bool]:
    """(canonical name, party from the alias table, whether the table knew the name)."""
    hit = alias_index().get(normalise_name(name))
    if hit:
        return hit[0], hit[1], True
    return name.strip(), None, False


@functools.cache
def sides() -> dict[str, frozenset[tuple[str, str]]]:
    """party (ISO alpha-3) -> the (conflict, side) pairs it belongs to, from the events
    stage's data/alliances.tsv (conflict, side, iso3, valid_from, valid_to) when present."""
    try:
        rows = read_table("alliances.tsv")
    except (FileNotFoundError, OSError):
        return {}
    found: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for row in rows:
        if len(row) >= 3 and row[2]:
            found[row[2].upper()].add((row[0], row[1]))
    return {party: frozenset(pairs) for party, pairs in found.items()}


def opposing(parties: Iterable[str | None]) -> bool:
    """Whether the parties include two sides of one conflict.

    Parties the alliance table knows are placed on their sides; any other party is taken as
    a side of its own (party_to_conflict already names a side), so two unknown parties, or an
    unknown one and a known one, are two sides only when no table says otherwise.
    """
    known = sides()
    by_conflict: dict[str, set[str]] = defaultdict(set)
    for party in {p.upper() for p in parties if p}:
        for conflict, side in known.get(party, {("", party)}):
            by_conflict[conflict].add(side)
    return any(len(found) >= 2 for found in by_conflict.values())


def side_of(party: str | None) -> str | None:
    """One side name for a party (its first conflict's), for comparing two parties."""
    if not party:
        return None
    pairs = sides().get(party.upper())
    return min(pairs)[1] if pairs else party.upper()


@dataclass(frozen=True, slots=True)
class OriginRef:
    """One mention's origin: ``key`` is what makes two origins the same claimant."""

    key: str
    name: str
    party: str | None = None
    publisher: bool = False
    scoped: bool = False


def origin_of(
    chain: Sequence[ChainLink], sources: Mapping[str, Source], outlet: str | None, doc_id: str
) -> OriginRef:
    """The origin of one event or figure from its source chain (see module docstring)."""
    attributed = [link for link in chain if link.role != "publisher"]
    if not attributed:
        name = outlet or (chain[-1].name if chain else None) or f"document {doc_id}"
        return OriginRef(key="outlet:" + normalise_name(name), name=name, publisher=True)
    link = attributed[0]
    canonical, party, known = resolve_name(link.name)
    source = sources.get(link.source_id or "")
    if source is not None and source.party_to_conflict:
        party = source.party_to_conflict
    scoped = link.type in _SCOPED_TYPES and not known
    return OriginRef(key=normalise_name(canonical), name=canonical, party=party, scoped=scoped)


@dataclass(frozen=True, slots=True)
class OriginCount:
    origins: list[Origin]
    independent: int
    both_sides: bool


class Claim(Protocol):
    """What count_origins reads of a mention."""

    doc_id: str
    reuse: str
    origin: OriginRef
    published: str | None
    outlet: str | None


def count_origins(mentions: Iterable[Claim]) -> OriginCount:
    """Distinct origins of the mentions of one cross-document event or figure.

    Each mention has ``doc_id``, ``reuse`` (its article's reuse cluster), ``origin`` (an
    OriginRef) and ``published``. A reuse cluster (articles copying one another) contributes
    one origin: the one most of its copies name (copies that dropped the attribution still
    repeat it; a copy's odd spelling is outvoted), else its first outlet. Scoped origins
    ("officials") are told apart per reuse cluster; a name contained in another one of the
    same side ("State Emergency Service" in "State Emergency Service of Ukraine") merges.
    """
    by_reuse: dict[str, list[Claim]] = defaultdict(list)
    for mention in mentions:
        by_reuse[mention.reuse].append(mention)
    chosen: dict[str, OriginRef] = {}
    for reuse, group in sorted(by_reuse.items()):
        origin = _representative(group)
        key = f"{origin.key}@{reuse}" if origin.scoped else origin.key
        known = chosen.get(key)
        if known is None or (known.party is None and origin.party):
            chosen[key] = origin
    chosen = _merge_contained(chosen)
    origins = sorted(
        (Origin(name=o.name, party_to_conflict=o.party) for o in chosen.values()),
        key=lambda o: (o.name.lower(), o.party_to_conflict or ""),
    )
    return OriginCount(
        origins=origins, independent=len(chosen), both_sides=opposing(o.party for o in chosen.values())
    )


def _representative(group: list[Claim]) -> OriginRef:
    """The origin a reuse cluster's copies agree on (most named; earliest on a tie)."""
    ordered = sorted(group, key=lambda m: (m.published or "9999", m.doc_id))
    attributed = [m.origin for m in ordered if not m.origin.publisher]
    if not attributed:
        return ordered[0].origin
    votes = Counter(o.key for o in attributed)
    best = max(votes.values())
    key = next(o.key for o in attributed if votes[o.key] == best)
    same = [o for o in attributed if o.key == key]
    return next((o for o in same if o.party), same[0])


def _merge_contained(chosen: dict[str, OriginRef]) -> dict[str, OriginRef]:
    words = {key: frozenset(normalise_name(o.name).split()) for key, o in chosen.items()}
    merged = dict(chosen)
    for key, origin in chosen.items():
        if origin.publisher or origin.scoped or len(words[key]) < 2:
            continue
        for other_key, other in chosen.items():
            if (
                other_key != key
                and other_key in merged
                and not other.publisher
                and words[key] < words[other_key]
                and (origin.party is None or other.party is None or side_of(origin.party) == side_of(other.party))
            ):
                merged.pop(key, None)
                break
    return merged
