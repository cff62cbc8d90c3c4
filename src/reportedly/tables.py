"""Reports flattened into table rows: the store's tables, their columns and Arrow schemas.

One place defines every table's columns (name, DuckDB type, Arrow type); the DuckDB DDL,
the Arrow schemas, the Parquet layout and the row builders all come from it, so the store,
the Dask engine and the exports cannot drift apart.

``flatten(report)`` gives the rows of one Report for every table; ``to_arrow(reports)``
gives one Arrow table per store table for a batch (what the store inserts in one
transaction, and what the Dask engine writes as Parquet partitions).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import pyarrow as pa

from .records import ChainLink, Count, Event, Figure, Report, encode, iso_date

SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    sql: str  # DuckDB type
    arrow: pa.DataType


def _cols(spec: str, sql: str, arrow: pa.DataType) -> list[Column]:
    return [Column(name, sql, arrow) for name in spec.split()]


_S, _I, _F, _B, _D = pa.string(), pa.int64(), pa.float64(), pa.bool_(), pa.date32()
_STRINGS = pa.list_(pa.string())


def _span_cols(prefix: str) -> list[Column]:
    return [
        Column(f"{prefix}_text", "VARCHAR", _S),
        Column(f"{prefix}_start", "INTEGER", _I),
        Column(f"{prefix}_end", "INTEGER", _I),
    ]


def _actor_cols(prefix: str) -> list[Column]:
    return _cols(f"{prefix}_text {prefix}_name {prefix}_country {prefix}_sector", "VARCHAR", _S)


def _count_cols(kinds: str) -> list[Column]:
    return [Column(f"{kind}_{end}", "BIGINT", _I) for kind in kinds.split() for end in ("min", "max")]


def _chain_cols() -> list[Column]:
    return [
        *_cols("origin_name origin_type", "VARCHAR", _S),
        Column("chain_length", "INTEGER", _I),
        Column("source_chain", "JSON", _S),
    ]


TABLES: dict[str, list[Column]] = {
    "documents": [
        *_cols("id external_id url outlet title author", "VARCHAR", _S),
        Column("published", "DATE", _D),
        Column("language", "VARCHAR", _S),
        Column("word_count", "INTEGER", _I),
        Column("text", "VARCHAR", _S),
        Column("record", "JSON", _S),
        Column("ingested_at", "TIMESTAMP", pa.timestamp("us")),
    ],
    "events": [
        *_cols("doc_id id type mode acled_type acled_subtype", "VARCHAR", _S),
        *_span_cols("trigger"),
        Column("sentence", "INTEGER", _I),
        Column("evidence", "VARCHAR", _S),
        *_actor_cols("actor"),
        *_actor_cols("recipient"),
        Column("friendly_fire", "BOOLEAN", _B),
        *_cols("location_text location_name location_country location_admin1", "VARCHAR", _S),
        Column("location_geonames_id", "BIGINT", _I),
        *_cols("location_lat location_lon", "DOUBLE", _F),
        Column("location_precision", "VARCHAR", _S),
        Column("date_text", "VARCHAR", _S),
        *_cols("date_start date_end", "DATE", _D),
        Column("date_precision", "VARCHAR", _S),
        *_count_cols("killed injured captured missing"),
        *_cols("status certainty", "VARCHAR", _S),
        Column("hedges", "VARCHAR[]", _STRINGS),
        Column("attribution", "VARCHAR", _S),
        *_chain_cols(),
        Column("mentions", "JSON", _S),
    ],
    "figures": [
        *_cols("doc_id id text", "VARCHAR", _S),
        *_cols("span_start span_end", "INTEGER", _I),
        *_cols("value_min value_max", "BIGINT", _I),
        Column("value_approx", "BOOLEAN", _B),
        *_cols("value_text kind what", "VARCHAR", _S),
        Column("sentence", "INTEGER", _I),
        Column("evidence", "VARCHAR", _S),
        Column("attribution", "VARCHAR", _S),
        Column("certainty", "VARCHAR", _S),
        Column("hedges", "VARCHAR[]", _STRINGS),
        Column("event", "VARCHAR", _S),
        *_chain_cols(),
    ],
    "attributions": [
        *_cols("doc_id id", "VARCHAR", _S),
        *_span_cols("source"),
        *_cols("source_resolved source_id", "VARCHAR", _S),
        *_span_cols("cue"),
        Column("cue_kind", "VARCHAR", _S),
        *_span_cols("content"),
        Column("parent", "VARCHAR", _S),
        Column("hedges", "VARCHAR[]", _STRINGS),
    ],
    "sources": [
        *_cols("doc_id id name type affiliation party_to_conflict", "VARCHAR", _S),
        Column("mentions", "JSON", _S),
    ],
    "chain_links": [
        *_cols("doc_id item_kind item_id", "VARCHAR", _S),
        Column("position", "INTEGER", _I),
        *_cols("source_id name type role cue", "VARCHAR", _S),
    ],
}

PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    "documents": ("id",),
    "events": ("doc_id", "id"),
    "figures": ("doc_id", "id"),
    "attributions": ("doc_id", "id"),
    "sources": ("doc_id", "id"),
    "chain_links": ("doc_id", "item_kind", "item_id", "position"),
}

# Tables whose rows belong to one document through ``doc_id`` (all but documents).
CHILD_TABLES: tuple[str, ...] = tuple(name for name in TABLES if name != "documents")
# The tables exported to Parquet and loaded back by ``Store.load_parquet``.
PARQUET_TABLES: tuple[str, ...] = ("documents", "events", "figures", "attributions", "sources", "chain_links")

SCHEMAS: dict[str, pa.Schema] = {
    name: pa.schema([pa.field(c.name, c.arrow) for c in columns]) for name, columns in TABLES.items()
}


def column_names(table: str) -> list[str]:
    return [c.name for c in TABLES[table]]


def create_table_sql(table: str) -> str:
    columns = ",\n  ".join(f"{c.name} {c.sql}" for c in TABLES[table])
    key = ", ".join(PRIMARY_KEYS[table])
    return f"CREATE TABLE IF NOT EXISTS {table} (\n  {columns},\n  PRIMARY KEY ({key})\n)"


# --- row builders ---------------------------------------------------------------------


def _json(value) -> str:
    return encode(value).decode("utf-8")


def _span(prefix: str, span) -> dict:
    if span is None:
        return {f"{prefix}_text": None, f"{prefix}_start": None, f"{prefix}_end": None}
    return {f"{prefix}_text": span.text, f"{prefix}_start": span.start, f"{prefix}_end": span.end}


def _actor(prefix: str, actor) -> dict:
    fields = ("text", "name", "country", "sector")
    return {f"{prefix}_{f}": (getattr(actor, f) if actor is not None else None) for f in fields}


def _count(prefix: str, count: Count | None) -> dict:
    if count is None:
        return {f"{prefix}_min": None, f"{prefix}_max": None}
    return {f"{prefix}_min": count.min, f"{prefix}_max": count.max}


def _chain(chain: list[ChainLink]) -> dict:
    """The origin (first link: chains run origin first, publisher last) and the chain itself."""
    origin = chain[0] if chain else None
    return {
        "origin_name": origin.name if origin else None,
        "origin_type": origin.type if origin else None,
        "chain_length": len(chain),
        "source_chain": _json(chain),
    }


def event_row(doc_id: str, event: Event) -> dict:
    location, when, casualties = event.location, event.date, event.casualties
    row = {
        "doc_id": doc_id, "id": event.id, "type": event.type, "mode": event.mode,
        "acled_type": event.acled_type, "acled_subtype": event.acled_subtype,
        **_span("trigger", event.trigger),
        "sentence": event.sentence, "evidence": event.evidence,
        **_actor("actor", event.actor), **_actor("recipient", event.recipient),
        "friendly_fire": event.friendly_fire,
    }
    for field in ("text", "name", "country", "admin1", "geonames_id", "lat", "lon", "precision"):
        row[f"location_{field}"] = getattr(location, field) if location is not None else None
    row.update({
        "date_text": when.text if when else None,
        "date_start": iso_date(when.start) if when else None,
        "date_end": iso_date(when.end) if when else None,
        "date_precision": when.precision if when else None,
    })
    for kind in ("killed", "injured", "captured", "missing"):
        row.update(_count(kind, getattr(casualties, kind) if casualties else None))
    row.update({
        "status": event.status, "certainty": event.certainty, "hedges": list(event.hedges),
        "attribution": event.attribution, **_chain(event.source_chain),
        "mentions": _json(event.mentions),
    })
    return row


def figure_row(doc_id: str, figure: Figure) -> dict:
    span, value = figure.span, figure.value
    return {
        "doc_id": doc_id, "id": figure.id, "text": figure.text,
        "span_start": span.start if span else None, "span_end": span.end if span else None,
        "value_min": value.min, "value_max": value.max, "value_approx": value.approx,
        "value_text": value.text, "kind": figure.kind, "what": figure.what,
        "sentence": figure.sentence, "evidence": figure.evidence,
        "attribution": figure.attribution, "certainty": figure.certainty,
        "hedges": list(figure.hedges), "event": figure.event, **_chain(figure.source_chain),
    }


def attribution_rows(doc_id: str, report: Report) -> list[dict]:
    rows = []
    for attribution in report.attributions:
        source = attribution.source
        rows.append({
            "doc_id": doc_id, "id": attribution.id, **_span("source", source),
            "source_resolved": source.resolved if source else None,
            "source_id": source.source_id if source else None,
            **_span("cue", attribution.cue), "cue_kind": attribution.cue.kind,
            **_span("content", attribution.content),
            "parent": attribution.parent, "hedges": list(attribution.hedges),
        })
    return rows


def source_rows(doc_id: str, report: Report) -> list[dict]:
    return [
        {
            "doc_id": doc_id, "id": s.id, "name": s.name, "type": s.type,
            "affiliation": s.affiliation, "party_to_conflict": s.party_to_conflict,
            "mentions": _json(s.mentions),
        }
        for s in report.sources
    ]


def chain_link_rows(doc_id: str, report: Report) -> list[dict]:
    rows = []
    items = [("event", e.id, e.source_chain) for e in report.events]
    items += [("figure", f.id, f.source_chain) for f in report.figures]
    for kind, item_id, chain in items:
        for position, link in enumerate(chain):
            rows.append({
                "doc_id": doc_id, "item_kind": kind, "item_id": item_id, "position": position,
                "source_id": link.source_id, "name": link.name, "type": link.type,
                "role": link.role, "cue": link.cue,
            })
    return rows


def document_row(report: Report, ingested_at: datetime | None = None) -> dict:
    """The documents row; ``record`` is the full Report as JSON (corroboration left out:
    that is cross-document and lives in its own tables)."""
    d = report.document
    return {
        "id": d.id, "external_id": d.external_id, "url": d.url, "outlet": d.outlet,
        "title": d.title, "author": d.author, "published": iso_date(d.published),
        "language": d.language, "word_count": d.word_count, "text": d.text,
        "record": _json(report),
        "ingested_at": ingested_at or datetime.now(UTC).replace(tzinfo=None),
    }


def flatten(report: Report, ingested_at: datetime | None = None) -> dict[str, list[dict]]:
    """The rows of one Report for every table (documents: one row)."""
    doc_id = report.document.id
    return {
        "documents": [document_row(report, ingested_at)],
        "events": [event_row(doc_id, e) for e in report.events],
        "figures": [figure_row(doc_id, f) for f in report.figures],
        "attributions": attribution_rows(doc_id, report),
        "sources": source_rows(doc_id, report),
        "chain_links": chain_link_rows(doc_id, report),
    }


def to_arrow(reports: Iterable[Report], ingested_at: datetime | None = None) -> dict[str, pa.Table]:
    """One Arrow table per store table for a batch of Reports (empty tables included)."""
    rows: dict[str, list[dict]] = {name: [] for name in TABLES}
    for report in reports:
        for name, table_rows in flatten(report, ingested_at).items():
            rows[name].extend(table_rows)
    return {name: pa.Table.from_pylist(rows[name], schema=SCHEMAS[name]) for name in TABLES}
