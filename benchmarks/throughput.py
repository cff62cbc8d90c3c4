"""Ingest throughput against bare spaCy, over the ukraine-war-news-2022 corpus (run on demand).

For each N (default 1,000; e.g. ``--n 1000 --n 10000 --n all``) the first N articles of the
corpus are written to one JSONL file, then measured in the same run, each in a fresh
subprocess so that neither inherits the other's memory or warm caches:

* ingest: ``Store.ingest([file], workers=W)`` into a new store (read, clean, hash, analyse
  in W worker processes, write): what ``reportedly ingest --workers W`` does;
* baseline: bare spaCy, the same model, ``nlp.pipe(texts, n_process=W)`` over the same texts.

Reported: documents/s and words/s (input documents over wall time, model loads included),
CPU seconds of all processes (documents per CPU-second), the ratio ingest/baseline in wall
and in CPU time, and peak RSS of the main process and of the largest worker. On a shared
machine the wall-time ratio moves with everyone else's load between the two measurements;
the CPU ratio is the one to compare. Results are printed and appended as JSON lines to
--output.

    .venv/bin/python benchmarks/throughput.py --n 1000 --n 10000 --n all --workers 2
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CORPUS = Path("corpora") / "ukraine-war-news-2022"


def corpus_dir(explicit: str | None) -> Path | None:
    if explicit:
        return Path(explicit)
    from reportedly.evaluation import shared_dir

    shared = shared_dir()
    return shared / CORPUS if shared else None


def write_subset(corpus: Path, n: int | None, target: Path) -> tuple[int, int]:
    """The first ``n`` articles (all when None) as one JSONL file; (documents, words)."""
    documents = words = 0
    with target.open("w", encoding="utf-8") as out:
        for path in sorted(corpus.glob("*.jsonl")):
            with path.open(encoding="utf-8") as lines:
                for line in lines:
                    if n is not None and documents >= n:
                        return documents, words
                    if not line.strip():
                        continue
                    out.write(line if line.endswith("\n") else line + "\n")
                    documents += 1
                    words += len(json.loads(line).get("text", "").split())
    return documents, words


def _children() -> dict[int, list[int]]:
    """Parent pid -> child pids, from /proc."""
    tree: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        tree.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    return tree


def _descendants(pid: int) -> list[int]:
    tree, found, todo = _children(), [], [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _peak_kb(pid: int) -> int:
    """VmHWM: the peak resident set size of a live process, in kB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def watch(process: subprocess.Popen, every: float = 0.2) -> dict[str, float]:
    """Poll a process and its descendants (workers, forkserver) until it exits: the peak RSS
    of the main process and of the largest other process (MB), and the descendants' CPU
    seconds (the main process reports its own). CPU time is what to compare on a machine
    shared with other work: wall time depends on everyone else's load."""
    peaks: dict[int, int] = {}
    cpu: dict[int, float] = {}
    while process.poll() is None:
        for pid in [process.pid, *_descendants(process.pid)]:
            peaks[pid] = max(peaks.get(pid, 0), _peak_kb(pid))
            cpu[pid] = max(cpu.get(pid, 0.0), _cpu_seconds(pid))
        time.sleep(every)
    others = [kb for pid, kb in peaks.items() if pid != process.pid]
    return {
        "main_mb": round(peaks.get(process.pid, 0) / 1024, 1),
        "worker_mb": round(max(others, default=0) / 1024, 1),
        "processes": 1 + len(others),
        "descendants_cpu_s": round(sum(v for pid, v in cpu.items() if pid != process.pid), 2),
    }


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


CURVE_STEP = 1000  # documents between two points of the growth curve


def run_ingest(subset: str, workers: int) -> dict:
    from reportedly.store import Store

    curve: list[tuple[int, float]] = []  # (documents stored, seconds since the start)

    def record(summary) -> None:
        if summary.stored >= (len(curve) + 1) * CURVE_STEP:
            curve.append((summary.stored, round(time.perf_counter() - started, 1)))

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        with Store.open(Path(tmp) / "bench.db") as store:
            summary = store.ingest([subset], workers=workers, progress=False, batch_size=32, on_batch=record)
            counts = store.counts()
            db_mb = round((Path(tmp) / "bench.db").stat().st_size / 2**20, 1)
        seconds = time.perf_counter() - started
    return {
        "seconds": seconds, "stored": summary.stored, "rejected": dict(summary.rejected),
        "events": counts["events"], "figures": counts["figures"], "main_cpu_s": own_cpu_seconds(),
        "restarts": summary.restarts, "db_mb": db_mb, "curve": curve,
    }


def run_baseline(subset: str, workers: int) -> dict:
    from reportedly import nlp as nlp_loader

    started = time.perf_counter()
    nlp = nlp_loader.load()
    with open(subset, encoding="utf-8") as lines:
        texts = [json.loads(line)["text"] for line in lines if line.strip()]
    tokens = 0
    for doc in nlp.pipe(texts, n_process=workers, batch_size=32):
        tokens += len(doc)
    return {"seconds": time.perf_counter() - started, "tokens": tokens, "main_cpu_s": own_cpu_seconds()}


