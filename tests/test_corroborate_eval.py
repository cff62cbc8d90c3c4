"""The clustering scorer (B-cubed) and the reuse evaluation on the shared war-news corpus."""

from __future__ import annotations

import pytest

from reportedly.evaluation.clusters import WAR_NEWS, bcubed, describe_reuse, load_war_news


def test_bcubed_of_a_perfect_clustering_is_one():
    gold = {"a": "x", "b": "x", "c": "y"}
    assert bcubed({"a": 1, "b": 1, "c": 2}, gold)["f1"] == 1.0


def test_bcubed_precision_and_recall_by_hand():
    gold = {"a": "x", "b": "x", "c": "x", "d": "y"}
    everything = bcubed({k: "all" for k in gold}, gold)
    assert everything["recall"] == 1.0
    assert everything["precision"] == pytest.approx((3 * 3 / 4 + 1 / 4) / 4, abs=1e-4)
    singletons = bcubed({k: k for k in gold}, gold)
    assert singletons["precision"] == 1.0
    assert singletons["recall"] == pytest.approx((3 * 1 / 3 + 1) / 4, abs=1e-4)


def test_reuse_on_the_war_news_corpus_finds_copies_across_outlets(shared):
    from reportedly.corroborate.reuse import reuse_clusters_of_texts

    # ten days of one outlet's full articles and its API abstracts (which repeat their leads)
    articles = [
        a for a in load_war_news(shared / WAR_NEWS)
        if a["outlet"].startswith("nytimes.com") and (a["date_iso"] or "").startswith("2022-03-1")
    ]
    clusters = reuse_clusters_of_texts((a["id"], a["text"]) for a in articles)
    summary = describe_reuse(clusters, articles, sample=3)
    assert summary["clusters"] > 0
    assert summary["clusters_across_outlets"] > 0
    by_id = {a["id"]: a for a in articles}
    groups: dict[str, list[str]] = {}
    for doc_id, cluster in clusters.items():
        groups.setdefault(cluster, []).append(doc_id)
    for members in groups.values():  # copies share their title's words
        if len(members) == 2:
            titles = [set(by_id[d]["title"].lower().split()) for d in members]
            assert titles[0] & titles[1]
