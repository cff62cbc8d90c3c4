"""`reportedly eval events`: events and figures against the war-news gold (../shared/eval/warnews).

Gold format: ../shared/spec/gold-format.md. Each gold event names its sentence by a snippet; the
gold trigger's position inside the snippet gives the sentence of the parse it falls in. A
predicted event matches a gold event of the same type when one of its mentions is in that
sentence (or its trigger lies inside the snippet). On matched events the fields are compared:
mode, actor and recipient country (where the gold names one), location admin1 (where the gold
gives a location), date (at the gold's precision), casualties (minimum), friendly fire, status,
hedged, origin. Figures match by sentence and minimum value (kind ``other`` is ignored).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import click

from . import shared_dir

SOFT = re.compile(r"[\u00ad\u200b]")


@dataclass(slots=True)
class GoldDoc:
    id: str
    published: str | None
    text: str
    title: str | None
    events: list[dict]
    figures: list[dict]


@dataclass(slots=True)
class Tally:
    """Counts for one scoring run: matches, and per-field agreement on matched events."""

    gold: int = 0
    predicted: int = 0
    matched: int = 0
    fields: dict[str, list[int]] = field(default_factory=dict)  # name -> [right, total]
    figure_gold: int = 0
    figure_predicted: int = 0
    figure_matched: int = 0
    by_type: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    stage_errors: Counter = field(default_factory=Counter)

    def field(self, name: str, right: bool) -> None:
        slot = self.fields.setdefault(name, [0, 0])
        slot[0] += int(right)
        slot[1] += 1

    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 0.0

    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0

    def f1(self) -> float:
        p, r = self.precision(), self.recall()
        return 2 * p * r / (p + r) if p + r else 0.0

    def accuracy(self, name: str) -> float | None:
        right, total = self.fields.get(name, [0, 0])
        return right / total if total else None


def read_gold(paths: Iterable[Path], shared: Path) -> Iterator[GoldDoc]:
    """Gold documents with their article text (corpus by id, or a file under examples/)."""
    rows = [json.loads(line) for path in paths for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    wanted = {row["id"] for row in rows}
    articles = _corpus_articles(shared / "corpora" / "ukraine-war-news-2022", wanted)
    for row in rows:
        if row["id"] in articles:
            article = articles[row["id"]]
            text, title = article["text"], article.get("title")
        else:
            path = shared / row["id"]
            if not path.is_file():
                path = Path(__file__).resolve().parents[3] / row["id"]
            if not path.is_file():
                continue
            text, title = path.read_text(encoding="utf-8"), None
        yield GoldDoc(row["id"], row.get("published"), text, title, row.get("events", []), row.get("figures", []))


def _corpus_articles(folder: Path, wanted: set[str]) -> dict[str, dict]:
    found: dict[str, dict] = {}
    if not folder.is_dir():
        return found
    for path in sorted(folder.glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                head = line[:300]
                if not any(key in head for key in wanted - found.keys()):
                    continue
                row = json.loads(line)
                if row.get("id") in wanted:
                    found[row["id"]] = row
        if len(found) == len(wanted):
            break
    return found


def locate(text: str, snippet: str) -> int | None:
    """Offset of ``snippet`` in ``text``, ignoring soft hyphens and runs of whitespace."""
    at = text.find(snippet)
    if at >= 0:
        return at
    keep = [i for i, ch in enumerate(text) if not SOFT.match(ch)]
    stripped = "".join(text[i] for i in keep)
    pattern = r"\s+".join(re.escape(SOFT.sub("", word)) for word in snippet.split())
    match = re.search(pattern, stripped)
    return keep[match.start()] if match is not None else None


def _sentence_starts(report_doc_sents: list[tuple[int, int]], char: int) -> int | None:
    for index, (start, end) in enumerate(report_doc_sents):
        if start <= char < end:
            return index
    return None


def gold_sentence(text: str, sentences: list[tuple[int, int]], item: dict) -> tuple[int | None, tuple[int, int] | None]:
    at = locate(text, item["snippet"])
    if at is None:
        return None, None
    span = (at, at + len(item["snippet"]))
    trigger = item.get("trigger") or item.get("text") or ""
    offset = item["snippet"].find(trigger) if trigger else -1
    char = at + max(offset, 0)
    return _sentence_starts(sentences, char), span


def _date_matches(gold: str | None, when) -> bool:
    predicted = when.start if when is not None else None
    if gold is None or predicted is None:
        return gold is None and predicted is None
    return predicted[: len(gold)] == gold  # compared at the gold's precision (YYYY-MM or day)


def _count_min(count) -> int | None:
    return None if count is None else count.min


def score_document(gold: GoldDoc, report, sentences: list[tuple[int, int]], tally: Tally, verbose: bool = False) -> None:
    text = report.document.text
    predicted = list(report.events)
    tally.gold += len(gold.events)
    tally.predicted += len(predicted)
    used: set[int] = set()
    for item in gold.events:
        sentence, span = gold_sentence(text, sentences, item)
        best = None
        for index, event in enumerate(predicted):
            if index in used or event.type != item["type"]:
                continue
            in_sentence = any(m.sentence == sentence for m in event.mentions)
            in_snippet = span is not None and any(span[0] <= m.trigger.start < span[1] for m in event.mentions)
            if in_sentence or in_snippet:
                best = index
                if in_snippet:
                    break
        if best is None:
            tally.by_type[("missed", item["type"])] += 1
            if verbose:
                tally.errors.append(f"  MISS {item['type']:9} {item.get('mode')!s:13} [{sentence}] {item['trigger']!r}: {item['snippet'][:90]}")
            continue
        used.add(best)
        tally.matched += 1
        _compare(item, predicted[best], tally, verbose)
    for index, event in enumerate(predicted):
        if index not in used:
            tally.by_type[("false", event.type)] += 1
            if verbose:
                tally.errors.append(f"  FALSE {event.type:8} {event.mode!s:13} [{event.sentence}] {event.trigger.text!r}: {event.evidence[:90]!r}")
    _score_figures(gold, report, sentences, tally)


def _compare(item: dict, event, tally: Tally, verbose: bool) -> None:
    checks: dict[str, bool] = {"mode": (item.get("mode") or None) == (event.mode or None)}
    if item.get("actor") and item["actor"].get("country"):
        checks["actor_country"] = bool(event.actor) and event.actor.country == item["actor"]["country"]
    if item.get("recipient") and item["recipient"].get("country"):
        checks["recipient_country"] = bool(event.recipient) and event.recipient.country == item["recipient"]["country"]
    if item.get("location"):
        predicted = event.location.admin1 if event.location else None
        checks["location_admin1"] = predicted == item["location"].get("admin1")
    checks["date"] = _date_matches(item.get("date"), event.date)
    for kind in ("killed", "injured", "captured"):
        gold_value = item.get(kind)
        count = getattr(event.casualties, kind)
        if gold_value is not None or count is not None:
            checks[kind] = gold_value is not None and _count_min(count) == gold_value[0]
    checks["friendly_fire"] = bool(item.get("friendly_fire")) == event.friendly_fire
    checks["status"] = item.get("status", "asserted") == event.status
    checks["hedged"] = bool(item.get("hedged")) == bool(event.hedges)
    checks["origin"] = _origin_matches(item, event)
    for name, right in checks.items():
        tally.field(name, right)
    if verbose:
        wrong = [n for n, ok in checks.items() if not ok and n not in ("origin", "hedged")]
        if wrong:
            details = {
                "actor_country": (item.get("actor") or {}).get("country"),
                "recipient_country": (item.get("recipient") or {}).get("country"),
                "location_admin1": (item.get("location") or {}).get("admin1"),
                "date": item.get("date"), "mode": item.get("mode"), "status": item.get("status"),
                "killed": item.get("killed"), "injured": item.get("injured"), "captured": item.get("captured"),
                "friendly_fire": item.get("friendly_fire"),
            }
            got = {
                "actor_country": event.actor and event.actor.country,
                "recipient_country": event.recipient and event.recipient.country,
                "location_admin1": event.location and event.location.admin1,
                "date": event.date and event.date.start, "mode": event.mode, "status": event.status,
                "killed": _count_min(event.casualties.killed), "injured": _count_min(event.casualties.injured),
                "captured": _count_min(event.casualties.captured), "friendly_fire": event.friendly_fire,
            }
            diff = ", ".join(f"{n}: gold {details.get(n)!r} got {got.get(n)!r}" for n in wrong)
            tally.errors.append(f"  FIELD {item['type']:8} {item['trigger']!r}: {diff}")


def _origin_matches(item: dict, event) -> bool:
    origin = item.get("origin")
    chain = list(event.source_chain or [])
    first = chain[0] if chain else None
    if origin is None:
        return first is None or first.role == "publisher" or (event.actor is not None and first.name == event.actor.name)
    if first is None or first.role != "origin":
        return False
    wanted = {origin.get("text", "").lower(), origin.get("resolved", "").lower()}
    name = first.name.lower()
    return any(w and (w in name or name in w) for w in wanted)


def _score_figures(gold: GoldDoc, report, sentences: list[tuple[int, int]], tally: Tally) -> None:
    figures = [f for f in report.figures if f.kind != "other"]
    tally.figure_gold += len(gold.figures)
    tally.figure_predicted += len(figures)
    used: set[int] = set()
    for item in gold.figures:
        sentence, _ = gold_sentence(report.document.text, sentences, item)
        for index, figure in enumerate(figures):
            if index not in used and figure.sentence == sentence and figure.value.min == item.get("min"):
                used.add(index)
                tally.figure_matched += 1
                break


def run(gold_paths: list[Path], shared: Path, verbose: bool = False) -> Tally:
    from ..ingest.clean import clean_text
    from ..pipeline import default_pipeline, make_document
    from ..records import Article

    pipeline = default_pipeline()
    tally = Tally()
    for gold in read_gold(gold_paths, shared):
        article = Article(text=gold.text, id=gold.id, published=gold.published, title=gold.title)
        text = clean_text(article.text)
        doc = pipeline.nlp(text)
        report = _run_stages(pipeline, doc, make_document(article, text), tally)
        sentences = [(s.start_char, s.end_char) for s in doc.sents]
        before = len(tally.errors)
        score_document(gold, report, sentences, tally, verbose)
        if verbose and len(tally.errors) > before:
            tally.errors.insert(before, f"{gold.id} ({gold.published})")
    return tally


def _run_stages(pipeline, doc, document, tally: Tally):
    """The pipeline's stages one by one: a stage that fails on a document is reported, not fatal."""
    from ..pipeline import Analysis

    analysis = Analysis(doc=doc, document=document)
    for name, stage in zip(pipeline.stage_names, pipeline.stages, strict=True):
        try:
            stage(analysis)
        except Exception as error:  # another stage's bug must not stop scoring
            tally.stage_errors[name] += 1
            tally.errors.append(f"  STAGE {name} failed on {document.external_id}: {error!r}")
    return analysis.to_report()


