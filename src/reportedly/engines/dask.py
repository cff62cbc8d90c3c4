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

import os
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..records import Article, Rejected

if TYPE_CHECKING:
    from distributed import Client

    from ..pipeline import Pipeline

PARTITION_SIZE = 64  # documents per task: ~10 s of work at ~6 docs/s, small enough to retry
LINE_FORMATS = (".jsonl", ".ndjson")  # inputs that workers read themselves, by byte range
RETRIES = 2


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
) -> Iterator[Partition]:
    """Partitions of the inputs, lazily: JSON Lines files by range, the rest read here."""
    index = 0
    others: list[str] = []
    for path in inputs:
        if _workers_read(path):
            for lines in line_ranges(path, partition_size):
                yield Partition(index, lines=lines, published=published, outlet=outlet)
                index += 1
        else:
            others.append(path)
    if not others:
        return
    from ..ingest import read_inputs

    batch: list[Article | Rejected] = []
    for item in read_inputs(others, published=published, outlet=outlet):
        batch.append(item)
        if len(batch) == partition_size:
            yield Partition(index, items=tuple(batch))
            index, batch = index + 1, []
    if batch:
        yield Partition(index, items=tuple(batch))


def _workers_read(path: str) -> bool:
    """Whether workers read this input by line ranges (JSON Lines, when ingest can)."""
    from .. import ingest

    lines_reader = hasattr(ingest, "read_jsonl_lines")
    return lines_reader and path.lower().endswith(LINE_FORMATS) and os.path.isfile(path)


def read_partition(partition: Partition) -> list[Article | Rejected]:
    """The Articles (and Rejected inputs) of a partition, read on the worker if need be."""
    if partition.lines is None:
        return list(partition.items)
    return list(_read_line_range(partition.lines, partition.published, partition.outlet))


def _read_line_range(lines: LineRange, published: str | None, outlet: str | None) -> Iterator[Article | Rejected]:
    from ..ingest import read_jsonl_lines

    with open(lines.path, "rb") as handle:
        handle.seek(lines.start)
        data = handle.read(lines.end - lines.start)
    yield from read_jsonl_lines(
        data.splitlines(), source=lines.path, first_line=lines.first_line,
        published=published, outlet=outlet,
    )


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


@dataclass(slots=True)
class PartitionSummary:
    """What one partition produced: small, sent back to the client."""

    index: int
    documents: int = 0
    rejected: list[Rejected] = field(default_factory=list)  # few: sent back, stored by the client
    skipped: int = 0
    document_ids: list[str] = field(default_factory=list)
    seconds: float = 0.0
    worker: str = ""


def analyze_partition(partition: Partition, output_dir: str, known_ids: frozenset[str]) -> PartitionSummary:
    """Analyse one partition and write its table rows as Parquet files (the worker task)."""
    from ..ingest.clean import clean_text
    from ..pipeline import document_id

    started = time.perf_counter()
    pipeline = worker_pipeline()
    summary = PartitionSummary(partition.index, worker=_worker_address())
    articles: list[Article] = []
    rejected: list[Rejected] = []
    seen: set[str] = set()
    for item in read_partition(partition):
        if isinstance(item, Rejected):
            rejected.append(item)
            continue
        doc_id = document_id(clean_text(item.text))
        if doc_id in known_ids or doc_id in seen:
            summary.skipped += 1
            continue
        seen.add(doc_id)
        articles.append(item)
    reports, failed = analyze_safely(pipeline, articles)
    rejected.extend(failed)
    write_partition(Path(output_dir), partition.index, reports)
    summary.documents, summary.rejected = len(reports), rejected
    summary.document_ids = [report.document.id for report in reports]
    summary.seconds = time.perf_counter() - started
    return summary


def analyze_safely(pipeline: Pipeline, articles: list[Article]) -> tuple[list, list[Rejected]]:
    """Reports of the articles; one that makes the pipeline raise is rejected, not fatal.

    The batch goes through ``nlp.pipe`` (fast); only if the batch raises are the
    documents redone one by one, to find the bad ones.
    """
    try:
        return list(pipeline.analyze_many(articles)), []
    except Exception:  # noqa: BLE001 - any failure of one document must not fail the rest
        pass
    reports, rejected = [], []
    for article in articles:
        try:
            reports.append(pipeline.analyze(article))
        except Exception as exc:  # noqa: BLE001
            rejected.append(Rejected(input=article.id or article.url or "?", reason=f"analysis failed: {exc!r}"))
    return reports, rejected


