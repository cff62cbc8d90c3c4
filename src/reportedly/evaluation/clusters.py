"""`reportedly eval clusters`: cross-document event clustering and text reuse, measured.

1. Event clustering against the 69 labelled event clusters of Giveme5W1H's news_cluster
   (383 news-please JSON articles, ``newsCluster.EventId`` each): the articles are analysed
   with the pipeline, corroborated, and each article is put in the cross-document cluster of
   its main event (its first event, told in the lead), or, second reading, joined with every
   article it shares any cross-document event with. B-cubed precision, recall and F1 over
   articles, against reuse clusters alone as a baseline.
2. Reuse clusters on the war-news corpus (text only): how many, their sizes, the outlets that
   copy one another, and a sample for inspection (timings: benchmarks/corroboration.py).
"""

from __future__ import annotations

import json
import random
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path

import click

from . import shared_dir

NEWS_CLUSTER = Path("eval/giveme5w1h/news_cluster/data")
WAR_NEWS = Path("corpora/ukraine-war-news-2022")


# ----------------------------------------------------------------------------- B-cubed


def bcubed(predicted: Mapping[str, str], gold: Mapping[str, str]) -> dict[str, float]:
    """B-cubed precision, recall and F1 of a clustering (item -> label) against gold."""
    items = [item for item in gold if item in predicted]
    predicted_members: dict[str, set[str]] = {}
    gold_members: dict[str, set[str]] = {}
    for item in items:
        predicted_members.setdefault(predicted[item], set()).add(item)
        gold_members.setdefault(gold[item], set()).add(item)
    precision = recall = 0.0
    for item in items:
        mine, truth = predicted_members[predicted[item]], gold_members[gold[item]]
        both = len(mine & truth)
        precision += both / len(mine)
        recall += both / len(truth)
    n = len(items) or 1
    precision, recall = precision / n, recall / n
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4), "items": len(items)}


# ----------------------------------------------------------------------------- Giveme5W1H


