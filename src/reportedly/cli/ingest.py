"""`reportedly ingest`: read, analyse (in parallel processes) and store inputs, resumably."""

from __future__ import annotations

import sys

import click

from ..batch import DEFAULT_TIMEOUT
from ..store import DEFAULT_BATCH_SIZE, DEFAULT_MAX_BYTES, DEFAULT_PATH


@click.command("ingest")
@click.argument("paths", nargs=-1, required=True)
@click.option("--db", default=DEFAULT_PATH, show_default=True, help="The DuckDB store to write.")
@click.option("--workers", "-w", type=click.IntRange(min=1), default=1, show_default=True,
              help="Analysis processes (each loads the model once).")
@click.option("--published", help="Publication date (YYYY-MM-DD) for inputs whose metadata lacks one.")
@click.option("--outlet", help="Outlet name for inputs whose metadata lacks one.")
@click.option("--max-bytes", type=click.IntRange(min=1), default=DEFAULT_MAX_BYTES, show_default=True,
              help="Reject documents larger than this.")
@click.option("--batch-size", type=click.IntRange(min=1), default=DEFAULT_BATCH_SIZE, show_default=True,
              help="Documents per batch (one transaction each).")
@click.option("--timeout", type=click.FloatRange(min=1), default=DEFAULT_TIMEOUT, show_default=True,
              help="Seconds without a finished batch before a worker counts as hung; its documents are "
                   "re-run one by one and the one that hangs is rejected.")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="local: worker processes on this machine; dask: a Dask cluster (--scheduler).")
@click.option("--scheduler", default=None,
              help="Dask scheduler address (with --engine dask; default: a local cluster of --workers).")
@click.option("--local-workers", type=click.IntRange(min=1), default=None,
              help="With --engine dask and no --scheduler: worker processes of the local cluster (default: --workers).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary (for scripts).")
def command(paths: tuple[str, ...], db: str, workers: int, published: str | None, outlet: str | None,
            max_bytes: int, batch_size: int, timeout: float, engine: str, scheduler: str | None, local_workers: int | None,
            quiet: bool) -> None:
    """Analyse PATHS (files, folders, JSONL/CSV, feeds, URLs, '-' for stdin) into the store.

    Documents already stored are skipped before analysis, so an interrupted ingest is
    finished by running it again. Exits with status 1 when every input was rejected.
    """
    from ..store import Store

    if engine == "dask":
        _dask(paths, db, local_workers or workers, published, outlet, scheduler, quiet, max_bytes)
        return
    with Store.open(db) as store:
        summary = store.ingest(
            list(paths), workers=workers, published=published, outlet=outlet,
            max_bytes=max_bytes, progress=not quiet, batch_size=batch_size, timeout=timeout,
        )
    if not quiet:
        print_summary(summary, db)
    if summary.rejected_total and not (summary.stored or summary.skipped):
        sys.exit(1)


def _dask(paths, db, workers, published, outlet, scheduler, quiet, max_bytes) -> None:
    from ..engines.dask import run_dask_ingest

    summary = run_dask_ingest(
        list(paths), db, scheduler=scheduler, local_workers=workers, published=published,
        outlet=outlet, max_bytes=max_bytes,
    )
    if not quiet:
        print_summary(summary, db)
        click.echo(f"on {summary.workers} Dask workers, {summary.partitions} partitions", err=True)
    if summary.rejected_total and not (summary.stored or summary.skipped):
        sys.exit(1)


def print_summary(summary, db: str) -> None:
    """The end summary on stderr: stored, skipped, rejected by reason, speed."""
    from rich.console import Console
    from rich.table import Table

    console = Console(stderr=True)
    table = Table(title=f"ingest into {db}", show_header=False, title_justify="left")
    table.add_row("stored", str(summary.stored))
    table.add_row("skipped (stored before, or a duplicate)", str(summary.skipped))
    table.add_row("rejected", str(summary.rejected_total))
    for reason, count in summary.rejected.most_common():
        table.add_row(f"  {reason}", str(count))
    table.add_row("time", f"{summary.seconds:.1f} s ({summary.docs_per_second:.1f} docs/s)")
    console.print(table)
