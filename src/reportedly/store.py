"""The embedded DuckDB store: Reports in, tables and full records out.

Every Report is stored twice over, in one transaction: its full JSON in ``documents.record``
(what ``report()`` and the JSONL export give back) and flattened into the tables of
``tables.py`` (what SQL, stats, the CSV/GeoJSON/Parquet exports and the web UI query).
A document is keyed by the hash of its cleaned text, so storing is idempotent: a Report
whose id is already stored is skipped, and a batch is either stored whole or not at all.

>>> store = Store.open("reportedly.db")
>>> store.ingest(["articles/"], workers=2)
>>> store.events("certainty = 'certain'", as_="pandas")
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import msgspec
import pyarrow as pa

from . import tables
from .batch import DEFAULT_RECYCLE_AFTER, DEFAULT_TIMEOUT
from .records import Corroboration, Rejected, Report, decode_report

if TYPE_CHECKING:
    from .batch import IngestSummary

DEFAULT_PATH = "reportedly.db"
DEFAULT_MAX_BYTES = 5 * 1024 * 1024  # as reportedly.ingest.checks
DEFAULT_BATCH_SIZE = 32
OUTPUT_KINDS = ("arrow", "pandas", "polars", "records")

# Cross-document tables written by the corroboration stage (reportedly.corroborate);
# the store reads them when they exist and never requires them.
CORROBORATION_TABLES = {"event": "event_corroboration", "figure": "figure_corroboration"}
CORROBORATION_COLUMNS = ("cluster", "reports", "outlets", "independent_origins", "both_sides")
_CORROBORATION_TYPES = ("VARCHAR", "INTEGER", "INTEGER", "INTEGER", "BOOLEAN")

_corroboration_decoder = msgspec.json.Decoder(Corroboration)


def _create_v1(connection: duckdb.DuckDBPyConnection) -> None:
    for name in tables.TABLES:
        connection.execute(tables.create_table_sql(name))
    connection.execute(
        "CREATE TABLE IF NOT EXISTS rejected ("
        " input VARCHAR, reason VARCHAR, \"at\" TIMESTAMP, PRIMARY KEY (input, reason))"
    )


# Schema version -> the step that brings a store from the version before up to it.
MIGRATIONS: dict[int, Callable[[duckdb.DuckDBPyConnection], None]] = {1: _create_v1}


class StoreError(RuntimeError):
    """The store cannot be opened or used (newer schema, read-only, ...)."""


def _arrow(relation: duckdb.DuckDBPyRelation) -> pa.Table:
    to_table = getattr(relation, "to_arrow_table", None) or relation.fetch_arrow_table
    return to_table()


class Store:
    """A DuckDB file holding documents, their records and the flattened tables."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, path: Path | None, read_only: bool):
        self.connection = connection
        self.path = path
        self.read_only = read_only

    # --- opening and schema ------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path = DEFAULT_PATH, *, read_only: bool = False) -> Store:
        """Open (creating and migrating unless ``read_only``) the store at ``path``;
        ``":memory:"`` gives an in-memory store."""
        in_memory = str(path) == ":memory:"
        if read_only and not in_memory and not Path(path).exists():
            raise StoreError(f"no store at {path}")
        connection = duckdb.connect(str(path), read_only=read_only and not in_memory)
        store = cls(connection, None if in_memory else Path(path), read_only)
        if not read_only or in_memory:
            store._migrate()
        return store

    def schema_version(self) -> int:
        if not self.table_exists("meta"):
            return 0
        row = self._first("SELECT value FROM meta WHERE key = 'schema_version'")
        return int(row[0]) if row else 0

    def _migrate(self) -> None:
        self.connection.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
        version = self.schema_version()
        if version > tables.SCHEMA_VERSION:
            raise StoreError(
                f"store schema version {version} is newer than this reportedly's ({tables.SCHEMA_VERSION})"
            )
        for target in range(version + 1, tables.SCHEMA_VERSION + 1):
            with self.transaction():
                MIGRATIONS[target](self.connection)
                self.connection.execute(
                    "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(target)]
                )

    def table_exists(self, name: str) -> bool:
        row = self._first("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name])
        return bool(row and row[0])

    def _first(self, query: str, params: list | None = None) -> tuple | None:
        """The first row of a query, its result consumed (DuckDB refuses new work on a
        connection while a result is still open)."""
        rows = self.connection.execute(query, params or []).fetchall()
        return rows[0] if rows else None

    def transaction(self) -> _Transaction:
        return _Transaction(self.connection)

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- writing -----------------------------------------------------------------------

    def ingest(
        self,
        inputs: list[str],
        *,
        workers: int = 1,
        published: str | None = None,
        outlet: str | None = None,
        max_bytes: int | None = DEFAULT_MAX_BYTES,
        progress: bool = True,
        batch_size: int = DEFAULT_BATCH_SIZE,
        stages: tuple[str, ...] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        recycle_after: int | None = DEFAULT_RECYCLE_AFTER,
        on_batch: Callable[[IngestSummary], None] | None = None,
    ) -> IngestSummary:
        """Read, analyse (in ``workers`` processes) and store every input.

        ``stages`` picks the pipeline's stages (default all), ``timeout`` is the seconds
        without a finished batch before a worker counts as hung, ``recycle_after`` the
        documents per worker process before it is replaced, and ``on_batch`` a progress
        callback; see ``batch.ingest``.
        """
        from .batch import ingest

        return ingest(
            self, inputs, workers=workers, published=published, outlet=outlet,
            max_bytes=max_bytes, progress=progress, batch_size=batch_size, stages=stages,
            timeout=timeout, recycle_after=recycle_after, on_batch=on_batch,
        )

    def has_documents(self, ids: Iterable[str]) -> set[str]:
        """The ids among ``ids`` that are already stored."""
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return set()
        rows = self.connection.execute(
            "SELECT id FROM documents WHERE id IN (SELECT unnest(?::VARCHAR[]))", [wanted]
        ).fetchall()
        return {row[0] for row in rows}

    def document_ids(self) -> set[str]:
        """Every stored document id (for engines that skip stored documents up front)."""
        return {row[0] for row in self.connection.execute("SELECT id FROM documents").fetchall()}

    def add_reports(self, reports: Iterable[Report]) -> int:
        """Store Reports not stored yet, all of them in one transaction; the number added."""
        fresh: dict[str, Report] = {}
        for report in reports:
            fresh.setdefault(report.document.id, report)
        for stored in self.has_documents(fresh):
            del fresh[stored]
        if not fresh:
            return 0
        now = datetime.now(UTC).replace(tzinfo=None)
        batch = tables.to_arrow(fresh.values(), ingested_at=now)
        with self.transaction():
            for name, table in batch.items():
                self._insert(name, table)
        return len(fresh)

    def _insert(self, name: str, table: pa.Table) -> None:
        if table.num_rows == 0:
            return
        view = f"_incoming_{name}"
        self.connection.register(view, table)
        try:
            columns = ", ".join(tables.column_names(name))
            self.connection.execute(f"INSERT INTO {name} ({columns}) SELECT {columns} FROM {view}")
        finally:
            self.connection.unregister(view)

    def add_rejected(self, rejected: Iterable[Rejected]) -> None:
        """Record inputs that were not analysed (the same input and reason is kept once)."""
        now = datetime.now(UTC).replace(tzinfo=None)
        rows = list({(r.input, r.reason): (r.input, r.reason, now) for r in rejected}.values())
        if not rows:
            return
        with self.transaction():
            self.connection.executemany("INSERT OR REPLACE INTO rejected VALUES (?, ?, ?)", rows)

    def clear_rejected(self, inputs: Iterable[str]) -> None:
        """Forget earlier rejections of inputs that have now been stored (a document whose
        analysis failed once and succeeded on a later run)."""
        names = list(dict.fromkeys(inputs))
        if names:
            self.connection.execute("DELETE FROM rejected WHERE input IN (SELECT unnest(?::VARCHAR[]))", [names])

    def load_parquet(self, directory: Path | str) -> int:
        """Load Parquet files in the tables' layout (``DIR/events/*.parquet``, partitioned
        sub-folders, or ``DIR/events.parquet``); documents already stored are skipped with
        all their rows, so loading twice adds nothing. Returns the documents added."""
        directory = Path(directory)
        files = {name: _parquet_files(directory, name) for name in tables.PARQUET_TABLES}
        if not files["documents"]:
            return 0
        with self.transaction():
            con = self.connection
            doc_columns = ", ".join(tables.column_names("documents"))
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE _loaded AS SELECT {doc_columns} FROM "
                "read_parquet(?, union_by_name = true) "
                "WHERE id NOT IN (SELECT id FROM documents) QUALIFY row_number() OVER (PARTITION BY id) = 1",
                [files["documents"]],
            )
            added = self._first("SELECT count(*) FROM _loaded")[0]
            con.execute(f"INSERT INTO documents ({doc_columns}) SELECT {doc_columns} FROM _loaded")
            for name in tables.CHILD_TABLES:
                if not files.get(name):
                    continue
                columns = ", ".join(tables.column_names(name))
                key = ", ".join(tables.PRIMARY_KEYS[name])
                con.execute(
                    f"INSERT INTO {name} ({columns}) SELECT {columns} FROM "
                    "read_parquet(?, union_by_name = true) "
                    "WHERE doc_id IN (SELECT id FROM _loaded) "
                    f"QUALIFY row_number() OVER (PARTITION BY {key}) = 1",
                    [files[name]],
                )
            con.execute("DROP TABLE _loaded")
        return int(added)

    # --- reading -----------------------------------------------------------------------

    def report(self, doc_id: str) -> Report | None:
        """The full Report of a stored document, with corroboration attached when present."""
        row = self._first("SELECT record FROM documents WHERE id = ?", [doc_id])
        if row is None:
            return None
        report = decode_report(row[0])
        self._attach_corroboration(report)
        return report

    def _attach_corroboration(self, report: Report) -> None:
        for kind, items in (("event", report.events), ("figure", report.figures)):
            found = self._corroboration(kind, report.document.id)
            for item in items:
                if item.id in found:
                    item.corroboration = found[item.id]

    def _corroboration(self, kind: str, doc_id: str) -> dict[str, Corroboration]:
        table = CORROBORATION_TABLES[kind]
        if not self.table_exists(table):
            return {}
        columns = ", ".join(CORROBORATION_COLUMNS)
        rows = self.connection.execute(
            f"SELECT {kind}_id, corroboration, {columns} FROM {table} WHERE doc_id = ?", [doc_id]
        ).fetchall()
        found = {}
        for item_id, as_json, *values in rows:
            if as_json:
                found[item_id] = _corroboration_decoder.decode(as_json)
            else:
                fields = dict(zip(CORROBORATION_COLUMNS, values, strict=True))
                found[item_id] = Corroboration(**{k: v for k, v in fields.items() if v is not None})
        return found

    def documents(self, *, limit: int = 50, offset: int = 0) -> list[dict]:
        """Stored documents (without text and record), newest publication first."""
        return self.sql(
            "SELECT id, external_id, url, outlet, title, author, published, language, word_count,"
            " ingested_at,"
            " (SELECT count(*) FROM events e WHERE e.doc_id = d.id) AS events,"
            " (SELECT count(*) FROM figures f WHERE f.doc_id = d.id) AS figures"
            " FROM documents d ORDER BY published DESC NULLS LAST, id LIMIT ? OFFSET ?",
            [limit, offset],
        )

    def items_query(self, kind: str) -> str:
        """SQL for events or figures joined with their document's outlet, date and url and
        (NULL when not computed) corroboration columns."""
        table = {"event": "events", "figure": "figures"}[kind]
        corroboration = CORROBORATION_TABLES[kind]
        if self.table_exists(corroboration):
            extra = ", ".join(f"c.{c}" for c in CORROBORATION_COLUMNS)
            join = f" LEFT JOIN {corroboration} c ON c.doc_id = t.doc_id AND c.{kind}_id = t.id"
        else:
            extra = ", ".join(
                f"NULL::{t} AS {c}" for c, t in zip(CORROBORATION_COLUMNS, _CORROBORATION_TYPES, strict=True)
            )
            join = ""
        return (
            f"SELECT t.*, d.outlet, d.published, d.url, d.title, {extra} "
            f"FROM {table} t JOIN documents d ON d.id = t.doc_id{join}"
        )

    def _items(self, kind: str, where: str | None, params: list | None, as_: str) -> Any:
        query = f"SELECT * FROM ({self.items_query(kind)}) AS items"
        if where:
            query += f" WHERE {where}"
        query += " ORDER BY doc_id, sentence, id"
        return self.query(query, params, as_=as_)

    def events(self, where: str | None = None, params: list | None = None, *, as_: str = "arrow") -> Any:
        """Event rows (``where``: an SQL condition over the event columns plus outlet,
        published, url, title and corroboration columns) as arrow|pandas|polars|records."""
        return self._items("event", where, params, as_)

    def figures(self, where: str | None = None, params: list | None = None, *, as_: str = "arrow") -> Any:
        """Figure rows, as ``events``."""
        return self._items("figure", where, params, as_)

    def query(self, query: str, params: list | None = None, *, as_: str = "arrow") -> Any:
        """Any query's result as an Arrow table, pandas or polars DataFrame, or list of dicts."""
        if as_ not in OUTPUT_KINDS:
            raise ValueError(f"as_ must be one of {', '.join(OUTPUT_KINDS)}, not {as_!r}")
        relation = self.connection.sql(query, params=params or None)
        if as_ == "pandas":
            return relation.df()
        if as_ == "polars":
            return relation.pl()
        table = _arrow(relation)
        return table.to_pylist() if as_ == "records" else table

    def sql(self, query: str, params: list | None = None) -> list[dict]:
        """Rows of any query as dicts."""
        cursor = self.connection.execute(query, params or [])
        names = [d[0] for d in cursor.description or []]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def export(self, fmt: str, output=None, where: str | None = None, params: list | None = None):
        """Export as jsonl|csv|geojson|parquet to a path, an open file or stdout (see
        ``reportedly.export``)."""
        from .export import export

        return export(self, fmt, output, where, params)

    def stats(self, top: int | None = 20) -> dict[str, list[dict]]:
        """Event counts by type, country, month, outlet and certainty (largest first; latest
        months first), ``top`` rows each (None: all)."""
        result = {}
        for name, query in STATS_QUERIES.items():
            order = "key DESC" if name == "month" else "events DESC, key"
            limit = f" LIMIT {int(top)}" if top else ""
            result[name] = self.sql(f"SELECT * FROM ({query}) ORDER BY {order}{limit}")
        return result

    def counts(self) -> dict[str, int]:
        """Rows per table (documents, events, figures, ..., rejected)."""
        names = [*tables.TABLES, "rejected"]
        return {n: self._first(f"SELECT count(*) FROM {n}")[0] for n in names}


