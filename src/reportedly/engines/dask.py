"""The Dask engine: ingest on a cluster of worker processes (a laptop, SLURM, Kubernetes).

The inputs are cut into partitions on the client; each partition is analysed on a worker
(the spaCy pipeline is loaded once per worker process, by ``PipelinePlugin`` at start-up
and cached at module level), its Reports are flattened into the record tables
(``reportedly.tables``) and written as one Parquet file per table and partition, and the
client loads the whole directory into the DuckDB store (``Store.load_parquet``).

JSON Lines inputs are not read on the client: they are cut into byte ranges on line
boundaries and every worker reads its own range, so the client never holds the corpus.
Other inputs (text, HTML, CSV, feeds, stdin) are read on the client into Articles, which
are small, and shipped with their partition.

Failure model: a partition whose task raises is retried (``retries``); a partition whose
worker dies is rescheduled by the scheduler (``distributed.scheduler.allowed-failures``).
A partition writes each file under a temporary name and renames it, so a retried or
rescheduled partition replaces its files whole: every document is stored once. A document
whose analysis raises becomes a Rejected row and never fails its partition.
"""

from __future__ import annotations

import functools
import os
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..batch import IngestSummary
from ..records import Article, Rejected

if TYPE_CHECKING:
    from distributed import Client

    from ..pipeline import Pipeline

PARTITION_SIZE = 64  # documents per task: ~10 s of work at ~6 docs/s, small enough to retry
RETRIES = 2
DEFAULT_MAX_BYTES = 5_000_000  # as the local engine (store.DEFAULT_MAX_BYTES)


# --------------------------------------------------------------------------- partitions


@dataclass(frozen=True, slots=True)
class LineRange:
    """Lines ``[start, end)`` (byte offsets on line starts) of a JSON Lines file."""

    path: str
    start: int
    end: int
    first_line: int  # 1-based number of the first line, for rejection messages


@dataclass(frozen=True, slots=True)
class Partition:
    """One task's input: either Articles read on the client or a range of a JSON Lines file."""

    index: int
    items: tuple[Article | Rejected, ...] = ()
    lines: LineRange | None = None
    published: str | None = None
    outlet: str | None = None


def line_ranges(path: str, lines_per_range: int) -> Iterator[LineRange]:
    """Cut a JSON Lines file into ranges of ``lines_per_range`` lines, scanning bytes only."""
    with open(path, "rb") as handle:
        start, first_line, count, offset = 0, 1, 0, 0
        for line in handle:
            offset += len(line)
            count += 1
            if count == lines_per_range:
                yield LineRange(path, start, offset, first_line)
                start, first_line, count = offset, first_line + count, 0
        if count:
            yield LineRange(path, start, offset, first_line)


