"""Reading inputs (text, HTML, JSONL, CSV, folders, stdin, URLs, feeds) into Articles.

``read_inputs`` yields an ``Article`` for every document it can read and a ``Rejected``
(with a clear reason) for every one it cannot; it never raises on bad input.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..records import Article, Rejected


def read_inputs(
    paths: Iterable[str], *, published: str | None = None, outlet: str | None = None
) -> Iterator[Article | Rejected]:
    """First version: plain-text files and stdin (the full readers replace this)."""
    for path in paths:
        if path == "-":
            yield Article(text=sys.stdin.read(), id="-", published=published, outlet=outlet)
            continue
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            yield Rejected(input=path, reason=f"cannot read: {exc}")
            continue
        yield Article(text=text, id=path, published=published, outlet=outlet)
