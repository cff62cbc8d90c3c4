"""A readable terminal summary of Reports (``--format table``): one block per event and figure."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape

from ..records import Actor, ChainLink, Event, Figure, Report


def chain_text(chain: list[ChainLink]) -> str:
    """``origin (cue) → relay (cue) → publisher``: how the claim travelled, origin first."""
    return " → ".join(link.name + (f" ({link.cue})" if link.cue and link.role != "publisher" else "") for link in chain)


def actor_text(actor: Actor | None) -> str:
    if actor is None:
        return "—"
    details = ", ".join(part for part in (actor.country, actor.sector) if part)
    return f"{actor.name} ({details})" if details else actor.name


def event_lines(event: Event) -> list[str]:
    head = f"[bold]{event.id}[/] [cyan]{event.type}[/]/{event.mode or '-'}"
    if event.acled_subtype:
        head += f" · ACLED {escape(event.acled_subtype)}"
    if event.friendly_fire:
        head += " · [red]friendly fire[/]"
    where = []
    if event.location:
        loc = event.location
        coords = f", {loc.lat:.2f}, {loc.lon:.2f}" if loc.lat is not None and loc.lon is not None else ""
        where.append(f"{loc.name} ({loc.admin1 or loc.country}{coords})")
    if event.date:
        where.append(event.date.start or event.date.text)
    where += [event.status, f"certainty {event.certainty}"]
    if event.hedges:
        where.append("hedges: " + ", ".join(event.hedges))
    return [
        head,
        f"   {escape(actor_text(event.actor))} → {escape(actor_text(event.recipient))}",
        "   " + escape(" · ".join(where)),
        "   [dim]chain:[/] " + escape(chain_text(event.source_chain)),
        f"   [dim]{len(event.mentions)} mention(s); told most fully in: “{escape(event.evidence[:160])}”[/]",
    ]


def figure_lines(figure: Figure) -> list[str]:
    value = figure.value
    def bound(number: int | None) -> str:
        return "open" if number is None else f"{number:,}"

    bounds = f"min {bound(value.min)}, max {bound(value.max)}" + (", approx" if value.approx else "")
    hedges = f" · hedges: {', '.join(figure.hedges)}" if figure.hedges else ""
    return [
        f"[bold]{figure.id}[/] [magenta]{escape(figure.text)}[/] {figure.kind} — {escape(figure.what)} ({bounds})"
        f" · certainty {figure.certainty}{escape(hedges)}",
        "   [dim]chain:[/] " + escape(chain_text(figure.source_chain)),
    ]


def print_reports(reports: list[Report], path: Path | None = None) -> None:
    handle = open(path, "w", encoding="utf-8") if path else None
    console = Console(file=handle, width=160 if handle else None, soft_wrap=handle is None)
    try:
        for report in reports:
            doc = report.document
            title = escape(doc.title or doc.external_id or doc.id)
            console.rule(f"[bold]{title}[/] · {escape(doc.outlet or 'outlet unknown')} · {doc.published or 'date unknown'}")
            console.print(f"[bold]{len(report.events)} events[/]")
            for event in report.events:
                for line in event_lines(event):
                    console.print(line, highlight=False)
            console.print(f"[bold]{len(report.figures)} figures[/]")
            for figure in report.figures:
                for line in figure_lines(figure):
                    console.print(line, highlight=False)
    finally:
        if handle:
            handle.close()
