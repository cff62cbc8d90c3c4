"""A readable terminal summary of Reports (``--format table``)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from ..records import ChainLink, Report


def chain_text(chain: list[ChainLink]) -> str:
    return " → ".join(f"{link.name}" + (f" ({link.cue})" if link.cue and link.role != "origin" else "") for link in chain)


def print_reports(reports: list[Report], path: Path | None = None) -> None:
    console = Console(file=open(path, "w") if path else None, width=None if path is None else 160)
    for report in reports:
        doc = report.document
        console.rule(f"[bold]{doc.title or doc.external_id or doc.id}[/] · {doc.outlet or '?'} · {doc.published or '?'}")
        events = Table("id", "type/mode", "actor → recipient", "place", "date", "status · certainty", "source chain", show_lines=True)
        for e in report.events:
            actor = e.actor.name if e.actor else "?"
            recipient = e.recipient.name if e.recipient else "—"
            events.add_row(
                e.id,
                f"{e.type}/{e.mode or '-'}" + (" [red]friendly fire[/]" if e.friendly_fire else ""),
                f"{actor} → {recipient}",
                (e.location.name + (f" ({e.location.admin1})" if e.location.admin1 else "")) if e.location else "",
                (e.date.start or "") if e.date else "",
                f"{e.status} · {e.certainty}",
                chain_text(e.source_chain),
            )
        console.print(events)
        figures = Table("id", "figure", "kind", "what", "certainty", "source chain", show_lines=True)
        for f in report.figures:
            figures.add_row(f.id, f.text, f.kind, f.what, f.certainty, chain_text(f.source_chain))
        console.print(figures)