def measure(kind: str, subset: Path, workers: int) -> dict:
    """One measurement in a fresh interpreter (its own memory peak, no shared warm state)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(
            [sys.executable, __file__, "--measure", kind, "--subset", str(subset), "--workers", str(workers)],
            stdout=out, stderr=err, text=True,
        )
        watched = watch(process)
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            raise RuntimeError(f"{kind} failed:\n{err.read()[-3000:]}")
        result = {**json.loads(out.read().strip().splitlines()[-1]), **watched}
        result["cpu_s"] = round(result["main_cpu_s"] + result["descendants_cpu_s"], 2)
        return result


def bench(corpus: Path, n: int | None, workers: int, skip_baseline: bool) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        subset = Path(tmp) / "subset.jsonl"
        documents, words = write_subset(corpus, n, subset)
        ingest = measure("ingest", subset, workers)
        print(f"ingest of {documents} measured: {json.dumps(ingest)}", flush=True)
        baseline = None if skip_baseline else measure("baseline", subset, workers)
    result = {
        "n": documents, "words": words, "workers": workers,
        "ingest_docs_per_s": round(documents / ingest["seconds"], 2),
        "ingest_words_per_s": round(words / ingest["seconds"]),
        "ingest": ingest,
    }
    if baseline:
        result.update({
            "spacy_docs_per_s": round(documents / baseline["seconds"], 2),
            "spacy_words_per_s": round(words / baseline["seconds"]),
            "ratio_ingest_to_spacy": round(baseline["seconds"] / ingest["seconds"], 3),
            "ratio_cpu": round(baseline["cpu_s"] / ingest["cpu_s"], 3),
            "baseline": baseline,
        })
    return result


def print_result(result: dict) -> None:
    ingest = result["ingest"]
    print(
        f"N={result['n']:>6} words={result['words']:>9} workers={result['workers']}  "
        f"ingest {result['ingest_docs_per_s']:7.2f} docs/s {result['ingest_words_per_s']:>7} words/s "
        f"(stored {ingest['stored']}, rejected {sum(ingest['rejected'].values())}, "
        f"{ingest['seconds']:.0f} s wall, {ingest['cpu_s']:.0f} s CPU = {result['n'] / ingest['cpu_s']:.2f} docs/CPU-s; "
        f"peak RSS main {ingest['main_mb']:.0f} MB, worker {ingest['worker_mb']:.0f} MB)",
        flush=True,
    )
    curve = ingest.get("curve") or []
    if len(curve) > 1:
        print(f"{'':>31}growth (documents stored: seconds): "
              + ", ".join(f"{n}: {t:.0f}" for n, t in curve if n % 5000 < CURVE_STEP or n == curve[-1][0])
              + f"; all {ingest['stored']}: {ingest['seconds']:.0f}", flush=True)
    if "baseline" in result:
        baseline = result["baseline"]
        print(
            f"{'':>31}spaCy  {result['spacy_docs_per_s']:7.2f} docs/s {result['spacy_words_per_s']:>7} words/s "
            f"({baseline['seconds']:.0f} s wall, {baseline['cpu_s']:.0f} s CPU = {result['n'] / baseline['cpu_s']:.2f} docs/CPU-s; "
            f"peak RSS main {baseline['main_mb']:.0f} MB, worker {baseline['worker_mb']:.0f} MB)\n"
            f"{'':>31}ratio ingest/spaCy: wall {result['ratio_ingest_to_spacy']:.3f}, CPU {result['ratio_cpu']:.3f}",
            flush=True,
        )


def parse_n(value: str) -> int | None:
    return None if value == "all" else int(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", action="append", type=parse_n, help="articles to ingest ('all' for the corpus); repeatable")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--corpus", help="directory of JSONL files (default: ../shared/corpora/ukraine-war-news-2022)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the bare spaCy measurement")
    parser.add_argument("--output", default="benchmarks/results/throughput.jsonl")
    parser.add_argument("--measure", choices=["ingest", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--subset", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.measure:  # inside the measuring subprocess
        run = run_ingest if args.measure == "ingest" else run_baseline
        print(json.dumps(run(args.subset, args.workers)))
        return

    corpus = corpus_dir(args.corpus)
    if corpus is None or not corpus.is_dir():
        print("skipped: the ukraine-war-news-2022 corpus (../shared) is absent", file=sys.stderr)
        return
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    for n in args.n or [1000]:
        result = bench(corpus, n, args.workers, args.no_baseline)
        result["at"] = time.strftime("%Y-%m-%dT%H:%M:%S")
        print_result(result)
        with output.open("a", encoding="utf-8") as out:
            out.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
