"""HTML pages: the article body by trafilatura, the rest from the page's metadata."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..records import Article, Rejected
from .checks import RejectInput, make_article

_BLOCK_BREAKS = re.compile(r"\n+")
# trafilatura logs every page it finds no body in; a batch run reports those as Rejected.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)


@dataclass(slots=True)
class PageDefaults:
    """What the caller knows about a page, used where its own metadata is silent."""

    id: str | None = None
    url: str | None = None
    title: str | None = None
    author: str | None = None
    published: str | None = None
    outlet: str | None = None


def _extract(html: str, url: str | None):
    import trafilatura

    options = {
        "url": url,
        "with_metadata": True,
        "include_comments": False,
        "include_images": False,
        "date_extraction_params": {"original_date": True, "extensive_search": True},
    }
    try:
        document = trafilatura.bare_extraction(html, **options)
        if document is None or not (document.text or "").strip():
            # A second, more lenient pass for pages whose body the precise pass misses.
            document = trafilatura.bare_extraction(html, favor_recall=True, **options) or document
    except Exception as exc:  # lxml and trafilatura raise many kinds on broken markup
        raise RejectInput("malformed HTML", f"{type(exc).__name__}: {exc}") from None
    return document


def _host(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or None


def _site_name(document, url: str | None) -> str | None:
    """The page's own site name; trafilatura's stand-in of the host name does not count."""
    name = (document.sitename or "").strip()
    guesses = {(document.hostname or "").lower(), (urlsplit(url).netloc if url else "").lower()}
    if not name or name.lower().removeprefix("www.") in {g.removeprefix("www.") for g in guesses}:
        return None
    return name


def read_html(html: str, label: str, defaults: PageDefaults) -> Article | Rejected:
    """One Article from an HTML page (or a Rejected: no body, empty, short, not English)."""
    document = _extract(html, defaults.url)
    body = (document.text if document is not None else None) or ""
    if not body.strip():
        return Rejected(input=label, reason="no article text: the page holds no extractable body")
    # trafilatura puts each block (paragraph, heading) on its own line: make them paragraphs.
    body = _BLOCK_BREAKS.sub("\n\n", body)
    url = document.url or defaults.url
    return make_article(
        label,
        body,
        id=defaults.id,
        title=document.title or defaults.title,
        url=url,
        outlet=_site_name(document, url) or defaults.outlet or _host(url),
        author=document.author or defaults.author,
        published=document.date or defaults.published,
    )
