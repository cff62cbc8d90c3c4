"""`reportedly ingest` and Store.ingest: every input stored once or rejected with a reason."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportedly.cli import main
from reportedly.ingest import read_inputs
from reportedly.ingest.clean import clean_text
from reportedly.pipeline import document_id
from reportedly.records import Article
from reportedly.store import Store

PLACES = ("Kharkiv", "Izium", "Kupiansk", "Bakhmut", "Avdiivka", "Kherson", "Mariupol", "Sumy")


def article_text(n: int) -> str:
    place = PLACES[n % len(PLACES)]
    return (
        f"Russian artillery struck {place} on Monday, killing {n + 2} civilians and wounding others, "
        f"the regional governor said. Ukrainian forces said they had repelled {n + 1} attacks near {place}."
    )


def write_inputs(folder: Path, count: int) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        path = folder / f"article-{n:02d}.txt"
        path.write_text(article_text(n), encoding="utf-8")
        paths.append(str(path))
    return paths


def test_ingest_command_stores_skips_and_rejects(tmp_path, pipeline):
    folder = tmp_path / "in"
    write_inputs(folder, 4)
    (folder / "copy.txt").write_text(article_text(0), encoding="utf-8")  # the same text twice
    (folder / "empty.txt").write_text("   \n", encoding="utf-8")
    rows = folder / "rows.jsonl"
    rows.write_text(
        json.dumps({"id": "r1", "text": article_text(10), "outlet": "kyivindependent.com", "date": "2022-03-01"})
        + "\n{not json\n" + json.dumps({"id": "r3", "title": "no text"}) + "\n",
        encoding="utf-8",
    )
    db = tmp_path / "r.db"
    args = ["ingest", str(folder), str(tmp_path / "missing.txt"), "--db", str(db)]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert "stored" in first.output and "rejected" in first.output
    with Store.open(db, read_only=True) as store:
        assert store.counts()["documents"] == 5
        rejected = {row["input"]: row["reason"] for row in store.sql("SELECT input, reason FROM rejected")}
        (row,) = store.sql("SELECT outlet, published FROM documents WHERE external_id = 'r1'")
        assert (row["outlet"], str(row["published"])) == ("kyivindependent.com", "2022-03-01")
    assert any(name.endswith("empty.txt") for name in rejected)
    assert any(name.endswith("missing.txt") for name in rejected)
    assert sum(1 for name in rejected if "rows.jsonl" in name) == 2  # the broken row and the textless one
    again = CliRunner().invoke(main, [*args, "--quiet"])
    assert again.exit_code == 0 and again.output == ""
    with Store.open(db, read_only=True) as store:
        assert store.counts()["documents"] == 5  # re-running adds nothing


def test_ingest_api_summary_and_events(tmp_path, pipeline):
    paths = write_inputs(tmp_path / "in", 3)
    with Store.open(tmp_path / "r.db") as store:
        summary = store.ingest(paths, published="2024-05-01", outlet="example.com", progress=False)
        assert (summary.read, summary.stored, summary.skipped, summary.rejected_total) == (3, 3, 0, 0)
        assert summary.words == sum(len(article_text(n).split()) for n in range(3))
        again = store.ingest(paths + paths, progress=False)
        assert (again.stored, again.skipped) == (0, 6)
        frame = store.events(as_="pandas")
        assert set(frame.columns) >= {"doc_id", "type", "outlet", "published", "independent_origins"}
        assert {d["outlet"] for d in store.documents()} == {"example.com"}


def test_a_document_whose_analysis_raises_is_rejected(tmp_path, pipeline, monkeypatch):
    def explode(analysis):
        if "Bakhmut" in analysis.document.text:
            raise RuntimeError("stage blew up")

    monkeypatch.setattr(pipeline, "stages", [*pipeline.stages, explode])
    paths = write_inputs(tmp_path / "in", 4)  # article 3 is about Bakhmut
    with Store.open(tmp_path / "r.db") as store:
        summary = store.ingest(paths, progress=False)
        assert (summary.stored, summary.rejected_total) == (3, 1)
        assert summary.rejected == {"analysis failed": 1}
        (row,) = store.sql("SELECT input, reason FROM rejected")
    assert row["input"].endswith("article-03.txt")
    assert row["reason"] == "analysis failed: RuntimeError: stage blew up"
    monkeypatch.undo()  # the stage is fixed: a re-run stores the document and forgets the rejection
    with Store.open(tmp_path / "r.db") as store:
        summary = store.ingest(paths, progress=False)
        assert (summary.stored, summary.skipped, summary.rejected_total) == (1, 3, 0)
        assert store.sql("SELECT * FROM rejected") == []


# --- property: whatever the bytes, no crash, and every input stored or rejected ---------------

HTML = (
    "<html><head><title>Strike on Odesa</title></head><body><article><h1>Strike on Odesa</h1>"
    "<p>Russian drones hit the port of Odesa overnight, killing two people, the regional "
    "administration said on Sunday.</p><p>Air defences shot down 20 of 25 drones, the air force said.</p>"
    "</article></body></html>"
)

words = st.sampled_from(["Russian", "forces", "shelled", "Kharkiv", "on", "Monday", "killing", "three", "officials", "said", "the"])
sentences = st.lists(words, min_size=0, max_size=25).map(" ".join)


def truncated_html():
    return st.integers(0, len(HTML)).map(lambda n: HTML[:n].encode())


def bad_utf8():
    return st.tuples(sentences, st.binary(min_size=1, max_size=6), sentences).map(
        lambda parts: parts[0].encode() + b"\xff\xfe" + parts[1] + parts[2].encode()
    )


def huge_line():
    return st.tuples(st.integers(1_000, 30_000), st.booleans()).map(
        lambda spec: ((("Kharkiv " if spec[1] else "x") * spec[0]) + "\n").encode()
    )


def jsonl_rows():
    row = st.one_of(
        sentences.map(lambda s: json.dumps({"text": s})),
        sentences.map(lambda s: json.dumps({"text": s, "date": "not a date", "outlet": 5})),
        st.just(json.dumps({"title": "no text"})),
        st.just(json.dumps([1, 2, 3])),
        st.text(max_size=30).map(lambda s: "{" + s),
        st.just(json.dumps({"text": 12})),
    )
    return st.lists(row, max_size=5).map(lambda lines: "\n".join(lines).encode("utf-8", "surrogatepass"))


def csv_rows():
    line = st.one_of(
        sentences.map(lambda s: f'"{s}",2022-03-01'),
        st.just('"unclosed quote,2022'),
        st.just("a,b,c,d,e,f"),
        st.just(""),
    )
    return st.lists(line, max_size=5).map(lambda lines: ("text,date\n" + "\n".join(lines)).encode())


inputs = st.lists(
    st.one_of(
        st.tuples(st.just(".txt"), st.binary(max_size=200)),
        st.tuples(st.just(".bin"), st.binary(max_size=200)),
        st.tuples(st.just(".html"), truncated_html()),
        st.tuples(st.just(".txt"), bad_utf8()),
        st.tuples(st.just(".txt"), huge_line()),
        st.tuples(st.just(".txt"), sentences.map(str.encode)),
        st.tuples(st.just(".jsonl"), jsonl_rows()),
        st.tuples(st.just(".csv"), csv_rows()),
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(files=inputs)
def test_any_input_is_stored_or_rejected_with_a_reason(files, pipeline):
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for n, (suffix, data) in enumerate(files):
            path = Path(tmp) / f"input-{n}{suffix}"
            path.write_bytes(data)
            paths.append(str(path))
        with Store.open(":memory:") as store:
            summary = store.ingest(paths, max_bytes=20_000, progress=False)
            stored = {row["id"] for row in store.sql("SELECT id FROM documents")}
            rejected = {(r["input"], r["reason"]) for r in store.sql("SELECT input, reason FROM rejected")}
            failed = {name for name, reason in rejected if reason.startswith("analysis failed")}
            assert summary.stored == len(stored)
            for item in read_inputs(paths, max_bytes=20_000):
                if isinstance(item, Article):
                    assert document_id(clean_text(item.text)) in stored or item.id in failed, item
                else:
                    assert item.reason and (item.input, item.reason) in rejected, item
