"""`reportedly export`: the store as JSONL, ACLED-style CSV, GeoJSON or Parquet."""

from __future__ import annotations

import click

from ..store import DEFAULT_PATH


@click.command("export")
@click.option("--db", default=DEFAULT_PATH, show_default=True, help="The DuckDB store to read.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "geojson", "parquet"]), required=True,
              help="jsonl: full Reports; csv: ACLED-style events.csv; geojson: located events; "
                   "parquet: one file per table in a directory.")
@click.option("-o", "--output", type=click.Path(), default=None,
              help="File to write (a directory for parquet; default: stdout, or ./reportedly-parquet).")
@click.option("--where", default=None,
              help="SQL condition: over event columns for csv/geojson (e.g. \"type = 'ASSAULT'\"), "
                   "over document columns for jsonl/parquet (e.g. \"outlet = 'bbc.com'\").")
def command(db: str, fmt: str, output: str | None, where: str | None) -> None:
    """Export the store at --db."""
    from .. import export
    from ..store import Store, StoreError

    try:
        store = Store.open(db, read_only=True)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
    import duckdb

    with store:
        try:
            written = export.export(store, fmt, output, where)
        except duckdb.Error as exc:  # a --where that is not valid SQL for these columns
            raise click.ClickException(f"cannot export: {exc}") from exc
    if fmt == "parquet":
        summary = ", ".join(f"{name} {rows}" for name, rows in written.items())
        click.echo(f"wrote {output or export.DEFAULT_PARQUET_DIR}/: {summary}", err=True)
    elif output:
        click.echo(f"wrote {written} {'documents' if fmt == 'jsonl' else 'events'} to {output}", err=True)
