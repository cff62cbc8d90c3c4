"""What the pages and the API read: queries over the store's tables, in one place.

``Catalog`` wraps a ``reportedly.store.Store``. Pages and ``/api/`` call the same methods, so
they show the same data. One DuckDB connection is shared by the server's worker threads,
so every query runs under a lock.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from typing import Any

from ..records import Report
from .filters import EventFilter

# The flat events query every list, export, map and timeline reads; filters name its columns.
EVENT_COLUMNS = """
    e.doc_id, e.id AS event_id, e.type, e.mode, e.acled_type, e.acled_subtype,
    e.trigger_text, e.evidence, e.actor_text, e.actor_name, e.actor_country,
    e.recipient_text, e.recipient_name, e.recipient_country, e.friendly_fire,
    e.location_text, e.location_name, e.location_country, e.location_admin1,
    e.location_lat, e.location_lon, e.location_precision,
    e.date_text, CAST(e.date_start AS VARCHAR) AS date_start, CAST(e.date_end AS VARCHAR) AS date_end,
    e.killed_min, e.killed_max, e.status, e.certainty, e.origin_name, e.origin_type, e.chain_length,
    d.outlet, d.title, CAST(d.published AS VARCHAR) AS published, d.url,
    COALESCE(TRY_CAST(e.date_start AS DATE), TRY_CAST(d.published AS DATE)) AS event_date,
    CASE e.certainty WHEN 'certain' THEN 4 WHEN 'probable' THEN 3 WHEN 'possible' THEN 2 ELSE 1 END
        AS certainty_rank
"""
CORROBORATION_COLUMNS = """,
    c.cluster, COALESCE(c.reports, 1) AS reports, COALESCE(c.outlets, 1) AS outlets,
    COALESCE(c.independent_origins, 1) AS independent_origins, COALESCE(c.both_sides, FALSE) AS both_sides
"""
NO_CORROBORATION_COLUMNS = """,
    NULL AS cluster, 1 AS reports, 1 AS outlets, 1 AS independent_origins, FALSE AS both_sides
