"""The Dask engine on a real LocalCluster of 2 worker processes (threads_per_worker=1).

The records it writes must equal the local engine's for the same inputs; a worker killed in
the middle of a run, or a document that makes the pipeline raise, must not lose or double
any document.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

pytest.importorskip("distributed")

import cloudpickle  # noqa: E402  (installed with distributed)
from distributed.diagnostics.plugin import WorkerPlugin  # noqa: E402

from reportedly import tables  # noqa: E402
from reportedly.engines import dask as engine  # noqa: E402
from reportedly.records import Article  # noqa: E402

FIXTURE = Path(__file__).parent / "fixtures" / "dask" / "articles.jsonl"

# Worker processes cannot import this test module: ship its plugins by value.
cloudpickle.register_pickle_by_value(sys.modules[__name__])


def fixture_articles() -> list[Article]:
    """The fixture's articles as the readers make them (as both engines see them)."""
    from reportedly.ingest import read_inputs

    articles = list(read_inputs([str(FIXTURE)]))
    assert all(isinstance(a, Article) for a in articles)
    return articles


def partitions_of(articles: list[Article], size: int) -> list[engine.Partition]:
    return [
        engine.Partition(i, items=tuple(articles[start:start + size]))
        for i, start in enumerate(range(0, len(articles), size))
    ]


def comparable(arrow_tables: dict) -> dict[str, list[tuple]]:
    """Every table's rows, ingestion time left out, sorted by primary key (then by all)."""
    out = {}
    for name in tables.PARQUET_TABLES:
        rows = [
            {k: v for k, v in row.items() if k != "ingested_at"}
            for row in arrow_tables[name].to_pylist()
        ]
        key = tables.PRIMARY_KEYS[name]
        out[name] = sorted(
            (tuple(row[k] for k in key), json.dumps(row, sort_keys=True, default=str)) for row in rows
        )
    return out


def read_output(directory: Path) -> dict:
    return {
        name: pq.read_table(directory / name, schema=tables.SCHEMAS[name])
        for name in tables.PARQUET_TABLES
    }


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
    )
    with distributed.Client(cluster) as dask_client:
        yield dask_client
    cluster.close()


@pytest.fixture(scope="module")
def local_records(pipeline):
    """The local engine's records for the fixture articles."""
    return comparable(tables.to_arrow(pipeline.analyze_many(fixture_articles())))


class RaiseOn(WorkerPlugin):
    """Makes the pipeline raise on documents containing ``marker`` (a bad document)."""

    name = "test-raise-on"

    def __init__(self, marker: str):
        self.marker = marker

    def setup(self, worker) -> None:
        from reportedly.pipeline import Pipeline

        self.original = Pipeline.run_stages
        marker, original = self.marker, self.original

        def run_stages(pipeline, doc, document):
            if marker in document.text:
                raise RuntimeError("poisoned document")
            return original(pipeline, doc, document)

        Pipeline.run_stages = run_stages

    def teardown(self, worker) -> None:
        from reportedly.pipeline import Pipeline

        Pipeline.run_stages = self.original


