"""The file readers: text, HTML, JSONL/JSON, CSV/TSV, folders, stdin, and bad input."""

from __future__ import annotations

import csv
import gzip
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from reportedly.ingest import (
    DEFAULT_MAX_BYTES,
    iter_files,
    read_inputs,
    rejection_kind,
    summarize_rejections,
)
from reportedly.ingest.checks import normalize_date
from reportedly.records import Article, Rejected

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
INGEST = FIXTURES / "ingest"
ODESA = (INGEST / "odesa-drones.txt").read_text(encoding="utf-8")


def read(*paths, **kwargs) -> list[Article | Rejected]:
    return list(read_inputs([str(p) for p in paths], **kwargs))


def only_article(items) -> Article:
    assert len(items) == 1 and isinstance(items[0], Article), items
    return items[0]


def only_rejected(items) -> Rejected:
    assert len(items) == 1 and isinstance(items[0], Rejected), items
    assert items[0].reason
    return items[0]


# Plain text


def test_text_file_takes_arguments_for_metadata():
    path = INGEST / "odesa-drones.txt"
    article = only_article(read(path, published="2024-03-12T08:00:00", outlet="wire.example"))
    assert article.id == str(path)
    assert article.published == "2024-03-12"
    assert article.outlet == "wire.example"
    assert article.text.startswith("Drones Hit Port Infrastructure in Odesa Region Overnight\n\nUkraine's")
    assert "Russia's defence ministry did not comment on the strike." in article.text


def test_example_text_file_is_cleaned():
    article = only_article(read(ROOT / "examples" / "kursk-friendly-fire.txt"))
    assert "Trending Now" not in article.text
    assert article.text.count("Photo: Sfc Keith J. Gardner") == 1


# HTML


def test_kursk_html_page():
    article = only_article(read(FIXTURES / "kursk.html", published="2020-01-01", outlet="fallback.example"))
    for sentence in (
        "accidentally fired on Russian positions",
        "The Koreans started shooting at us",
        "around 8,000 North Korean soldiers",
        "sought equipment and drones from Iran.",
    ):
        assert sentence in article.text
    for furniture in (
        "Trending Now", "Ferry strike enters third week", "Inside the drone workshop", "Politics",
        "Subscribe for 1 euro", "We use cookies", "All rights reserved", "Privacy policy",
        "Sign up for our newsletter", "Share this article",
    ):
        assert furniture not in article.text, furniture
    assert article.published == "2024-11-08"  # the page's date wins over the argument
    assert article.author == "Kathrine Frich"
    assert article.outlet == "The Baltic Ledger"
    assert article.title.startswith("‘They Fired in the Wrong Direction’")
    assert article.url == "https://baltic-ledger.example/war/north-korean-soldiers-shoot-russians-by-mistake"
    assert article.id == str(FIXTURES / "kursk.html")
    assert "\n\n" in article.text  # paragraphs stay paragraphs


def test_html_without_metadata_falls_back_to_arguments(tmp_path):
    paragraphs = "".join(f"<p>{p}</p>" for p in ODESA.split("\n\n"))
    page = tmp_path / "bare.htm"
    page.write_text(f"<html><body><div>{paragraphs}</div></body></html>", encoding="utf-8")
    article = only_article(read(page, published="2024-03-12", outlet="wire.example"))
    assert article.published == "2024-03-12" and article.outlet == "wire.example"
    assert "23 attack drones" in article.text


def test_gzipped_html(tmp_path):
    page = tmp_path / "kursk.html.gz"
    page.write_bytes(gzip.compress((FIXTURES / "kursk.html").read_bytes()))
    assert "The Koreans started shooting at us" in only_article(read(page)).text


def test_html_with_no_body_is_rejected(tmp_path):
    page = tmp_path / "nav.html"
    page.write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>", encoding="utf-8")
    rejected = only_rejected(read(page))
    assert rejected.input == str(page)
    assert rejection_kind(rejected.reason) in ("no article text", "too short")


def test_html_in_a_declared_legacy_charset(tmp_path):
    body = "<p>The mayor’s office said the strike on the café damaged four buildings and a school nearby.</p>"
    html = f"<html><head><meta charset='windows-1252'></head><body>{body}</body></html>"
    page = tmp_path / "legacy.html"
    page.write_bytes(html.encode("cp1252"))
    assert "The mayor’s office said the strike on the café" in only_article(read(page)).text


# JSON Lines and JSON


