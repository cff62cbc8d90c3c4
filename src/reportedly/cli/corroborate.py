"""`reportedly corroborate`: cross-document corroboration of the events and figures in a store."""

from __future__ import annotations

import json

import click

from ..store import DEFAULT_PATH


@click.command("corroborate")
@click.option("--db", default=DEFAULT_PATH, show_default=True, help="The DuckDB store to update.")
@click.option("--full", is_flag=True, help="Recompute everything instead of adding new documents.")
@click.option(
    "--reuse-threshold", type=click.FloatRange(0.05, 1.0), default=0.5, show_default=True,
    help="Jaccard similarity of word 5-gram sets above which two articles copy one another.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the run's summary as JSON.")
def command(db: str, full: bool, reuse_threshold: float, as_json: bool) -> None:
    """Find copied articles and the events and figures several articles tell; count their
    reports, outlets and independent origins (incremental: new documents join clusters)."""
    from ..corroborate.persist import corroborate_store
    from ..corroborate.reuse import ReuseConfig
    from ..store import Store, StoreError

    try:
        store = Store.open(db)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
    with store:
        summary = corroborate_store(
            store,
            incremental=not full,
            reuse_config=ReuseConfig(threshold=reuse_threshold),
            progress=None if as_json else (lambda message: click.echo(message, err=True)),
        )
    if as_json:
        click.echo(json.dumps(summary.to_dict(), indent=2))
        return
    click.echo(
        f"{summary.documents} documents ({summary.new_documents} new): "
        f"{summary.reuse_clusters} reuse clusters holding {summary.reused_documents} documents "
        f"(largest {summary.largest_reuse_cluster}); "
        f"{summary.events} events, {summary.event_clusters} told by two or more reports; "
        f"{summary.figures} figures, {summary.figure_clusters} in two or more reports; "
        + ", ".join(f"{step} {seconds:.1f}s" for step, seconds in summary.seconds.items())
    )
