"""Measure ingestion on the corpora of ../shared (run on demand, never needed at run time).

    python -m reportedly.ingest.measure [--shared PATH] [--jsonl-files N]

Prints, for ``corpora/html-article-extraction``: articles and rejections, the token F1 of the
extracted body against the human-written one, and pages a second; for
``corpora/ukraine-war-news-2022``: rows a second through ``read_inputs``, and ``clean_text``
against a baseline measured in the same run (``" ".join(text.split())``), as a ratio.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

from ..records import Article, Rejected
from . import read_inputs, summarize_rejections
from .clean import clean_text, detect_language

_WORDS = re.compile(r"\w+")


def token_f1(reference: str, extracted: str) -> float:
    ref, got = Counter(_WORDS.findall(reference.lower())), Counter(_WORDS.findall(extracted.lower()))
    common = sum((ref & got).values())
    if not common:
        return 0.0
    precision, recall = common / sum(got.values()), common / sum(ref.values())
    return 2 * precision * recall / (precision + recall)


def measure_html(corpus: Path) -> dict:
    truth = json.loads((corpus / "ground-truth.json").read_text(encoding="utf-8"))
    paths = sorted((corpus / "html").glob("*.html.gz"))
    start = time.perf_counter()
    items = list(read_inputs([str(p) for p in paths]))
    seconds = time.perf_counter() - start
    scores, language_agrees = [], 0
    for path, item in zip(paths, items, strict=True):
        body = truth[path.name.removesuffix(".html.gz")]["articleBody"]
        english = detect_language(body)[0] == "en"
        language_agrees += english == isinstance(item, Article)
        if isinstance(item, Article):
            scores.append(token_f1(body, item.text))
    return {
        "pages": len(paths),
        "articles": len(scores),
        "rejected": summarize_rejections(i for i in items if isinstance(i, Rejected)),
        "accepted_iff_reference_is_english": f"{language_agrees}/{len(paths)}",
        "token_f1_mean": round(statistics.fmean(scores), 3) if scores else None,
        "token_f1_median": round(statistics.median(scores), 3) if scores else None,
        "pages_per_second": round(len(paths) / seconds, 1),
    }


def measure_jsonl(corpus: Path, files: int) -> dict:
    paths = sorted(corpus.glob("*.jsonl"))[:files]
    start = time.perf_counter()
    items = list(read_inputs([str(p) for p in paths]))
    seconds = time.perf_counter() - start
    texts = [json.loads(line)["text"] for p in paths for line in p.open(encoding="utf-8") if line.strip()]
    start = time.perf_counter()
    for text in texts:
        " ".join(text.split())
    baseline = time.perf_counter() - start
    start = time.perf_counter()
    cleaned = [clean_text(text) for text in texts]
    cleaning = time.perf_counter() - start
    return {
        "files": len(paths),
        "rows": len(items),
        "articles": sum(isinstance(i, Article) for i in items),
        "rejected": summarize_rejections(i for i in items if isinstance(i, Rejected)),
        "read_inputs_rows_per_second": round(len(items) / seconds),
        "clean_text_docs_per_second": round(len(texts) / cleaning),
        "clean_text_time_vs_split_join_baseline": round(cleaning / baseline, 2),
        "clean_text_idempotent": all(clean_text(text) == text for text in cleaned),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, help="the shared folder (default: ../shared)")
    parser.add_argument("--jsonl-files", type=int, default=2, help="ukraine-war-news files to read (of 16)")
    args = parser.parse_args(argv)
    from ..evaluation import shared_dir

    shared = args.shared or shared_dir()
    if shared is None or not shared.is_dir():
        print("../shared is absent: nothing to measure", file=sys.stderr)
        return 0
    corpora = shared / "corpora"
    results = {
        "html-article-extraction": measure_html(corpora / "html-article-extraction"),
        "ukraine-war-news-2022": measure_jsonl(corpora / "ukraine-war-news-2022", args.jsonl_files),
    }
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