def write_partition(output_dir: Path, index: int, reports: list) -> None:
    """One Parquet file per table for this partition, each written whole or not at all.

    Every table gets a file, empty or not, so the layout is the same for every partition.
    """
    import pyarrow.parquet as pq

    from .. import tables

    for name, table in tables.to_arrow(reports).items():
        directory = output_dir / name
        directory.mkdir(parents=True, exist_ok=True)
        final = directory / f"part-{index:06d}.parquet"
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


@dataclass(slots=True)
class DaskIngestSummary:
    """The outcome of a distributed ingest."""

    documents: int = 0
    rejected: int = 0
    skipped: int = 0
    partitions: int = 0
    workers: int = 0
    seconds: float = 0.0
    output_dir: str = ""
    per_worker: dict[str, int] = field(default_factory=dict)

    @property
    def docs_per_second(self) -> float:
        return self.documents / self.seconds if self.seconds else 0.0


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
    known_ids: frozenset[str] = frozenset(),
    *,
    retries: int = RETRIES,
    in_flight: int | None = None,
) -> list[PartitionSummary]:
    """Run every partition on the cluster, keeping a bounded number submitted at once.

    Partitions are planned lazily and submitted as earlier ones finish, so neither the
    client nor the scheduler holds the whole corpus.
    """
    from distributed import as_completed

    client.register_plugin(PipelinePlugin())
    # one copy of the skip set per worker; wrapped in a list, else scatter splits the set
    [known] = client.scatter([known_ids], broadcast=True, hash=False)
    limit = in_flight or max(4, 3 * len(client.scheduler_info()["workers"]))
    run = uuid.uuid4().hex[:8]
    pending = iter(partitions)

    def submit(partition: Partition):
        return client.submit(
            analyze_partition, partition, output_dir, known,
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
    retries: int = RETRIES,
    client: Client | None = None,
) -> DaskIngestSummary:
    """``reportedly ingest --engine dask``: analyse on a cluster, store in the DuckDB store.

    ``output_dir`` receives the Parquet tables (it must be visible to every worker and to
    this process: a shared file system on SLURM or Kubernetes); by default a directory
    beside the store, removed after loading.
    """
    import shutil

    from ..store import Store

    started = time.perf_counter()
    store = Store.open(db_path)
    keep = output_dir is not None
    directory = Path(output_dir) if keep else Path(f"{os.fspath(db_path)}.dask-{uuid.uuid4().hex[:8]}")
    directory.mkdir(parents=True, exist_ok=True)
    own_client, cluster = (None, None) if client else connect(scheduler, local_workers)
    active = client or own_client
    try:
        known = frozenset(store.document_ids())
        partitions = plan_partitions(inputs, partition_size, published=published, outlet=outlet)
        summaries = run_partitions(active, partitions, str(directory), known, retries=retries)
        workers = len(active.scheduler_info()["workers"])
    finally:
        if own_client is not None:
            own_client.close()
        if cluster is not None:
            cluster.close()
    store.load_parquet(directory)
    store.add_rejected([item for summary in summaries for item in summary.rejected])
    if not keep:
        shutil.rmtree(directory, ignore_errors=True)
    return _summarise(summaries, workers, time.perf_counter() - started, str(directory) if keep else "")


def _summarise(summaries: list[PartitionSummary], workers: int, seconds: float, output_dir: str) -> DaskIngestSummary:
    total = DaskIngestSummary(partitions=len(summaries), workers=workers, seconds=seconds, output_dir=output_dir)
    for summary in summaries:
        total.documents += summary.documents
        total.skipped += summary.skipped
        total.rejected += len(summary.rejected)
        total.per_worker[summary.worker] = total.per_worker.get(summary.worker, 0) + summary.documents
    return total
