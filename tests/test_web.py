"""The web UI and JSON API over a store of hand-built Reports (no browser, no spaCy)."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from browser.reports import add_corroboration, border_report, echo_report, xss_report
from reportedly.records import Article, Report
from reportedly.store import Store
from reportedly.web import create_app
from reportedly.web.filters import EventFilter
from reportedly.web.highlight import Mark, highlight
from reportedly.web.security import is_loopback, safe_url


@pytest.fixture()
def store():
    store = Store.open(":memory:")
    store.add_reports([border_report(), echo_report(), xss_report()])
    yield store
    store.close()


@pytest.fixture()
def client(store):
    return TestClient(create_app(store))


def _key(report: Report, event_id: str = "e1") -> str:
    return f"{report.document.id}{event_id}"


# -- highlighting ---------------------------------------------------------------------------
def test_highlight_escapes_every_text_piece():
    text = "a <script>x()</script> & b"
    html = str(highlight(text, [Mark("trigger", "e1", 2, 10)]))
    assert "<script>" not in html
    assert '<span class="hl k-trigger" data-ev="e1" tabindex="0" role="button">&lt;script&gt;</span>' in html
    assert html.endswith("&amp; b")


def test_highlight_overlaps_become_flat_segments_naming_every_cover():
    text = "officials said troops fired twice"
    marks = [Mark("content", "a1", 15, 33), Mark("content", "a2", 22, 33), Mark("trigger", "e1", 22, 27)]
    html = str(highlight(text, marks))
    # "fired" lies in both contents and the trigger; outer attribution listed first.
    assert '<span class="hl k-content k-trigger depth-2" data-att="a1 a2" data-ev="e1" tabindex="0" role="button">fired</span>' in html
    assert re.sub(r"<[^>]+>", "", html) == text


def test_highlight_drops_spans_outside_the_text_and_escapes_ids():
    html = str(highlight("abc", [Mark("trigger", '"><x', 1, 2), Mark("figure", "f1", 5, 9), Mark("cue", "a1", 2, 2)]))
    assert 'data-ev="&#34;&gt;&lt;x"' in html
    assert "f1" not in html and "a1" not in html


# -- filters --------------------------------------------------------------------------------
def test_filter_ignores_malformed_values_and_binds_the_rest():
    f = EventFilter.from_query({"type": "assault", "country": "ru", "sort": "1; DROP TABLE events", "date_from": "nope",
                                "min_origins": "2", "actor": "100%_sure"})
    assert f.types == ["ASSAULT"] and f.country == "RU" and f.sort == "date" and f.date_from is None
    where, params = f.where()
    assert "DROP" not in where and params[:2] == ["ASSAULT", "RU"] and params[-1] == 2
    assert "%100\\%\\_sure%" in params


# -- pages ----------------------------------------------------------------------------------
def test_overview_counts_the_store(client):
    page = client.get("/")
    assert page.status_code == 200
    assert re.search(r'tile-n">4</span><span class="tile-label">events', page.text)
    assert "friendly fire" in page.text


def test_reader_highlights_claims_and_draws_the_five_link_chain(client):
    report = border_report()
    page = client.get(f"/documents/{report.document.id}")
    assert page.status_code == 200
    assert re.search(r'<span class="hl [^"]*k-trigger[^"]*"[^>]*data-ev="e1"[^>]*>shelled</span>', page.text)
    assert re.search(r'class="hl [^"]*k-source[^"]*"[^>]*>A Russian artillery gunner captured near Kharkiv</span>', page.text)
    assert re.search(r'class="hl [^"]*k-figure[^"]*"[^>]*>around forty</span>', page.text)
    card = page.text.split('id="card-ev-e1"', 1)[1].split("</section>", 1)[0]
    names = re.findall(r'<span class="link-name">([^<]*)</span>', card)
    assert names == ["captured Russian gunner", "Ukrainian border service", "Rubezh", "Le Courrier", "frontline-news.example"]
    # The attribution card rebuilds the chain from nested attributions, origin first.
    card = page.text.split('id="card-att-a1"', 1)[1].split("</section>", 1)[0]
    assert re.findall(r'<span class="link-name">([^<]*)</span>', card)[:4] == [
        "captured Russian gunner", "Ukrainian border service", "Rubezh", "Le Courrier"]


def test_unknown_document_and_event_are_404(client):
    assert client.get("/documents/0000").status_code == 404
    assert client.get("/events/0000:e1").status_code == 404
    assert client.get("/events/no-colon").status_code == 404
    assert client.get("/api/documents/0000").json() == {"error": "no such document"}


def test_events_table_filters_sorts_and_pages(client):
    def keys(query: str) -> list[str]:
        return re.findall(r'<tr data-key="([^"]+)"', client.get(f"/events?{query}").text)

    assert len(keys("")) == 4
    assert keys("type=MOBILIZE") == [_key(border_report(), "e2")]
    assert set(keys("friendly_fire=1")) == {_key(border_report()), _key(echo_report())}
    assert keys("country=UA") == [_key(xss_report())]
    assert keys("admin1=RU-BEL&certainty=possible") == [_key(border_report())]
    assert keys("outlet=wire.example") == [_key(echo_report())]
    assert keys("actor=battery") == [_key(border_report())]
    assert keys("date_from=2024-11-11&date_to=2024-11-11") == [_key(border_report(), "e2")]
    assert keys("sort=date&order=asc")[0] == _key(border_report())  # week starting 2024-11-04
    assert keys("per_page=1&page=2&sort=date&order=asc") == [_key(xss_report())]
    assert keys("min_origins=2") == []


def test_min_origins_and_cluster_use_event_corroboration(store):
    add_corroboration(store, [(border_report().document.id, "e1"), (echo_report().document.id, "e1")])
    client = TestClient(create_app(store))
    rows = client.get("/api/events?min_origins=1&friendly_fire=1").json()
    assert rows["total"] == 2 and {r["cluster"] for r in rows["items"]} == {"c1"}
    page = client.get(f"/events/{_key(border_report())}")
    assert page.status_code == 200
    mentions = page.text.split("Mentions across articles", 1)[1].split("</table>", 1)[0]
    assert "frontline-news.example" in mentions and "wire.example" in mentions
    # The provenance graph merges the shared origin and relay, and has both publishers.
    svg = page.text.split('id="provenance"', 1)[1].split("</svg>", 1)[0]
    assert svg.count('class="node role-origin"') == 1 and svg.count('class="node role-publisher"') == 2
    figures = page.text.split("side by side", 1)[1]
    assert "conflicting" in figures and ">three<" in figures and ">five<" in figures


def test_pages_read_the_corroboration_engine_tables(store):
    from reportedly.corroborate.persist import corroborate_store

    corroborate_store(store)
    client = TestClient(create_app(store))
    rows = client.get("/api/events").json()["items"]
    assert len(rows) == 4 and all(row["cluster"] for row in rows)
    page = client.get(f"/events/{_key(border_report())}")
    assert page.status_code == 200 and "Not computed" not in page.text
    assert client.get("/api/events?min_origins=1").json()["total"] == 4


def test_event_page_without_corroboration(client):
    page = client.get(f"/events/{_key(border_report())}")
    assert page.status_code == 200 and "Not computed" in page.text
    assert page.text.count("<tr class=\"this-row\">") == 1
    assert "the shells landed" in page.text  # the in-article mention


def test_exports_follow_the_current_filter(client):
    response = client.get("/events.csv?friendly_fire=1&sort=date&order=asc")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["source"] for r in rows] == ["frontline-news.example", "wire.example"]
    assert rows[0]["event_date"] == "2024-11-04" and rows[0]["plover_type"] == "ASSAULT"
    geo = client.get("/events.geojson?type=MOBILIZE").json()
    assert [f["geometry"]["coordinates"] for f in geo["features"]] == [[37.11, 50.71]]
    assert client.get("/events.xml").status_code == 404


def test_csv_quotes_cells_a_spreadsheet_would_run():
    from reportedly.web.exports import events_csv

    text = events_csv([{"evidence": "=HYPERLINK(\"http://x\")", "outlet": "-1+2"}])
    assert "'=HYPERLINK" in text and "'-1+2" in text


def test_map_and_timeline_pages(client):
    page = client.get("/map?type=ASSAULT")
    assert 'data-events="/events.geojson?type=ASSAULT&amp;located=1&amp;view=map"' in page.text
    features = client.get("/events.geojson?type=ASSAULT&located=1&view=map").json()["features"]
    assert len(features) == 3 and set(features[0]["properties"]) == {"key", "type", "mode", "trigger_text", "location_name", "location_admin1", "event_date", "outlet", "friendly_fire"}
    assert client.get("/static/vendor/countries-50m.json").json()["type"] == "Topology"
    timeline = client.get("/timeline")
    assert timeline.text.count('<rect class="t-') == 4 + len({"ASSAULT", "MOBILIZE"})  # bars + legend


def test_api_matches_the_pages(client):
    stats = client.get("/api/stats").json()
    assert stats["documents"] == 3 and stats["events"] == 4 and stats["located"] == 4
    events = client.get("/api/events?type=ASSAULT&sort=date&order=asc").json()
    assert events["total"] == 3 and events["items"][0]["key"] == _key(border_report())
    detail = client.get(f"/api/events/{_key(border_report())}").json()
    assert [link["name"] for link in detail["mentions"][0]["chain"]][0] == "captured Russian gunner"
    docs = client.get("/api/documents").json()
    assert docs["total"] == 3 and "text" not in docs["items"][0]
    report = client.get(f"/api/documents/{border_report().document.id}").json()
    assert report["events"][0]["source_chain"][1]["name"] == "Ukrainian border service"
    spec = client.get("/api/openapi.json").json()
    assert spec["openapi"].startswith("3.") and "/api/events/{key}" in spec["paths"]


def test_map_serves_admin1_outlines_coded_by_iso_3166_2(client):
    page = client.get("/map")
    assert 'data-regions="/static/vendor/admin1.json"' in page.text
    topology = client.get("/static/vendor/admin1.json").json()
    regions = {g["properties"]["iso"]: g for g in topology["objects"]["admin1"]["geometries"] if g["properties"]}
    assert len(regions) > 3000  # every country's first-level regions, not a sample
    assert regions["RU-KRS"]["properties"]["name"] == "Kursk Oblast"
    assert regions["RU-BEL"]["type"] in ("Polygon", "MultiPolygon") and regions["RU-BEL"]["arcs"]
    assert {"UA-63", "UA-14", "US-CA", "DE-BY"} <= set(regions)
    # The map's markers say which region they are in, so that the map can tint it.
    features = client.get("/events.geojson?admin1=RU-BEL&view=map").json()["features"]
    assert features and {f["properties"]["location_admin1"] for f in features} == {"RU-BEL"}


# -- event ids ------------------------------------------------------------------------------
def test_event_ids_are_single_tokens_and_read_back():
    from reportedly.web.data import event_key, split_event_key

    key = event_key("bd81813caf411830", "e12")
    assert key == "bd81813caf411830e12" and ":" not in key
    assert split_event_key(key) == ("bd81813caf411830", "e12")
    assert split_event_key("bd81813caf411830:e12") == ("bd81813caf411830", "e12")  # the older form
    assert split_event_key("bd81813caf411830") is None and split_event_key("c1") is None
    assert split_event_key("BD81813CAF411830e1") is None


def test_event_page_at_its_single_id_and_links_point_there(client):
    key = _key(border_report())
    page = client.get(f"/events/{key}")
    assert page.status_code == 200 and "the shells landed" in page.text
    assert f'href="/events/{key}"' in client.get("/events").text
    assert f'href="/events/{key}"' in client.get("/").text
    assert f'href="/events/{key}"' in client.get(f"/documents/{border_report().document.id}").text
    assert client.get("/events.geojson?friendly_fire=1&view=map").json()["features"][0]["properties"]["key"] in (
        key, _key(echo_report()))
    assert client.get(f"/api/events/{key}").json()["key"] == key
    assert client.get(f"/events/{border_report().document.id}e9").status_code == 404


def test_the_older_doc_colon_event_form_redirects(client):
    doc_id = border_report().document.id
    response = client.get(f"/events/{doc_id}:e1", follow_redirects=False)
    assert response.status_code == 308 and response.headers["location"] == f"/events/{doc_id}e1"
    assert client.get(f"/events/{doc_id}:e1").url.path == f"/events/{doc_id}e1"
    assert client.get(f"/api/events/{doc_id}:e1").json()["key"] == f"{doc_id}e1"
    assert client.get(f"/events/{doc_id}:e9", follow_redirects=False).status_code == 404


def test_a_corroboration_cluster_id_opens_its_first_report(store):
    add_corroboration(store, [(border_report().document.id, "e1"), (echo_report().document.id, "e1")], cluster="c7")
    client = TestClient(create_app(store))
    response = client.get("/events/c7", follow_redirects=False)
    first = _key(border_report())  # published 2024-11-12, before the wire echo
    assert response.status_code == 307 and response.headers["location"] == f"/events/{first}"
    page = client.get(f"/events/{_key(echo_report())}")
    assert 'href="/events/c7" id="cluster-link"' in page.text
    assert client.get("/api/events/c7").json()["key"] == first
    assert client.get("/events/c8", follow_redirects=False).status_code == 404


# -- security -------------------------------------------------------------------------------
def test_every_response_forbids_inline_script(client):
    for path in ("/", "/events", "/api/stats", "/nope", "/static/css/app.css"):
        policy = client.get(path).headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy


class _Elements(HTMLParser):
    """Every element of a page with its attributes, as a browser's parser would see them."""

    def __init__(self, page: str):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def _assert_inert(page: str) -> None:
    elements = _Elements(page).elements
    scripts = [attrs.get("src") for tag, attrs in elements if tag == "script"]
    assert all(src and src.startswith("/static/") for src in scripts), scripts
    assert not [tag for tag, _ in elements if tag in ("img", "iframe", "object", "embed", "b")]
    for tag, attrs in elements:
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        for name in ("href", "src", "action"):
            assert not (attrs.get(name) or "").strip().lower().startswith("javascript:"), (tag, attrs)


