"""Data files a user can read and extend: lexicons, cue lists, trigger, actor and alliance tables.

Every table is UTF-8, tab-separated, one entry per line; ``#`` starts a comment line.
"""

from __future__ import annotations

import functools
from importlib import resources


@functools.cache
def read_table(name: str) -> tuple[tuple[str, ...], ...]:
    """Rows of ``reportedly/data/NAME`` (comments and blank lines skipped, cells stripped).

    Cached: each table is read once per process, at first use.
    """
    rows = []
    with resources.files(__name__).joinpath(name).open(encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if line.strip() and not line.lstrip().startswith("#"):
                rows.append(tuple(cell.strip() for cell in line.split("\t")))
    return tuple(rows)
