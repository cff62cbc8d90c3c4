"""Exports: ACLED-style CSV in pandas, GeoJSON that validates, Parquet and JSONL round trips."""

from __future__ import annotations

import io
import json

import jsonschema
import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from reportedly import export, tables
from reportedly.cli import main
from reportedly.records import decode_report
from reportedly.store import Store
from test_store import TEXT, add_corroboration, make_report

ACLED_ORDER = [
    "event_date", "event_type", "sub_event_type", "actor1", "actor2", "country", "admin1",
    "location", "latitude", "longitude", "geo_precision", "source", "notes", "fatalities",
]
OWN = ["plover_type", "certainty", "origin_source", "chain_length", "independent_origins"]

# GeoJSON (RFC 7946), the parts an export must get right: a FeatureCollection of Point
# Features with [longitude, latitude] in range and an object of properties.
GEOJSON_SCHEMA = {
    "type": "object",
    "required": ["type", "features"],
    "properties": {
        "type": {"const": "FeatureCollection"},
        "features": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["type", "geometry", "properties"],
                "properties": {
                    "type": {"const": "Feature"},
                    "geometry": {
                        "type": "object",
                        "required": ["type", "coordinates"],
                        "properties": {
                            "type": {"const": "Point"},
                            "coordinates": {
                                "type": "array", "minItems": 2, "maxItems": 3,
                                "prefixItems": [
                                    {"type": "number", "minimum": -180, "maximum": 180},
                                    {"type": "number", "minimum": -90, "maximum": 90},
                                ],
                            },
                        },
                    },
                    "properties": {"type": "object"},
                },
            },
        },
    },
}


@pytest.fixture
def db(tmp_path):
    """A store file with three documents: two located events, one event with no place."""
    path = tmp_path / "r.db"
    with Store.open(path) as store:
        store.add_reports([
            make_report(),
            make_report(TEXT + " Unplaced.", outlet="other.org", located=False),
            make_report(TEXT + " Again.", outlet="third.net"),
        ])
    return path


def test_csv_opens_in_pandas_with_acled_columns(db):
    with Store.open(db, read_only=True) as store:
        out = io.StringIO()
        assert export.export_csv(store, out) == 3
    frame = pd.read_csv(io.StringIO(out.getvalue()))
    assert list(frame.columns) == ACLED_ORDER + OWN
    row = frame[frame["source"] == "example.com"].iloc[0]
    assert (row["event_date"], row["event_type"], row["sub_event_type"]) == ("2024-08-06", "Battles", "Armed clash")
    assert (row["actor1"], row["actor2"]) == ("North Korean armed forces", "Russian armed forces")
    assert (row["country"], row["location"], row["geo_precision"]) == ("Russia", "Kursk Oblast", 3)
    assert (row["latitude"], row["longitude"], row["fatalities"]) == (51.73, 36.19, 2)
    assert (row["plover_type"], row["certainty"], row["origin_source"], row["chain_length"]) == (
        "ASSAULT", "probable", "captured Russian soldier", 3
    )
    assert pd.isna(row["independent_origins"])  # not corroborated yet
    assert row["notes"] == TEXT


def test_csv_where_and_independent_origins(db):
    with Store.open(db) as store:
        add_corroboration(store, make_report())
        out = io.StringIO()
        assert export.export_csv(store, out, where="outlet = 'example.com'") == 1
    frame = pd.read_csv(io.StringIO(out.getvalue()))
    assert list(frame["independent_origins"]) == [2]


def test_geojson_one_feature_per_located_event(db):
    with Store.open(db, read_only=True) as store:
        out = io.StringIO()
        assert export.export_geojson(store, out) == 2
        located = store.events("location_lat IS NOT NULL", as_="records")
    collection = json.loads(out.getvalue())
    jsonschema.validate(collection, GEOJSON_SCHEMA)
    features = collection["features"]
    assert len(features) == len(located) == 2
    assert {f["properties"]["source"] for f in features} == {"example.com", "third.net"}
    assert features[0]["geometry"]["coordinates"] == [36.19, 51.73]  # longitude first
    assert set(ACLED_ORDER + OWN) <= set(features[0]["properties"])


