"""One event with everything known about it across the store (the event page and its API)."""

from __future__ import annotations

from .data import Catalog, event_key
from .graphs import provenance_graph

MAX_MEMBERS = 200  # cluster members listed on one event page
MAX_REPORTS = 50  # member reports read in full (for chains and figures)


def event_detail(catalog: Catalog, key: str) -> dict | None:
    """Everything the event page (and ``/api/events/{key}``) shows about one event, named by its
    id, the older ``doc:event`` form or its corroboration cluster id (``Catalog.resolve_event``);
    ``key`` in the result is always the event's own id."""
    parts = catalog.resolve_event(key)
    if parts is None:
        return None
    doc_id, event_id = parts
    key = event_key(doc_id, event_id)
    report = catalog.report(doc_id)
    event = next((e for e in report.events if e.id == event_id), None) if report else None
    if event is None:
        return None
    rows = catalog.event_rows([parts])
    corroboration = event.corroboration.to_dict() if event.corroboration else catalog.corroboration(doc_id, event_id)
    cluster = (corroboration or {}).get("cluster") or (rows[0].get("cluster") if rows else None)
    members = catalog.cluster_members(cluster) if cluster else []
    if parts not in members:
        members = [parts, *members]
    member_rows = catalog.event_rows(members[:MAX_MEMBERS])
    reports = {doc_id: report}
    mentions, chains, figures = [], [], []
    publisher = {"source_id": None, "name": report.document.outlet or "publisher", "type": "media", "role": "publisher"}
    for row in member_rows:
        member_report = reports.get(row["doc_id"])
        if member_report is None and len(reports) < MAX_REPORTS:
            member_report = reports[row["doc_id"]] = catalog.report(row["doc_id"])
        member = next((e for e in member_report.events if e.id == row["event_id"]), None) if member_report else None
        chain = [link.to_dict() for link in member.source_chain] if member else []
        chains.append(chain or [dict(publisher, name=row.get("outlet") or "publisher")])
        mentions.append({"row": row, "chain": chains[-1], "this": (row["doc_id"], row["event_id"]) == parts,
                         "sentences": [m.evidence for m in member.mentions] if member else []})
        if member_report is not None:
            for figure in member_report.figures:
                if figure.event == row["event_id"]:
                    origin = figure.source_chain[0].name if figure.source_chain else (row.get("outlet") or "publisher")
                    figures.append({"figure": figure.to_dict(), "origin": origin, "outlet": row.get("outlet"),
                                    "doc_id": row["doc_id"], "published": row.get("published")})
    return {
        "key": key, "doc_id": doc_id, "event": event.to_dict(), "row": rows[0] if rows else {},
        "document": {k: v for k, v in report.document.to_dict().items() if k != "text"},
        "corroboration": corroboration, "mentions": mentions, "figures": figures,
        "graph": provenance_graph(chains),
    }
