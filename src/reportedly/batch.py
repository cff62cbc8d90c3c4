"""Batch ingest: read inputs, skip what is stored, analyse in worker processes, store.

The parent process reads the inputs, cleans each text and hashes it (the document id), and
drops documents already in the store (or already sent in this run) *before* any analysis,
so re-running an ingest costs a read and a hash per document. Articles go to the workers in
batches; each worker builds one ``Pipeline`` (one model load per process) and sends back
msgspec-encoded Reports (bytes pickle cheaply). The parent writes each returned batch, all
its documents and rows, in one transaction: a run killed at any moment leaves whole
documents only, and the next run picks up where it stopped.

Bad input never stops a batch: unreadable inputs arrive as ``Rejected`` from the readers,
a document whose analysis raises is rejected as ``analysis failed: ...``, and every
rejection is recorded in the store's ``rejected`` table with its reason. A document that
hangs its worker (no batch finished within ``timeout`` seconds) is found by re-running the
batches in flight one document at a time, and rejected as ``analysis timed out``.

Memory stays flat over long runs: each batch is analysed inside ``nlp.memory_zone()``
(spaCy frees the strings and lexemes a batch added), and the worker processes are
replaced every ``recycle_after`` documents each, as a guard against any other growth.
"""

from __future__ import annotations

import inspect
import multiprocessing
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import msgspec

from .records import Article, Rejected, Report, decode_report, encode

if TYPE_CHECKING:
    from .pipeline import Pipeline
    from .store import Store

# A worker's answer for one article: (label, encoded Report or None, error or None).
Outcome = tuple[str, bytes | None, str | None]

# Seconds without any batch finishing before the workers are taken to be hung. A batch of
# 32 articles takes seconds; one 5 MB document takes about a minute.
DEFAULT_TIMEOUT = 300.0
# Documents a worker analyses before it is replaced by a fresh process (one model load).
DEFAULT_RECYCLE_AFTER = 4000

_article_list_decoder = msgspec.json.Decoder(list[Article])


@dataclass
class IngestSummary:
    """What an ingest did: documents read, stored, skipped as already stored, rejected."""

    read: int = 0
    stored: int = 0
    skipped: int = 0
    rejected: Counter = field(default_factory=Counter)  # reason kind -> count
    words: int = 0
    seconds: float = 0.0
    restarts: int = 0  # worker pools replaced: recycled, or after a crash or a hang

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())

    @property
    def docs_per_second(self) -> float:
        return self.stored / self.seconds if self.seconds else 0.0

    def add_rejected(self, reason: str) -> None:
        # "cannot read: [Errno 2] ..." is summarised under "cannot read".
        self.rejected[reason.split(":", 1)[0].strip() or reason] += 1

    def to_dict(self) -> dict:
        return {
            "read": self.read, "stored": self.stored, "skipped": self.skipped,
            "rejected": dict(self.rejected), "words": self.words,
            "seconds": round(self.seconds, 3), "docs_per_second": round(self.docs_per_second, 2),
            "restarts": self.restarts,
        }


def label(article: Article, position: int) -> str:
    """How an article is named in rejections: its id, its url, or its position in the run."""
    return article.id or article.url or f"<article {position}>"


# --- analysis, in this process or in workers ---------------------------------------------


def analyse_batch(pipeline: Pipeline, articles: list[Article], labels: list[str]) -> list[Outcome]:
    """Reports for a batch through ``nlp.pipe``; when one document raises, the rest of the
    batch is analysed one by one so that only the failing document is rejected."""
    outcomes: list[Outcome] = []
    # Reports are encoded inside the zone and hold no spaCy objects, so nothing outlives it.
    with pipeline.nlp.memory_zone():
        try:
            for report in pipeline.analyze_many(articles):
                outcomes.append((labels[len(outcomes)], encode(report), None))
        except Exception:  # noqa: BLE001 - any stage error rejects one document, never the run
            for article, name in zip(articles[len(outcomes):], labels[len(outcomes):], strict=True):
                outcomes.append(_analyse_one(pipeline, article, name))
    return outcomes


def _analyse_one(pipeline: Pipeline, article: Article, name: str) -> Outcome:
    try:
        return (name, encode(pipeline.analyze(article)), None)
    except Exception as exc:  # noqa: BLE001
        return (name, None, f"analysis failed: {type(exc).__name__}: {exc}")


_worker_pipeline: Pipeline | None = None