def test_geojson_schema_catches_swapped_coordinates():
    bad = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [36.19, 151.73]}, "properties": {}}
    ]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, GEOJSON_SCHEMA)


def test_parquet_round_trips(db, tmp_path):
    out = tmp_path / "parquet"
    with Store.open(db, read_only=True) as store:
        written = export.export_parquet(store, out)
        assert written["documents"] == 3 and written["events"] == 3 and written["sources"] == 6
        for name in ("documents", "events", "figures", "attributions", "sources"):
            exported = pq.read_table(out / f"{name}.parquet")
            assert exported.column_names == tables.column_names(name)
            original = store.query(f"SELECT * FROM {name} ORDER BY {'id' if name == 'documents' else 'doc_id'}")
            assert exported.to_pylist() == original.to_pylist()
        reports = {doc["id"]: store.report(doc["id"]) for doc in store.documents()}
    with Store.open(tmp_path / "copy.db") as copy:
        assert copy.load_parquet(out) == 3
        assert {doc_id: copy.report(doc_id) for doc_id in reports} == reports


def test_jsonl_gives_full_reports_with_corroboration(db):
    with Store.open(db) as store:
        out = io.BytesIO()
        assert export.export_jsonl(store, out, where="outlet <> 'third.net'") == 2
        plain = [decode_report(line) for line in out.getvalue().splitlines()]
        assert plain[0] == store.report(plain[0].document.id)
        corroboration = add_corroboration(store, make_report())
        out = io.BytesIO()
        export.export_jsonl(store, out)
    reports = {r.document.id: r for r in map(decode_report, out.getvalue().splitlines())}
    assert reports[make_report().document.id].events[0].corroboration == corroboration


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "geojson", "parquet"])
def test_export_command(db, tmp_path, fmt):
    target = tmp_path / f"out.{fmt}"
    result = CliRunner().invoke(main, ["export", "--db", str(db), "--format", fmt, "-o", str(target)])
    assert result.exit_code == 0, result.output
    if fmt == "parquet":
        assert pq.read_table(target / "events.parquet").num_rows == 3
    elif fmt == "csv":
        assert len(pd.read_csv(target)) == 3
    elif fmt == "geojson":
        jsonschema.validate(json.loads(target.read_text()), GEOJSON_SCHEMA)
    else:
        assert len(target.read_bytes().splitlines()) == 3


def test_export_of_a_missing_store_or_bad_where_fails_cleanly(db, tmp_path):
    result = CliRunner().invoke(main, ["export", "--db", str(tmp_path / "no.db"), "--format", "csv"])
    assert result.exit_code != 0 and "no store" in result.output
    result = CliRunner().invoke(main, ["export", "--db", str(db), "--format", "csv", "--where", "no_such_column = 1"])
    assert result.exit_code == 1 and "cannot export" in result.output and "no_such_column" in result.output


def test_store_export_api(db, tmp_path):
    with Store.open(db, read_only=True) as store:
        assert store.export("csv", tmp_path / "events.csv", where="type = ?", params=["ASSAULT"]) == 3
        assert store.export("geojson", tmp_path / "events.geojson", where="outlet = 'third.net'") == 1
        with pytest.raises(ValueError):
            store.export("xlsx", tmp_path / "events.xlsx")
    assert list(pd.read_csv(tmp_path / "events.csv").columns) == ACLED_ORDER + OWN


def test_stats_command(db):
    result = CliRunner().invoke(main, ["stats", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    stats = json.loads(result.output)
    assert stats["counts"]["events"] == 3
    assert stats["type"] == [{"key": "ASSAULT", "events": 3}]
    assert stats["month"] == [{"key": "2024-08", "events": 3}]
    assert {row["key"] for row in stats["outlet"]} == {"example.com", "other.org", "third.net"}
    tables_output = CliRunner().invoke(main, ["stats", "--db", str(db)])
    assert tables_output.exit_code == 0 and "events by certainty" in tables_output.output
