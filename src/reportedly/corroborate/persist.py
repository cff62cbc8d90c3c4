"""Corroboration in the store, incrementally: new documents join existing clusters.

Tables owned here (created when first needed):

- ``minhash(doc_id, signature)`` and ``minhash_bands(band_key, doc_id)``: a document's
  signature and LSH band keys, computed once; a new document's candidates are the stored
  documents sharing a band key (an index lookup, not a scan of the corpus).
- ``reuse_clusters(doc_id, cluster)``: every document's reuse cluster.
- ``corroboration_mentions(kind, doc_id, item_id, cluster, mention)``: each event and
  figure reduced to what cross-document matching reads (decoded from its Report once), and
  the cluster it was last put in (so that ids survive re-clustering).
- ``event_corroboration`` and ``figure_corroboration``: the Corroboration of every event and
  figure, which ``Store.report()`` and the exports attach.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import msgspec
import pyarrow as pa

from ..records import decode_report
from . import corroborate_mentions
from .events import DEFAULT_MATCH, MatchConfig, Mention, mentions_of
from .reuse import (
    DEFAULT,
    ReuseConfig,
    band_keys,
    clusters_from_links,
    group_links,
    signature_bytes,
    signature_from_bytes,
    signatures,
)

CREATE = (
    "CREATE TABLE IF NOT EXISTS minhash (doc_id VARCHAR PRIMARY KEY, signature BLOB)",
    "CREATE TABLE IF NOT EXISTS minhash_bands (band_key BLOB, doc_id VARCHAR)",
    "CREATE TABLE IF NOT EXISTS reuse_clusters (doc_id VARCHAR PRIMARY KEY, cluster VARCHAR)",
    "CREATE TABLE IF NOT EXISTS corroboration_mentions (kind VARCHAR, doc_id VARCHAR,"
    " item_id VARCHAR, cluster VARCHAR, mention JSON, PRIMARY KEY (kind, doc_id, item_id))",
    *(
        f"CREATE TABLE IF NOT EXISTS {kind}_corroboration (doc_id VARCHAR, {kind}_id VARCHAR,"
        " cluster VARCHAR, reports INTEGER, outlets INTEGER, independent_origins INTEGER,"
        f" both_sides BOOLEAN, corroboration JSON, PRIMARY KEY (doc_id, {kind}_id))"
        for kind in ("event", "figure")
    ),
)
OWN_TABLES = (
    "minhash", "minhash_bands", "reuse_clusters", "corroboration_mentions",
    "event_corroboration", "figure_corroboration",
)
CHUNK = 2000  # documents per signature / decoding batch

_mention_decoder = msgspec.json.Decoder(Mention)
_encoder = msgspec.json.Encoder()


@dataclass(slots=True)
class StoreSummary:
    """What a run did: documents added, clusters now in the store, seconds per step."""

    new_documents: int = 0
    documents: int = 0
    reuse_clusters: int = 0  # clusters of two or more documents
    reused_documents: int = 0  # documents in those clusters
    largest_reuse_cluster: int = 0
    events: int = 0
    event_clusters: int = 0  # cross-document events told by two or more reports
    figures: int = 0
    figure_clusters: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__slots__}


def ensure_tables(connection) -> None:
    for statement in CREATE:
        connection.execute(statement)


def corroborate_store(
    store,
    incremental: bool = True,
    *,
    reuse_config: ReuseConfig = DEFAULT,
    match_config: MatchConfig = DEFAULT_MATCH,
    progress: Callable[[str], None] | None = None,
) -> StoreSummary:
    """Bring the store's corroboration up to date; ``incremental=False`` starts afresh."""
    con = store.connection
    ensure_tables(con)
    con.execute("BEGIN TRANSACTION")  # a run is stored whole or not at all
    try:
        summary = _run(con, incremental, reuse_config, match_config, progress)
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
    return summary


