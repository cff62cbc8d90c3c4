"""Article pages and RSS/Atom feeds over HTTP(S), fetched politely.

One ``Fetcher`` per batch: it waits ``delay`` seconds between two requests to the same host
(longer when the site's robots.txt asks for a Crawl-delay), fetches no page robots.txt
forbids, gives up after ``timeout`` seconds, streams each response and stops at
``max_bytes``, and names reportedly in its User-Agent. The defaults can be set in the environment:
``REPORTEDLY_FETCH_DELAY`` and ``REPORTEDLY_FETCH_TIMEOUT`` (seconds).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from .. import __version__
from ..records import Article, Rejected
from .checks import DEFAULT_MAX_BYTES, RejectInput, make_article
from .decode import decode_bytes, megabytes, sniff_format
from .html import PageDefaults, read_html

USER_AGENT = f"reportedly/{__version__} (news event extraction; polite crawler)"
DEFAULT_DELAY = 1.0
DEFAULT_TIMEOUT = 20.0
_ACCEPT = "text/html, application/xhtml+xml, application/rss+xml, application/atom+xml, text/plain;q=0.8, */*;q=0.5"
_ROBOTS_MAX_BYTES = 512 * 1024
_MAX_CRAWL_DELAY = 60.0  # a robots.txt asking for more is honoured up to this
_FEED_TYPES = ("rss", "atom", "rdf", "/xml", "+xml")


def _seconds_from_env(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value >= 0 else default


def is_url(path: str) -> bool:
    return path.lower().startswith(("http://", "https://"))


@dataclass(slots=True)
class Fetched:
    """One response body, whole and within the size cap."""

    url: str
    content: bytes
    content_type: str
    charset: str | None


class Fetcher:
    """HTTP(S) GET with a per-host politeness delay, robots.txt, a timeout and a size cap."""

    def __init__(
        self,
        *,
        delay: float | None = None,
        timeout: float | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        user_agent: str = USER_AGENT,
        respect_robots: bool = True,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.delay = _seconds_from_env("REPORTEDLY_FETCH_DELAY", DEFAULT_DELAY) if delay is None else delay
        timeout = _seconds_from_env("REPORTEDLY_FETCH_TIMEOUT", DEFAULT_TIMEOUT) if timeout is None else timeout
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.user_agent = user_agent
        self.respect_robots = respect_robots
        self._sleep = sleep
        self._clock = clock
        self._last_request: dict[str, float] = {}
        self._robots: dict[str, RobotFileParser | None] = {}  # by scheme://host:port
        self._client = None  # made at the first request: building its TLS context takes a while

    def _http(self):
        import httpx

        if self._client is None:
            self._client = httpx.Client(
                timeout=self.timeout,
                follow_redirects=True,
                max_redirects=5,
                headers={"User-Agent": self.user_agent, "Accept": _ACCEPT},
            )
        return self._client

    def _wait_for(self, host: str, delay: float) -> None:
        last = self._last_request.get(host)
        if last is not None:
            remaining = delay - (self._clock() - last)
            if remaining > 0:
                self._sleep(remaining)

    def _rules(self, url: str) -> RobotFileParser | None:
        """The site's robots.txt, fetched once per site; None when it has none (all allowed)."""
        parts = urlsplit(url)
        site = f"{parts.scheme}://{parts.netloc}"
        if site not in self._robots:
            try:
                found = self._get(site + "/robots.txt", _ROBOTS_MAX_BYTES, self.delay)
            except RejectInput:  # no robots.txt, or the site cannot say: nothing is forbidden
                rules = None
            else:
                rules = RobotFileParser()
                rules.parse(found.content.decode("utf-8", "replace").splitlines())
            self._robots[site] = rules
        return self._robots[site]

    def fetch(self, url: str) -> Fetched:
        """The body at url, or RejectInput (HTTP error, timeout, too large, not http, robots.txt)."""
        if not is_url(url):
            raise RejectInput("unsupported", f"not an http(s) URL: {url[:200]}")
        delay = self.delay
        if self.respect_robots:
            rules = self._rules(url)
            if rules is not None:
                if not rules.can_fetch(self.user_agent, url):
                    raise RejectInput("disallowed", "the site's robots.txt forbids fetching this page")
                crawl_delay = rules.crawl_delay(self.user_agent)
                if crawl_delay:
                    delay = max(delay, min(float(crawl_delay), _MAX_CRAWL_DELAY))
        return self._get(url, self.max_bytes, delay)

    def _get(self, url: str, max_bytes: int, delay: float) -> Fetched:
        import httpx

        host = (urlsplit(url).hostname or "").lower()
        self._wait_for(host, delay)
        try:
            with self._http().stream("GET", url) as response:
                if response.status_code >= 400:
                    raise RejectInput("fetch failed", f"HTTP {response.status_code} {response.reason_phrase}")
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise RejectInput("too large", f"{megabytes(int(declared))}, over the {megabytes(max_bytes)} limit")
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise RejectInput("too large", f"over the {megabytes(max_bytes)} limit")
                    chunks.append(chunk)
                content_type = response.headers.get("content-type", "").lower()
                return Fetched(
                    url=str(response.url),
                    content=b"".join(chunks),
                    content_type=content_type.split(";")[0].strip(),
                    charset=response.charset_encoding,
                )
        except httpx.HTTPError as exc:
            raise RejectInput("fetch failed", f"{type(exc).__name__}: {exc}") from None
        finally:
            self._last_request[host] = self._clock()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _kind(fetched: Fetched) -> str:
    sniffed = sniff_format(fetched.content)
    if sniffed == "feed" or any(t in fetched.content_type for t in _FEED_TYPES) and sniffed != "html":
        return "feed"
    if sniffed == "html" or "html" in fetched.content_type:
        return "html"
    return "text"


