"""End to end in real headless Chromium: the reader, the events table, the map, uploading an
article, and article payloads that must stay inert. Screenshots go to test-output/screenshots/."""

from __future__ import annotations

import re

from .reports import UPLOAD_TEXT, border_report, xss_report

KURSK_ID = "examples/kursk-friendly-fire.txt"


def _doc_id(server, external_id: str) -> str:
    docs = server.get("/api/documents?per_page=100").json()["items"]
    return next(d["id"] for d in docs if d["external_id"] == external_id)


def _open_claim(page, doc_id: str, event_id: str) -> list[str]:
    """Click the event's highlighted trigger in the reader; the names in its shown chain."""
    trigger = page.locator(f'#article-text .k-trigger[data-ev~="{event_id}"]').first
    trigger.scroll_into_view_if_needed()
    assert trigger.is_visible()
    trigger.click()
    card = page.locator(f"#card-ev-{event_id}")
    card.wait_for(state="visible")
    assert page.locator("#claim-index").is_hidden()
    return card.locator("ol.chain li.link .link-name").all_inner_texts()


def test_kursk_reader_shows_the_friendly_fire_event_and_its_five_link_chain(page, server):
    doc_id = _doc_id(server, KURSK_ID)
    report = server.get(f"/api/documents/{doc_id}").json()
    friendly = [e for e in report["events"] if e["friendly_fire"]]
    assert friendly, "the Kursk article yields a friendly-fire event"
    event = max(friendly, key=lambda e: len(e["source_chain"]))
    page.goto(f"{server.url}/documents/{doc_id}")
    page.screenshot_as("reader-kursk")
    names = _open_claim(page, doc_id, event["id"])
    page.screenshot_as("reader-kursk-chain", full_page=False)
    assert names == [link["name"] for link in event["source_chain"]]  # the UI shows the stored chain
    assert len(names) == 5, names
    assert names[1:4] == ["Ukrainian military intelligence", "Victoria", "L'Independent"], names
    assert page.errors == []


def test_reader_chain_of_a_hand_built_report(page, server):
    report = border_report()
    page.goto(f"{server.url}/documents/{report.document.id}")
    trigger = page.locator('#article-text .k-trigger[data-ev~="e1"]').first
    trigger.hover()
    assert "hover" in (page.locator('#article-text .k-trigger[data-ev~="e1"]').last.get_attribute("class") or "")
    names = _open_claim(page, report.document.id, "e1")
    assert names == ["captured Russian gunner", "Ukrainian border service", "Rubezh", "Le Courrier", "frontline-news.example"]
    page.screenshot_as("reader-chain", full_page=False)
    # A cue inside nested content opens the innermost attribution's chain.
    page.locator("#card-ev-e1 [data-close]").click()
    page.locator("#claim-index").wait_for(state="visible")
    page.locator('#article-text .k-cue[data-att~="a6"]').first.click()
    assert page.locator("#card-att-a6 .link-name").all_inner_texts() == ["Rubezh", "Le Courrier", "frontline-news.example"]
    # The event page's link back to the article opens the claim's card.
    page.goto(f"{server.url}/events/{report.document.id}e2")
    page.locator(".crumbs a").nth(1).click()
    page.locator("#card-ev-e2").wait_for(state="visible")
    assert page.locator("#card-ev-e2 .link-name").all_inner_texts() == ["Regional officials", "frontline-news.example"]
    assert page.errors == []


def test_events_table_filters(page, server):
    page.goto(f"{server.url}/events")
    total = int(page.locator("#event-total").inner_text().replace(",", ""))
    assert total == server.get("/api/stats").json()["events"]
    page.screenshot_as("events")
    with page.expect_navigation():
        page.select_option("#f-type", "MOBILIZE")  # applies on change
    assert "type=MOBILIZE" in page.url
    rows = page.locator("#events-table tbody tr")
    expected = server.get("/api/events?type=MOBILIZE").json()["total"]
    assert rows.count() == expected > 0
    assert all(t.startswith("MOBILIZE") for t in page.locator("#events-table tbody .type-chip").all_inner_texts())
    page.fill("#f-actor", "battery")
    with page.expect_navigation():
        page.click("#apply-filters")
    assert page.locator("#events-table tbody tr").count() == 0 or "battery" in page.url
    page.goto(f"{server.url}/events?friendly_fire=1&sort=origins")
    assert page.locator("#events-table tbody tr").count() == server.get("/api/events?friendly_fire=1").json()["total"]
    href = page.locator("#export-csv").get_attribute("href")
    assert href.startswith("/events.csv?") and "friendly_fire=1" in href
    page.screenshot_as("events-filtered")
    assert page.errors == []


