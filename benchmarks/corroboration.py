"""Text reuse on the war-news corpus: clusters found, time taken, growth from 1,000 to all.

    .venv/bin/python benchmarks/corroboration.py                 # 1000 2000 4000 8000 all
    .venv/bin/python benchmarks/corroboration.py --sizes 1000 all --store --json out.json

Reuse detection needs only text (no parse). For each size n (the first n articles of the
corpus in file order) it times, in this run: MinHash signatures of word 5-gram shingles, LSH
band keys grouped, candidate checks and union-find. The baseline is the first size; each
later size reports its time ratio next to its size ratio (linear growth: equal ratios).
It prints the clusters found at the largest size (count, size distribution, outlets that
copy one another) and a sample of clusters with titles for inspection.

``--mentions 5000 20000`` also times cross-document event matching on synthetic mentions
(stories told by several articles over 300 days in 25 admin1 regions), the step after reuse.

``--store`` also times the incremental path on an in-memory store holding the documents
only: all but the last 1,000 articles, then the last 1,000 added (new documents join the
clusters through stored band keys, without re-reading the others).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpora" / "ukraine-war-news-2022"


def time_reuse(articles: list[dict]) -> tuple[dict[str, str], dict[str, float]]:
    from reportedly.corroborate.reuse import DEFAULT, reuse_clusters, signatures

    started = time.perf_counter()
    signature_of = signatures((a["id"], a["text"]) for a in articles)
    signed = time.perf_counter()
    clusters = reuse_clusters(signature_of, DEFAULT)
    done = time.perf_counter()
    return clusters, {"signatures": signed - started, "lsh_and_clusters": done - signed, "total": done - started}


def synthetic_mentions(count: int, seed: int = 7) -> list:
    """Mentions of stories: each story (a type, place, day and five words of its own) is told
    by one to five articles, each adding words of their own from a shared vocabulary."""
    from reportedly.corroborate.events import Mention

    rng = random.Random(seed)
    vocabulary = [f"w{i}" for i in range(5000)]
    mentions = []
    story = 0
    while len(mentions) < count:
        story += 1
        kind, admin1 = rng.choice(("ASSAULT", "ASSAULT", "COERCE", "MOBILIZE")), f"UA-{rng.randrange(1, 26):02d}"
        day, words = 738000 + rng.randrange(300), [f"s{story}w{i}" for i in range(5)]
        for teller in range(rng.randint(1, 5)):
            mentions.append(Mention(
                doc_id=f"d{story}-{teller}", item_id="e1", block=kind, country="UA", admin1=admin1,
                place=admin1, published_day=day + rng.randrange(2), start=day if rng.random() < 0.5 else None,
                tokens=sorted(set(rng.sample(words, 4) + rng.sample(vocabulary, 8))),
                reuse=f"r{story}-{teller}", origin_key=f"o{teller}", origin_name=f"o{teller}",
            ))
    return mentions[:count]


def time_mentions(sizes: list[int]) -> list[dict]:
    from reportedly.corroborate.events import cluster

    runs = []
    for size in sizes:
        mentions = synthetic_mentions(size)
        started = time.perf_counter()
        groups = cluster(mentions, 0.4)
        seconds = time.perf_counter() - started
        stories = {m.doc_id.split("-")[0] for m in mentions}
        runs.append({"mentions": size, "seconds": round(seconds, 2), "clusters": len(groups), "stories": len(stories)})
    return runs


def time_store(articles: list[dict], tail: int = 1000) -> dict:
    from reportedly.corroborate.persist import corroborate_store
    from reportedly.pipeline import document_id
    from reportedly.records import Document, Report
    from reportedly.store import Store

    reports = [
        Report(document=Document(id=document_id(a["text"]), external_id=a["id"], outlet=a["outlet"],
                                 published=a["date_iso"], text=a["text"]))
        for a in articles
    ]
    with Store.open(":memory:") as store:
        store.add_reports(reports[:-tail])
        started = time.perf_counter()
        first = corroborate_store(store)
        middle = time.perf_counter()
        store.add_reports(reports[-tail:])
        added = time.perf_counter()
        second = corroborate_store(store)
        done = time.perf_counter()
    return {
        "initial_documents": first.documents,
        "initial_seconds": round(middle - started, 2),
        "added_documents": second.new_documents,
        "incremental_seconds": round(done - added, 2),
        "reuse_clusters_after": second.reuse_clusters,
        "incremental_steps": {k: round(v, 2) for k, v in second.seconds.items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--sizes", nargs="+", default=["1000", "2000", "4000", "8000", "all"])
    parser.add_argument("--sample", type=int, default=8, help="Clusters shown for inspection.")
    parser.add_argument("--mentions", nargs="*", type=int, default=[], help="Synthetic mention counts.")
    parser.add_argument("--store", action="store_true", help="Also time the incremental store path.")
    parser.add_argument("--json", type=Path, help="Write the numbers to this file.")
    parser.add_argument("--file-order", action="store_true",
                        help="Take the first n articles in file order (default: a seeded shuffle, so "
                             "that every prefix mixes all outlets and article lengths alike).")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"skipped: corpus not found at {args.corpus}", file=sys.stderr)
        return 0
    from reportedly.evaluation.clusters import describe_reuse, load_war_news

    articles = load_war_news(args.corpus)
    if not args.file_order:
        random.Random(7).shuffle(articles)
    time_reuse(articles[:200])  # warm-up: imports, permutations, caches
    runs = []
    clusters: dict[str, str] = {}
    for size in args.sizes:
        n = len(articles) if size == "all" else min(int(size), len(articles))
        clusters, seconds = time_reuse(articles[:n])
        groups = Counter(clusters.values())
        words = sum(len(a["text"].split()) for a in articles[:n])
        runs.append({"documents": n, "words": words, **{k: round(v, 2) for k, v in seconds.items()},
                     "clusters": sum(1 for c in groups.values() if c > 1)})
    base = runs[0]
    for run in runs:
        run["size_ratio"] = round(run["documents"] / base["documents"], 2)
        run["time_ratio"] = round(run["total"] / base["total"], 2)
        run["ms_per_document"] = round(1000 * run["total"] / run["documents"], 3)
        run["us_per_word"] = round(1e6 * run["total"] / run["words"], 3)
        run["lsh_time_ratio"] = round(run["lsh_and_clusters"] / max(base["lsh_and_clusters"], 1e-9), 2)
    result = {"runs": runs, "largest": describe_reuse(clusters, articles[: runs[-1]["documents"]], args.sample)}
    if args.store:
        result["store"] = time_store(articles)
    if args.mentions:
        result["mentions"] = time_mentions(args.mentions)
    print(f"{'documents':>10} {'words':>9} {'seconds':>8} {'size x':>7} {'time x':>7} {'lsh x':>7} "
          f"{'us/word':>8} {'clusters':>8}")
    for run in runs:
        print(f"{run['documents']:>10} {run['words']:>9} {run['total']:>8.2f} {run['size_ratio']:>7.2f} "
              f"{run['time_ratio']:>7.2f} {run['lsh_time_ratio']:>7.2f} {run['us_per_word']:>8.3f} "
              f"{run['clusters']:>8}")
    largest = result["largest"]
    print(f"\nat {runs[-1]['documents']} documents: {largest['clusters']} reuse clusters, "
          f"{largest['documents_in_clusters']} documents, sizes {largest['size_distribution']}, "
          f"{largest['clusters_across_outlets']} across outlets")
    for outlets, count in largest["top_outlet_sets"]:
        print(f"  {count:>5}  {' + '.join(outlets)}")
    print("\nsample:")
    for group in largest["sample"]:
        for item in group:
            print(f"  {item['date']}  {item['outlet']:<28} {item['title']}")
        print()
    if args.store:
        print("store:", json.dumps(result["store"]))
    for run in result.get("mentions", []):
        print(f"event matching: {run['mentions']} mentions of {run['stories']} stories -> "
              f"{run['clusters']} clusters in {run['seconds']} s")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
