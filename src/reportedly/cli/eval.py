"""`reportedly eval ...`: score the pipeline against gold sets (each scorer its own module)."""

from __future__ import annotations

import importlib

import click

# Subcommand name -> module under reportedly.evaluation defining a click command `command`.
SCORERS: dict[str, str] = {
    "attribution": "attribution",
    "chains": "chains",
    "events": "events",
    "acled-types": "acled_types",
    "plover": "plover",
    "clusters": "clusters",
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in SCORERS if self.get_command(ctx, name) is not None]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in SCORERS:
            return None
        try:
            module = importlib.import_module(f"reportedly.evaluation.{SCORERS[name]}")
        except ModuleNotFoundError:
            return None
        return getattr(module, "command", None)


@click.group("eval", cls=_LazyGroup)
def command() -> None:
    """Score reportedly against gold annotations (../shared/eval)."""