"""


@dataclass
class Page:
    """One page of rows and the total the filter matches."""

    total: int
    rows: list[dict]
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


# An event id: its document's id (16 hex chars, records.md) then its id in that document.
_EVENT_ID = re.compile(r"([0-9a-f]{16})([A-Za-z][\w-]*)")


def event_key(doc_id: str, event_id: str) -> str:
    """The event's single id across the store, used in URLs and the API: its document's id
    followed by its id inside the document, ``bd81813caf411830e1``. Event ids (``e1``) repeat
    across documents and document ids are fixed-width hex, so the pair reads back unambiguously."""
    return f"{doc_id}{event_id}"


def split_event_key(key: str) -> tuple[str, str] | None:
    """``(doc_id, event_id)`` of an event id, or of the older ``{doc_id}:{event_id}`` form."""
    doc_id, sep, event_id = key.partition(":")
    if sep:
        return (doc_id, event_id) if doc_id and event_id else None
    match = _EVENT_ID.fullmatch(key)
    return (match[1], match[2]) if match else None


class Catalog:
    """Read (and, when writable, add) reports through the store, under one lock."""

    def __init__(self, store: Any):
        self.store = store
        self.lock = threading.RLock()

    # -- plumbing -------------------------------------------------------------------------
    def sql(self, query: str, params: list | tuple | None = None) -> list[dict]:
        with self.lock:
            return self.store.sql(query, list(params or []))

    def has_table(self, name: str) -> bool:
        rows = self.sql(
            "SELECT count(*) AS n FROM information_schema.tables WHERE table_name = ?", [name]
        )
        return bool(rows and rows[0]["n"])

    def _events_from(self) -> str:
        if self.has_table("event_corroboration"):
            return (
                f"SELECT {EVENT_COLUMNS}{CORROBORATION_COLUMNS} FROM events e "
                "JOIN documents d ON d.id = e.doc_id "
                "LEFT JOIN event_corroboration c ON c.doc_id = e.doc_id AND c.event_id = e.id"
            )
        return f"SELECT {EVENT_COLUMNS}{NO_CORROBORATION_COLUMNS} FROM events e JOIN documents d ON d.id = e.doc_id"

    # -- events ---------------------------------------------------------------------------
    def events(self, event_filter: EventFilter, *, paged: bool = True, limit: int | None = None) -> Page:
        where, params = event_filter.where()
        base = f"FROM ({self._events_from()}) ev WHERE {where}"
        total = self.sql(f"SELECT count(*) AS n {base}", params)[0]["n"]
        query = f"SELECT * {base} ORDER BY {event_filter.order_by()}"
        page_params = list(params)
        if paged:
            query += " LIMIT ? OFFSET ?"
            page_params += [event_filter.per_page, (event_filter.page - 1) * event_filter.per_page]
        elif limit is not None:
            query += " LIMIT ?"
            page_params.append(limit)
        rows = [_event_row(row) for row in self.sql(query, page_params)]
        return Page(total=total, rows=rows, page=event_filter.page, per_page=event_filter.per_page)

    def event_rows(self, keys: list[tuple[str, str]]) -> list[dict]:
        """The flat rows of the given (doc_id, event_id) pairs, in that order."""
        if not keys:
            return []
        condition = " OR ".join("(doc_id = ? AND event_id = ?)" for _ in keys)
        params = [value for key in keys for value in key]
        rows = self.sql(f"SELECT * FROM ({self._events_from()}) ev WHERE {condition}", params)
        by_key = {(r["doc_id"], r["event_id"]): _event_row(r) for r in rows}
        return [by_key[k] for k in keys if k in by_key]

    def timeline(self, event_filter: EventFilter) -> list[dict]:
        """Events per (day, type) under the filter, days with no date left out."""
        where, params = event_filter.where()
        return self.sql(
            f"SELECT CAST(event_date AS VARCHAR) AS day, type, count(*) AS n FROM ({self._events_from()}) ev "
            f"WHERE {where} AND event_date IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2",
            params,
        )

    def resolve_event(self, key: str) -> tuple[str, str] | None:
        """``(doc_id, event_id)`` of an event named by its id (or the older ``doc:event`` form),
        or by its cross-document ``event_corroboration`` cluster id: then the cluster's first
        report (earliest published)."""
        parts = split_event_key(key)
        if parts is not None and self.event_rows([parts]):
            return parts
        members = self.cluster_members(key)
        return members[0] if members else None

    def cluster_members(self, cluster: str) -> list[tuple[str, str]]:
        if not cluster or not self.has_table("event_corroboration"):
            return []
        rows = self.sql(
            "SELECT c.doc_id, c.event_id FROM event_corroboration c JOIN documents d ON d.id = c.doc_id "
            "WHERE c.cluster = ? ORDER BY d.published NULLS LAST, c.doc_id, c.event_id",
            [cluster],
        )
        return [(r["doc_id"], r["event_id"]) for r in rows]

    def corroboration(self, doc_id: str, event_id: str) -> dict | None:
        if not self.has_table("event_corroboration"):
            return None
        rows = self.sql(
            "SELECT corroboration FROM event_corroboration WHERE doc_id = ? AND event_id = ?",
            [doc_id, event_id],
        )
        return _json(rows[0]["corroboration"]) if rows else None

    # -- documents ------------------------------------------------------------------------
    def documents(self, page: int = 1, per_page: int = 50, outlet: str | None = None) -> Page:
        where, params = ("WHERE d.outlet = ?", [outlet]) if outlet else ("", [])
        total = self.sql(f"SELECT count(*) AS n FROM documents d {where}", params)[0]["n"]
        rows = self.sql(
            "SELECT d.id, d.external_id, d.url, d.outlet, d.title, d.author, CAST(d.published AS VARCHAR) AS published, "
            "d.word_count, (SELECT count(*) FROM events e WHERE e.doc_id = d.id) AS events "
            f"FROM documents d {where} ORDER BY d.published DESC NULLS LAST, d.id LIMIT ? OFFSET ?",
            params + [per_page, (page - 1) * per_page],
        )
        return Page(total=total, rows=rows, page=page, per_page=per_page)

    def report(self, doc_id: str) -> Report | None:
        with self.lock:
            return self.store.report(doc_id)

    def add(self, report: Report) -> None:
        with self.lock:
            self.store.add_reports([report])

    # -- overview -------------------------------------------------------------------------
    def stats(self) -> dict:
        one = self.sql(
            "SELECT (SELECT count(*) FROM documents) AS documents, (SELECT count(*) FROM events) AS events, "
            "(SELECT count(*) FROM events WHERE location_lat IS NOT NULL) AS located, "
            "(SELECT count(*) FROM figures) AS figures, "
            "(SELECT count(DISTINCT outlet) FROM documents) AS outlets, "
            "(SELECT count(*) FROM events WHERE friendly_fire) AS friendly_fire, "
            "(SELECT CAST(min(published) AS VARCHAR) FROM documents) AS first_published, "
            "(SELECT CAST(max(published) AS VARCHAR) FROM documents) AS last_published"
        )[0]
        one["by_type"] = self.sql("SELECT type AS key, count(*) AS n FROM events GROUP BY 1 ORDER BY 2 DESC, 1")
        one["by_certainty"] = self.sql(
            "SELECT certainty AS key, count(*) AS n FROM events GROUP BY 1 ORDER BY 2 DESC, 1"
        )
        one["by_country"] = self.sql(
            "SELECT location_country AS key, count(*) AS n FROM events WHERE location_country IS NOT NULL "
            "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 15"
        )
        one["by_outlet"] = self.sql(
            "SELECT outlet AS key, count(*) AS n FROM documents WHERE outlet IS NOT NULL "
            "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 15"
        )
        one["by_origin"] = self.sql(
            "SELECT origin_name AS key, count(*) AS n FROM events WHERE origin_name IS NOT NULL "
            "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 15"
        )
        one["corroborated"] = self.has_table("event_corroboration")
        return one

    def facets(self) -> dict[str, list]:
        """Values offered by the events filter form (the ones present in the store)."""
        def column(query: str) -> list:
            return [r["v"] for r in self.sql(query)]

        return {
            "types": column("SELECT DISTINCT type AS v FROM events ORDER BY 1"),
            "countries": column(
                "SELECT DISTINCT location_country AS v FROM events WHERE location_country IS NOT NULL ORDER BY 1"
            ),
            "admin1": column(
                "SELECT DISTINCT location_admin1 AS v FROM events WHERE location_admin1 IS NOT NULL ORDER BY 1"
            ),
            "outlets": column(
                "SELECT DISTINCT outlet AS v FROM documents WHERE outlet IS NOT NULL ORDER BY 1 LIMIT 500"
            ),
        }


def _json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _event_row(row: dict) -> dict:
    row = dict(row)
    row["key"] = event_key(row["doc_id"], row["event_id"])
    if row.get("event_date") is not None:
        row["event_date"] = str(row["event_date"])
    for name in ("location_lat", "location_lon"):
        if row.get(name) is not None:
            row[name] = float(row[name])
    row.pop("certainty_rank", None)
    return row