def test_jsonl_rows_each_accepted_or_rejected_with_line_numbers():
    name = str(INGEST / "rows.jsonl")
    items = read(INGEST / "rows.jsonl", outlet="fallback.example", published="2024-01-01")
    assert len(items) == 8  # 9 lines, one blank
    by_input = {item.input if isinstance(item, Rejected) else item.id: item for item in items}
    first = by_input["a1"]
    assert (first.title, first.url, first.outlet, first.author, first.published) == (
        "Drones hit port", "https://news.example/a1", "news.example", "Staff", "2024-03-12",
    )
    last = by_input["a9"]
    assert last.author == "Anna Koval, Petro Ilchenko"
    assert last.outlet == "fallback.example" and last.published == "2024-01-01"
    assert by_input[f"{name}:2"].reason == "empty: row has no text field"
    assert rejection_kind(by_input[f"{name}:3"].reason) == "malformed JSON"
    assert rejection_kind(by_input[f"{name}:4"].reason) == "malformed JSON"
    assert rejection_kind(by_input[f"{name}:6"].reason) == "malformed row"
    assert by_input[f"{name}:7"].reason == "language fr, not English"
    assert rejection_kind(by_input[f"{name}:8"].reason) == "too short"
    rejected = [item for item in items if isinstance(item, Rejected)]
    assert summarize_rejections(rejected) == {
        "malformed JSON": 2, "empty": 1, "malformed row": 1, "language": 1, "too short": 1,
    }


def test_json_array_and_single_object(tmp_path):
    rows = [{"id": "x1", "text": ODESA, "date": "2024-03-12"}, {"id": "x2"}, "not an object"]
    array = tmp_path / "rows.json"
    array.write_text(json.dumps(rows), encoding="utf-8")
    items = read(array)
    assert [type(item).__name__ for item in items] == ["Article", "Rejected", "Rejected"]
    assert items[0].id == "x1" and items[0].published == "2024-03-12"
    assert items[1].input == f"{array}:2"
    single = tmp_path / "one.json"
    single.write_text(json.dumps(rows[0], indent=2), encoding="utf-8")
    assert only_article(read(single)).id == "x1"
    lines = tmp_path / "lines.json"
    lines.write_text("\n".join(json.dumps(r) for r in rows[:2]), encoding="utf-8")
    assert [type(item).__name__ for item in read(lines)] == ["Article", "Rejected"]


def test_jsonl_and_json_with_a_byte_order_mark(tmp_path):
    lines = tmp_path / "bom.jsonl"
    lines.write_bytes(b"\xef\xbb\xbf" + json.dumps({"id": "b1", "text": ODESA}).encode() + b"\n")
    assert only_article(read(lines)).id == "b1"
    array = tmp_path / "bom.json"
    array.write_bytes(b"\xef\xbb\xbf" + json.dumps([{"id": "b2", "text": ODESA}]).encode())
    assert only_article(read(array)).id == "b2"


def test_unreadable_row_date_falls_back_to_the_argument(tmp_path):
    path = tmp_path / "dates.jsonl"
    path.write_text(json.dumps({"id": "d", "text": ODESA, "date": "sometime in spring"}) + "\n", encoding="utf-8")
    assert only_article(read(path, published="2024-03-12")).published == "2024-03-12"


def test_row_without_id_gets_its_line_as_id(tmp_path):
    path = tmp_path / "noid.ndjson"
    path.write_text(json.dumps({"text": ODESA}) + "\n", encoding="utf-8")
    assert only_article(read(path)).id == f"{path}:1"


def test_jsonl_bad_utf8_row_rejected_others_kept(tmp_path):
    path = tmp_path / "mixed.jsonl"
    good = json.dumps({"id": "g", "text": ODESA}).encode()
    path.write_bytes(good + b"\n" + b'{"id": "b", "text": "caf\xe9 \xff\xfe"}\n' + good + b"\n")
    items = read(path)
    assert [type(item).__name__ for item in items] == ["Article", "Rejected", "Article"]
    assert items[1].input == f"{path}:2" and rejection_kind(items[1].reason) == "undecodable"


def test_empty_jsonl_file(tmp_path):
    path = tmp_path / "blank.jsonl"
    path.write_text("\n  \n", encoding="utf-8")
    assert rejection_kind(only_rejected(read(path)).reason) == "empty"


def test_jsonl_row_over_the_cap(tmp_path):
    path = tmp_path / "big.jsonl"
    path.write_text(json.dumps({"id": "big", "text": "word " * 3000}) + "\n", encoding="utf-8")
    assert rejection_kind(only_rejected(read(path, max_bytes=10_000)).reason) == "too large"
    assert only_article(read(path)).id == "big"


# CSV


