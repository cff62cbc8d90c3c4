"""Exports of the store: JSONL (full Reports), ACLED-style events CSV, GeoJSON, Parquet.

``where`` is an SQL condition: over the event columns (plus outlet, published, url, title
and the corroboration columns) for CSV and GeoJSON, over the documents columns for JSONL
and Parquet (which export whole documents).
"""

from __future__ import annotations

import csv
import functools
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import IO

from . import tables
from .records import encode
from .store import CORROBORATION_TABLES, Store

ACLED_COLUMNS: tuple[str, ...] = (
    "event_date", "event_type", "sub_event_type", "actor1", "actor2", "country", "admin1",
    "location", "latitude", "longitude", "geo_precision", "source", "notes", "fatalities",
)
PROJECT_COLUMNS: tuple[str, ...] = (
    "plover_type", "certainty", "origin_source", "chain_length", "independent_origins",
)
CSV_COLUMNS: tuple[str, ...] = ACLED_COLUMNS + PROJECT_COLUMNS
# Extra GeoJSON properties that tie a feature back to its record.
GEOJSON_EXTRA: tuple[str, ...] = ("doc_id", "event_id", "url", "plover_mode", "status")
PARQUET_EXPORT_TABLES: tuple[str, ...] = tables.PARQUET_TABLES

# ACLED's geo_precision: 1 the exact town or site is named, 2 a nearby or part-of place,
# 3 only a larger region (province, country).
GEO_PRECISION = {"point": 1, "city": 1, "admin1": 3, "country": 3}


@functools.cache
def _country_names() -> dict[str, str]:
    """ISO alpha-3 -> the country name the project uses (data/countries.tsv)."""
    from .data import read_table

    return {row[0]: row[1] for row in read_table("countries.tsv") if len(row) > 1}


@functools.cache
def country_name(alpha2: str | None) -> str | None:
    """A location's ISO alpha-2 as a country name (``RU`` -> ``Russia``), as ACLED writes it."""
    if not alpha2:
        return None
    import pycountry

    country = pycountry.countries.get(alpha_2=alpha2.upper())
    if country is None:
        return alpha2
    return _country_names().get(country.alpha_3) or getattr(country, "common_name", None) or country.name


@functools.cache
def admin1_name(code: str | None) -> str | None:
    """An ISO 3166-2 code as its subdivision name (``UA-63`` -> ``Kharkivska oblast``)."""
    if not code:
        return None
    import pycountry

    subdivision = pycountry.subdivisions.get(code=code)
    return subdivision.name if subdivision is not None else code


def _event_rows(store: Store, where: str | None, params: list | None, located: bool = False) -> Iterator[dict]:
    condition = "location_lat IS NOT NULL AND location_lon IS NOT NULL" if located else None
    if where and condition:
        condition = f"({where}) AND {condition}"
    relation = store.connection.sql(
        f"SELECT * FROM ({store.items_query('event')}) AS items"
        + (f" WHERE {condition or where}" if (condition or where) else "")
        + " ORDER BY doc_id, sentence, id",
        params=params or None,
    )
    for batch in _batches(relation):
        yield from batch.to_pylist()


def _batches(relation) -> Iterator:
    """Arrow record batches of a DuckDB relation (streamed, not the whole result at once)."""
    if hasattr(relation, "to_arrow_reader"):
        return relation.to_arrow_reader()
    return relation.fetch_record_batch()


def acled_row(event: dict) -> dict:
    """One events-table row (with outlet, published, corroboration) in the CSV's columns."""
    when: date | None = event["date_start"] or event["published"]
    return {
        "event_date": when.isoformat() if when else None,
        "event_type": event["acled_type"],
        "sub_event_type": event["acled_subtype"],
        "actor1": event["actor_name"],
        "actor2": event["recipient_name"],
        "country": country_name(event["location_country"]),
        "admin1": admin1_name(event["location_admin1"]),
        "location": event["location_name"],
        "latitude": event["location_lat"],
        "longitude": event["location_lon"],
        "geo_precision": GEO_PRECISION.get(event["location_precision"] or ""),
        "source": event["outlet"],
        "notes": event["evidence"],
        # ACLED records the lowest reported figure, 0 when none is reported.
        "fatalities": event["killed_min"] or 0,
        "plover_type": event["type"],
        "certainty": event["certainty"],
        "origin_source": event["origin_name"],
        "chain_length": event["chain_length"],
        "independent_origins": event["independent_origins"],
    }