def _init_worker(parent_pid: int | None = None, stages: tuple[str, ...] | None = None) -> None:
    """Worker initializer: the one model load of this process, and a watch on the ingest
    process (a worker of a SIGKILLed ingest would otherwise wait for work forever)."""
    global _worker_pipeline
    from .pipeline import DEFAULT_STAGES, Pipeline

    if parent_pid is not None:
        threading.Thread(target=_exit_with, args=(parent_pid,), daemon=True, name="parent-watch").start()
    _worker_pipeline = Pipeline(stages or DEFAULT_STAGES)


def _exit_with(parent_pid: int, every: float = 1.0) -> None:
    while True:
        time.sleep(every)
        try:
            os.kill(parent_pid, 0)
        except ProcessLookupError:
            os._exit(0)
        except PermissionError:
            pass


def _worker_analyse(payload: bytes, labels: list[str]) -> list[Outcome]:
    assert _worker_pipeline is not None, "worker started without _init_worker"
    return analyse_batch(_worker_pipeline, _article_list_decoder.decode(payload), labels)


class InProcess:
    """Analysis in this process with the process-wide pipeline (workers=1).

    No timeout here: a hung document hangs the run, as any single-process call would.
    """

    restarts = 0  # one process, never replaced

    def __init__(self, stages: tuple[str, ...] | None = None) -> None:
        from .pipeline import Pipeline, default_pipeline

        self.pipeline = Pipeline(stages) if stages else default_pipeline()

    def run(self, batches: Iterator[tuple[list[Article], list[str]]]) -> Iterator[list[Outcome]]:
        for articles, labels in batches:
            yield analyse_batch(self.pipeline, articles, labels)

    def close(self) -> None:
        pass


Batch = tuple[list[Article], list[str]]


class WorkerPool:
    """Analysis in ``workers`` processes, at most two batches per worker in flight.

    A worker that dies (a crash in native code, the OOM killer) takes the pool and every
    batch in flight with it; so does a worker that hangs (no batch finished in ``timeout``
    seconds), which is killed. Either way the pool is restarted and the lost batches are
    re-run one document at a time, each within ``timeout``, so that only the document that
    kills or hangs its worker again is rejected. Every ``recycle_after`` documents per
    worker the pool is drained and replaced by fresh processes.
    """

    def __init__(
        self,
        workers: int,
        *,
        stages: tuple[str, ...] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        recycle_after: int | None = DEFAULT_RECYCLE_AFTER,
    ):
        # forkserver/spawn, not fork: the parent holds DuckDB's threads and locks.
        method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
        self.context = multiprocessing.get_context(method)
        self.workers, self.stages, self.timeout = workers, stages, timeout
        self.recycle_at = recycle_after * workers if recycle_after else None
        self.window = 2 * workers
        self.sent = 0  # documents sent to the current processes
        self.restarts = 0  # pools started after the first: recycled, crashed or hung
        self.executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        self.sent = 0
        return ProcessPoolExecutor(
            max_workers=self.workers, mp_context=self.context,
            initializer=_init_worker, initargs=(os.getpid(), self.stages),
        )

    def _restart(self, *, kill: bool = False) -> None:
        if kill:
            self._kill_workers()
        self.executor.shutdown(wait=not kill, cancel_futures=True)
        self.executor = self._start()
        self.restarts += 1

    def _kill_workers(self) -> None:
        # The executor has no public way to stop a running task; its process table
        # (``_processes``, pid -> Process) is the only handle on a hung worker.
        for process in list(getattr(self.executor, "_processes", {}).values()):
            process.kill()
            process.join(5)

    def _submit(self, articles: list[Article], labels: list[str]) -> Future:
        self.sent += len(articles)
        return self.executor.submit(_worker_analyse, encode_articles(articles), labels)

    def run(self, batches: Iterator[Batch]) -> Iterator[list[Outcome]]:
        pending: dict[Future, Batch] = {}
        for articles, labels in batches:
            if self.recycle_at is not None and self.sent >= self.recycle_at:
                while pending:
                    yield from self._collect(pending)
                self._restart()
            pending[self._submit(articles, labels)] = (articles, labels)
            while len(pending) >= self.window:
                yield from self._collect(pending)
        while pending:
            yield from self._collect(pending)

    def _collect(self, pending: dict[Future, Batch]) -> Iterator[list[Outcome]]:
        done, _ = wait(pending, timeout=self.timeout, return_when=FIRST_COMPLETED)
        if not done:  # hung: nothing finished in time
            lost = list(pending.values())
            pending.clear()
            self._restart(kill=True)
            yield from self._isolate(lost)
            return
        lost = []
        for future in done:
            articles, labels = pending.pop(future)
            try:
                yield future.result()
            except BrokenProcessPool:
                lost.append((articles, labels))
            except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be unpickled
                yield [(name, None, f"analysis failed: {type(exc).__name__}: {exc}") for name in labels]
        if lost:
            lost.extend(pending.values())  # the broken pool fails every batch in flight
            pending.clear()
            self._restart(kill=True)
            yield from self._isolate(lost)

    def _isolate(self, lost: list[Batch]) -> Iterator[list[Outcome]]:
        for articles, labels in lost:
            for article, name in zip(articles, labels, strict=True):
                try:
                    yield self._submit([article], [name]).result(timeout=self.timeout)
                except BrokenProcessPool:
                    yield [(name, None, "analysis failed: the worker process died")]
                    self._restart(kill=True)
                except TimeoutError:
                    yield [(name, None, f"analysis timed out: no result in {self.timeout:g} s")]
                    self._restart(kill=True)

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