def test_csv_rows():
    name = str(INGEST / "rows.csv")
    items = read(INGEST / "rows.csv")
    assert [type(item).__name__ for item in items] == ["Article", "Rejected", "Rejected", "Article"]
    assert (items[0].id, items[0].outlet, items[0].published, items[0].title) == (
        "c1", "wire.example", "2024-05-02", "Shelling in Kharkiv",
    )
    assert items[1].input == f"{name}:3" and rejection_kind(items[1].reason) == "empty"
    assert items[2].input == f"{name}:4" and rejection_kind(items[2].reason) == "malformed row"
    assert items[3].published == "2024-05-03"  # "May 3, 2024"
    assert items[3].text == "The mayor said the strike damaged a school.\n\nNo children were hurt, he added."


def test_csv_with_a_huge_field(tmp_path):
    text = "Officials said the shelling continued through the night. " * 20_000  # ~1.1 MB field
    path = tmp_path / "huge.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text", "date"])
        writer.writerow(["h1", text, "2024-02-01"])
    article = only_article(read(path))
    assert article.id == "h1" and len(article.text) > 1_000_000


def test_csv_without_text_column(tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text("id,body\n1,Officials said the shelling continued\n", encoding="utf-8")
    rejected = only_rejected(read(path))
    assert rejection_kind(rejected.reason) == "malformed CSV" and "'text'" in rejected.reason


def test_semicolon_separated_csv(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_text('id;outlet;text\ns1;wire.example;"' + ODESA.replace("\n", " ") + '"\ns2;wire.example;\n', encoding="utf-8")
    items = read(path)
    assert [type(item).__name__ for item in items] == ["Article", "Rejected"]
    assert (items[0].id, items[0].outlet) == ("s1", "wire.example")
    assert items[1].input == f"{path}:3"


def test_tsv_and_header_case(tmp_path):
    path = tmp_path / "rows.tsv"
    path.write_text("ID\tText\tOutlet\nt1\t" + ODESA.replace("\n", " ") + "\twire.example\n", encoding="utf-8")
    article = only_article(read(path))
    assert (article.id, article.outlet) == ("t1", "wire.example")


def test_csv_in_a_legacy_encoding(tmp_path):
    path = tmp_path / "latin.csv"
    row = "id,text\nl1,\"The café’s owner said the blast shattered every window on the street.\"\n"
    path.write_bytes(row.encode("cp1252"))
    assert "café’s owner" in only_article(read(path)).text


# Folders and stdin


def test_folder_is_read_recursively_in_sorted_order(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.txt").write_text(ODESA, encoding="utf-8")
    (tmp_path / "a.md").write_text(ODESA.replace("Odesa", "Mykolaiv"), encoding="utf-8")
    (tmp_path / "c.jsonl").write_text(json.dumps({"id": "j", "text": ODESA}) + "\n", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text(ODESA, encoding="utf-8")
    (tmp_path / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    assert [p.relative_to(tmp_path).as_posix() for p in iter_files([tmp_path])] == [
        "a.md", "b/z.txt", "c.jsonl", "photo.png",
    ]
    items = read(tmp_path)
    assert [getattr(item, "id", None) or item.input for item in items] == [
        str(tmp_path / "a.md"), str(tmp_path / "b" / "z.txt"), "j", str(tmp_path / "photo.png"),
    ]
    assert rejection_kind(items[-1].reason) == "unsupported"
    assert read(tmp_path) == items  # stable


def test_unknown_extension_named_explicitly_is_sniffed(tmp_path):
    page = tmp_path / "page"
    page.write_bytes((FIXTURES / "kursk.html").read_bytes())
    assert only_article(read(page)).author == "Kathrine Frich"


def test_stdin_text(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(ODESA.encode("utf-8"))))
    article = only_article(read("-", outlet="wire.example"))
    assert article.id == "-" and article.outlet == "wire.example" and "23 attack drones" in article.text


def test_stdin_replaced_by_a_string_buffer(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("   \n\t "))
    assert only_rejected(read("-")).reason == "empty: only whitespace"


def test_stdin_html_and_jsonl_through_a_subprocess():
    code = (
        "import sys; from reportedly.ingest import read_inputs\n"
        "for item in read_inputs(['-']): print(type(item).__name__, getattr(item, 'author', None) or getattr(item, 'id', ''))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], input=(FIXTURES / "kursk.html").read_bytes(),
        capture_output=True, check=True,
    )
    assert run.stdout.decode().strip() == "Article Kathrine Frich"
    rows = (INGEST / "rows.jsonl").read_bytes()
    run = subprocess.run([sys.executable, "-c", code], input=rows, capture_output=True, check=True)
    assert run.stdout.decode().split("\n")[0] == "Article Staff"
    assert run.stdout.decode().count("Rejected") == 6


def test_stdin_jsonl_streams_past_the_document_cap(monkeypatch):
    rows = b"".join(
        json.dumps({"id": f"r{i}", "text": ODESA.replace("23", str(i))}).encode() + b"\n" for i in range(20)
    )
    assert len(rows) > 5 * 2000
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(rows)))
    items = read("-", max_bytes=2000)
    assert [item.id for item in items] == [f"r{i}" for i in range(20)]


def test_stdin_pretty_printed_json_object(monkeypatch):
    data = json.dumps({"id": "p1", "text": ODESA}, indent=2).encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert only_article(read("-")).id == "p1"


# Bad input


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"", "empty"),
        (b"  \n\t\r\n  ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
        (bytes(range(1, 9)) * 200, "binary"),
        (bytes(range(128, 256)) * 40, "undecodable"),
        (b"Trending Now\nAdvertisement\n", "empty"),
        (b"Shelling reported overnight.", "too short"),
        ("Российские войска нанесли удар по порту Одессы ночью, сообщили военные.".encode(), "language"),
    ],
)
def test_bad_text_files(tmp_path, content, kind):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    rejected = only_rejected(read(path))
    assert rejected.input == str(path)
    assert rejection_kind(rejected.reason) == kind, rejected.reason


