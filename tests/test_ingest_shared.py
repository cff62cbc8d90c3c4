"""The HTML reader on real news pages of ../shared (skipped when it is absent)."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from reportedly.ingest import read_inputs, rejection_kind
from reportedly.records import Article, Rejected

PAGES = 20


def token_f1(reference: str, extracted: str) -> float:
    ref = Counter(re.findall(r"\w+", reference.lower()))
    got = Counter(re.findall(r"\w+", extracted.lower()))
    common = sum((ref & got).values())
    if not common:
        return 0.0
    precision, recall = common / sum(got.values()), common / sum(ref.values())
    return 2 * precision * recall / (precision + recall)


@pytest.mark.shared
def test_real_html_pages(shared):
    corpus = shared / "corpora" / "html-article-extraction"
    paths = sorted((corpus / "html").glob("*.html.gz"))[:PAGES]
    if len(paths) < PAGES:
        pytest.skip(f"the html-article-extraction corpus holds {len(paths)} pages, not {PAGES}")
    truth = json.loads((corpus / "ground-truth.json").read_text(encoding="utf-8"))
    items = list(read_inputs([str(p) for p in paths]))
    assert len(items) == PAGES  # one item per page, nothing raised
    articles = [item for item in items if isinstance(item, Article)]
    rejected = [item for item in items if isinstance(item, Rejected)]
    # the corpus mixes in pages in other languages: those, and only those, are turned away
    assert all(rejection_kind(item.reason) == "language" for item in rejected), rejected
    assert len(articles) >= PAGES * 3 // 4
    scores = []
    for path, item in zip(paths, items, strict=True):
        if isinstance(item, Article):
            assert item.text.strip() and item.id == str(path)
            scores.append(token_f1(truth[path.name.removesuffix(".html.gz")]["articleBody"], item.text))
    scores.sort()
    assert scores[len(scores) // 2] > 0.9, scores  # median body matches the human-written one
