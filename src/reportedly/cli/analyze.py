"""`reportedly analyze`: analyse files, folders or stdin and print the records."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import click

from ..records import Article, Rejected, encode


def _read_inputs(paths: tuple[str, ...], published: str | None, outlet: str | None) -> Iterator[Article | Rejected]:
    from ..ingest import read_inputs

    yield from read_inputs(list(paths) or ["-"], published=published, outlet=outlet)


@click.command("analyze")
@click.argument("paths", nargs=-1)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write to FILE instead of stdout.")
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "json", "table"]), default=None,
    help="Output format (default: table on a terminal, jsonl when piped).",
)
@click.option("--published", help="Publication date (YYYY-MM-DD) for inputs whose metadata lacks one.")
@click.option("--outlet", help="Outlet name for inputs whose metadata lacks one.")
def command(paths: tuple[str, ...], output: str | None, fmt: str | None, published: str | None, outlet: str | None) -> None:
    """Analyse PATHS (files, folders, '-' for stdin) and print one record per document."""
    from ..pipeline import default_pipeline

    out = open(output, "wb") if output else sys.stdout.buffer
    if fmt is None:
        fmt = "table" if (output is None and sys.stdout.isatty()) else "jsonl"
    articles: list[Article] = []
    rejected: list[Rejected] = []
    for item in _read_inputs(paths, published, outlet):
        (rejected if isinstance(item, Rejected) else articles).append(item)
    for item in rejected:
        click.echo(f"rejected {item.input}: {item.reason}", err=True)
    reports = default_pipeline().analyze_many(articles)
    try:
        if fmt == "jsonl":
            for report in reports:
                out.write(encode(report) + b"\n")
        elif fmt == "json":
            import msgspec

            out.write(msgspec.json.format(encode(list(reports)), indent=2) + b"\n")
        else:
            from .table import print_reports

            print_reports(list(reports), Path(output) if output else None)
    finally:
        if output:
            out.close()
    if rejected and not articles:
        sys.exit(1)
