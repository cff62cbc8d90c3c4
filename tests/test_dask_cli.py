"""`reportedly ingest --engine dask` end to end: its own LocalCluster of 2 processes."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

pytest.importorskip("distributed")

FIXTURE = Path(__file__).parent / "fixtures" / "dask" / "articles.jsonl"


def test_ingest_engine_dask_on_a_local_cluster(tmp_path):
    from reportedly.cli import main
    from reportedly.store import Store

    db = tmp_path / "cli.db"
    args = ["ingest", str(FIXTURE), "--engine", "dask", "--local-workers", "2", "--db", str(db)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "on 2 Dask workers" in result.output
    with Store.open(db, read_only=True) as store:
        assert store.counts()["documents"] == 40
        ids = [row["id"] for row in store.sql("SELECT id FROM documents")]
    assert len(ids) == len(set(ids))
    assert not list(tmp_path.glob("cli.db.dask-*"))  # the Parquet staging directory is gone