def format_tally(tally: Tally) -> str:
    lines = [
        f"events: gold {tally.gold}, predicted {tally.predicted}, matched {tally.matched}",
        f"  precision {tally.precision():.3f}  recall {tally.recall():.3f}  F1 {tally.f1():.3f}",
        "  on matched events (right/total = accuracy):",
    ]
    for name in ("mode", "actor_country", "recipient_country", "location_admin1", "date", "killed", "injured", "captured", "friendly_fire", "status", "hedged", "origin"):
        right, total = tally.fields.get(name, [0, 0])
        value = f"{right / total:.3f}" if total else "  n/a"
        lines.append(f"    {name:18} {right:4}/{total:<4} {value}")
    fp = tally.figure_matched / tally.figure_predicted if tally.figure_predicted else 0.0
    fr = tally.figure_matched / tally.figure_gold if tally.figure_gold else 0.0
    lines.append(f"figures: gold {tally.figure_gold}, predicted {tally.figure_predicted}, matched {tally.figure_matched}  precision {fp:.3f}  recall {fr:.3f}")
    missed = {t: n for (kind, t), n in tally.by_type.items() if kind == "missed"}
    false = {t: n for (kind, t), n in tally.by_type.items() if kind == "false"}
    lines.append(f"  missed by type: {dict(sorted(missed.items()))}")
    lines.append(f"  false by type:  {dict(sorted(false.items()))}")
    if tally.stage_errors:
        lines.append(f"  stage failures (documents scored without that stage): {dict(tally.stage_errors)}")
    return "\n".join(lines)


@click.command("events")
@click.option("--shared", "shared_path", type=click.Path(path_type=Path), default=None, help="The shared folder (default ../shared).")
@click.option("--gold", "gold_files", multiple=True, type=click.Path(path_type=Path), help="Gold JSONL files (default: warnews seed and dev).")
@click.option("--verbose", "-v", is_flag=True, help="List missed and false events and wrong fields.")
def command(shared_path: Path | None, gold_files: tuple[Path, ...], verbose: bool) -> None:
    """Event P/R/F1 and field accuracy on the war-news gold; figure P/R."""
    shared = shared_path or shared_dir()
    if shared is None or not (shared / "eval" / "warnews").is_dir():
        click.echo("../shared/eval/warnews is absent: nothing to score (skipped).")
        return
    paths = list(gold_files) or sorted((shared / "eval" / "warnews").glob("*.jsonl"))
    tally = run(paths, shared, verbose)
    if verbose:
        click.echo("\n".join(tally.errors))
    click.echo(format_tally(tally))
