"""The DuckDB store: idempotent writes, whole-batch transactions, reading back, corroboration."""

from __future__ import annotations

import json

import msgspec
import pyarrow as pa
import pytest

from reportedly import tables
from reportedly.pipeline import document_id
from reportedly.records import (
    Actor,
    Attribution,
    Casualties,
    ChainLink,
    Corroboration,
    Count,
    CueSpan,
    Document,
    Event,
    Figure,
    Location,
    Mention,
    Origin,
    Rejected,
    Report,
    Source,
    SourceSpan,
    Span,
    When,
)
from reportedly.store import Store, StoreError

TEXT = (
    "North Korean soldiers fired on Russian positions in the Kursk region on August 6, killing two, "
    "a captured Russian soldier says in a video released by Ukrainian military intelligence."
)


def span_of(text: str, part: str) -> Span:
    start = text.index(part)
    return Span(text=part, start=start, end=start + len(part))


def make_report(text: str = TEXT, *, outlet: str = "example.com", published: str = "2024-11-08", located: bool = True) -> Report:
    """A hand-built Report shaped like the Kursk example: one event, one figure, a chain."""
    chain = [
        ChainLink(source_id="s1", name="captured Russian soldier", type="person", role="origin", cue="says"),
        ChainLink(source_id="s2", name="Ukrainian military intelligence", type="military", role="relay", cue="released"),
        ChainLink(source_id=None, name=outlet, type="media", role="publisher"),
    ]
    trigger = span_of(text, "fired")
    location = Location(
        text="the Kursk region", name="Kursk Oblast", country="RU", admin1="RU-KRS",
        geonames_id=538555, lat=51.73, lon=36.19, precision="admin1",
    ) if located else None
    event = Event(
        id="e1", type="ASSAULT", mode="firearms", acled_type="Battles", acled_subtype="Armed clash",
        trigger=trigger, sentence=0, evidence=text,
        mentions=[Mention(sentence=0, evidence=text, trigger=trigger)],
        actor=Actor(text="North Korean soldiers", name="North Korean armed forces", country="PRK", sector="military"),
        recipient=Actor(text="Russian positions", name="Russian armed forces", country="RUS", sector="military"),
        friendly_fire=True, location=location,
        date=When(text="on August 6", start="2024-08-06", end="2024-08-06", precision="day"),
        casualties=Casualties(killed=Count(min=2, max=2, text="two")),
        certainty="probable", hedges=["says"], attribution="a1", source_chain=chain,
    )
    figure = Figure(
        id="f1", text="two", span=span_of(text, "two"), value=Count(min=2, max=2, text="two"),
        kind="killed", what="soldiers", sentence=0, evidence=text, attribution="a1",
        source_chain=chain, certainty="probable", hedges=["says"], event="e1",
    )
    soldier = span_of(text, "a captured Russian soldier")
    attribution = Attribution(
        id="a1", source=SourceSpan(text=soldier.text, start=soldier.start, end=soldier.end,
                                   resolved="captured Russian soldier", source_id="s1"),
        cue=CueSpan(text="says", start=text.index("says"), end=text.index("says") + 4, kind="verb"),
        content=Span(text=text[: text.index(",")], start=0, end=text.index(",")),
    )
    sources = [
        Source(id="s1", name="captured Russian soldier", mentions=[soldier], type="person", party_to_conflict="RUS"),
        Source(id="s2", name="Ukrainian military intelligence", type="military", affiliation="UKR", party_to_conflict="UKR"),
    ]
    document = Document(
        id=document_id(text), external_id="kursk.txt", outlet=outlet, published=published,
        word_count=len(text.split()), text=text,
    )
    return Report(document=document, events=[event], figures=[figure], attributions=[attribution], sources=sources)


@pytest.fixture
def store():
    with Store.open(":memory:") as opened:
        yield opened


def test_flatten_gives_one_row_per_item_and_a_chain_link_per_link():
    rows = tables.flatten(make_report())
    assert {name: len(r) for name, r in rows.items()} == {
        "documents": 1, "events": 1, "figures": 1, "attributions": 1, "sources": 2, "chain_links": 6,
    }
    event = rows["events"][0]
    assert (event["origin_name"], event["origin_type"], event["chain_length"]) == ("captured Russian soldier", "person", 3)
    assert (event["killed_min"], event["killed_max"], event["location_admin1"]) == (2, 2, "RU-KRS")
    assert json.loads(event["source_chain"])[1]["name"] == "Ukrainian military intelligence"
    # Every row fits its table's Arrow schema.
    for name, table in tables.to_arrow([make_report()]).items():
        assert table.schema == tables.SCHEMAS[name]


def test_add_reports_is_idempotent(store: Store):
    report = make_report()
    assert store.add_reports([report, report]) == 1
    assert store.add_reports([report]) == 0
    assert store.counts() == {
        "documents": 1, "events": 1, "figures": 1, "attributions": 1, "sources": 2,
        "chain_links": 6, "rejected": 0,
    }
    assert store.has_documents([report.document.id, "0000000000000000"]) == {report.document.id}


def test_report_reads_back_the_full_record(store: Store):
    report = make_report()
    store.add_reports([report])
    assert store.report(report.document.id) == report
    assert store.report("0000000000000000") is None


def test_a_failing_batch_stores_nothing(store: Store):
    good = make_report()
    bad = make_report(TEXT + " Again.")
    bad.events.append(msgspec.structs.replace(bad.events[0]))  # duplicate event id: the key refuses it
    with pytest.raises(Exception):  # noqa: B017 - DuckDB's constraint error
        store.add_reports([good, bad])
    assert store.counts()["documents"] == 0 and store.counts()["events"] == 0


