"""Server-side drawings: the provenance graph of an event and the timeline's stacked bars.

Both return plain numbers and strings that a template turns into SVG elements; every label
goes through Jinja's autoescaping there, never into markup here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from ..records import Attribution, ChainLink, Report

NODE_WIDTH = 180
NODE_HEIGHT = 38
COLUMN_GAP = 70
ROW_GAP = 16
PAD = 12
LABEL_CHARS = 22


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass
class Node:
    key: str
    name: str
    role: str
    type: str
    column: int
    reports: int = 0
    x: int = 0
    y: int = 0

    @property
    def label(self) -> str:
        return _short(self.name)


@dataclass
class Graph:
    width: int
    height: int
    nodes: list[Node] = field(default_factory=list)
    edges: list[dict] = field(default_factory=list)
    columns: list[dict] = field(default_factory=list)


def provenance_graph(chains: Iterable[list[dict]]) -> Graph:
    """Origins -> relays -> publishers of all the chains, merged by name, as positioned boxes.

    Each chain is a list of ChainLink dicts, origin first and publisher last. Columns follow
    the distance from the origin; publishers share the last column.
    """
    chains = [c for c in chains if c]
    if not chains:
        return Graph(width=0, height=0)
    last = max(len(c) for c in chains) - 1
    nodes: dict[str, Node] = {}
    edges: dict[tuple[str, str], int] = {}
    for chain in chains:
        keys = []
        for index, link in enumerate(chain):
            role = link.get("role") or ("publisher" if index == len(chain) - 1 else "relay")
            is_publisher = role == "publisher"
            name = link.get("name") or "unknown"
            key = ("pub:" if is_publisher else "src:") + name.casefold()
            column = last if is_publisher else index
            node = nodes.get(key)
            if node is None:
                node = nodes[key] = Node(key, name, role, link.get("type") or "unknown", column)
            else:
                node.column = min(node.column, column) if not is_publisher else last
                if role == "origin":
                    node.role = "origin"
            node.reports += 1
            keys.append(key)
        for a, b in zip(keys, keys[1:], strict=False):
            if a != b:
                edges[(a, b)] = edges.get((a, b), 0) + 1
    by_column: dict[int, list[Node]] = {}
    for node in nodes.values():
        by_column.setdefault(node.column, []).append(node)
    used = sorted(by_column)
    position = {column: i for i, column in enumerate(used)}  # close gaps left by merged nodes
    rows = max(len(v) for v in by_column.values())
    for column, members in by_column.items():
        for row, node in enumerate(members):
            node.x = PAD + position[column] * (NODE_WIDTH + COLUMN_GAP)
            node.y = PAD + 18 + row * (NODE_HEIGHT + ROW_GAP)
    bottom = {position[c]: max(n.y + NODE_HEIGHT for n in members) for c, members in by_column.items()}
    drawn_edges, lanes = [], 0
    for (a, b), count in edges.items():
        source, target = nodes[a], nodes[b]
        x1, y1 = source.x + NODE_WIDTH, source.y + NODE_HEIGHT // 2
        x2, y2 = target.x - 6, target.y + NODE_HEIGHT // 2
        between = range(position[source.column] + 1, position[target.column])
        if len(between) == 0:
            middle = (x1 + x2) // 2
            d = f"M{x1},{y1} C{middle},{y1} {middle},{y2} {x2},{y2}"
        else:
            # Skip the columns in between along a lane below their boxes, never behind them.
            lane = max(bottom[c] for c in between) + 10 + 6 * lanes
            lanes += 1
            d = (f"M{x1},{y1} C{x1 + 30},{y1} {x1 + 20},{lane} {x1 + 50},{lane} "
                 f"L{x2 - 50},{lane} C{x2 - 20},{lane} {x2 - 30},{y2} {x2},{y2}")
        drawn_edges.append({"d": d, "count": count, "title": f"{source.name} → {target.name}"})
    headings = []
    for column in used:
        label = "origin" if column == 0 else "publisher" if column == last else f"relay {column}"
        headings.append({"x": PAD + position[column] * (NODE_WIDTH + COLUMN_GAP), "label": label})
    width = PAD * 2 + len(used) * NODE_WIDTH + (len(used) - 1) * COLUMN_GAP
    height = PAD * 2 + 18 + rows * NODE_HEIGHT + (rows - 1) * ROW_GAP
    height = max(height, max(bottom.values()) + 16 + 6 * lanes)
    return Graph(width, height, list(nodes.values()), drawn_edges, headings)


def attribution_chain(report: Report, attribution: Attribution) -> list[ChainLink]:
    """Who says it, through whom, origin first and the publishing outlet last."""
    by_id = {a.id: a for a in report.attributions}
    sources = {s.id: s for s in report.sources}
    links: list[ChainLink] = []
    current: Attribution | None = attribution
    seen: set[str] = set()
    while current is not None and current.id not in seen:
        seen.add(current.id)
        span = current.source
        source = sources.get(span.source_id) if span is not None and span.source_id else None
        name = (source.name if source else None) or (span.resolved or span.text if span else None) or "unnamed source"
        links.append(
            ChainLink(
                source_id=source.id if source else None,
                name=name,
                type=source.type if source else "unknown",
                role="relay",
                cue=current.cue.text,
            )
        )
        current = by_id.get(current.parent) if current.parent else None
    if links:
        links[0].role = "origin"
    outlet = report.document.outlet or "publisher"
    links.append(ChainLink(source_id=None, name=outlet, type="media", role="publisher"))
    return links


# -- timeline -------------------------------------------------------------------------------
TIMELINE_WIDTH = 960
TIMELINE_HEIGHT = 300
MARGIN_LEFT, MARGIN_BOTTOM, MARGIN_TOP = 44, 34, 12


def _bucket(day: date, unit: str) -> date:
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day


def _next(day: date, unit: str) -> date:
    if unit == "week":
        return day + timedelta(days=7)
    if unit == "month":
        return (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return day + timedelta(days=1)


def timeline(rows: list[dict]) -> dict:
    """Stacked bars per day (per week or month over long spans) and type, sized for an SVG."""
    counts: dict[tuple[date, str], int] = {}
    days = []
    for row in rows:
        try:
            day = date.fromisoformat(str(row["day"])[:10])
        except ValueError:
            continue
        days.append(day)
        counts[(day, row["type"])] = counts.get((day, row["type"]), 0) + int(row["n"])
    if not days:
        return {"bars": [], "unit": "day", "types": [], "width": TIMELINE_WIDTH, "height": TIMELINE_HEIGHT}
    span = (max(days) - min(days)).days
    unit = "day" if span <= 120 else "week" if span <= 730 else "month"
    stacks: dict[date, dict[str, int]] = {}
    for (day, kind), n in counts.items():
        bucket = stacks.setdefault(_bucket(day, unit), {})
        bucket[kind] = bucket.get(kind, 0) + n
    buckets = []
    cursor, end = min(stacks), max(stacks)
    while cursor <= end:
        buckets.append(cursor)
        cursor = _next(cursor, unit)
    peak = max(sum(v.values()) for v in stacks.values())
    plot_w = TIMELINE_WIDTH - MARGIN_LEFT - 8
    plot_h = TIMELINE_HEIGHT - MARGIN_BOTTOM - MARGIN_TOP
    step = plot_w / len(buckets)
    bar_w = max(1.0, step * 0.8)
    types = sorted({kind for _, kind in counts})
    bars, ticks = [], []
    label_every = max(1, len(buckets) // 10)
    for i, bucket in enumerate(buckets):
        x = MARGIN_LEFT + i * step + (step - bar_w) / 2
        y = TIMELINE_HEIGHT - MARGIN_BOTTOM
        for kind in types:
            n = stacks.get(bucket, {}).get(kind, 0)
            if not n:
                continue
            h = plot_h * n / peak
            y -= h
            bars.append({"x": round(x, 1), "y": round(y, 1), "w": round(bar_w, 1), "h": round(h, 1),
                         "type": kind, "n": n, "label": bucket.isoformat()})
        if i % label_every == 0:
            ticks.append({"x": round(x + bar_w / 2, 1), "label": bucket.strftime("%Y-%m" if unit == "month" else "%b %d")})
    y_ticks = []
    for value in sorted({0, -(-peak // 2), peak}):
        y_ticks.append({"y": round(TIMELINE_HEIGHT - MARGIN_BOTTOM - plot_h * (value / peak), 1), "label": value})
    return {
        "bars": bars, "ticks": ticks, "y_ticks": y_ticks, "unit": unit, "types": types,
        "width": TIMELINE_WIDTH, "height": TIMELINE_HEIGHT, "first": buckets[0].isoformat(),
        "last": buckets[-1].isoformat(), "baseline": TIMELINE_HEIGHT - MARGIN_BOTTOM,
        "left": MARGIN_LEFT, "peak": peak,
    }