class KillOnce(WorkerPlugin):
    """Kills its worker process (os._exit) once per cluster, in the middle of a partition.

    ``when="analysis"``: while the pipeline runs on the ``after``-th document of the
    process; ``when="write"``: after a partition's events file is in place and before its
    other files. A marker file makes sure only one worker dies, once.
    """

    name = "test-kill-once"

    def __init__(self, marker: str, when: str, after: int = 3):
        self.marker, self.when, self.after = marker, when, after

    def _claim(self) -> bool:
        try:
            os.close(os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return False
        return True

    def setup(self, worker) -> None:
        from reportedly.pipeline import Pipeline

        plugin, calls = self, {"n": 0}
        if self.when == "analysis":
            original = Pipeline.run_stages

            def run_stages(pipeline, doc, document):
                calls["n"] += 1
                if calls["n"] == plugin.after and plugin._claim():
                    os._exit(1)
                return original(pipeline, doc, document)

            Pipeline.run_stages = run_stages
        else:
            original_replace = os.replace

            def replace(src, dst):
                original_replace(src, dst)
                if str(dst).endswith(".parquet") and "events" in str(dst) and plugin._claim():
                    os._exit(1)

            engine.os.replace = replace  # the engine's os is the process's os module


def test_line_ranges_cover_the_file_on_line_boundaries(tmp_path):
    path = tmp_path / "rows.jsonl"
    lines = [json.dumps({"id": i, "text": "é" * (i % 5)}) + "\n" for i in range(11)]
    path.write_text("".join(lines), encoding="utf-8")
    ranges = list(engine.line_ranges(str(path), 4))
    assert [r.first_line for r in ranges] == [1, 5, 9]
    data = path.read_bytes()
    pieces = [data[r.start:r.end].decode("utf-8") for r in ranges]
    assert "".join(pieces) == "".join(lines)
    assert [p.count("\n") for p in pieces] == [4, 4, 3]


def test_same_records_as_the_local_engine(client, local_records, tmp_path):
    articles = fixture_articles()
    summaries = engine.run_partitions(client, partitions_of(articles, 6), str(tmp_path))
    assert sum(s.documents for s in summaries) == len(articles)
    assert len({s.worker for s in summaries}) == 2  # both workers took partitions
    assert comparable(read_output(tmp_path)) == local_records
    # one model load per worker process, however many partitions each ran
    assert set(client.run(engine.pipeline_loads).values()) == {1}


def test_partition_size_does_not_change_the_records(client, local_records, tmp_path):
    engine.run_partitions(client, partitions_of(fixture_articles(), 17), str(tmp_path))
    assert comparable(read_output(tmp_path)) == local_records


def test_known_and_repeated_documents_are_skipped(client, tmp_path):
    from reportedly.ingest.clean import clean_text
    from reportedly.pipeline import document_id

    articles = fixture_articles()[:8]
    known = engine.KnownIds([document_id(clean_text(articles[0].text))])
    repeated = [*articles, articles[3]]  # the same text twice in one run
    summaries = engine.run_partitions(client, partitions_of(repeated, 3), str(tmp_path), known)
    total = engine.summarise(summaries, 2, stored=7)
    assert (total.read, total.stored, total.skipped) == (9, 7, 2)
    ids = read_output(tmp_path)["documents"].column("id").to_pylist()
    assert sorted(ids) == sorted({document_id(clean_text(a.text)) for a in articles[1:]})


def test_a_bad_document_is_rejected_and_its_partition_survives(client, tmp_path):
    articles = fixture_articles()[:10]
    bad = Article(text="POISON in this dispatch from Kherson, officials said.", id="bad-1")
    client.register_plugin(RaiseOn("POISON"))
    try:
        summaries = engine.run_partitions(
            client, partitions_of([*articles[:4], bad, *articles[4:]], 5), str(tmp_path)
        )
    finally:
        client.unregister_worker_plugin(RaiseOn.name)
    rejected = [r for s in summaries for r in s.rejected]
    assert [r.input for r in rejected] == ["bad-1"]
    assert rejected[0].reason == "analysis failed: RuntimeError: poisoned document"
    assert read_output(tmp_path)["documents"].num_rows == len(articles)


@pytest.mark.parametrize("when", ["analysis", "write"])
def test_a_worker_killed_mid_run_loses_and_doubles_nothing(local_records, local_store, tmp_path, when):
    from reportedly.store import Store

    distributed = pytest.importorskip("distributed")
    marker = tmp_path / "killed"
    output, db = tmp_path / "out", tmp_path / "killed.db"
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
    )
    with cluster, distributed.Client(cluster) as dask_client:
        dask_client.register_plugin(KillOnce(str(marker), when))
        summary = engine.run_dask_ingest(
            [str(FIXTURE)], db, client=dask_client, output_dir=output, partition_size=5,
        )
    assert marker.exists()  # a worker really died
    assert (summary.partitions, summary.read, summary.stored, summary.rejected_total) == (8, 40, 40, 0)
    records = read_output(output)
    ids = records["documents"].column("id").to_pylist()
    assert len(ids) == len(set(ids)) == 40  # every document written once
    assert comparable(records) == local_records
    with Store.open(db, read_only=True) as store:
        assert store.sql("SELECT count(*) AS n, count(DISTINCT id) AS d FROM documents") == [{"n": 40, "d": 40}]
    assert store_records(db) == store_records(local_store)  # and stored once, as the local engine does


