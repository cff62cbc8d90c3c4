"""Reading inputs (text, HTML, JSONL, CSV, folders, stdin, URLs, feeds) into Articles.

``read_inputs`` yields an ``Article`` for every document it can read and a ``Rejected``
(with a clear reason) for every one it cannot; it never raises on bad input.

- Files go by extension (``FORMATS``; ``.gz`` is opened transparently), by sniffing the
  first bytes when the extension says nothing. Folders are read recursively in sorted order
  (hidden names skipped; files of unknown type there are rejected as "unsupported").
- ``-`` is stdin: HTML, JSON Lines (streamed row by row), a JSON array, or plain text.
- ``http(s)://`` inputs are fetched politely (``web.Fetcher``); an RSS/Atom feed, fetched or
  a file, yields one item per entry, each from its page.
- Every document is cleaned (``clean.clean_text``) and checked: empty, binary, undecodable,
  over ``max_bytes``, malformed, shorter than ``MIN_WORDS`` words, or not English are each
  rejected; ``summarize_rejections`` counts the reasons of a batch by kind.
"""

from __future__ import annotations

import gzip
import io
import sys
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

import msgspec

from ..records import Article, Rejected
from .checks import (
    DEFAULT_MAX_BYTES,
    MIN_WORDS,
    RejectInput,
    make_article,
    normalize_date,
    rejection_kind,
    summarize_rejections,
)
from .clean import clean_text, detect_language
from .decode import decode_bytes, read_limited, sniff_format
from .html import PageDefaults, read_html
from .rows import RowDefaults, read_csv, read_json, read_jsonl
from .web import Fetcher, is_url, read_feed, read_url

__all__ = [
    "DEFAULT_MAX_BYTES",
    "MIN_WORDS",
    "Fetcher",
    "clean_text",
    "detect_language",
    "format_of",
    "iter_files",
    "read_inputs",
    "rejection_kind",
    "summarize_rejections",
]

# File extension -> format ("feed" files are sniffed: an .xml that is no feed is rejected).
FORMATS: dict[str, str] = {
    ".txt": "text", ".text": "text", ".md": "text", ".markdown": "text",
    ".html": "html", ".htm": "html", ".xhtml": "html", ".shtml": "html",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json",
    ".csv": "csv", ".tsv": "tsv",
    ".rss": "feed", ".atom": "feed", ".xml": "feed",
}


def format_of(path: Path) -> tuple[str | None, bool]:
    """(format by extension or None when unknown, whether the file is gzipped)."""
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    gzipped = bool(suffixes) and suffixes[-1] == ".gz"
    if gzipped:
        suffixes = suffixes[:-1]
    return (FORMATS.get(suffixes[-1]) if suffixes else None), gzipped


