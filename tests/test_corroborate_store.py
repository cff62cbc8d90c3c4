"""Corroboration in the store: incremental runs, tables the store reads, the CLI command."""

from __future__ import annotations

import json

from click.testing import CliRunner

from reportedly.cli import main
from reportedly.corroborate.persist import corroborate_store
from reportedly.store import Store
from test_corroborate import reports_of


def _cluster(store: Store, doc_id: str) -> str:
    return store.sql("SELECT cluster FROM event_corroboration WHERE doc_id = ?", [doc_id])[0]["cluster"]


def test_new_documents_join_existing_clusters_and_reports_carry_corroboration():
    copied = list(reports_of("copied").values())
    strikes = list(reports_of("two_strikes").values())
    with Store.open(":memory:") as store:
        store.add_reports(copied[:2] + strikes[:1])
        first = corroborate_store(store)
        assert first.new_documents == 3
        assert first.reuse_clusters == 1
        wire_cluster = _cluster(store, copied[0].document.id)
        reuse_before = store.sql("SELECT cluster FROM reuse_clusters WHERE doc_id = ?", [copied[0].document.id])

        store.add_reports(copied[2:] + strikes[1:])
        second = corroborate_store(store)
        assert second.new_documents == len(copied) + len(strikes) - 3
        assert second.documents == len(copied) + len(strikes)
        assert _cluster(store, copied[0].document.id) == wire_cluster  # the id survives
        assert {_cluster(store, r.document.id) for r in copied} == {wire_cluster}
        reuse_after = store.sql("SELECT cluster FROM reuse_clusters WHERE doc_id = ?", [copied[-1].document.id])
        assert reuse_after == reuse_before

        report = store.report(copied[-1].document.id)
        corroboration = report.events[0].corroboration
        assert corroboration is not None
        assert corroboration.reports == len(copied)
        assert corroboration.independent_origins == 1

        third = corroborate_store(store)  # nothing new: nothing changes
        assert third.new_documents == 0
        assert _cluster(store, copied[0].document.id) == wire_cluster
        full = corroborate_store(store, incremental=False)
        assert full.new_documents == second.documents
        assert full.event_clusters == second.event_clusters == 3


def test_cli_corroborate_updates_the_store(tmp_path):
    db = tmp_path / "corroborate.db"
    with Store.open(db) as store:
        store.add_reports(reports_of("both_sides").values())
    result = CliRunner().invoke(main, ["corroborate", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["documents"] == 2
    assert summary["event_clusters"] == 1
    with Store.open(db, read_only=True) as store:
        rows = store.sql("SELECT independent_origins, both_sides FROM event_corroboration")
    assert rows == [{"independent_origins": 2, "both_sides": True}] * 2
