"""The ``reportedly`` command line: one group, one module per command.

Each module in ``COMMANDS`` defines a click command named ``command``; the CLI and the
Python API call the same functions underneath.
"""

from __future__ import annotations

import importlib

import click

from .. import __version__

COMMANDS: tuple[str, ...] = (
    "analyze",
    "ingest",
    "export",
    "stats",
    "corroborate",
    "serve",
    "eval",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reportedly")
def main() -> None:
    """Turn conflict reporting into structured, sourced event data."""


for _name in COMMANDS:
    _module = importlib.import_module(f"{__name__}.{_name}")
    _command = getattr(_module, "command", None)
    if _command is not None:
        main.add_command(_command)