def test_map_shows_markers_and_clicks_through(page, server):
    page.goto(f"{server.url}/map")
    page.wait_for_selector("#map[data-ready]")
    located = server.get("/api/stats").json()["located"]
    assert located > 0
    assert page.locator("#map .country").count() > 100
    # Admin1 outlines are drawn (every country's regions), the regions holding events tinted.
    assert int(page.get_attribute("#map", "data-regions-ready")) > 3000
    assert page.locator('#map path.admin1[data-iso="RU-KRS"]').count() == 1
    assert page.locator('#map path.admin1.active[data-iso="RU-BEL"]').count() == 1
    markers = page.locator("#map .marker")
    assert markers.count() > 0
    counts = [int(m.get_attribute("data-count")) for m in markers.all()]
    assert sum(counts) == located
    page.screenshot_as("map", full_page=False)
    marker = page.locator("#map .marker.cluster").first if page.locator("#map .marker.cluster").count() else markers.first
    if marker.get_attribute("data-count") != "1":
        marker.click()
        page.locator("#map-list a.map-event").first.wait_for()
        page.screenshot_as("map-cluster", full_page=False)
        with page.expect_navigation():
            page.locator("#map-list a.map-event").first.click()
    else:
        with page.expect_navigation():
            marker.click()
    assert re.search(r"/events/[0-9a-f]{16}e\d+$", page.url)
    page.screenshot_as("event-from-map")
    assert page.errors == []


def test_map_draws_the_region_outlines_around_located_events(page, server):
    page.goto(f"{server.url}/map?admin1=RU-BEL")
    page.wait_for_selector("#map[data-ready]")
    region = page.locator('#map path.admin1.active[data-iso="RU-BEL"]')
    assert region.is_visible() and "Belgorod Oblast" in region.locator("title").text_content()
    assert page.locator('#map path.admin1[data-iso="RU-KRS"]').is_visible()  # its neighbour, zoomed in
    box = region.bounding_box()
    assert box["width"] > 100 and box["height"] > 50  # fitted to the events: the region fills the view
    page.screenshot_as("map-regions", full_page=False)
    assert page.errors == []


def test_event_page_with_mentions_across_articles(page, server):
    report = border_report()
    page.goto(f"{server.url}/events/c1")  # its corroboration cluster: the earliest report's mention
    assert page.url == f"{server.url}/events/{report.document.id}e1"
    assert page.locator("#event-id").inner_text() == f"{report.document.id}e1"
    assert page.locator("#provenance .node").count() >= 5
    assert "wire.example" in page.locator("table.data").first.inner_text()
    page.screenshot_as("event")
    page.goto(f"{server.url}/events/{report.document.id}:e1")  # the older doc:event form
    assert page.url == f"{server.url}/events/{report.document.id}e1"
    assert page.errors == []


def test_upload_an_article_and_see_its_events(page, server):
    page.goto(f"{server.url}/analyze")
    page.fill("input[name=title]", "Upload: Kharkiv shelled")
    page.fill("input[name=outlet]", "upload.example")
    page.fill("input[name=published]", "2024-11-05")
    page.fill("textarea[name=text]", UPLOAD_TEXT)
    page.screenshot_as("analyze")
    page.click("#analyze-submit")
    page.wait_for_url(re.compile(r"/documents/[0-9a-f]{16}$"), timeout=180_000)
    doc_id = page.url.rsplit("/", 1)[1]
    assert page.locator("#doc-title").inner_text() == "Upload: Kharkiv shelled"
    events = server.get(f"/api/documents/{doc_id}").json()["events"]
    assert len(events) > 0, "the pipeline finds events in the uploaded article"
    assert page.locator("#claim-index [data-open=ev]").count() == len(events)
    assert page.locator("#article-text .k-trigger").count() >= len(events)
    page.screenshot_as("analyze-result")
    assert page.errors == []


def test_article_payloads_stay_inert_in_the_browser(page, server):
    report = xss_report()
    for path in (f"/documents/{report.document.id}", f"/events/{report.document.id}e1", "/events?country=UA",
                 "/documents", "/"):
        page.goto(server.url + path)
        page.wait_for_load_state("load")
        for element in page.locator("#article-text .hl, .claim-button").all()[:10]:
            if element.is_visible():
                element.click()
        assert page.evaluate("window.__xss") is None, path
        assert page.title() != "pwned", path
        assert page.locator("script:not([src])").count() == 0, path
    page.goto(f"{server.url}/documents/{report.document.id}")
    assert "<script>window.__xss = 1" in page.locator("#article-text").inner_text()  # shown as text
    assert page.locator("a[href^='javascript']").count() == 0
    page.screenshot_as("xss-inert")
    page.goto(f"{server.url}/map?country=UA")
    page.wait_for_selector("#map[data-ready]")
    page.locator("#map .marker").first.hover()
    assert page.evaluate("window.__xss") is None
    assert page.errors == []


def test_overview_documents_and_timeline(page, server):
    for name, path in (("overview", "/"), ("documents", "/documents"), ("timeline", "/timeline")):
        page.goto(server.url + path)
        assert page.locator("h1").first.is_visible()
        page.screenshot_as(name)
    page.goto(server.url + "/timeline")
    assert page.locator("#timeline rect").count() > 0
    assert page.errors == []