def plan_partitions(
    inputs: Sequence[str],
    partition_size: int = PARTITION_SIZE,
    *,
    published: str | None = None,
    outlet: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[Partition]:
    """Partitions of the inputs in input order, lazily: JSON Lines files (named, or inside
    named folders) by line ranges that workers read; everything else read here."""
    from ..ingest import read_inputs

    index = 0
    batch: list[Article | Rejected] = []
    for source in _sources(inputs, partition_size):
        if isinstance(source, LineRange):
            if batch:  # keep input order: what was read before goes first
                yield Partition(index, items=tuple(batch))
                index, batch = index + 1, []
            yield Partition(index, lines=source, published=published, outlet=outlet)
            index += 1
            continue
        items = [source] if isinstance(source, Rejected) else read_inputs(
            [source], published=published, outlet=outlet, max_bytes=max_bytes,
        )
        for item in items:
            batch.append(item)
            if len(batch) == partition_size:
                yield Partition(index, items=tuple(batch))
                index, batch = index + 1, []
    if batch:
        yield Partition(index, items=tuple(batch))


def _sources(inputs: Sequence[str], partition_size: int = PARTITION_SIZE) -> Iterator[LineRange | Rejected | str]:
    """Line ranges of JSON Lines files, and the other inputs (paths) as they are.

    A folder is opened here as ``read_inputs`` opens it (``iter_files``: sorted, hidden names
    skipped), so that its JSON Lines files are read by workers too; a file of unknown type
    in a folder is rejected with the readers' reason.
    """
    from ..ingest import format_of, iter_files

    for path in inputs:
        if not os.path.isdir(path):
            yield from _file_sources(path, partition_size)
            continue
        for file in iter_files([path]):
            if format_of(file)[0] is None:
                kind = "".join(file.suffixes[-2:]) or "(none)"
                yield Rejected(input=str(file), reason=f"unsupported: file type {kind}")
            else:
                yield from _file_sources(str(file), partition_size)


def _file_sources(path: str, partition_size: int) -> Iterator[LineRange | str]:
    if _workers_read(path):
        yield from line_ranges(path, partition_size)
    else:
        yield path


def _workers_read(path: str) -> bool:
    """Whether workers read this input themselves, by line ranges (plain JSON Lines files)."""
    from ..ingest import format_of

    fmt, gzipped = format_of(Path(path))
    return fmt == "jsonl" and not gzipped and os.path.isfile(path) and os.path.getsize(path) > 0


def read_partition(partition: Partition, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Article | Rejected]:
    """The Articles (and Rejected inputs) of a partition, read here if it is a line range."""
    if partition.lines is None:
        return list(partition.items)
    return list(_read_line_range(partition.lines, partition.published, partition.outlet, max_bytes))


def _read_line_range(
    lines: LineRange, published: str | None, outlet: str | None, max_bytes: int
) -> Iterator[Article | Rejected]:
    """The rows of a line range, read exactly as ``read_inputs`` reads the whole file
    (same row checks, same ``path:line`` labels), so both engines see the same Articles."""
    import io

    from ..ingest.checks import normalize_date
    from ..ingest.rows import RowDefaults, read_json_line

    defaults = RowDefaults(published=normalize_date(published), outlet=outlet, max_bytes=max_bytes)
    with open(lines.path, "rb") as handle:
        handle.seek(lines.start)
        data = handle.read(lines.end - lines.start)
    for lineno, line in enumerate(io.BytesIO(data), start=lines.first_line):
        if not line.strip():
            continue
        name = f"{lines.path}:{lineno}"
        yield read_json_line(line, name, defaults)


# --------------------------------------------------------------------------- workers

_pipeline: Pipeline | None = None
_pipeline_lock = threading.Lock()
_pipeline_loads = 0  # how many times this process built the pipeline (1 on a worker)


def worker_pipeline() -> Pipeline:
    """This process's pipeline, built on first use and kept for every later partition."""
    global _pipeline, _pipeline_loads
    with _pipeline_lock:
        if _pipeline is None:
            from ..pipeline import Pipeline

            _pipeline = Pipeline()
            _pipeline_loads += 1
        return _pipeline


def pipeline_loads() -> int:
    """How many times this process loaded the pipeline (for tests: once per worker)."""
    return _pipeline_loads


try:  # the plugin needs distributed; the rest of the module imports without it
    from distributed.diagnostics.plugin import WorkerPlugin
except ImportError:  # pragma: no cover - the dask extra is not installed
    WorkerPlugin = object  # type: ignore[assignment,misc]


class PipelinePlugin(WorkerPlugin):  # type: ignore[misc,valid-type]
    """Loads the pipeline when a worker starts, before its first partition arrives."""

    name = "reportedly-pipeline"

    def setup(self, worker: Any) -> None:
        worker_pipeline()


class KnownIds:
    """The ids of stored documents, as a sorted array of 64-bit integers.

    A document id is 16 hex digits, i.e. 64 bits: 8 bytes per stored document to ship to
    each worker (8 MB per million), against ~70 bytes in a Python set.
    """

    def __init__(self, ids: Iterable[str] = ()):
        import numpy as np

        self.values = np.unique(np.fromiter((int(i, 16) for i in ids), dtype=np.uint64))

    def __contains__(self, doc_id: str) -> bool:
        import numpy as np

        value = np.uint64(int(doc_id, 16))
        position = int(np.searchsorted(self.values, value))
        return position < len(self.values) and self.values[position] == value

    def __len__(self) -> int:
        return len(self.values)


@dataclass(slots=True)
class PartitionSummary:
    """What one partition produced: small, sent back to the client."""

    index: int
    read: int = 0
    documents: int = 0
    skipped: int = 0
    words: int = 0
    rejected: list[Rejected] = field(default_factory=list)  # few: sent back, stored by the client
    document_ids: list[str] = field(default_factory=list)
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # CPU time of the worker process: what a dedicated core would take
    worker: str = ""


def analyze_partition(
    partition: Partition, output_dir: str, known: KnownIds, max_bytes: int = DEFAULT_MAX_BYTES
) -> PartitionSummary:
    """Analyse one partition and write its table rows as Parquet files (the worker task).

    The checks and the analysis are the local engine's (``reportedly.batch``): the same
    rejections (too large, empty after cleaning, analysis failed) and the same Reports.
    """
    from ..batch import analyse_batch, label
    from ..ingest.clean import clean_text
    from ..pipeline import document_id
    from ..records import decode_report

    started, cpu_started = time.perf_counter(), time.process_time()
    summary = PartitionSummary(partition.index, worker=_worker_address())
    articles: list[Article] = []
    labels: list[str] = []
    seen: set[str] = set()
    for position, item in enumerate(read_partition(partition, max_bytes)):
        if isinstance(item, Rejected):
            summary.rejected.append(item)
            continue
        summary.read += 1
        name = label(item, position)
        size = len(item.text.encode("utf-8", "surrogatepass"))
        text = clean_text(item.text)
        if size > max_bytes:
            summary.rejected.append(Rejected(input=name, reason=f"too large: {size} bytes > {max_bytes}"))
        elif not text:
            summary.rejected.append(Rejected(input=name, reason="empty text: nothing left after cleaning"))
        elif (doc_id := document_id(text)) in known or doc_id in seen:
            summary.skipped += 1
        else:
            seen.add(doc_id)
            articles.append(item)
            labels.append(name)
    reports = []
    for name, data, error in analyse_batch(worker_pipeline(), articles, labels) if articles else ():
        if data is None:
            summary.rejected.append(Rejected(input=name, reason=error or "analysis failed"))
        else:
            reports.append(decode_report(data))
    write_partition(Path(output_dir), partition.index, reports)
    summary.documents = len(reports)
    summary.document_ids = [report.document.id for report in reports]
    summary.words = sum(report.document.word_count for report in reports)
    summary.seconds = time.perf_counter() - started
    summary.cpu_seconds = time.process_time() - cpu_started
    return summary


def write_partition(output_dir: Path, index: int, reports: list) -> None:
    """One Parquet file per table for this partition, each written whole or not at all.

    Every table gets a file, empty or not, so the layout is the same for every partition.
    ``documents`` goes last: a partition interrupted half-way has no documents rows, and
    ``load_parquet`` loads child rows only for the documents it loads.
    """
    import pyarrow.parquet as pq

    from .. import tables

    arrow = tables.to_arrow(reports)
    for name in sorted(tables.PARQUET_TABLES, key=lambda table: table == "documents"):
        table = arrow[name]
        directory = output_dir / name
        directory.mkdir(parents=True, exist_ok=True)
        final = directory / f"part-{index:06d}.parquet"
        # a leading dot: neither pyarrow datasets nor the store's *.parquet globs read it
        temporary = directory / f".part-{index:06d}.{uuid.uuid4().hex}.tmp"
        pq.write_table(table, temporary)
        os.replace(temporary, final)  # atomic: a killed writer leaves no half file behind


def drop_documents(output_dir: str, index: int, doc_ids: frozenset[str]) -> int:
    """Rewrite a partition's files without the rows of ``doc_ids`` (duplicates of documents
    another partition holds); returns how many documents rows were dropped."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from .. import tables

    ids = list(doc_ids)
    dropped = 0
    for name in tables.PARQUET_TABLES:
        path = Path(output_dir) / name / f"part-{index:06d}.parquet"
        table = pq.read_table(path, schema=tables.SCHEMAS[name])
        column = "id" if name == "documents" else "doc_id"
        kept = table.filter(pc.invert(pc.is_in(table.column(column), value_set=_string_array(ids))))
        if name == "documents":
            dropped = table.num_rows - kept.num_rows
        temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        pq.write_table(kept, temporary)
        os.replace(temporary, path)
    return dropped


def _string_array(values: list[str]):
    import pyarrow as pa

    return pa.array(values, type=pa.string())


def _worker_address() -> str:
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        return ""


# --------------------------------------------------------------------------- client


@dataclass
class DaskIngestSummary(IngestSummary):
    """The local engine's summary (read, stored, skipped, rejected...) and the cluster's part."""

    partitions: int = 0
    workers: int = 0
    output_dir: str = ""
    per_worker: dict[str, int] = field(default_factory=dict)  # worker -> documents analysed


def connect(scheduler: str | None = None, local_workers: int = 2) -> tuple[Client, Any]:
    """A client of the scheduler at ``scheduler``, or of a new LocalCluster of processes."""
    from distributed import Client, LocalCluster

    if scheduler:
        return Client(scheduler), None
    cluster = LocalCluster(
        n_workers=local_workers, threads_per_worker=1, processes=True, dashboard_address=":0",
    )
    return Client(cluster), cluster


def run_partitions(
    client: Client,
    partitions: Iterable[Partition],
    output_dir: str,
    known_ids: KnownIds | None = None,
    *,
    retries: int = RETRIES,
    in_flight: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> list[PartitionSummary]:
    """Run every partition on the cluster, keeping a bounded number submitted at once.

    Partitions are planned lazily and submitted as earlier ones finish, so neither the
    client nor the scheduler holds the whole corpus.
    """
    from distributed import as_completed

    client.register_plugin(PipelinePlugin())
    # one copy of the skip set per worker; wrapped in a list, else scatter splits the set
    [known] = client.scatter([known_ids or KnownIds()], broadcast=True, hash=False)
    limit = in_flight or max(4, 3 * len(client.scheduler_info()["workers"]))
    run = uuid.uuid4().hex[:8]
    pending = iter(partitions)

    def submit(partition: Partition):
        return client.submit(
            analyze_partition, partition, output_dir, known, max_bytes,
            key=f"reportedly-partition-{run}-{partition.index}", retries=retries, pure=False,
        )

    queue = as_completed([submit(p) for p in _take(pending, limit)])
    summaries: list[PartitionSummary] = []
    for future in queue:
        summaries.append(future.result())
        future.release()
        for partition in _take(pending, 1):
            queue.add(submit(partition))
    summaries.sort(key=lambda s: s.index)
    deduplicate(client, summaries, output_dir)
    return summaries


def deduplicate(client: Client, summaries: list[PartitionSummary], output_dir: str) -> None:
    """Keep each document in the first partition that holds it; drop it from the others.

    The same text may come twice in one run (syndicated stories, repeated rows): each copy
    is analysed in its own partition, and only the first is kept, so the Parquet output,
    like the store, holds every document once. Duplicates are rare, so rewriting the few
    partitions concerned costs little.
    """
    owner: dict[str, int] = {}
    drops: dict[int, set[str]] = {}
    for summary in summaries:
        for doc_id in summary.document_ids:
            if owner.setdefault(doc_id, summary.index) != summary.index:
                drops.setdefault(summary.index, set()).add(doc_id)
    futures = [
        client.submit(drop_documents, output_dir, index, frozenset(ids), pure=False, retries=RETRIES)
        for index, ids in drops.items()
    ]
    client.gather(futures)
    for summary in summaries:
        extra = drops.get(summary.index, set())
        if extra:
            summary.document_ids = [d for d in summary.document_ids if d not in extra]
            summary.documents -= len(extra)
            summary.skipped += len(extra)


def _take(iterator: Iterator[Partition], n: int) -> list[Partition]:
    taken = []
    for item in iterator:
        taken.append(item)
        if len(taken) == n:
            break
    return taken


def run_dask_ingest(
    inputs: Sequence[str],
    db_path: str | os.PathLike,
    *,
    scheduler: str | None = None,
    local_workers: int = 2,
    partition_size: int = PARTITION_SIZE,
    published: str | None = None,
    outlet: str | None = None,
    output_dir: str | os.PathLike | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    retries: int = RETRIES,
    client: Client | None = None,
) -> DaskIngestSummary:
    """``reportedly ingest --engine dask``: analyse on a cluster, store in the DuckDB store.

    ``client`` (an open Client), else ``scheduler`` (an address), else a LocalCluster of
    ``local_workers`` processes. ``output_dir`` receives the Parquet tables and is kept;
    it must be visible to every worker and to this process (a shared file system on SLURM
    or Kubernetes). By default a directory beside the store, removed after loading.
    """
    import shutil

    from ..store import Store

    started = time.perf_counter()
    keep = output_dir is not None
    directory = Path(output_dir) if keep else Path(f"{os.fspath(db_path)}.dask-{uuid.uuid4().hex[:8]}")
    directory.mkdir(parents=True, exist_ok=True)
    try:
        with Store.open(db_path) as store:
            known = KnownIds(store.document_ids())
            summaries, workers = _run_on_cluster(
                client, scheduler, local_workers, directory, known,
                partitions=plan_partitions(
                    inputs, partition_size, published=published, outlet=outlet, max_bytes=max_bytes,
                ),
                retries=retries, max_bytes=max_bytes,
            )
            stored = store.load_parquet(directory)
            store.add_rejected([item for summary in summaries for item in summary.rejected])
    finally:
        if not keep:  # a failed run leaves no staging directory either; re-running redoes it
            shutil.rmtree(directory, ignore_errors=True)
    total = summarise(summaries, workers, stored)
    total.output_dir = str(directory) if keep else ""
    total.seconds = time.perf_counter() - started
    return total


def _run_on_cluster(
    client: Client | None, scheduler: str | None, local_workers: int, directory: Path,
    known: KnownIds, *, partitions: Iterable[Partition], retries: int, max_bytes: int,
) -> tuple[list[PartitionSummary], int]:
    """Run the partitions on ``client``, or on a cluster connected (and closed) here."""
    own_client, cluster = (None, None) if client else connect(scheduler, local_workers)
    active = client or own_client
    try:
        summaries = run_partitions(active, partitions, str(directory), known, retries=retries, max_bytes=max_bytes)
        return summaries, len(active.scheduler_info()["workers"])
    finally:
        if own_client is not None:
            own_client.close()
        if cluster is not None:
            cluster.close()


def summarise(summaries: list[PartitionSummary], workers: int, stored: int) -> DaskIngestSummary:
    """The run's summary; ``stored`` is what the store added (the rest was there already)."""
    total = DaskIngestSummary(partitions=len(summaries), workers=workers, stored=stored)
    analysed = 0
    for summary in summaries:
        total.read += summary.read
        total.skipped += summary.skipped
        total.words += summary.words
        analysed += summary.documents
        for item in summary.rejected:
            total.add_rejected(item.reason)
        total.per_worker[summary.worker] = total.per_worker.get(summary.worker, 0) + summary.documents
    total.skipped += analysed - stored  # stored meanwhile by another run
    return total


# --------------------------------------------------------------------------- corroboration


def corroborate_dask(client: Client, parquet_dir: str | os.PathLike, *, reuse_config=None, match_config=None):
    """Corroboration over the engine's Parquet output, without the corpus on one process.

    1. Workers read their ``documents`` files and compute MinHash signatures and LSH band
       keys (``corroborate.reuse``); the band keys are grouped by a Dask shuffle (only
       ``(band key hash, doc_id)`` rows travel, ~0.8 KB per document), and the groups of
       two or more documents are checked on workers against the signatures of those
       candidate documents only; union-find over the links gives the reuse clusters.
    2. Workers decode each Report and reduce its events and figures to ``Mention``s; the
       mentions (a few hundred bytes per event, no text) are clustered here by
       ``corroborate_mentions``.

    Returns ``corroborate.Corroborated`` (documents without a copy are absent from its
    ``reuse`` map and count as their own cluster, as in ``corroborate_mentions``).
    """
    import dask.bag as db

    from ..corroborate import Corroborated, corroborate_mentions
    from ..corroborate.events import DEFAULT_MATCH
    from ..corroborate.reuse import DEFAULT, clusters_from_links

    reuse_config = reuse_config or DEFAULT
    files = sorted(str(p) for p in Path(parquet_dir).glob("documents/*.parquet"))
    if not files:
        return Corroborated(reuse={})
    documents = db.from_sequence(files, npartitions=len(files))
    signed = documents.map_partitions(_signatures_of_files, reuse_config).persist()
    groups = (
        signed.map_partitions(_band_rows, reuse_config)
        .groupby(_band_of, shuffle="tasks")  # the shuffle: one group per band key
        .map(_members)
        .filter(_several)
        .distinct(key=tuple)
        .persist()
    )
    candidates = frozenset(groups.flatten().distinct().compute())
    signature_of = dict(signed.filter(functools.partial(_is_candidate, candidates=candidates)).compute())
    links = groups.map(_checked_links, signature_of, reuse_config.threshold).flatten().compute()
    linked = sorted({doc_id for link in links for doc_id in link})
    reuse = clusters_from_links(linked, links)  # documents without a copy stay out
    mentions = documents.map_partitions(_mentions_of_files).compute()
    events = [m for kind, m in mentions if kind == "event"]
    figures = [m for kind, m in mentions if kind == "figure"]
    return corroborate_mentions(events, figures, reuse, match_config or DEFAULT_MATCH)


def _document_rows(paths: Iterable[str], columns: list[str]) -> Iterator[dict]:
    import pyarrow.parquet as pq

    for path in paths:
        yield from pq.read_table(path, columns=columns).to_pylist()


def _signatures_of_files(paths: Iterable[str], config) -> list[tuple[str, bytes]]:
    from ..corroborate.reuse import signature_bytes, signatures

    rows = ((row["id"], row["text"]) for row in _document_rows(paths, ["id", "text"]))
    return [(doc_id, signature_bytes(sig)) for doc_id, sig in signatures(rows, config).items()]


def _band_rows(signed: Iterable[tuple[str, bytes]], config) -> list[tuple[int, str]]:
    """``(band key, doc_id)`` for every band of every signature; the key hashed to 64 bits
    (blake2b) so that the shuffle moves 8 bytes per key, not the band's 20."""
    import hashlib

    from ..corroborate.reuse import band_keys, signature_from_bytes

    rows = []
    for doc_id, data in signed:
        for key in band_keys(signature_from_bytes(data), config):
            rows.append((int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "big"), doc_id))
    return rows