def export_csv(store: Store, out: IO[str], where: str | None = None, params: list | None = None) -> int:
    """events.csv: ACLED's columns in ACLED's order, then the project's own; rows written."""
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    written = 0
    for event in _event_rows(store, where, params):
        writer.writerow(acled_row(event))
        written += 1
    return written


def geojson_feature(event: dict) -> dict:
    properties = acled_row(event)
    properties.update({
        "doc_id": event["doc_id"], "event_id": event["id"], "url": event["url"],
        "plover_mode": event["mode"], "status": event["status"],
    })
    return {
        "type": "Feature",
        "id": f"{event['doc_id']}/{event['id']}",
        "geometry": {"type": "Point", "coordinates": [event["location_lon"], event["location_lat"]]},
        "properties": properties,
    }


def export_geojson(store: Store, out: IO[str], where: str | None = None, params: list | None = None) -> int:
    """A FeatureCollection with one Point Feature per located event; features written."""
    out.write('{"type": "FeatureCollection", "features": [')
    written = 0
    for event in _event_rows(store, where, params, located=True):
        out.write(("," if written else "") + "\n" + json.dumps(geojson_feature(event), ensure_ascii=False))
        written += 1
    out.write("\n]}\n")
    return written


def _document_ids_query(where: str | None) -> str:
    return "SELECT id FROM documents" + (f" WHERE {where}" if where else "")


def export_jsonl(store: Store, out: IO[bytes], where: str | None = None, params: list | None = None) -> int:
    """One full Report per line (corroboration attached when computed); lines written."""
    corroborated = any(store.table_exists(t) for t in CORROBORATION_TABLES.values())
    relation = store.connection.sql(
        f"SELECT id, record FROM documents WHERE id IN ({_document_ids_query(where)}) ORDER BY published NULLS LAST, id",
        params=params or None,
    )
    # A second cursor reads the corroboration while this export's own result is still open.
    reader = Store(store.connection.cursor(), store.path, True) if corroborated else None
    written = 0
    for batch in _batches(relation):
        for doc_id, record in zip(batch.column("id").to_pylist(), batch.column("record").to_pylist(), strict=True):
            if reader is not None:
                out.write(encode(reader.report(doc_id)) + b"\n")
            else:
                out.write(record.encode("utf-8") + b"\n")
            written += 1
    return written


def export_parquet(store: Store, directory: Path | str, where: str | None = None, params: list | None = None) -> dict[str, int]:
    """``DIR/TABLE.parquet`` for documents, events, figures, attributions, sources and
    chain_links (and the corroboration tables when present), in the store's own layout, so
    ``Store.load_parquet(DIR)`` loads them back. Rows written per table."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    ids = _document_ids_query(where)
    names = list(PARQUET_EXPORT_TABLES) + [t for t in CORROBORATION_TABLES.values() if store.table_exists(t)]
    written = {}
    for name in names:
        key = "id" if name == "documents" else "doc_id"
        columns = ", ".join(tables.column_names(name)) if name in tables.TABLES else "*"
        relation = store.connection.sql(
            f"SELECT {columns} FROM {name} WHERE {key} IN ({ids}) ORDER BY {key}", params=params or None
        )
        path = directory / f"{name}.parquet"
        relation.write_parquet(str(path))
        written[name] = store._first(f"SELECT count(*) FROM read_parquet('{_sql_quote(path)}')")[0]
    return written


def _sql_quote(path: Path) -> str:
    return str(path).replace("'", "''")


FORMATS = ("jsonl", "csv", "geojson", "parquet")
DEFAULT_PARQUET_DIR = "reportedly-parquet"


def export(store: Store, fmt: str, output: str | Path | IO | None = None, where: str | None = None,
           params: list | None = None) -> int | dict[str, int]:
    """Export in ``fmt`` to ``output`` (a path, an open file, or None for stdout; a directory
    for parquet). Returns what the format's writer returns (rows, or rows per table)."""
    import sys

    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if fmt == "parquet":
        return export_parquet(store, output or DEFAULT_PARQUET_DIR, where, params)
    writer = {"jsonl": export_jsonl, "csv": export_csv, "geojson": export_geojson}[fmt]
    binary = fmt == "jsonl"
    if output is None:
        out = sys.stdout.buffer if binary else sys.stdout
        written = writer(store, out, where, params)
        out.flush()
        return written
    if not isinstance(output, str | Path):
        return writer(store, output, where, params)
    with open(output, "wb") if binary else open(output, "w", encoding="utf-8", newline="") as out:
        return writer(store, out, where, params)
