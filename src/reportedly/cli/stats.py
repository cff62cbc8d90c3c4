"""`reportedly stats`: what the store holds, counted by type, country, month, outlet, certainty."""

from __future__ import annotations

import json

import click

from ..store import DEFAULT_PATH


@click.command("stats")
@click.option("--db", default=DEFAULT_PATH, show_default=True, help="The DuckDB store to read.")
@click.option("--top", type=click.IntRange(min=1), default=15, show_default=True, help="Rows per table.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
def command(db: str, top: int, as_json: bool) -> None:
    """Counts of documents and events in the store at --db."""
    from ..store import Store, StoreError

    try:
        store = Store.open(db, read_only=True)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
    with store:
        counts, stats = store.counts(), store.stats(top=top)
    if as_json:
        click.echo(json.dumps({"counts": counts, **stats}, default=str, indent=2))
        return
    print_stats(db, counts, stats)


def print_stats(db: str, counts: dict[str, int], stats: dict[str, list[dict]]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    totals = Table(title=f"{db}", title_justify="left")
    totals.add_column("table")
    totals.add_column("rows", justify="right")
    for name, rows in counts.items():
        totals.add_row(name, f"{rows:,}")
    console.print(totals)
    for name, rows in stats.items():
        table = Table(title=f"events by {name}", title_justify="left")
        columns = list(rows[0]) if rows else ["key", "events"]
        table.add_column(name)
        for column in columns[1:]:
            table.add_column(column, justify="right")
        for row in rows:
            table.add_row(str(row["key"]), *(f"{row[c]:,}" for c in columns[1:]))
        console.print(table)