def _run(con, incremental: bool, reuse_config, match_config, progress) -> StoreSummary:
    say = progress or (lambda message: None)
    summary = StoreSummary()
    if not incremental:
        for table in OWN_TABLES:
            con.execute(f"DELETE FROM {table}")
    started = time.perf_counter()
    new_ids = [row[0] for row in con.execute(
        "SELECT id FROM documents WHERE id NOT IN (SELECT doc_id FROM minhash) ORDER BY id"
    ).fetchall()]
    summary.new_documents = len(new_ids)
    say(f"{len(new_ids)} new documents")
    for chunk in _chunks(new_ids, CHUNK):
        _add_signatures(con, chunk, reuse_config)
    summary.seconds["signatures"] = time.perf_counter() - started

    started = time.perf_counter()
    reuse = _update_reuse(con, new_ids, reuse_config)
    summary.seconds["reuse"] = time.perf_counter() - started
    sizes = Counter(reuse.values())
    summary.documents = len(reuse)
    summary.reuse_clusters = sum(1 for n in sizes.values() if n > 1)
    summary.reused_documents = sum(n for n in sizes.values() if n > 1)
    summary.largest_reuse_cluster = max(sizes.values(), default=0)
    say(f"{summary.reuse_clusters} reuse clusters")

    started = time.perf_counter()
    for chunk in _chunks(new_ids, CHUNK):
        _add_mentions(con, chunk)
    events, figures, prior_events, prior_figures = _load_mentions(con)
    corroborated = corroborate_mentions(
        events, figures, reuse, match_config, prior=prior_events, prior_figures=prior_figures
    )
    write_corroboration(con, corroborated)
    summary.seconds["events"] = time.perf_counter() - started
    summary.events, summary.figures = len(events), len(figures)
    summary.event_clusters = sum(1 for c in corroborated.events if c.corroboration.reports > 1)
    summary.figure_clusters = sum(1 for c in corroborated.figures if c.corroboration.reports > 1)
    return summary


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _ids_table(con, name: str, ids: list[str]) -> None:
    con.register(name, pa.table({"doc_id": pa.array(ids, pa.string())}))


def _add_signatures(con, ids: list[str], config: ReuseConfig) -> None:
    _ids_table(con, "_wanted", ids)
    try:
        rows = con.execute(
            "SELECT id, coalesce(text, '') FROM documents WHERE id IN (SELECT doc_id FROM _wanted)"
        ).fetchall()
    finally:
        con.unregister("_wanted")
    signature_of = signatures(rows, config)
    minhash = pa.table({
        "doc_id": list(signature_of),
        "signature": pa.array([signature_bytes(s) for s in signature_of.values()], pa.binary()),
    })
    keys = [(key, doc_id) for doc_id, sig in signature_of.items() for key in band_keys(sig, config)]
    bands = pa.table({
        "band_key": pa.array([k for k, _ in keys], pa.binary()),
        "doc_id": pa.array([d for _, d in keys], pa.string()),
    })
    con.register("_minhash", minhash)
    con.register("_bands", bands)
    try:
        con.execute("INSERT INTO minhash SELECT doc_id, signature FROM _minhash")
        con.execute("INSERT INTO minhash_bands SELECT band_key, doc_id FROM _bands")
    finally:
        con.unregister("_minhash")
        con.unregister("_bands")


def _update_reuse(con, new_ids: list[str], config: ReuseConfig) -> dict[str, str]:
    """Link new documents to the stored ones they share a band with; all clusters back."""
    prior = dict(con.execute("SELECT doc_id, cluster FROM reuse_clusters").fetchall())
    links: list[tuple[str, str]] = []
    if new_ids:
        _ids_table(con, "_new", new_ids)
        try:
            groups = con.execute(
                "SELECT list(doc_id ORDER BY doc_id) FROM minhash_bands WHERE band_key IN"
                " (SELECT band_key FROM minhash_bands WHERE doc_id IN (SELECT doc_id FROM _new))"
                " GROUP BY band_key HAVING count(*) > 1"
            ).fetchall()
        finally:
            con.unregister("_new")
        members = sorted({doc_id for (group,) in groups for doc_id in group})
        signature_of = _signatures_of(con, members)
        seen: set[tuple[str, ...]] = set()
        for (group,) in groups:
            if tuple(group) not in seen:  # identical buckets (copies) are checked once
                seen.add(tuple(group))
                links += group_links(group, signature_of, config.threshold)
    all_ids = [row[0] for row in con.execute("SELECT doc_id FROM minhash").fetchall()]
    clusters = clusters_from_links(all_ids, links, prior)
    changed = {d: c for d, c in clusters.items() if prior.get(d) != c}
    if changed:
        table = pa.table({"doc_id": list(changed), "cluster": list(changed.values())})
        con.register("_reuse", table)
        try:
            con.execute("DELETE FROM reuse_clusters WHERE doc_id IN (SELECT doc_id FROM _reuse)")
            con.execute("INSERT INTO reuse_clusters SELECT doc_id, cluster FROM _reuse")
        finally:
            con.unregister("_reuse")
    return clusters