def encode_articles(articles: list[Article]) -> bytes:
    return encode(articles)  # type: ignore[arg-type]


# --- reading and skipping ------------------------------------------------------------------


def read(
    inputs: list[str], *, published: str | None, outlet: str | None, max_bytes: int | None
) -> Iterator[Article | Rejected]:
    """``read_inputs`` with ``max_bytes`` enforced here too (in case a reader lets one by)."""
    from .ingest import read_inputs

    kwargs: dict = {"published": published, "outlet": outlet}
    if max_bytes is not None and "max_bytes" in inspect.signature(read_inputs).parameters:
        kwargs["max_bytes"] = max_bytes
    for position, item in enumerate(read_inputs(inputs, **kwargs)):
        if isinstance(item, Article) and max_bytes is not None:
            size = len(item.text.encode("utf-8", "surrogatepass"))
            if size > max_bytes:
                item = Rejected(input=label(item, position), reason=f"too large: {size} bytes > {max_bytes}")
        yield item


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk: list = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _Run:
    """One ingest run: the store, the summary, the progress bar, and the ids seen so far."""

    def __init__(self, store: Store, summary: IngestSummary, advance):
        from .ingest.clean import clean_text
        from .pipeline import document_id

        self.store, self.summary, self.advance = store, summary, advance
        self.clean_text, self.document_id = clean_text, document_id
        self.seen: set[str] = set()
        self.position = 0

    def batches(self, items: Iterable[Article | Rejected], size: int) -> Iterator[tuple[list[Article], list[str]]]:
        """Batches of articles still to analyse; rejections and skips recorded on the way."""
        for chunk in _chunks(items, size):
            rejected = [item for item in chunk if isinstance(item, Rejected)]
            fresh: dict[str, tuple[Article, str]] = {}
            for item in chunk:
                if isinstance(item, Article):
                    self._sort(item, fresh, rejected)
            stored = self.store.has_documents(fresh)
            for doc_id in stored:
                del fresh[doc_id]
            self.summary.skipped += len(stored)
            self.seen.update(fresh)
            self.record_rejected(rejected)
            self.advance(len(chunk) - len(fresh))
            if fresh:
                articles, labels = zip(*fresh.values(), strict=True)
                yield list(articles), list(labels)

    def _sort(self, article: Article, fresh: dict, rejected: list[Rejected]) -> None:
        name = label(article, self.position)
        self.position += 1
        self.summary.read += 1
        text = self.clean_text(article.text)
        if not text:
            rejected.append(Rejected(input=name, reason="empty: nothing left after cleaning"))
            return
        doc_id = self.document_id(text)
        if doc_id in self.seen or doc_id in fresh:
            self.summary.skipped += 1
            return
        fresh[doc_id] = (article, name)

    def record_rejected(self, rejected: list[Rejected]) -> None:
        for item in rejected:
            self.summary.add_rejected(item.reason)
        self.store.add_rejected(rejected)

    def write(self, outcomes: list[Outcome]) -> None:
        """One batch of results: every Report in one transaction, failures rejected."""
        reports: list[Report] = []
        rejected: list[Rejected] = []
        for name, data, error in outcomes:
            if data is None:
                rejected.append(Rejected(input=name, reason=error or "analysis failed"))
            else:
                reports.append(decode_report(data))
        self._store(reports, rejected)
        self.record_rejected(rejected)
        refused = {item.input for item in rejected}
        self.store.clear_rejected(name for name, data, _ in outcomes if data is not None and name not in refused)
        self.advance(len(outcomes))

    def _store(self, reports: list[Report], rejected: list[Rejected]) -> None:
        try:
            added, failed = self.store.add_reports(reports), 0
        except Exception:  # noqa: BLE001 - find the report the store refuses, keep the rest
            added = failed = 0
            for report in reports:
                try:
                    added += self.store.add_reports([report])
                except Exception as exc:  # noqa: BLE001
                    failed += 1
                    name = report.document.external_id or report.document.id
                    rejected.append(Rejected(input=name, reason=f"store failed: {type(exc).__name__}: {exc}"))
        self.summary.stored += added
        # Stored meanwhile (e.g. by a Dask load) or twice in the batch: skipped, not lost.
        self.summary.skipped += len(reports) - added - failed
        self.summary.words += sum(r.document.word_count for r in reports)


