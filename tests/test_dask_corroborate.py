"""Corroboration over the Dask engine's Parquet output equals the in-memory corroboration."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("distributed")

from reportedly.engines import dask as engine  # noqa: E402
from reportedly.records import Article, encode  # noqa: E402

FIXTURE = Path(__file__).parent / "fixtures" / "dask" / "articles.jsonl"
WIRE_TAIL = " Additional reporting by our correspondent in Kyiv; this story was updated."


def articles_with_copies() -> list[Article]:
    """The fixture articles, three of them republished by another outlet with a tail added."""
    rows = [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines()]
    articles = [Article(**row) for row in rows]
    copies = [
        Article(**{**rows[i], "id": f"copy-{i}", "outlet": "syndicated.example", "text": rows[i]["text"] + WIRE_TAIL})
        for i in (0, 4, 10)
    ]
    return articles + copies


def memberships(clusters) -> set[frozenset]:
    return {frozenset((m.doc_id, m.item_id) for m in c.mentions) for c in clusters}


def counts(clusters) -> dict[frozenset, tuple]:
    return {
        frozenset((m.doc_id, m.item_id) for m in c.mentions): (
            c.corroboration.reports, c.corroboration.outlets, c.corroboration.independent_origins,
        )
        for c in clusters
    }


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
    with distributed.Client(cluster) as dask_client:
        yield dask_client
    cluster.close()


def test_corroboration_on_workers_equals_the_in_memory_one(client, pipeline, tmp_path):
    from reportedly.corroborate import corroborate

    articles = articles_with_copies()
    partitions = [
        engine.Partition(i, items=tuple(articles[start:start + 8]))
        for i, start in enumerate(range(0, len(articles), 8))
    ]
    engine.run_partitions(client, partitions, str(tmp_path))
    distributed = engine.corroborate_dask(client, tmp_path)
    in_memory = corroborate(list(pipeline.analyze_many(articles)))

    reused = {k: v for k, v in in_memory.reuse.items() if list(in_memory.reuse.values()).count(v) > 1}
    assert distributed.reuse == reused
    assert len(set(reused.values())) >= 3  # the three republished stories were found
    assert any(c.corroboration.reports > 1 for c in distributed.events)
    assert memberships(distributed.events) == memberships(in_memory.events)
    assert counts(distributed.events) == counts(in_memory.events)
    assert counts(distributed.figures) == counts(in_memory.figures)


def test_no_documents_no_corroboration(client, tmp_path):
    assert engine.corroborate_dask(client, tmp_path).reuse == {}


def test_ingest_then_corroborate_into_the_store(client, tmp_path):
    from reportedly.store import Store

    source = tmp_path / "with-copies.jsonl"
    source.write_text("".join(encode(a).decode() + "\n" for a in articles_with_copies()), encoding="utf-8")
    db, parquet = tmp_path / "corroborated.db", tmp_path / "parquet"
    engine.run_dask_ingest([str(source)], db, client=client, output_dir=parquet, partition_size=9)
    corroborated = engine.corroborate_dask(client, parquet)
    with Store.open(db) as store:
        engine.store_corroboration(store, corroborated)
        copy_id = store.sql("SELECT id FROM documents WHERE external_id = 'copy-0'")[0]["id"]
        report = store.report(copy_id)
    told_twice = [e for e in report.events if e.corroboration and e.corroboration.reports == 2]
    assert told_twice and told_twice[0].corroboration.outlets == 2