def _signatures_of(con, ids: list[str]) -> dict:
    if not ids:
        return {}
    _ids_table(con, "_sig", ids)
    try:
        rows = con.execute(
            "SELECT doc_id, signature FROM minhash WHERE doc_id IN (SELECT doc_id FROM _sig)"
        ).fetchall()
    finally:
        con.unregister("_sig")
    return {doc_id: signature_from_bytes(bytes(blob)) for doc_id, blob in rows}


def _add_mentions(con, ids: list[str]) -> None:
    """Decode the new documents' Reports once and keep their mentions."""
    _ids_table(con, "_wanted", ids)
    try:
        rows = con.execute(
            "SELECT record FROM documents WHERE id IN (SELECT doc_id FROM _wanted) AND record IS NOT NULL"
        ).fetchall()
    finally:
        con.unregister("_wanted")
    kinds, doc_ids, item_ids, encoded = [], [], [], []
    for (record,) in rows:
        events, figures = mentions_of(decode_report(record))
        for kind, mentions in (("event", events), ("figure", figures)):
            for m in mentions:
                kinds.append(kind)
                doc_ids.append(m.doc_id)
                item_ids.append(m.item_id)
                encoded.append(_encoder.encode(m).decode())
    if not kinds:
        return
    table = pa.table({"kind": kinds, "doc_id": doc_ids, "item_id": item_ids, "mention": encoded})
    con.register("_mentions", table)
    try:
        con.execute(
            "INSERT OR REPLACE INTO corroboration_mentions SELECT kind, doc_id, item_id, NULL, mention FROM _mentions"
        )
    finally:
        con.unregister("_mentions")


def _load_mentions(con):
    events: list[Mention] = []
    figures: list[Mention] = []
    prior_events: dict[str, str] = {}
    prior_figures: dict[str, str] = {}
    rows = con.execute(
        "SELECT kind, cluster, mention FROM corroboration_mentions ORDER BY kind, doc_id, item_id"
    ).fetchall()
    for kind, cluster, encoded in rows:
        mention = _mention_decoder.decode(encoded)
        (events if kind == "event" else figures).append(mention)
        if cluster:
            (prior_events if kind == "event" else prior_figures)[mention.key] = cluster
    return events, figures, prior_events, prior_figures


def write_corroboration(con, corroborated) -> None:
    """Replace the event and figure corroboration tables with ``corroborated`` (any engine's)."""
    for kind, clusters in (("event", corroborated.events), ("figure", corroborated.figures)):
        rows: dict[str, list] = {name: [] for name in (
            "doc_id", "item_id", "cluster", "reports", "outlets", "independent_origins",
            "both_sides", "corroboration",
        )}
        for cluster in clusters:
            c = cluster.corroboration
            encoded = _encoder.encode(c).decode()
            for m in cluster.mentions:
                for name, value in (
                    ("doc_id", m.doc_id), ("item_id", m.item_id), ("cluster", c.cluster),
                    ("reports", c.reports), ("outlets", c.outlets),
                    ("independent_origins", c.independent_origins), ("both_sides", c.both_sides),
                    ("corroboration", encoded),
                ):
                    rows[name].append(value)
        schema = pa.schema([
            ("doc_id", pa.string()), ("item_id", pa.string()), ("cluster", pa.string()),
            ("reports", pa.int64()), ("outlets", pa.int64()), ("independent_origins", pa.int64()),
            ("both_sides", pa.bool_()), ("corroboration", pa.string()),
        ])
        table = pa.table(rows, schema=schema)
        con.register("_corroboration", table)
        try:
            con.execute(f"DELETE FROM {kind}_corroboration")
            con.execute(
                f"INSERT INTO {kind}_corroboration SELECT doc_id, item_id, cluster, reports, outlets,"
                " independent_origins, both_sides, corroboration FROM _corroboration"
            )
            con.execute(
                "UPDATE corroboration_mentions m SET cluster = c.cluster FROM _corroboration c"
                " WHERE m.kind = ? AND m.doc_id = c.doc_id AND m.item_id = c.item_id",
                [kind],
            )
        finally:
            con.unregister("_corroboration")


