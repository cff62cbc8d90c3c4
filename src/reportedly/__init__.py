"""reportedly: conflict reporting to structured, sourced event data.

>>> import reportedly
>>> report = reportedly.analyze(text, published="2024-11-08", outlet="example.com")
>>> report.events[0].source_chain
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .records import Article, Report

__version__ = "0.1.0"
__all__ = ["Article", "Report", "analyze", "analyze_many", "__version__"]


def analyze(
    text: str,
    *,
    published: str | None = None,
    outlet: str | None = None,
    title: str | None = None,
    url: str | None = None,
    author: str | None = None,
    id: str | None = None,
) -> Report:
    """Analyse one article's text and return its Report (records.md)."""
    from .pipeline import default_pipeline

    article = Article(
        text=text, id=id, title=title, url=url, outlet=outlet, author=author, published=published
    )
    return default_pipeline().analyze(article)


def analyze_many(articles: Iterable[Article], batch_size: int = 32) -> Iterator[Report]:
    """Analyse many articles through ``nlp.pipe``; yields Reports in input order."""
    from .pipeline import default_pipeline

    return default_pipeline().analyze_many(articles, batch_size=batch_size)