def ingest(
    store: Store,
    inputs: list[str],
    *,
    workers: int = 1,
    published: str | None = None,
    outlet: str | None = None,
    max_bytes: int | None = None,
    progress: bool = True,
    batch_size: int = 32,
    stages: tuple[str, ...] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    recycle_after: int | None = DEFAULT_RECYCLE_AFTER,
    on_batch: Callable[[IngestSummary], None] | None = None,
) -> IngestSummary:
    """Read, analyse and store every input; see the module docstring.

    ``stages`` picks the pipeline's stages (names or ``module:factory`` paths; default all).
    ``on_batch`` is called with the running summary after every batch is written (e.g. to
    record how throughput develops over a long run).
    """
    summary = IngestSummary()
    started = time.perf_counter()
    items = read(inputs, published=published, outlet=outlet, max_bytes=max_bytes)
    bar = _progress_bar() if progress else None
    with bar or nullcontext():
        task = bar.add_task("ingest", total=None) if bar else None
        if bar is not None and _countable(inputs):
            _count_in_background(bar, task, inputs, published, outlet)
        run = _Run(store, summary, (lambda n: bar.advance(task, n)) if bar else (lambda n: None))
        analyser = (
            InProcess(stages) if workers <= 1
            else WorkerPool(workers, stages=stages, timeout=timeout, recycle_after=recycle_after)
        )
        try:
            for outcomes in analyser.run(run.batches(items, batch_size)):
                run.write(outcomes)
                if on_batch is not None:
                    summary.seconds = time.perf_counter() - started
                    on_batch(summary)
        finally:
            analyser.close()
            summary.restarts = analyser.restarts
    summary.seconds = time.perf_counter() - started
    return summary


# --- progress ----------------------------------------------------------------------------


def _progress_bar():
    """A rich progress bar (documents/s, ETA) on a terminal; None elsewhere."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    console = Console(stderr=True)
    if not console.is_terminal:
        return None
    return Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TaskProgressColumn(), _RateColumn(), TimeElapsedColumn(), TextColumn("ETA"),
        TimeRemainingColumn(), console=console,
    )


def _rate_column_class():
    from rich.progress import ProgressColumn
    from rich.text import Text

    class RateColumn(ProgressColumn):
        """Documents per second over the recent past."""

        def render(self, task) -> Text:
            speed = task.finished_speed or task.speed
            return Text(f"{speed:6.1f} docs/s" if speed else "   - docs/s", style="cyan")

    return RateColumn


def _RateColumn():  # noqa: N802 - a column, built lazily so rich loads only for a bar
    return _rate_column_class()()


def _countable(inputs: list[str]) -> bool:
    """Local files and folders can be read twice (once to count); stdin and URLs cannot."""
    from pathlib import Path

    return all(i != "-" and "://" not in i and Path(i).exists() for i in inputs)


def _count_in_background(bar, task, inputs: list[str], published, outlet) -> None:
    """Count the inputs in a thread so the bar gets a total (and an ETA) without a wait."""
    from .ingest import read_inputs

    def count() -> None:
        total = sum(1 for _ in read_inputs(inputs, published=published, outlet=outlet))
        bar.update(task, total=total)

    threading.Thread(target=count, daemon=True, name="ingest-count").start()