def read_url(url: str, fetcher: Fetcher, defaults: PageDefaults) -> Iterator[Article | Rejected]:
    """The article at url, or every item of the feed at url."""
    fetched = fetcher.fetch(url)
    kind = _kind(fetched)
    if kind == "feed":
        yield from read_feed(fetched.content, url, fetcher, defaults, base_url=fetched.url)
        return
    text = decode_bytes(fetched.content, declared=fetched.charset)
    page = PageDefaults(
        id=url, url=fetched.url, title=defaults.title, author=defaults.author,
        published=defaults.published, outlet=defaults.outlet,
    )
    if kind == "html":
        yield read_html(text, url, page)
    else:
        yield make_article(url, text, id=url, url=fetched.url, outlet=defaults.outlet, published=defaults.published)


def _entry_date(entry) -> str | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if parsed:
        try:
            return date(*parsed[:3]).isoformat()
        except (TypeError, ValueError):
            return None
    return entry.get("published") or entry.get("updated")


def _entry_html(entry) -> str:
    """The fullest body a feed item carries itself (content:encoded, else its summary)."""
    contents = [c.get("value", "") for c in entry.get("content", []) if c.get("value")]
    return max(contents, key=len) if contents else entry.get("summary", "") or ""


def read_feed(
    content: bytes,
    name: str,
    fetcher: Fetcher | Callable[[], Fetcher],
    defaults: PageDefaults,
    base_url: str | None = None,
) -> Iterator[Article | Rejected]:
    """One Article per feed item, from its page (or from the item's own content when the
    page cannot be fetched). Relative item links resolve against ``base_url``."""
    import feedparser

    headers = {"content-location": base_url} if base_url else None
    feed = feedparser.parse(content, response_headers=headers)
    if not feed.entries:
        problem = feed.get("bozo_exception")
        raise RejectInput("malformed feed", f"no items{f' ({problem})' if problem else ''}")
    outlet = defaults.outlet or feed.feed.get("title")
    for index, entry in enumerate(feed.entries, start=1):
        link = entry.get("link")
        label = link or f"{name}#{index}"
        page = PageDefaults(
            id=link or label, url=link, title=entry.get("title"), author=entry.get("author"),
            published=_entry_date(entry) or defaults.published, outlet=outlet,
        )
        try:
            yield _read_entry(entry, link, label, fetcher, page)
        except RejectInput as exc:
            yield Rejected(input=label, reason=exc.reason)


def _read_entry(entry, link: str | None, label: str, fetcher, page: PageDefaults) -> Article | Rejected:
    own_html = _entry_html(entry)
    if not link or not is_url(link):
        if own_html:
            return read_html(own_html, label, page)
        raise RejectInput("malformed feed item", "no link and no content")
    active = fetcher() if callable(fetcher) and not isinstance(fetcher, Fetcher) else fetcher
    try:
        fetched = active.fetch(link)
    except RejectInput:
        if len(own_html.split()) >= 50:  # the item carries the article itself
            return read_html(own_html, label, page)
        raise
    page.url = fetched.url
    return read_html(decode_bytes(fetched.content, declared=fetched.charset), label, page)