def iter_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Every file named or inside a named folder (recursively, sorted, hidden names skipped)."""
    for path in map(Path, paths):
        if path.is_dir():
            found = (
                p for p in path.rglob("*")
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            yield from sorted(found, key=lambda p: p.relative_to(path).as_posix())
        else:
            yield path


class _Context:
    """What every reader of one batch shares: the arguments and one lazily made Fetcher."""

    def __init__(self, published: str | None, outlet: str | None, max_bytes: int, fetcher: Fetcher | None):
        self.published = normalize_date(published)
        self.outlet = outlet
        self.max_bytes = max_bytes
        self.rows = RowDefaults(published=self.published, outlet=outlet, max_bytes=max_bytes)
        self._fetcher = fetcher
        self._own_fetcher: Fetcher | None = None

    def fetcher(self) -> Fetcher:
        if self._fetcher is None:
            self._fetcher = self._own_fetcher = Fetcher(max_bytes=self.max_bytes)
        return self._fetcher

    def page(self, label: str) -> PageDefaults:
        return PageDefaults(id=label, published=self.published, outlet=self.outlet)

    def close(self) -> None:
        if self._own_fetcher is not None:
            self._own_fetcher.close()


def _read_document(data: bytes, label: str, fmt: str, ctx: _Context) -> Iterator[Article | Rejected]:
    """A whole document already in memory (a file, stdin), by its format."""
    if fmt in ("jsonl", "json", "csv", "tsv"):
        yield from _read_rows(_bytes_stream(data), label, fmt, ctx)
        return
    if fmt == "feed":
        if sniff_format(data) != "feed":
            raise RejectInput("unsupported", "XML that is not an RSS or Atom feed")
        yield from read_feed(data, label, ctx.fetcher, ctx.page(label))
        return
    text = decode_bytes(data)
    if fmt == "html":
        yield read_html(text, label, ctx.page(label))
    else:
        yield make_article(label, text, id=label, outlet=ctx.outlet, published=ctx.published)


def _bytes_stream(data: bytes) -> BinaryIO:
    return io.BytesIO(data)


def _read_rows(stream: BinaryIO, label: str, fmt: str, ctx: _Context) -> Iterator[Article | Rejected]:
    if fmt == "jsonl":
        yield from read_jsonl(stream, label, ctx.rows)
    elif fmt == "json":
        yield from read_json(stream, label, ctx.rows)
    else:
        yield from read_csv(stream, label, ctx.rows, delimiter="\t" if fmt == "tsv" else ",")


def _read_file(path: Path, label: str, ctx: _Context, *, in_folder: bool) -> Iterator[Article | Rejected]:
    fmt, gzipped = format_of(path)
    if fmt is None and in_folder:
        raise RejectInput("unsupported", f"file type {''.join(path.suffixes[-2:]) or '(none)'}")
    try:
        stream: BinaryIO = gzip.open(path, "rb") if gzipped else path.open("rb")  # type: ignore[assignment]
    except OSError as exc:
        raise RejectInput("unreadable", exc.strerror or str(exc)) from None
    with stream:
        if fmt in ("jsonl", "csv", "tsv"):
            # Row files stream: the size cap applies to each row, not the whole file.
            yield from _read_rows(stream, label, fmt, ctx)
            return
        if fmt == "json":
            yield from read_json(stream, label, ctx.rows)
            return
        data = read_limited(stream, ctx.max_bytes)
    yield from _read_document(data, label, fmt or sniff_format(data), ctx)


class _Prefixed(io.RawIOBase):
    """A stream whose first bytes were already read (to sniff the format), put back in front."""

    def __init__(self, head: bytes, rest: BinaryIO):
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._head:
            size = min(len(buffer), len(self._head))
            buffer[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        read = getattr(self._rest, "read1", self._rest.read)
        data = read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


_STDIN_SNIFF_BYTES = 64 * 1024


def _starts_with_a_json_line(head: bytes) -> bool:
    first = head.lstrip().split(b"\n", 1)[0]
    try:
        return isinstance(msgspec.json.decode(first), dict)
    except msgspec.DecodeError:
        return False


def _read_stdin(ctx: _Context) -> Iterator[Article | Rejected]:
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # a replaced sys.stdin (tests, notebooks) may be text only
        stream = io.BytesIO(sys.stdin.read(ctx.max_bytes + 1).encode("utf-8", "surrogateescape"))
    head = stream.read(_STDIN_SNIFF_BYTES)
    whole = io.BufferedReader(_Prefixed(head, stream))
    fmt = sniff_format(head)
    if fmt == "json" and _starts_with_a_json_line(head):
        # JSON Lines stream row by row: a corpus piped in is not held in memory
        yield from read_jsonl(whole, "-", ctx.rows)
        return
    if fmt == "json":
        yield from read_json(whole, "-", ctx.rows)
        return
    yield from _read_document(read_limited(whole, ctx.max_bytes), "-", fmt, ctx)


def _guarded(label: str, items: Iterator[Article | Rejected]) -> Iterator[Article | Rejected]:
    """The reader's items; a RejectInput or any error it raises becomes one Rejected."""
    try:
        yield from items
    except RejectInput as exc:
        yield Rejected(input=label, reason=exc.reason)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:  # a row file's gzip breaks midway
        yield Rejected(input=label, reason=f"malformed gzip: {exc or type(exc).__name__}")
    except OSError as exc:
        yield Rejected(input=label, reason=f"unreadable: {exc.strerror or exc}")
    except Exception as exc:  # the promise is to never raise on bad input
        yield Rejected(input=label, reason=f"error: {type(exc).__name__}: {exc}")


def read_inputs(
    paths: Iterable[str],
    *,
    published: str | None = None,
    outlet: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    fetcher: Fetcher | None = None,
) -> Iterator[Article | Rejected]:
    """Articles and Rejecteds from files, folders, ``-`` (stdin), URLs and feeds, in order.

    ``published`` and ``outlet`` fill in what an input's own metadata lacks; ``max_bytes``
    caps each document (file, page, row); ``fetcher`` sets the delay, timeout and cap of
    HTTP requests (one with a 1 s per-host delay is made when a URL comes up).
    """
    ctx = _Context(published, outlet, max_bytes, fetcher)
    try:
        for raw in paths:
            path = str(raw)
            if path == "-":
                yield from _guarded("-", _read_stdin(ctx))
            elif is_url(path):
                yield from _guarded(path, read_url(path, ctx.fetcher(), ctx.page(path)))
            elif Path(path).is_dir():
                for file in iter_files([path]):
                    yield from _guarded(str(file), _read_file(file, str(file), ctx, in_folder=True))
            elif Path(path).is_file():
                yield from _guarded(path, _read_file(Path(path), path, ctx, in_folder=False))
            elif Path(path).exists():
                yield Rejected(input=path, reason="unsupported: not a regular file or folder")
            else:
                yield Rejected(input=path, reason="not found: no such file or folder")
    finally:
        ctx.close()