def test_events_as_arrow_pandas_polars_records(store: Store):
    store.add_reports([make_report(), make_report(TEXT + " More.", outlet="other.org", located=False)])
    arrow = store.events()
    assert isinstance(arrow, pa.Table) and arrow.num_rows == 2
    frame = store.events("outlet = ?", ["other.org"], as_="pandas")
    assert list(frame["outlet"]) == ["other.org"] and frame["location_name"].isna().all()
    records = store.events("location_country = 'RU'", as_="records")
    assert [r["actor_name"] for r in records] == ["North Korean armed forces"]
    assert records[0]["hedges"] == ["says"] and str(records[0]["date_start"]) == "2024-08-06"
    pytest.importorskip("polars")
    assert store.figures(as_="polars").shape[0] == 2
    with pytest.raises(ValueError):
        store.events(as_="excel")


def test_documents_sql_and_rejected(store: Store):
    store.add_reports([make_report()])
    (doc,) = store.documents()
    assert doc["outlet"] == "example.com" and doc["events"] == 1 and "text" not in doc
    assert store.sql("SELECT count(*) AS n FROM chain_links WHERE role = ?", ["relay"]) == [{"n": 2}]
    store.add_rejected([Rejected(input="a.txt", reason="empty: no text")] * 2)
    store.add_rejected([Rejected(input="a.txt", reason="empty: no text")])
    assert store.sql("SELECT input, reason FROM rejected") == [{"input": "a.txt", "reason": "empty: no text"}]


def test_reopening_keeps_data_and_schema_version(tmp_path):
    path = tmp_path / "r.db"
    with Store.open(path) as store:
        store.add_reports([make_report()])
        assert store.schema_version() == tables.SCHEMA_VERSION
    with Store.open(path, read_only=True) as store:
        assert store.counts()["events"] == 1
        assert store.sql("SELECT value FROM meta WHERE key = 'schema_version'") == [{"value": str(tables.SCHEMA_VERSION)}]
    with pytest.raises(StoreError):
        Store.open(tmp_path / "absent.db", read_only=True)


def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "r.db"
    with Store.open(path) as store:
        store.connection.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="newer"):
        Store.open(path)


def add_corroboration(store: Store, report: Report) -> Corroboration:
    """The corroboration tables as the corroboration stage writes them."""
    corroboration = Corroboration(
        cluster="c1", reports=3, outlets=2, independent_origins=2,
        origins=[Origin(name="captured Russian soldier", party_to_conflict="RUS")], both_sides=True,
    )
    con = store.connection
    con.execute("CREATE TABLE reuse_clusters (doc_id VARCHAR, cluster VARCHAR)")
    for kind in ("event", "figure"):
        con.execute(
            f"CREATE TABLE {kind}_corroboration (doc_id VARCHAR, {kind}_id VARCHAR, cluster VARCHAR, "
            "reports INTEGER, outlets INTEGER, independent_origins INTEGER, both_sides BOOLEAN, corroboration JSON)"
        )
    con.execute(
        "INSERT INTO event_corroboration VALUES (?, 'e1', 'c1', 3, 2, 2, true, ?)",
        [report.document.id, msgspec.json.encode(corroboration).decode()],
    )
    # A row without the JSON: built from the columns.
    con.execute("INSERT INTO figure_corroboration VALUES (?, 'f1', 'c1', 3, 2, 2, true, NULL)", [report.document.id])
    return corroboration


def test_corroboration_is_attached_when_present(store: Store):
    report = make_report()
    store.add_reports([report])
    assert store.events(as_="records")[0]["independent_origins"] is None
    corroboration = add_corroboration(store, report)
    stored = store.report(report.document.id)
    assert stored.events[0].corroboration == corroboration
    assert stored.figures[0].corroboration.independent_origins == 2
    assert stored.figures[0].corroboration.both_sides is True
    (row,) = store.events(as_="records")
    assert (row["cluster"], row["independent_origins"], row["both_sides"]) == ("c1", 2, True)


def test_load_parquet_is_idempotent(store: Store, tmp_path):
    import pyarrow.parquet as pq

    reports = [make_report(), make_report(TEXT + " Later.")]
    for index, report in enumerate(reports):  # the Dask engine's layout: TABLE/part-N.parquet
        for name, table in tables.to_arrow([report]).items():
            (tmp_path / name).mkdir(exist_ok=True)
            pq.write_table(table, tmp_path / name / f"part-{index}.parquet")
    store.add_reports(reports[:1])
    assert store.load_parquet(tmp_path) == 1
    assert store.load_parquet(tmp_path) == 0
    assert store.counts()["documents"] == 2 and store.counts()["chain_links"] == 12
    assert store.report(reports[1].document.id) == reports[1]


def test_real_pipeline_output_round_trips(store: Store, kursk_report: Report):
    assert store.add_reports([kursk_report]) == 1
    assert store.report(kursk_report.document.id) == kursk_report
    counts = store.counts()
    assert (counts["events"], counts["figures"], counts["attributions"]) == (
        len(kursk_report.events), len(kursk_report.figures), len(kursk_report.attributions)
    )
    links = sum(len(e.source_chain) for e in kursk_report.events) + sum(len(f.source_chain) for f in kursk_report.figures)
    assert counts["chain_links"] == links
