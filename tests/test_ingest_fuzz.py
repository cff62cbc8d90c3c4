"""Property tests: whatever the bytes, every reader answers with Articles and Rejecteds.

No exception escapes, every Rejected says why, and row files account for every row:
accepted + rejected == rows.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportedly.ingest import Fetcher, read_inputs
from reportedly.ingest.checks import RejectInput
from reportedly.records import Article, Rejected

FIXTURES = Path(__file__).parent / "fixtures"
KURSK_HTML = (FIXTURES / "kursk.html").read_bytes()
SENTENCES = [
    "Ukrainian officials said the strike destroyed a fuel depot near the border.",
    "Two civilians were wounded when shells hit the market, the governor said.",
    "Les autorités ont déclaré que la frappe avait détruit un dépôt de carburant.",
    "",
    "   ",
    "ok",
]
EXTENSIONS = [".txt", ".md", ".html", ".htm", ".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".xml", ".html.gz", ""]
SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class OfflineFetcher(Fetcher):
    """A Fetcher that never touches the network: every request is refused."""

    def __init__(self) -> None:
        super().__init__(delay=0)

    def fetch(self, url: str):
        raise RejectInput("fetch failed", "offline test")


def read_bytes_as(data: bytes, suffix: str, **kwargs) -> list[Article | Rejected]:
    with tempfile.TemporaryDirectory() as folder, OfflineFetcher() as fetcher:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        return list(read_inputs([str(path)], fetcher=fetcher, **kwargs))


def assert_well_formed(items: list) -> None:
    assert items, "every input yields at least one item"
    for item in items:
        assert isinstance(item, Article | Rejected), item
        if isinstance(item, Rejected):
            assert item.reason.strip() and item.input
        else:
            assert item.text.strip()
            item.text.encode("utf-8")


@SETTINGS
@given(st.binary(max_size=4000), st.sampled_from(EXTENSIONS))
def test_random_bytes_through_every_reader(data, suffix):
    assert_well_formed(read_bytes_as(data, suffix))


@SETTINGS
@given(st.integers(min_value=0, max_value=len(KURSK_HTML)), st.sampled_from([".html", ".html.gz", ""]))
def test_truncated_html(cut, suffix):
    data = KURSK_HTML[:cut]
    if suffix.endswith(".gz"):
        data = gzip.compress(data)
    assert_well_formed(read_bytes_as(data, suffix))


@SETTINGS
@given(
    st.lists(st.sampled_from(SENTENCES[:3]), min_size=1, max_size=6),
    st.lists(st.tuples(st.integers(min_value=0), st.binary(min_size=1, max_size=3).map(lambda b: bytes(x | 0x80 for x in b))), max_size=6),
    st.sampled_from([".txt", ".html", ".jsonl", ".csv"]),
)
def test_bad_utf8_sprinkled_into_text(sentences, insertions, suffix):
    data = " ".join(sentences).encode("utf-8")
    for position, junk in insertions:
        position %= len(data) + 1
        data = data[:position] + junk + data[position:]
    if suffix == ".jsonl":
        data = b'{"text": "' + data.replace(b'"', b"'") + b'"}\n'
    elif suffix == ".csv":
        data = b'id,text\n1,"' + data.replace(b'"', b"'") + b'"\n'
    items = read_bytes_as(data, suffix)
    assert_well_formed(items)
    if suffix in (".jsonl", ".csv"):
        assert len(items) == 1


@SETTINGS
@given(st.integers(min_value=1, max_value=400_000), st.sampled_from([".txt", ".html", ".jsonl", ".csv"]))
def test_huge_lines(length, suffix):
    line = ("word " * (length // 5 + 1))[:length].encode()
    data = {
        ".jsonl": b'{"text": "' + line + b'"}\n',
        ".csv": b"text\n" + line + b"\n",
    }.get(suffix, line)
    items = read_bytes_as(data, suffix, max_bytes=200_000)
    assert_well_formed(items)
    if len(data) > 200_000 + 100:
        assert all(isinstance(item, Rejected) and item.reason.startswith("too large") for item in items)


# JSON Lines rows: a well-formed object, malformed JSON, a JSON value that is no object,
# or plain junk without a newline. Each is one row.
_text = st.one_of(st.sampled_from(SENTENCES), st.text(max_size=80))
_good_row = st.fixed_dictionaries(
    {"text": _text},
    optional={"id": st.one_of(st.text(max_size=10), st.integers()), "title": st.text(max_size=20),
              "date": st.one_of(st.text(max_size=25), st.just("2024-11-08T10:00:00Z")),
              "author": st.one_of(st.text(max_size=10), st.lists(st.text(max_size=5), max_size=3)),
              "outlet": st.one_of(st.none(), st.integers(), st.text(max_size=10))},
).map(lambda row: json.dumps(row).encode())
_no_text_row = st.fixed_dictionaries({"id": st.text(max_size=5)}).map(lambda r: json.dumps(r).encode())
_non_object = st.one_of(st.integers(), st.lists(st.integers(), max_size=3), st.text(max_size=10)).map(
    lambda v: json.dumps(v).encode()
)
_truncated = _good_row.flatmap(lambda row: st.integers(1, max(1, len(row) - 1)).map(lambda n: row[:n]))
_junk = st.binary(max_size=60).map(lambda b: b.replace(b"\n", b" "))
_jsonl_row = st.one_of(_good_row, _no_text_row, _non_object, _truncated, _junk)


@SETTINGS
@given(st.lists(_jsonl_row, max_size=12), st.sampled_from([".jsonl", ".ndjson"]))
def test_jsonl_rows_are_conserved(rows, suffix):
    items = read_bytes_as(b"\n".join(rows) + b"\n", suffix)
    assert_well_formed(items)
    expected = sum(1 for row in rows if row.strip())
    if expected == 0:
        assert len(items) == 1 and isinstance(items[0], Rejected)
    else:
        assert len(items) == expected
        labels = [item.input for item in items if isinstance(item, Rejected)]
        assert len(labels) == len(set(labels))


# CSV rows written by csv.writer (quoted as needed), with any number of fields: too many
# fields is a malformed row, too few leaves the missing ones empty.
_field = st.one_of(st.sampled_from(SENTENCES), st.text(st.characters(exclude_categories=("Cs",)), max_size=40))
_csv_row = st.lists(_field, min_size=1, max_size=5)


@SETTINGS
@given(st.lists(_csv_row, max_size=10), st.sampled_from([",", "\t"]))
def test_csv_rows_are_conserved(rows, delimiter):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(["id", "text", "date"])
    writer.writerows(rows)
    suffix = ".csv" if delimiter == "," else ".tsv"
    items = read_bytes_as(buffer.getvalue().encode("utf-8"), suffix)
    assert_well_formed(items)
    if not rows:
        assert len(items) == 1 and isinstance(items[0], Rejected)
    else:
        assert len(items) == len(rows)


@SETTINGS
@given(st.lists(st.one_of(st.text(max_size=40), st.sampled_from(['a,"b', '"open', 'x,"y""z"', ",,,,,,,"])), max_size=8))
def test_csv_with_broken_quoting_never_raises(lines):
    data = ("id,text\n" + "\n".join(lines)).encode("utf-8", "surrogatepass")
    assert_well_formed(read_bytes_as(data, ".csv"))


@SETTINGS
@given(st.lists(st.one_of(_good_row, _non_object, _truncated), max_size=6))
def test_json_arrays(rows):
    data = b"[" + b",".join(rows) + b"]"
    items = read_bytes_as(data, ".json")
    assert_well_formed(items)
    try:
        parsed = json.loads(data)
    except ValueError:
        assert len(items) == 1 and isinstance(items[0], Rejected)
    else:
        assert len(items) == max(1, len(parsed))
