"""The worker pool under a hung document, and worker recycling over a long run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from reportedly.store import Store
from test_ingest_cli import write_inputs

# A worker that hangs on one document (as a runaway regex or a native loop would), run
# through the real CLI; the patch is at module level so the worker processes load it too.
HANGING_WORKER = """
import sys, time
from reportedly import pipeline

_run_stages = pipeline.Pipeline.run_stages

def run_stages(self, doc, document):
    if "Bakhmut" in document.text:
        time.sleep(3600)
    return _run_stages(self, doc, document)

pipeline.Pipeline.run_stages = run_stages

if __name__ == "__main__":
    from reportedly.cli import main
    main(sys.argv[1:], prog_name="reportedly")
"""

# Long enough for a worker to start and load the model on a busy 2-core machine, since
# the wait for the first batch includes the model load.
TIMEOUT = "25"


def stored_and_rejected(db: Path) -> tuple[set[str], list[tuple[str, str]]]:
    with Store.open(db, read_only=True) as store:
        stored = {Path(row["external_id"]).name for row in store.sql("SELECT external_id FROM documents")}
        rejected = [(Path(r["input"]).name, r["reason"]) for r in store.sql("SELECT input, reason FROM rejected")]
    return stored, rejected


@pytest.mark.slow
def test_a_document_that_hangs_its_worker_times_out_and_the_rest_are_stored(tmp_path):
    folder = tmp_path / "in"
    write_inputs(folder, 6)  # article-03 is about Bakhmut
    script = tmp_path / "hanging_worker.py"
    script.write_text(HANGING_WORKER)
    db = tmp_path / "r.db"
    done = subprocess.run(
        [sys.executable, str(script), "ingest", str(folder), "--db", str(db), "--workers", "2",
         "--batch-size", "2", "--timeout", TIMEOUT, "--quiet"],
        capture_output=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    stored, rejected = stored_and_rejected(db)
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
