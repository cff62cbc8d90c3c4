"""The worker pool under a hung document, and worker recycling over a long run."""

from __future__ import annotations

import pytest

from reportedly.store import Store
from test_ingest_cli import write_inputs
from test_kill import HANGS, ingest_with_faulty_worker

# Long enough for a worker to start and load the model on a busy 2-core machine, since
# the wait for the first batch includes the model load.
TIMEOUT = "25"


@pytest.mark.slow
def test_a_document_that_hangs_its_worker_times_out_and_the_rest_are_stored(tmp_path):
    stored, rejected = ingest_with_faulty_worker(tmp_path, HANGS, 6, "--timeout", TIMEOUT)
    assert stored == {f"article-{n:02d}.txt" for n in range(6) if n != 3}
    assert rejected == [("article-03.txt", f"analysis timed out: no result in {TIMEOUT} s")]


@pytest.mark.slow
def test_recycled_workers_store_every_document_once(tmp_path):
    folder = tmp_path / "in"
    write_inputs(folder, 8)
    with Store.open(tmp_path / "r.db") as store:
        summary = store.ingest([str(folder)], workers=2, batch_size=1, recycle_after=2, progress=False)
        (row,) = store.sql("SELECT count(*) AS n, count(DISTINCT id) AS ids FROM documents")
    assert (summary.stored, summary.rejected_total) == (8, 0)
    assert summary.restarts >= 1  # 8 documents, a fresh pool every 2 per worker
    assert row == {"n": 8, "ids": 8}
