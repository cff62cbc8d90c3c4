"""Where ingest time goes: the parse, each pipeline stage, encoding, and the store write.

One process, the first N articles (default 200) of the ukraine-war-news-2022 corpus: the
parse is timed through ``nlp.pipe`` (as ``Pipeline.analyze_many`` runs it), every stage of
``Pipeline.stages`` around its call, the msgspec encode/decode a worker round trip costs,
and ``Store.add_reports`` in batches of 32 into a fresh store (flatten + insert + commit).
Shares are of the summed time; the machine may be shared, so compare shares, not seconds.
The last column is each step's cost over the bare parse measured in the same run: the budget
for attribution and for event coding is at most 15% each.

    .venv/bin/python benchmarks/stage_split.py --n 200
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from reportedly.ingest import read_inputs
from reportedly.ingest.clean import clean_text
from reportedly.pipeline import Analysis, Pipeline, make_document
from reportedly.records import Article, decode_report, encode
from reportedly.store import Store
from throughput import corpus_dir


def first_articles(corpus: Path, n: int) -> list[Article]:
    articles: list[Article] = []
    for path in sorted(corpus.glob("*.jsonl")):
        for item in read_inputs([str(path)]):
            if isinstance(item, Article):
                articles.append(item)
                if len(articles) >= n:
                    return articles
    return articles


class Clock:
    """Wall and CPU seconds per step (CPU time is steadier on a shared machine; it
    includes DuckDB's own threads)."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = defaultdict(float)
        self.cpu: dict[str, float] = defaultdict(float)
        self.restart()

    def restart(self) -> None:
        self.at = (time.perf_counter(), time.process_time())

    def lap(self, step: str) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        self.wall[step] += wall - self.at[0]
        self.cpu[step] += cpu - self.at[1]
        self.at = (wall, cpu)


def split(articles: list[Article], batch_size: int = 32) -> tuple[Clock, int]:
    pipeline = Pipeline()
    clock = Clock()
    documents = [make_document(a, clean_text(a.text)) for a in articles]
    reports = []
    docs = pipeline.nlp.pipe(((d.text, d) for d in documents), as_tuples=True, batch_size=batch_size)
    clock.restart()
    for doc, document in docs:
        clock.lap("parse")  # nlp.pipe parses lazily, a batch at a time
        analysis = Analysis(doc=doc, document=document)
        for name, stage in zip(pipeline.stage_names, pipeline.stages, strict=True):
            stage(analysis)
            clock.lap(name)
        reports.append(decode_report(encode(analysis.to_report())))
        clock.lap("encode+decode")
    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "split.db") as store:
        clock.restart()
        for start in range(0, len(reports), batch_size):
            store.add_reports(reports[start:start + batch_size])
        clock.lap("store write")
    return clock, sum(d.word_count for d in documents)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--corpus", help="directory of JSONL files (default: ../shared/corpora/ukraine-war-news-2022)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    corpus = corpus_dir(args.corpus)
    if corpus is None or not corpus.is_dir():
        print("skipped: the ukraine-war-news-2022 corpus (../shared) is absent", file=sys.stderr)
        return
    articles = first_articles(corpus, args.n)
    clock, words = split(articles)
    n = len(articles)
    if args.json:
        print(json.dumps({"n": n, "words": words, "wall": clock.wall, "cpu": clock.cpu}))
        return
    wall, cpu = sum(clock.wall.values()), sum(clock.cpu.values())
    print(f"{n} articles, {words} words: {wall:.1f} s wall ({n / wall:.2f} docs/s), {cpu:.1f} s CPU ({n / cpu:.2f} docs/s) in one process")
    parse = clock.cpu["parse"]
    print(f"{'step':<16}{'wall s':>9}{'CPU s':>9}{'CPU ms/doc':>12}{'CPU share':>11}{'of parse':>10}")
    for name, value in sorted(clock.cpu.items(), key=lambda item: -item[1]):
        print(f"{name:<16}{clock.wall[name]:9.2f}{value:9.2f}{1000 * value / n:12.1f}"
              f"{100 * value / cpu:10.1f}%{100 * value / parse:9.1f}%")
    added = sum(v for k, v in clock.cpu.items() if k not in ("parse", "encode+decode", "store write"))
    print(f"all extraction stages together: {100 * added / parse:.1f}% of the parse")


if __name__ == "__main__":
    main()