class _Transaction:
    """BEGIN ... COMMIT, or ROLLBACK when the block raises."""

    def __init__(self, connection: duckdb.DuckDBPyConnection):
        self.connection = connection

    def __enter__(self) -> duckdb.DuckDBPyConnection:
        self.connection.execute("BEGIN TRANSACTION")
        return self.connection

    def __exit__(self, exc_type, exc, tb) -> None:
        self.connection.execute("ROLLBACK" if exc_type else "COMMIT")


def _parquet_files(directory: Path, table: str) -> list[str]:
    found = sorted(directory.glob(f"{table}/**/*.parquet")) + sorted(directory.glob(f"{table}.parquet"))
    return [str(p) for p in found]


STATS_QUERIES: dict[str, str] = {
    "type": "SELECT type AS key, count(*) AS events FROM events GROUP BY ALL",
    "country": "SELECT coalesce(location_country, '(none)') AS key, count(*) AS events FROM events GROUP BY ALL",
    "month": (
        "SELECT coalesce(strftime(coalesce(e.date_start, d.published), '%Y-%m'), '(none)') AS key,"
        " count(*) AS events FROM events e JOIN documents d ON d.id = e.doc_id GROUP BY ALL"
    ),
    "outlet": (
        "SELECT coalesce(d.outlet, '(none)') AS key, count(e.id) AS events, count(DISTINCT d.id) AS documents"
        " FROM documents d LEFT JOIN events e ON e.doc_id = d.id GROUP BY ALL"
    ),
    "certainty": "SELECT certainty AS key, count(*) AS events FROM events GROUP BY ALL",
}