def _band_of(row: tuple[int, str]) -> int:
    return row[0]


def _members(group: tuple[int, list[tuple[int, str]]]) -> list[str]:
    return sorted({doc_id for _, doc_id in group[1]})


def _several(members: list[str]) -> bool:
    return len(members) > 1


def _is_candidate(signed: tuple[str, bytes], candidates: frozenset[str]) -> bool:
    return signed[0] in candidates


def _checked_links(group: list[str], signature_of: dict[str, bytes], threshold: float) -> list[tuple[str, str]]:
    from ..corroborate.reuse import group_links, signature_from_bytes

    return group_links(group, {d: signature_from_bytes(signature_of[d]) for d in group}, threshold)


def _mentions_of_files(paths: Iterable[str]) -> list[tuple[str, Any]]:
    from ..corroborate.events import mentions_of
    from ..records import decode_report

    found: list[tuple[str, Any]] = []
    for row in _document_rows(paths, ["record"]):
        events, figures = mentions_of(decode_report(row["record"]))
        found += [("event", m) for m in events] + [("figure", m) for m in figures]
    return found


def store_corroboration(store, corroborated) -> None:
    """Write ``corroborate_dask``'s result into the store's corroboration tables (the ones
    ``reportedly corroborate`` writes), so ``Store.report`` and the exports attach it.

    It replaces what those tables held: use it when the Parquet directory holds the whole
    corpus (a store built by one Dask run); a store grown by many runs is corroborated
    incrementally by ``reportedly corroborate``.
    """
    from ..corroborate import persist

    persist.ensure_tables(store.connection)
    with store.transaction() as connection:
        persist.write_corroboration(connection, corroborated)
