"""The map's vendored admin1 outlines (static/vendor/admin1.json): each ISO 3166-2 code sits on
the region that really holds the places the gazetteer puts in it."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest

import reportedly.web

ADMIN1 = Path(reportedly.web.__file__).parent / "static" / "vendor" / "admin1.json"


@functools.cache
def _topology() -> dict:
    return json.loads(ADMIN1.read_text(encoding="utf-8"))


@functools.cache
def _arcs() -> list[list[tuple[float, float]]]:
    """The topology's arcs as lon/lat points (delta-decoded, then scaled)."""
    topology = _topology()
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        decoded.append(points)
    return decoded


def _ring(arc_ids: list[int]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for arc_id in arc_ids:
        arc = _arcs()[arc_id] if arc_id >= 0 else _arcs()[~arc_id][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def _inside(ring: list[tuple[float, float]], lon: float, lat: float) -> bool:
    crossings = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            crossings = not crossings
    return crossings


def _regions_holding(lon: float, lat: float) -> set[str]:
    found = set()
    for geometry in _topology()["objects"]["admin1"]["geometries"]:
        polygons = [geometry["arcs"]] if geometry["type"] == "Polygon" else geometry["arcs"]
        for rings in polygons:
            # Inside the outer ring and outside every hole.
            if _inside(_ring(rings[0]), lon, lat) and not any(_inside(_ring(hole), lon, lat) for hole in rings[1:]):
                found.add(geometry["properties"].get("iso", ""))
    return found


@pytest.mark.parametrize(
    ("place", "lon", "lat", "code"),
    [
        ("Kursk", 36.19, 51.73, "RU-KRS"),
        ("Sudzha", 35.27, 51.19, "RU-KRS"),
        ("Belgorod", 36.59, 50.60, "RU-BEL"),
        ("Kharkiv", 36.25, 49.99, "UA-63"),
        ("Pokrovsk", 37.18, 48.28, "UA-14"),
        ("Munich", 11.58, 48.14, "DE-BY"),
        ("Sacramento", -121.49, 38.58, "US-CA"),
    ],
)
def test_a_place_lies_in_the_outline_coded_with_its_region(place, lon, lat, code):
    assert _regions_holding(lon, lat) == {code}, place


def test_every_coded_outline_is_named_and_codes_are_iso_3166_2():
    import pycountry

    coded = [g["properties"] for g in _topology()["objects"]["admin1"]["geometries"] if g["properties"]]
    assert all(p["name"] for p in coded)
    known = {s.code for s in pycountry.subdivisions}
    assert sum(p["iso"] in known for p in coded) / len(coded) > 0.95
    assert len({p["iso"] for p in coded}) == len(coded)  # one outline per code (dissolved)