def store_records(db: Path) -> dict[str, list[tuple]]:
    from reportedly.store import Store

    with Store.open(db, read_only=True) as store:
        return comparable({name: store.query(f"SELECT * FROM {name}") for name in tables.PARQUET_TABLES})


@pytest.fixture(scope="module")
def local_store(pipeline, tmp_path_factory) -> Path:
    """The fixture file ingested by the local engine (in this process)."""
    from reportedly.store import Store

    db = tmp_path_factory.mktemp("local") / "local.db"
    with Store.open(db) as store:
        summary = store.ingest([str(FIXTURE)], workers=1, progress=False)
    assert summary.stored == 40
    return db


def test_ingest_stores_what_the_local_engine_stores_and_is_idempotent(client, local_store, tmp_path):
    db = tmp_path / "dask.db"
    first = engine.run_dask_ingest([str(FIXTURE)], db, client=client, partition_size=7)
    assert (first.read, first.stored, first.skipped, first.partitions) == (40, 40, 0, 6)
    assert store_records(db) == store_records(local_store)
    again = engine.run_dask_ingest([str(FIXTURE)], db, client=client, partition_size=7)
    assert (again.read, again.stored, again.skipped) == (40, 0, 40)
    assert store_records(db) == store_records(local_store)


def test_workers_read_json_lines_by_range_as_the_readers_do(tmp_path):
    from reportedly.ingest import read_inputs

    path = tmp_path / "mixed.jsonl"
    good = FIXTURE.read_text(encoding="utf-8").splitlines()[:5]
    path.write_text("\n".join([good[0], "{not json", "", good[1], '{"text": ""}', *good[2:]]) + "\n")
    partitions = list(engine.plan_partitions([str(path)], 3))
    assert all(p.lines is not None and not p.items for p in partitions)  # nothing read here
    on_workers = [item for p in partitions for item in engine.read_partition(p)]
    assert on_workers == list(read_inputs([str(path)]))
    assert [getattr(item, "input", None) for item in on_workers if hasattr(item, "reason")] == [
        f"{path}:2", f"{path}:5",
    ]


@pytest.mark.slow
@pytest.mark.shared
def test_200_corpus_articles_same_records_as_the_local_engine(shared, client, tmp_path):
    """200 real articles: Dask on 2 worker processes stores what the local engine stores."""
    from reportedly.store import Store

    corpus = shared / "corpora" / "ukraine-war-news-2022" / "ukraine_war_news_00.jsonl"
    sample = tmp_path / "sample.jsonl"  # a temporary copy of 200 rows, read in place otherwise
    with corpus.open("rb") as handle:
        sample.write_bytes(b"".join(handle.readline() for _ in range(200)))
    local_db, dask_db = tmp_path / "local.db", tmp_path / "dask.db"
    with Store.open(local_db) as store:
        local = store.ingest([str(sample)], workers=1, progress=False)
    summary = engine.run_dask_ingest([str(sample)], dask_db, client=client, partition_size=25)
    assert summary.read == local.read == 200
    with Store.open(dask_db, read_only=True) as store:
        rejected = store.sql("SELECT input, reason FROM rejected")
    assert (summary.stored, summary.skipped, summary.rejected_total) == (
        local.stored, local.skipped, local.rejected_total,
    ), rejected
    assert len(summary.per_worker) == 2
    assert store_records(dask_db) == store_records(local_db)


def test_a_folder_is_planned_in_the_readers_order_with_json_lines_read_by_workers(tmp_path):
    from reportedly.ingest import read_inputs

    folder = tmp_path / "inputs"
    folder.mkdir()
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    (folder / "a.jsonl").write_text("\n".join(lines[:5]) + "\n", encoding="utf-8")
    (folder / "b.txt").write_text(json.loads(lines[5])["text"], encoding="utf-8")
    (folder / "c.bin").write_bytes(b"\x00\x01")
    (folder / "d.jsonl").write_text("\n".join(lines[6:9]) + "\n", encoding="utf-8")
    partitions = list(engine.plan_partitions([str(folder)], 2))
    assert [bool(p.lines) for p in partitions] == [True, True, True, False, True, True]
    planned = [item for p in partitions for item in engine.read_partition(p)]
    assert planned == list(read_inputs([str(folder)]))
