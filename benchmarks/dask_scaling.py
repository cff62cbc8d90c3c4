"""Throughput of the Dask engine with 1, 2, ... workers, against a single process.

    .venv/bin/python benchmarks/dask_scaling.py --docs 200 --workers 1 2

Reads the first ``--docs`` articles of the shared corpus (``../shared/corpora/
ukraine-war-news-2022``, or ``--input FILE.jsonl``), then measures in the same run:

- baseline: the local engine's analysis in this process (``Pipeline.analyze_many``);
- for each worker count: a fresh LocalCluster (processes, 1 thread each), the model loaded
  on every worker before the clock starts, then the partitions analysed and written as
  Parquet (``run_partitions``), and separately the whole ``run_dask_ingest`` (cluster
  start-up, model loads, store load included) with ``--end-to-end``.

It prints docs/s, docs per CPU-second (what a dedicated core would give: the CPU time of
the analysis does not grow when other processes share the cores, its wall time does), the
speed-up against 1 worker and the ratio to the baseline, and the projected worker-hours
per million articles (``--json`` writes the numbers). Timings on a
shared machine are noisy: run it when the machine is quiet and compare ratios, not seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpora" / "ukraine-war-news-2022" / "ukraine_war_news_00.jsonl"


def sample_file(source: Path, docs: int, directory: Path) -> Path:
    """The first ``docs`` lines of ``source`` in a temporary file (the corpus stays in place)."""
    sample = directory / "sample.jsonl"
    with source.open("rb") as handle:
        sample.write_bytes(b"".join(handle.readline() for _ in range(docs)))
    return sample


def baseline(sample: Path) -> dict:
    """The local engine's analysis speed in this process (model loaded before timing)."""
    from reportedly.ingest import read_inputs
    from reportedly.pipeline import Pipeline
    from reportedly.records import Article

    articles = [item for item in read_inputs([str(sample)]) if isinstance(item, Article)]
    pipeline = Pipeline()
    list(pipeline.analyze_many(articles[:2]))  # warm-up
    started, cpu_started = time.perf_counter(), time.process_time()
    count = sum(1 for _ in pipeline.analyze_many(articles))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return {
        "docs": count, "seconds": round(seconds, 2), "docs_per_second": round(count / seconds, 2),
        "docs_per_cpu_second": round(count / cpu, 2),
    }


def _rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 1e6


def dask_run(sample: Path, workers: int, partition_size: int, directory: Path, end_to_end: bool) -> dict:
    from distributed import Client, LocalCluster

    from reportedly.engines import dask as engine

    partitions = list(engine.plan_partitions([str(sample)], partition_size))
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0")
    with cluster, Client(cluster) as client:
        client.register_plugin(engine.PipelinePlugin())  # model loads, before the clock
        client.run(engine.worker_pipeline)
        output = directory / f"parquet-{workers}"
        started = time.perf_counter()
        summaries = engine.run_partitions(client, partitions, str(output))
        analysis = time.perf_counter() - started
        docs = sum(s.documents for s in summaries)
        busy = sum(s.seconds for s in summaries)
        cpu = sum(s.cpu_seconds for s in summaries)
        rss = client.run(_rss_mb)
        result = {}
        if end_to_end:
            db = directory / f"ingest-{workers}.db"
            started = time.perf_counter()
            ingest = engine.run_dask_ingest([str(sample)], db, client=client, partition_size=partition_size)
            result = {"ingest_seconds": round(time.perf_counter() - started, 2), "ingest_stored": ingest.stored}
    return {
        "workers": workers,
        "docs": docs,
        "partitions": len(partitions),
        "seconds": round(analysis, 2),
        "docs_per_second": round(docs / analysis, 2),
        "docs_per_worker_second": round(docs / busy, 2),  # inside tasks: no scheduling, no idling
        # CPU time inside tasks: what a dedicated core gives, whatever else runs on the machine
        "docs_per_cpu_second": round(docs / cpu, 2),
        "worker_rss_mb": [round(v) for v in rss.values()],
        **result,
    }


def projection(per_worker: float) -> dict:
    """Worker-hours for a million articles at a measured docs/s per worker."""
    hours = 1_000_000 / per_worker / 3600 if per_worker else float("inf")
    return {"docs_per_second_per_worker": per_worker, "worker_hours_per_million": round(hours, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--input", type=Path, default=CORPUS, help="a JSON Lines file of articles")
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--partition-size", type=int, default=25)
    parser.add_argument("--end-to-end", action="store_true",
                        help="also time run_dask_ingest into a store (a second pass per worker count)")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args(argv)
    if not args.input.is_file():
        print(f"skipped: {args.input} is absent (../shared not here); pass --input", file=sys.stderr)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        sample = sample_file(args.input, args.docs, Path(tmp))
        results = {"cpus": os.cpu_count(), "load_average": os.getloadavg(), "docs": args.docs}
        results["baseline"] = base = baseline(sample)
        print(
            f"baseline (1 process, no Dask): {base['docs_per_second']} docs/s, "
            f"{base['docs_per_cpu_second']} per CPU-second", flush=True,
        )
        runs = []
        for workers in args.workers:
            run = dask_run(sample, workers, args.partition_size, Path(tmp), args.end_to_end)
            runs.append(run)
            first = runs[0]["docs_per_second"] * (1 / runs[0]["workers"])
            run["speedup_vs_1_worker"] = round(run["docs_per_second"] / (first or 1), 2)
            run["ratio_to_baseline"] = round(run["docs_per_second"] / base["docs_per_second"], 2)
            print(
                f"{workers} worker(s): {run['docs_per_second']} docs/s "
                f"({run['docs_per_worker_second']} per worker-second, "
                f"{run['docs_per_cpu_second']} per CPU-second in tasks), "
                f"x{run['ratio_to_baseline']} the baseline",
                flush=True,
            )
        results["dask"] = runs
        results["projection"] = {
            "measured_share_of_a_core": projection(max(run["docs_per_worker_second"] for run in runs)),
            "dedicated_core": projection(min(run["docs_per_cpu_second"] for run in runs)),
        }
        results["load_average_after"] = os.getloadavg()
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
