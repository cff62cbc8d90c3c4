"""How much the AttributionStage adds to the parse it runs on (target: at most 15%).

Parses N articles of the shared Ukraine war corpus with bare ``nlp.pipe``, then again with the
AttributionStage applied to every parsed doc, in the same process and run, alternating the
order over several rounds; prints both times and the ratio. Run on demand:

    .venv/bin/python benchmarks/attribution_overhead.py [--docs 200] [--rounds 2]

Skips (with a message) when ../shared is absent.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpora" / "ukraine-war-news-2022"


def load_texts(limit: int) -> list[str]:
    texts: list[str] = []
    for path in sorted(CORPUS.glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                if record.get("text") and not record.get("off_topic_by_origin"):
                    texts.append(record["text"][:20000])
                if len(texts) >= limit:
                    return texts
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"skipped: {CORPUS} is absent")
        sys.exit(0)

    from reportedly.attribution import AttributionStage
    from reportedly.nlp import load
    from reportedly.pipeline import Analysis
    from reportedly.records import Document

    nlp = load()
    stage = AttributionStage()
    texts = load_texts(args.docs)
    words = sum(len(t.split()) for t in texts)
    list(nlp.pipe(texts[:5]))  # warm up

    def bare() -> float:
        started = time.perf_counter()
        for _ in nlp.pipe(texts, batch_size=32):
            pass
        return time.perf_counter() - started

    def with_attribution() -> tuple[float, float, int]:
        started = time.perf_counter()
        stage_seconds, found = 0.0, 0
        for doc in nlp.pipe(texts, batch_size=32):
            before = time.perf_counter()
            analysis = Analysis(doc=doc, document=Document(id="b", text=doc.text))
            stage(analysis)
            stage_seconds += time.perf_counter() - before
            found += len(analysis.attributions)
        return time.perf_counter() - started, stage_seconds, found

    bare_times, full_times, stage_times = [], [], []
    found = 0
    for round_number in range(args.rounds):
        if round_number % 2 == 0:
            bare_times.append(bare())
            total, in_stage, found = with_attribution()
        else:
            total, in_stage, found = with_attribution()
            bare_times.append(bare())
        full_times.append(total)
        stage_times.append(in_stage)
    parse, full, in_stage = min(bare_times), min(full_times), min(stage_times)
    print(f"{len(texts)} documents, {words} words, {found} attributions, best of {args.rounds} rounds")
    print(f"bare nlp.pipe:               {parse:7.2f} s")
    print(f"nlp.pipe + AttributionStage: {full:7.2f} s (stage alone {in_stage:.2f} s)")
    print(f"ratio (with / bare):         {full / parse:7.3f}")
    print(f"stage time / parse time:     {in_stage / parse:7.3f}")


if __name__ == "__main__":
    main()