def test_article_payloads_render_inert(client):
    page = client.get(f"/documents/{xss_report().document.id}").text
    _assert_inert(page)
    assert "&lt;script&gt;window.__xss = 1" in page  # shown as text
    event = client.get(f"/events/{_key(xss_report())}").text
    _assert_inert(event)
    for path in ("/", "/documents", "/events", "/api/openapi.json"):
        _assert_inert(client.get(path).text)
    assert safe_url("javascript:alert(1)") is None and safe_url(" https://x.example") is None
    assert safe_url("https://x.example/a?b=1") == "https://x.example/a?b=1"


def test_token_is_required_on_every_request_when_set(store):
    client = TestClient(create_app(store, token="s3cret"), follow_redirects=False)
    assert client.get("/").status_code == 401
    assert client.get("/api/events").status_code == 401
    assert client.get("/static/css/app.css").status_code == 401
    assert client.get("/", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    login = client.get("/events?type=ASSAULT&token=s3cret")
    assert login.status_code == 303 and login.headers["location"] == "/events?type=ASSAULT"
    cookie = login.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    assert client.get("/events").status_code == 200  # the cookie now carries the token


def test_read_only_server_refuses_to_analyse(client):
    assert "read-only" in client.get("/analyze").text
    response = client.post("/analyze", data={"text": "Troops fired on a village."})
    assert response.status_code == 403


def test_writable_server_analyses_and_stores_an_article(store):
    seen: list[Article] = []

    def analyzer(article: Article) -> Report:
        seen.append(article)
        report = echo_report()
        report.document.id = "feedfacefeedface"
        report.document.title = article.title
        return report

    client = TestClient(create_app(store, writable=True, analyzer=analyzer, max_upload=2_000), follow_redirects=False)
    response = client.post("/analyze", data={"text": "Troops fired on a village.", "title": "Village", "outlet": "x.example"})
    assert response.status_code == 303 and response.headers["location"] == "/documents/feedfacefeedface"
    assert seen[0].outlet == "x.example" and seen[0].text == "Troops fired on a village."
    assert client.get("/api/stats").json()["documents"] == 4
    upload = client.post("/analyze", files={"file": ("a.txt", b"Shelling hit a school.", "text/plain")})
    assert upload.status_code == 303 and seen[1].text == "Shelling hit a school."
    assert client.post("/analyze", data={"text": "x" * 5_000}).status_code == 413
    assert client.post("/analyze", files={"file": ("a.txt", b"y" * 3_000, "text/plain")}).status_code == 413
    assert client.post("/analyze", data={"text": "  "}).status_code == 400
    assert client.post("/analyze", data={"text": "hi"}, headers={"Origin": "http://evil.example"}).status_code == 403
    assert len(seen) == 2


# -- serve ----------------------------------------------------------------------------------
def test_loopback_detection():
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1") and is_loopback("127.0.0.2")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4") and not is_loopback("example.com")


def test_serve_refuses_a_public_bind_without_a_token(tmp_path, monkeypatch):
    from reportedly.cli import main

    monkeypatch.delenv("REPORTEDLY_TOKEN", raising=False)
    result = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "x.db"), "--host", "0.0.0.0"])
    assert result.exit_code == 2 and "needs a token" in result.output
    result = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "missing.db")])
    assert result.exit_code == 1 and "cannot open store" in result.output
