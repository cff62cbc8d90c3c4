"""How much event coding adds to the parse it runs on (target: at most 15%).

Parses N articles of the shared Ukraine war corpus with bare ``nlp.pipe``, then again with the
stages event coding reads (places, dates) and the EventStage applied to every parsed doc, in the
same process and run, alternating the order over rounds. Prints the parse time, the time spent
in the EventStage alone and in places + dates, and the ratios to the bare parse. Run on demand:

    .venv/bin/python benchmarks/event_overhead.py [--docs 200] [--rounds 2]

Skips (with a message) when ../shared is absent.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpora" / "ukraine-war-news-2022"


def load_articles(limit: int) -> list[tuple[str, str | None]]:
    articles: list[tuple[str, str | None]] = []
    for path in sorted(CORPUS.glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                if record.get("text") and not record.get("off_topic_by_origin"):
                    articles.append((record["text"][:20000], record.get("date_iso")))
                if len(articles) >= limit:
                    return articles
    return articles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"skipped: {CORPUS} is absent")
        sys.exit(0)

    from reportedly.events import EventStage
    from reportedly.nlp import load
    from reportedly.pipeline import Analysis, build_stage
    from reportedly.records import Document

    nlp = load()
    inputs = [build_stage(name) for name in ("places", "dates")]
    events = EventStage()
    articles = load_articles(args.docs)
    texts = [text for text, _ in articles]
    published = [_date(day) for _, day in articles]
    words = sum(len(t.split()) for t in texts)
    list(nlp.pipe(texts[:5]))  # warm up

    def bare() -> float:
        started = time.perf_counter()
        for _ in nlp.pipe(texts, batch_size=32):
            pass
        return time.perf_counter() - started

    def with_events() -> tuple[float, float, float, int]:
        started = time.perf_counter()
        input_seconds = event_seconds = 0.0
        found = 0
        for doc, day in zip(nlp.pipe(texts, batch_size=32), published, strict=True):
            analysis = Analysis(doc=doc, document=Document(id="b", text=doc.text), published=day)
            before = time.perf_counter()
            for stage in inputs:
                stage(analysis)
            middle = time.perf_counter()
            events(analysis)
            input_seconds += middle - before
            event_seconds += time.perf_counter() - middle
            found += len(analysis.events)
        return time.perf_counter() - started, input_seconds, event_seconds, found

    bare_times, full_times, input_times, event_times = [], [], [], []
    found = 0
    for round_number in range(args.rounds):
        if round_number % 2 == 0:
            bare_times.append(bare())
            total, inputs_s, events_s, found = with_events()
        else:
            total, inputs_s, events_s, found = with_events()
            bare_times.append(bare())
        full_times.append(total)
        input_times.append(inputs_s)
        event_times.append(events_s)

    parse = min(bare_times)
    event_time = min(event_times)
    input_time = min(input_times)
    print(f"documents: {len(texts)}  words: {words}  events found: {found}")
    print(f"bare nlp.pipe:                 {parse:7.2f} s  ({words / parse:,.0f} words/s)")
    print(f"nlp.pipe + places/dates/events: {min(full_times):7.2f} s")
    print(f"  EventStage alone:            {event_time:7.2f} s  ratio to parse {event_time / parse:.3f}")
    print(f"  places + dates (its inputs): {input_time:7.2f} s  ratio to parse {input_time / parse:.3f}")
    verdict = "OK" if event_time / parse <= 0.15 else "OVER"
    print(f"event coding overhead: {100 * event_time / parse:.1f}% of the parse (target <= 15%: {verdict})")


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


if __name__ == "__main__":
    main()
