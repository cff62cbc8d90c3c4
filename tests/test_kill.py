"""An ingest killed with SIGKILL mid-run, then run again, stores exactly what a clean run does."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reportedly import tables
from reportedly.store import Store
from test_ingest_cli import write_inputs

DOCUMENTS = 30
KILL_AFTER = 10  # documents stored before the kill

# Runs `reportedly ingest` and prints the stored count after every batch it writes, so the
# test knows the run is under way; the pause gives the kill a moment to land mid-run.
REPORTING_INGEST = """
import sys, time
from reportedly import batch

_write = batch._Run.write

def write(self, outcomes):
    _write(self, outcomes)
    print(self.summary.stored, flush=True)
    time.sleep(0.05)

batch._Run.write = write

if __name__ == "__main__":
    from reportedly.cli import main
    main(sys.argv[1:], prog_name="reportedly")
"""


def snapshot(db: Path) -> dict[str, dict]:
    """Per document: its record and its row count in every table; plus duplicate checks."""
    with Store.open(db, read_only=True) as store:
        documents = {row["id"]: {"record": row["record"]} for row in store.sql("SELECT id, record FROM documents")}
        (dupes,) = store.sql("SELECT count(*) - count(DISTINCT id) AS n FROM documents")
        assert dupes["n"] == 0
        for name in tables.CHILD_TABLES:
            for row in store.sql(f"SELECT doc_id, count(*) AS n FROM {name} GROUP BY doc_id"):
                assert row["doc_id"] in documents, f"{name} rows of a document that is not stored"
                documents[row["doc_id"]][name] = row["n"]
    return documents


def start_killable_ingest(script: Path, folder: Path, db: Path, workers: int) -> subprocess.Popen:
    args = [sys.executable, str(script), "ingest", str(folder), "--db", str(db), "--workers", str(workers),
            "--batch-size", "2", "--quiet"]
    # A session of its own, so that SIGKILL reaches the worker processes too.
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def group_empties(group: int, timeout: float = 30) -> bool:
    """True once no process of the group is left (the workers noticed their parent died)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.5)
    return False


def run_ingest(folder: Path, db: Path, workers: int) -> None:
    """A plain `python -m reportedly ingest` run to the end (in a subprocess like the killed
    run, so that both analyse with the same code)."""
    done = subprocess.run(
        [sys.executable, "-m", "reportedly", "ingest", str(folder), "--db", str(db), "--workers", str(workers), "--quiet"],
        capture_output=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]


def wait_for_stored(process: subprocess.Popen, count: int, timeout: float = 300) -> int:
    deadline = time.monotonic() + timeout
    stored = 0
    while stored < count:
        ready, _, _ = select.select([process.stdout], [], [], max(0.0, deadline - time.monotonic()))
        line = process.stdout.readline() if ready else b""
        if not line:
            stderr = process.stderr.read().decode() if process.poll() is not None else ""
            pytest.fail(f"ingest ended or stalled before storing {count} documents: {stderr[-2000:]}")
        stored = int(line)
    return stored


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_sigkill_mid_run_then_rerun_equals_a_clean_run(tmp_path, workers):
    folder = tmp_path / "in"
    write_inputs(folder, DOCUMENTS)
    run_ingest(folder, tmp_path / "clean.db", workers)
    clean = snapshot(tmp_path / "clean.db")
    assert len(clean) == DOCUMENTS

    script = tmp_path / "reporting_ingest.py"
    script.write_text(REPORTING_INGEST)
    db = tmp_path / "killed.db"
    process = start_killable_ingest(script, folder, db, workers)
    try:
        wait_for_stored(process, KILL_AFTER)
        os.kill(process.pid, signal.SIGKILL)  # the ingest process only: its workers must follow
        process.wait()
        assert group_empties(process.pid), "worker processes outlived the killed ingest"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        process.stdout.close()
        process.stderr.close()
    assert process.returncode == -signal.SIGKILL

    killed = snapshot(db)
    assert KILL_AFTER <= len(killed) < DOCUMENTS, "the kill did not land mid-run"
    for doc_id, rows in killed.items():
        assert rows == clean[doc_id]  # whole documents only: no partial records

    run_ingest(folder, db, workers)
    assert snapshot(db) == clean


# A worker that misbehaves on the one document about Bakhmut ({fault}: dies, as a crash in
# native code or the OOM killer would make it, or hangs, as a runaway loop would), run through
# the real CLI; the patch is at module level, so the worker processes load it too.
FAULTY_WORKER = """
import os, sys, time
from reportedly import pipeline

_run_stages = pipeline.Pipeline.run_stages

def run_stages(self, doc, document):
    if "Bakhmut" in document.text:
        {fault}
    return _run_stages(self, doc, document)

pipeline.Pipeline.run_stages = run_stages

if __name__ == "__main__":
    from reportedly.cli import main
    main(sys.argv[1:], prog_name="reportedly")
"""
DIES = "os._exit(70)"
HANGS = "time.sleep(3600)"


def ingest_with_faulty_worker(tmp_path: Path, fault: str, documents: int, *options: str) -> tuple[set[str], list]:
    """Ingest ``documents`` articles (article-03 is about Bakhmut) with 2 workers, one of which
    meets ``fault`` on it: the stored file names and the (file name, reason) rejections."""
    folder = tmp_path / "in"
    write_inputs(folder, documents)
    script = tmp_path / "faulty_worker.py"
    script.write_text(FAULTY_WORKER.replace("{fault}", fault))
    db = tmp_path / "r.db"
    done = subprocess.run(
        [sys.executable, str(script), "ingest", str(folder), "--db", str(db), "--workers", "2",
         "--batch-size", "2", "--quiet", *options],
        capture_output=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    with Store.open(db, read_only=True) as store:
        stored = {Path(row["external_id"]).name for row in store.sql("SELECT external_id FROM documents")}
        rejected = [(Path(r["input"]).name, r["reason"]) for r in store.sql("SELECT input, reason FROM rejected")]
    return stored, rejected


@pytest.mark.slow
def test_a_document_that_kills_its_worker_is_rejected_and_the_rest_stored(tmp_path):
    stored, rejected = ingest_with_faulty_worker(tmp_path, DIES, 8)
    assert stored == {f"article-{n:02d}.txt" for n in range(8) if n != 3}
    assert rejected == [("article-03.txt", "analysis failed: the worker process died")]
