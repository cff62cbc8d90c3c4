"""Row formats: JSON Lines, JSON arrays and CSV/TSV, one Article or Rejected per row.

A bad row is rejected with its line number (``file.jsonl:17``) and the other rows go on, so
accepted + rejected always equals the number of rows.
"""

from __future__ import annotations

import codecs
import csv
import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import msgspec

from ..records import Article, Rejected
from .checks import RejectInput, make_article, normalize_date
from .decode import decode_bytes, megabytes, read_limited

TEXT_FIELD = "text"
PUBLISHED_FIELDS = ("published", "date", "date_iso")
# A JSON array is parsed whole: allow it this many times the per-document cap.
JSON_ARRAY_FACTOR = 64


def _raise_csv_field_limit() -> None:
    # News CSVs hold whole articles in one field, far past csv's 128 KB default.
    limit = sys.maxsize
    while True:
        try:
            csv.field_size_limit(limit)
            return
        except OverflowError:
            limit //= 10


_raise_csv_field_limit()


@dataclass(slots=True)
class RowDefaults:
    """Values for rows that lack them (the --published and --outlet arguments)."""

    published: str | None = None
    outlet: str | None = None
    max_bytes: int = 5 * 1024 * 1024


def row_to_article(row: dict, label: str, defaults: RowDefaults) -> Article | Rejected:
    """An Article from one row's fields (``id, text, title, url, outlet, author, published``)."""
    text = row.get(TEXT_FIELD)
    if not isinstance(text, str) or not text.strip():
        what = "no text field" if text is None else "an empty text field" if isinstance(text, str) else f"a {type(text).__name__} as text"
        return Rejected(input=label, reason=f"empty: row has {what}")
    published = next((row[key] for key in PUBLISHED_FIELDS if row.get(key)), None)
    row_id = row.get("id")
    return make_article(
        label,
        text,
        id=str(row_id) if row_id not in (None, "") and not isinstance(row_id, dict | list) else label,
        title=row.get("title"),
        url=row.get("url"),
        outlet=row.get("outlet") or defaults.outlet,
        author=row.get("author"),
        published=normalize_date(published) or defaults.published,
    )


def _guarded_row(label: str, build) -> Article | Rejected:
    try:
        return build()
    except RejectInput as exc:
        return Rejected(input=label, reason=exc.reason)
    except Exception as exc:  # one odd row must not stop the rows after it
        return Rejected(input=label, reason=f"error: {type(exc).__name__}: {exc}")


_json_decoder = msgspec.json.Decoder()


def read_json_line(line: bytes, label: str, defaults: RowDefaults) -> Article | Rejected:
    """One JSONL line as an Article, or Rejected with the reason (never raises)."""
    return _guarded_row(label, lambda: _json_row(line, label, defaults))


def _json_row(line: bytes, label: str, defaults: RowDefaults) -> Article | Rejected:
    line = line.removeprefix(codecs.BOM_UTF8)  # files saved by Windows tools start with one
    if len(line) > defaults.max_bytes:
        raise RejectInput("too large", f"row over the {megabytes(defaults.max_bytes)} limit")
    try:
        line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RejectInput("undecodable", f"row is not UTF-8 ({exc.reason} at byte {exc.start})") from None
    try:
        row = _json_decoder.decode(line)
    except msgspec.DecodeError as exc:
        raise RejectInput("malformed JSON", str(exc)) from None
    if not isinstance(row, dict):
        raise RejectInput("malformed row", f"expected a JSON object, got {type(row).__name__}")
    return row_to_article(row, label, defaults)


def read_jsonl(stream: BinaryIO, name: str, defaults: RowDefaults) -> Iterator[Article | Rejected]:
    """One item per non-blank line of a JSON Lines stream."""
    rows = 0
    for lineno, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        rows += 1
        label = f"{name}:{lineno}"
        yield read_json_line(line, label, defaults)
    if rows == 0:
        yield Rejected(input=name, reason="empty: no rows")


def read_json(stream: BinaryIO, name: str, defaults: RowDefaults) -> Iterator[Article | Rejected]:
    """A .json file: an array of row objects, one object, or JSON Lines after all."""
    data = read_limited(stream, defaults.max_bytes * JSON_ARRAY_FACTOR).removeprefix(codecs.BOM_UTF8)
    head = data.lstrip()[:1]
    if head not in (b"[", b"{"):
        yield from read_jsonl(io.BytesIO(data), name, defaults)
        return
    try:
        value = _json_decoder.decode(data)
    except msgspec.DecodeError as exc:
        if head == b"{":  # several objects, one a line
            yield from read_jsonl(io.BytesIO(data), name, defaults)
            return
        raise RejectInput("malformed JSON", str(exc)) from None
    items = value if isinstance(value, list) else [value]
    if not items:
        yield Rejected(input=name, reason="empty: no rows")
    for index, item in enumerate(items, start=1):
        label = f"{name}:{index}"
        if isinstance(item, dict):
            yield _guarded_row(label, lambda item=item, label=label: row_to_article(item, label, defaults))
        else:
            yield Rejected(input=label, reason=f"malformed row: expected a JSON object, got {type(item).__name__}")


def _field(value: str) -> str:
    """A CSV field read with surrogateescape, decoded properly when it was not UTF-8."""
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        return decode_bytes(value.encode("utf-8", "surrogateescape"))


def _csv_row(header: list[str], fields: list[str], label: str, defaults: RowDefaults) -> Article | Rejected:
    if len(fields) > len(header):
        raise RejectInput("malformed row", f"{len(fields)} fields, the header has {len(header)}")
    if sum(map(len, fields)) > defaults.max_bytes:
        raise RejectInput("too large", f"row over the {megabytes(defaults.max_bytes)} limit")
    row = {key: _field(value) for key, value in zip(header, fields, strict=False) if key}
    return row_to_article(row, label, defaults)


# Spreadsheets saved in many locales separate fields with ";": tried when the header line
# holds none of the expected delimiter.
_OTHER_DELIMITERS = (";", "\t", "|")


def _header_delimiter(line: str, expected: str) -> str:
    if expected in line:
        return expected
    return max(_OTHER_DELIMITERS, key=line.count) if any(d in line for d in _OTHER_DELIMITERS) else expected


def read_csv(
    stream: BinaryIO, name: str, defaults: RowDefaults, delimiter: str = ","
) -> Iterator[Article | Rejected]:
    """One item per record of a CSV (or TSV) stream with a header row naming the fields."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="")
    first_line = text.readline()
    if not first_line.strip():
        raise RejectInput("empty", "no header row")
    delimiter = _header_delimiter(first_line, delimiter)
    try:
        header = next(csv.reader([first_line], delimiter=delimiter), [])
    except csv.Error as exc:
        raise RejectInput("malformed CSV", f"header: {exc}") from None
    header = [column.strip().lower() for column in header]
    if TEXT_FIELD not in header:
        raise RejectInput("malformed CSV", f"no {TEXT_FIELD!r} column (columns: {', '.join(header)[:200]})")
    reader = csv.reader(text, delimiter=delimiter)
    rows = 0
    while True:
        start = reader.line_num + 2  # the header line was read before the reader started
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            rows += 1
            yield Rejected(input=f"{name}:{start}", reason=f"malformed row: {exc}")
            if reader.line_num < start:  # the reader made no progress: stop rather than loop
                break
            continue
        if not fields:  # a blank line is no row
            continue
        rows += 1
        label = f"{name}:{start}"
        yield _guarded_row(label, lambda fields=fields, label=label: _csv_row(header, fields, label, defaults))
    if rows == 0:
        yield Rejected(input=name, reason="empty: no rows")