def load_news_cluster(directory: Path) -> list[dict]:
    """The labelled articles (German ones left out: the pipeline reads English)."""
    articles = []
    for path in sorted(directory.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("language") == "de" or not (data.get("text") or "").strip():
            continue
        articles.append(data)
    return articles


def analyse_news_cluster(
    articles: list[dict], cache: Path | None, skip_stages: tuple[str, ...] = ()
) -> dict[str, object]:
    """external id -> Report, read from ``cache`` (JSONL) when it holds them.

    A document whose analysis fails gets a Report without events (and is counted), so that
    one stage's bug on one article does not stop the evaluation.
    """
    from ..records import Article, Report, decode_report, encode

    reports: dict[str, object] = {}
    if cache is not None and cache.exists():
        for line in cache.read_bytes().splitlines():
            report = decode_report(line)
            reports[report.document.external_id] = report
    missing = [a for a in articles if a["dId"] not in reports]
    if not missing:
        return reports
    from ..ingest.clean import clean_text
    from ..pipeline import DEFAULT_STAGES, Pipeline, make_document

    pipeline = Pipeline(stages=[name for name in DEFAULT_STAGES if name not in skip_stages])
    documents = []
    for a in missing:
        article = Article(
            id=a["dId"], text=a["text"], title=a.get("title"), url=a.get("url"),
            outlet=a.get("source_domain"), published=(a.get("date_publish") or "")[:10] or None,
        )
        documents.append(make_document(article, clean_text(article.text)))
    failed = 0
    parsed = pipeline.nlp.pipe(((d.text, d) for d in documents), as_tuples=True, batch_size=16)
    with click.progressbar(length=len(documents), label="analysing", file=sys.stderr) as bar:
        for doc, document in parsed:
            try:
                report = pipeline.run_stages(doc, document)
            except Exception:  # noqa: BLE001 - another stage's bug must not stop the scoring
                failed += 1
                report = Report(document=document)
            reports[document.external_id] = report
            if cache is not None:
                with cache.open("ab") as handle:
                    handle.write(encode(report) + b"\n")
            bar.update(1)
    if failed:
        click.echo(f"{failed} documents failed in a pipeline stage (scored without events)", err=True)
    return reports


def document_clusterings(reports: Iterable) -> dict[str, dict[str, str]]:
    """doc external id -> predicted cluster, three ways: main event, any event, reuse only."""
    from ..corroborate import corroborate
    from ..corroborate.unionfind import UnionFind

    reports = list(reports)
    corroborated = corroborate(reports)
    event_cluster = {key: c.cluster for key, c in corroborated.event_of().items()}
    external = {r.document.id: r.document.external_id for r in reports}
    main: dict[str, str] = {}
    linked = UnionFind(r.document.id for r in reports)
    for report in reports:
        doc_id = report.document.id
        events = sorted(report.events, key=lambda e: (e.sentence, e.id))
        main[external[doc_id]] = event_cluster[(doc_id, events[0].id)] if events else "doc:" + doc_id
        for event in events:
            linked.union(doc_id, "event:" + event_cluster[(doc_id, event.id)])
    any_event = {external[d]: str(linked.find(d)) for d in external}
    reuse = {external[d]: c for d, c in corroborated.reuse.items()}
    return {"main_event": main, "any_event": any_event, "reuse_only": reuse}


def evaluate_news_cluster(
    shared: Path, cache: Path | None, limit: int | None, skip_stages: tuple[str, ...] = ()
) -> dict:
    articles = load_news_cluster(shared / NEWS_CLUSTER)
    if limit:
        articles = articles[:limit]
    gold = {a["dId"]: f"{a['newsCluster']['EventId']}" for a in articles}
    reports = analyse_news_cluster(articles, cache, skip_stages)
    chosen = [reports[a["dId"]] for a in articles]
    result = {
        "articles": len(articles),
        "gold_clusters": len(set(gold.values())),
        "articles_with_events": sum(1 for r in chosen if r.events),
        "events": sum(len(r.events) for r in chosen),
    }
    for name, predicted in document_clusterings(chosen).items():
        labels = Counter(predicted.values())
        result[name] = {**bcubed(predicted, gold), "clusters": len(labels),
                        "multi_article_clusters": sum(1 for n in labels.values() if n > 1)}
    singletons = {item: item for item in gold}
    result["all_singletons"] = bcubed(singletons, gold)
    # The best any event clustering could do: articles with events grouped as in gold,
    # articles without events alone (the extraction stages bound the clustering).
    with_events = {r.document.external_id for r in chosen if r.events}
    result["ceiling_with_events"] = bcubed({i: (g if i in with_events else "doc:" + i) for i, g in gold.items()}, gold)
    return result


# ----------------------------------------------------------------------------- war-news reuse


def load_war_news(directory: Path, limit: int | None = None) -> list[dict]:
    articles: list[dict] = []
    for path in sorted(directory.glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            articles += [json.loads(line) for line in handle if line.strip()]
    return articles[:limit] if limit else articles


def describe_reuse(clusters: Mapping[str, str], articles: list[dict], sample: int = 8, seed: int = 7) -> dict:
    """Counts, size distribution, outlet sets and a random sample of reuse clusters."""
    by_id = {a["id"]: a for a in articles}
    members: dict[str, list[str]] = {}
    for doc_id, cluster in clusters.items():
        members.setdefault(cluster, []).append(doc_id)
    groups = sorted((m for m in members.values() if len(m) > 1), key=lambda m: sorted(m))
    cross_outlet = [m for m in groups if len({by_id[d]["outlet"] for d in m}) > 1]
    outlet_sets = Counter(tuple(sorted({by_id[d]["outlet"] for d in m})) for m in cross_outlet)
    shown = random.Random(seed).sample(groups, min(sample, len(groups)))
    return {
        "documents": len(clusters),
        "clusters": len(groups),
        "documents_in_clusters": sum(len(m) for m in groups),
        "size_distribution": dict(sorted(Counter(len(m) for m in groups).items())),
        "clusters_across_outlets": len(cross_outlet),
        "top_outlet_sets": [[list(k), v] for k, v in outlet_sets.most_common(8)],
        "sample": [
            [
                {"outlet": by_id[d]["outlet"], "date": by_id[d]["date_iso"], "title": (by_id[d]["title"] or "")[:90]}
                for d in sorted(m, key=lambda d: (by_id[d]["date_iso"] or "", d))
            ]
            for m in shown
        ],
    }


def evaluate_reuse(shared: Path, limit: int | None, sample: int) -> dict:
    from ..corroborate.reuse import reuse_clusters_of_texts

    articles = load_war_news(shared / WAR_NEWS, limit)
    clusters = reuse_clusters_of_texts((a["id"], a["text"]) for a in articles)
    return describe_reuse(clusters, articles, sample)


# ----------------------------------------------------------------------------- command


def _print(result: dict) -> None:
    events = result.get("news_cluster")
    if events:
        click.echo(f"Giveme5W1H news_cluster: {events['articles']} articles, {events['gold_clusters']} gold "
                   f"clusters; {events['articles_with_events']} articles with events ({events['events']} events)")
        for name in ("main_event", "any_event", "reuse_only", "all_singletons", "ceiling_with_events"):
            s = events[name]
            extra = f"  ({s['clusters']} clusters, {s['multi_article_clusters']} of 2+)" if "clusters" in s else ""
            click.echo(f"  {name:<15} B-cubed P {s['precision']:.3f}  R {s['recall']:.3f}  F1 {s['f1']:.3f}{extra}")
    reuse = result.get("war_news_reuse")
    if reuse:
        click.echo(f"\nwar-news reuse: {reuse['documents']} articles, {reuse['clusters']} reuse clusters holding "
                   f"{reuse['documents_in_clusters']} articles; sizes {reuse['size_distribution']}; "
                   f"{reuse['clusters_across_outlets']} across outlets")
        for outlets, count in reuse["top_outlet_sets"]:
            click.echo(f"  {count:>5}  {' + '.join(outlets)}")
        click.echo("sample:")
        for group in reuse["sample"]:
            for item in group:
                click.echo(f"  {item['date']}  {item['outlet']:<28} {item['title']}")
            click.echo("")


@click.command("clusters")
@click.option("--shared", "shared_path", type=click.Path(file_okay=False, path_type=Path),
              help="The shared folder (default: ../shared beside the project).")
@click.option("--cache", type=click.Path(dir_okay=False, path_type=Path),
              help="JSONL of analysed news_cluster Reports, read and extended (skips re-analysis).")
@click.option("--limit", type=int, help="Only the first N articles of each set.")
@click.option("--skip-events", is_flag=True, help="Skip the Giveme5W1H event clustering (needs the model).")
@click.option("--skip-reuse", is_flag=True, help="Skip the war-news reuse clusters.")
@click.option("--skip-stage", "skip_stages", multiple=True,
              help="Leave a pipeline stage out of the analysis (repeatable).")
@click.option("--sample", type=int, default=8, show_default=True, help="Reuse clusters shown.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def command(shared_path: Path | None, cache: Path | None, limit: int | None, skip_events: bool,
            skip_reuse: bool, skip_stages: tuple[str, ...], sample: int, as_json: bool) -> None:
    """Event clusters vs Giveme5W1H's labelled clusters (B-cubed); reuse on the war news."""
    shared = shared_path or shared_dir()
    if shared is None or not shared.is_dir():
        click.echo("skipped: ../shared not found (use --shared)", err=True)
        return
    result: dict = {}
    if not skip_events and (shared / NEWS_CLUSTER).is_dir():
        result["news_cluster"] = evaluate_news_cluster(shared, cache, limit, skip_stages)
    if not skip_reuse and (shared / WAR_NEWS).is_dir():
        result["war_news_reuse"] = evaluate_reuse(shared, limit, sample)
    if as_json:
        click.echo(json.dumps(result, indent=2))
    else:
        _print(result)
