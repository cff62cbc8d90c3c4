"""URLs and RSS/Atom feeds, against a local http.server on 127.0.0.1 (no other network)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from reportedly.ingest import Fetcher, read_inputs, rejection_kind
from reportedly.ingest.checks import RejectInput
from reportedly.records import Article, Rejected

FIXTURES = Path(__file__).parent / "fixtures"
KURSK_HTML = (FIXTURES / "kursk.html").read_bytes()
ODESA = (FIXTURES / "ingest" / "odesa-drones.txt").read_text(encoding="utf-8")
ODESA_HTML = (
    "<html><head><title>Drones hit Odesa port</title></head><body><article>"
    + "".join(f"<p>{p}</p>" for p in ODESA.split("\n\n")[1:])
    + "</article></body></html>"
).encode()
RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Front Line Wire</title><link>{base}/</link><description>War news</description>
<item><title>North Korean soldiers shoot Russians by mistake</title><link>{base}/kursk.html</link>
  <pubDate>Fri, 08 Nov 2024 09:59:00 +0100</pubDate></item>
<item><title>Drones hit Odesa port</title><link>{base}/odesa.html</link><author>desk@wire.example (Olena Desk)</author>
  <pubDate>Tue, 12 Mar 2024 06:30:00 +0000</pubDate></item>
<item><title>Gone</title><link>{base}/missing.html</link></item>
<item><title>Carried in the feed</title><link>{base}/also-missing.html</link>
  <pubDate>Wed, 13 Mar 2024 10:00:00 +0000</pubDate>
  <content:encoded><![CDATA[{long_body}]]></content:encoded></item>
</channel></rss>"""
ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Desk</title><id>urn:x</id><updated>2024-03-12T00:00:00Z</updated>
<entry><title>Drones hit Odesa port</title><link href="{base}/odesa.html"/><id>urn:1</id>
  <updated>2024-03-12T06:30:00Z</updated></entry>
</feed>"""
RELATIVE_RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Relative Wire</title>
<item><title>Drones</title><link>/odesa.html</link></item></channel></rss>"""
LONG_BODY = "".join(
    f"<p>{p}</p>" for p in ODESA.replace("Odesa", "Mykolaiv").split("\n\n")[1:]
)


@dataclass
class Route:
    status: int
    content_type: str
    body: bytes
    declare_length: bool = True
    delay: float = 0.0


