"""The events table's current filter as CSV (ACLED column order) or GeoJSON."""

from __future__ import annotations

import csv
import io

# records.md "Exports": ACLED's columns where one exists, then this project's own.
CSV_COLUMNS: tuple[tuple[str, str], ...] = (
    ("event_date", "event_date"),
    ("event_type", "acled_type"),
    ("sub_event_type", "acled_subtype"),
    ("actor1", "actor_name"),
    ("actor2", "recipient_name"),
    ("country", "location_country"),
    ("admin1", "location_admin1"),
    ("location", "location_name"),
    ("latitude", "location_lat"),
    ("longitude", "location_lon"),
    ("geo_precision", "location_precision"),
    ("source", "outlet"),
    ("notes", "evidence"),
    ("fatalities", "killed_min"),
    ("plover_type", "type"),
    ("plover_mode", "mode"),
    ("certainty", "certainty"),
    ("status", "status"),
    ("origin_source", "origin_name"),
    ("chain_length", "chain_length"),
    ("independent_origins", "independent_origins"),
    ("friendly_fire", "friendly_fire"),
    ("doc_id", "doc_id"),
    ("event_id", "event_id"),
    ("url", "url"),
)
GEOJSON_PROPERTIES: tuple[str, ...] = (
    "key", "doc_id", "event_id", "type", "mode", "acled_type", "acled_subtype", "trigger_text",
    "actor_name", "recipient_name", "location_name", "location_country", "location_admin1",
    "location_precision", "event_date", "killed_min", "killed_max", "certainty", "status",
    "friendly_fire", "origin_name", "chain_length", "independent_origins", "outlet", "title",
)
# What the map's markers and list need (a smaller download for large stores).
MAP_PROPERTIES: tuple[str, ...] = (
    "key", "type", "mode", "trigger_text", "location_name", "location_admin1", "event_date", "outlet",
    "friendly_fire",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    # A text cell that a spreadsheet would run as a formula is quoted (CSV injection).
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def events_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([name for name, _ in CSV_COLUMNS])
    for row in rows:
        writer.writerow([_cell(row.get(column)) for _, column in CSV_COLUMNS])
    return out.getvalue()


def events_geojson(rows: list[dict], properties: tuple[str, ...] = GEOJSON_PROPERTIES) -> dict:
    features = []
    for row in rows:
        lat, lon = row.get("location_lat"), row.get("location_lon")
        if lat is None or lon is None:
            continue
        features.append(
            {
                "type": "Feature",
                "id": row["key"],
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {name: row.get(name) for name in properties},
            }
        )
    return {"type": "FeatureCollection", "features": features}