def test_language_reason_keeps_the_code(tmp_path):
    path = tmp_path / "de.txt"
    path.write_text(
        "Die ukrainische Armee teilte am Dienstag mit, dass russische Drohnen in der Nacht "
        "einen Getreidespeicher in der Region Odessa beschädigt haben.", encoding="utf-8",
    )
    assert only_rejected(read(path)).reason == "language de, not English"


def test_legacy_8bit_text_is_decoded(tmp_path):
    path = tmp_path / "cp1252.txt"
    path.write_bytes("The minister’s statement – issued on Tuesday – named the café.".encode("cp1252"))
    assert only_article(read(path)).text == "The minister’s statement – issued on Tuesday – named the café."


def test_utf8_with_bom_and_utf16(tmp_path):
    bom = tmp_path / "bom.txt"
    bom.write_bytes(b"\xef\xbb\xbf" + ODESA.encode("utf-8"))
    assert only_article(read(bom)).text.startswith("Drones Hit Port")
    wide = tmp_path / "wide.txt"
    wide.write_bytes(ODESA.encode("utf-16"))
    assert only_article(read(wide)).text.startswith("Drones Hit Port")


def test_too_large_file(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text(ODESA * 20, encoding="utf-8")
    assert rejection_kind(only_rejected(read(path, max_bytes=1000)).reason) == "too large"
    assert DEFAULT_MAX_BYTES == 5 * 1024 * 1024


def test_gzip_bomb_stops_at_the_cap(tmp_path):
    path = tmp_path / "bomb.txt.gz"
    path.write_bytes(gzip.compress(b"a " * 3_000_000))
    assert rejection_kind(only_rejected(read(path, max_bytes=1_000_000)).reason) == "too large"


def test_broken_gzip(tmp_path):
    path = tmp_path / "broken.html.gz"
    path.write_bytes(gzip.compress((FIXTURES / "kursk.html").read_bytes())[:200])
    assert rejection_kind(only_rejected(read(path)).reason) == "malformed gzip"


def test_gzipped_jsonl_broken_midway_keeps_the_rows_before(tmp_path):
    rows = b"".join(json.dumps({"id": f"z{i}", "text": ODESA}).encode() + b"\n" for i in range(40))
    path = tmp_path / "rows.jsonl.gz"
    compressed = gzip.compress(rows)
    path.write_bytes(compressed[: len(compressed) * 2 // 3])
    items = read(path)
    assert isinstance(items[0], Article) and items[0].id == "z0"
    assert isinstance(items[-1], Rejected) and rejection_kind(items[-1].reason) == "malformed gzip"
    assert items[-1].input == str(path)


def test_missing_path_and_the_rest_goes_on(tmp_path):
    items = read(tmp_path / "nope.txt", INGEST / "odesa-drones.txt")
    assert isinstance(items[0], Rejected) and rejection_kind(items[0].reason) == "not found"
    assert isinstance(items[1], Article)


def test_xml_that_is_no_feed(tmp_path):
    path = tmp_path / "data.xml"
    path.write_text("<?xml version='1.0'?><catalog><book>War and Peace</book></catalog>", encoding="utf-8")
    assert rejection_kind(only_rejected(read(path)).reason) == "unsupported"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-11-08", "2024-11-08"),
        ("2024-11-08T09:59:00+01:00", "2024-11-08"),
        ("2024-11-08 09:59", "2024-11-08"),
        ("November 8, 2024", "2024-11-08"),
        ("8 Nov 2024", "2024-11-08"),
        ("2024-13-45", None),
        ("yesterday-ish nonsense", None),
        ("", None),
        (None, None),
    ],
)
def test_normalize_date(value, expected):
    assert normalize_date(value) == expected