class Server:
    """A tiny web site in a thread: routes, and the User-Agents it was sent."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.user_agents: list[str] = []
        self.paths: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                server.user_agents.append(self.headers.get("User-Agent", ""))
                server.paths.append(self.path)
                route = server.routes.get(self.path, Route(404, "text/html", b"<h1>Not found</h1>"))
                if route.delay:
                    time.sleep(route.delay)
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                if route.declare_length:
                    self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(route.body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture(scope="module")
def site() -> Iterator[Server]:
    server = Server()
    base = server.base
    server.routes.update({
        "/kursk.html": Route(200, "text/html; charset=utf-8", KURSK_HTML),
        "/odesa.html": Route(200, "text/html", ODESA_HTML),
        "/odesa.txt": Route(200, "text/plain; charset=utf-8", ODESA.encode()),
        "/feed.xml": Route(200, "application/rss+xml", RSS.format(base=base, long_body=LONG_BODY).encode()),
        "/atom": Route(200, "application/atom+xml", ATOM.format(base=base).encode()),
        "/feeds/relative.rss": Route(200, "application/rss+xml", RELATIVE_RSS.encode()),
        "/big-declared.html": Route(200, "text/html", b"<p>x</p>" * 5000),
        "/big-streamed.html": Route(200, "text/html", b"<p>x</p>" * 5000, declare_length=False),
        "/server-error": Route(500, "text/plain", b"oops"),
        "/slow.html": Route(200, "text/html", ODESA_HTML, delay=3.0),
        "/binary": Route(200, "application/octet-stream", b"\x00\x01\x02" * 100),
    })
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(delay=0, timeout=1.0, max_bytes=20_000) as active:
        yield active


def read(paths, fetcher, **kwargs) -> list[Article | Rejected]:
    return list(read_inputs(paths, fetcher=fetcher, **kwargs))


def test_article_page_by_url(site, fetcher):
    (article,) = read([site.url("/kursk.html")], fetcher)
    assert isinstance(article, Article), article
    assert article.id == site.url("/kursk.html")
    assert "The Koreans started shooting at us" in article.text
    assert (article.author, article.outlet, article.published) == ("Kathrine Frich", "The Baltic Ledger", "2024-11-08")


def test_page_without_metadata_takes_arguments_and_host(site, fetcher):
    (article,) = read([site.url("/odesa.html")], fetcher, published="2024-03-12")
    assert isinstance(article, Article), article
    assert article.published == "2024-03-12"
    assert article.outlet == "127.0.0.1"  # no site name: the host
    assert article.url == site.url("/odesa.html")
    (named,) = read([site.url("/odesa.html")], fetcher, outlet="wire.example")
    assert named.outlet == "wire.example"


def test_plain_text_url(site, fetcher):
    (article,) = read([site.url("/odesa.txt")], fetcher)
    assert isinstance(article, Article) and article.text.startswith("Drones Hit Port")


def test_user_agent_names_reportedly(site, fetcher):
    read([site.url("/odesa.txt")], fetcher)
    assert site.user_agents[-1].startswith("reportedly/")


def test_rss_feed_fetches_each_item(site, fetcher):
    items = read([site.url("/feed.xml")], fetcher)
    assert len(items) == 4
    kursk, odesa, gone, carried = items
    assert isinstance(kursk, Article) and kursk.id == site.url("/kursk.html")
    assert kursk.outlet == "The Baltic Ledger"  # the page's own site name beats the feed title
    assert isinstance(odesa, Article)
    assert odesa.outlet == "Front Line Wire" and odesa.published == "2024-03-12"
    assert odesa.title == "Drones hit Odesa port"
    assert isinstance(gone, Rejected) and gone.input == site.url("/missing.html")
    assert gone.reason == "fetch failed: HTTP 404 Not Found"
    assert isinstance(carried, Article), carried  # page gone, but the item holds the article
    assert "Mykolaiv" in carried.text and carried.published == "2024-03-13"


def test_atom_feed_file_links_to_pages(site, fetcher, tmp_path):
    feed = tmp_path / "desk.atom"
    feed.write_text(ATOM.format(base=site.base), encoding="utf-8")
    (article,) = read([str(feed)], fetcher)
    assert isinstance(article, Article), article
    assert article.outlet == "Atom Desk" and article.published == "2024-03-12"


def test_atom_feed_url_by_content_type(site, fetcher):
    (article,) = read([site.url("/atom")], fetcher)
    assert isinstance(article, Article) and "23 attack drones" in article.text


def test_relative_item_links_resolve_against_the_feed_url(site, fetcher):
    (article,) = read([site.url("/feeds/relative.rss")], fetcher)
    assert isinstance(article, Article), article
    assert article.id == site.url("/odesa.html") and article.outlet == "Relative Wire"


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/big-declared.html", "too large"),
        ("/big-streamed.html", "too large"),
        ("/server-error", "fetch failed"),
        ("/nowhere", "fetch failed"),
        ("/binary", "binary"),
    ],
)
def test_bad_urls_are_rejected(site, fetcher, path, kind):
    (rejected,) = read([site.url(path)], fetcher)
    assert isinstance(rejected, Rejected) and rejected.input == site.url(path)
    assert rejection_kind(rejected.reason) == kind, rejected.reason


def test_timeout(site):
    with Fetcher(delay=0, timeout=0.3) as impatient:
        (rejected,) = read([site.url("/slow.html")], impatient)
    assert isinstance(rejected, Rejected) and rejection_kind(rejected.reason) == "fetch failed"
    assert "Timeout" in rejected.reason


def test_unreachable_host_is_rejected(fetcher):
    # port 9 on loopback: nothing listens, the connection is refused at once
    (rejected,) = read(["http://127.0.0.1:9/article.html"], fetcher)
    assert isinstance(rejected, Rejected) and rejection_kind(rejected.reason) == "fetch failed"


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_politeness_delay_per_host(site):
    clock = FakeClock()
    port = site.base.rsplit(":", 1)[1]
    with Fetcher(delay=2.0, respect_robots=False, sleep=clock.sleep, clock=clock) as polite:
        polite.fetch(site.url("/odesa.txt"))
        assert clock.sleeps == []  # first request to a host: no wait
        clock.now += 0.5
        polite.fetch(site.url("/odesa.html"))
        assert clock.sleeps == [1.5]  # the rest of the 2 s since the last request
        # another host name: no wait (localhost may not reach the server; the wait is what counts)
        with contextlib.suppress(RejectInput):
            polite.fetch(f"http://localhost:{port}/odesa.txt")
        assert clock.sleeps == [1.5]
        clock.now += 5
        polite.fetch(site.url("/odesa.txt"))
        assert clock.sleeps == [1.5]  # the delay has passed already


def test_feed_items_wait_between_requests(site):
    clock = FakeClock()
    with Fetcher(delay=1.0, sleep=clock.sleep, clock=clock) as polite:
        items = read([site.url("/feed.xml")], polite)
    assert len(items) == 4
    # robots.txt first (no wait), then the feed and its four item pages, each after a wait
    assert clock.sleeps == [1.0] * 5


def test_delay_and_timeout_from_the_environment(monkeypatch):
    monkeypatch.setenv("REPORTEDLY_FETCH_DELAY", "0.25")
    monkeypatch.setenv("REPORTEDLY_FETCH_TIMEOUT", "7")
    with Fetcher() as configured:
        assert (configured.delay, configured.timeout) == (0.25, 7.0)
    monkeypatch.setenv("REPORTEDLY_FETCH_DELAY", "soon")
    with Fetcher(timeout=3) as fallback:
        assert (fallback.delay, fallback.timeout) == (1.0, 3)


def test_robots_txt_forbids_pages_and_sets_the_delay():
    server = Server()
    server.routes.update({
        "/robots.txt": Route(200, "text/plain", b"User-agent: reportedly\nDisallow: /private/\nCrawl-delay: 3\n\nUser-agent: *\nDisallow: /\n"),
        "/private/memo.html": Route(200, "text/html", ODESA_HTML),
        "/public.html": Route(200, "text/html", ODESA_HTML),
    })
    server.thread.start()
    clock = FakeClock()
    try:
        with Fetcher(delay=1.0, sleep=clock.sleep, clock=clock) as polite:
            private, public = read([server.url("/private/memo.html"), server.url("/public.html")], polite)
        polite_paths = list(server.paths)
        with Fetcher(delay=0, respect_robots=False) as impolite:
            (ignored,) = read([server.url("/private/memo.html")], impolite)
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
    assert isinstance(private, Rejected) and rejection_kind(private.reason) == "disallowed"
    assert isinstance(public, Article)
    assert clock.sleeps == [3.0]  # robots.txt, then the public page after the crawl delay
    assert isinstance(ignored, Article)
    assert polite_paths == ["/robots.txt", "/public.html"]  # the forbidden page was never asked for
