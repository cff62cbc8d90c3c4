"""The local web UI: server-rendered pages (Starlette + Jinja2, autoescaped) and small JS files.

Pages: ``/`` overview, ``/documents`` and the reader ``/documents/{id}``, ``/events`` (filters,
sort, paging, CSV/GeoJSON export of the current filter), the event page ``/events/{id}``,
``/map``, ``/timeline`` and ``/analyze`` (paste or upload an article; only with ``--writable``).
The JSON API lives in ``api.py`` under ``/api/``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
import pycountry
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from .. import __version__
from ..records import EVENT_TYPES, Article, Report
from . import api
from .data import Catalog, event_key, split_event_key
from .detail import event_detail
from .exports import MAP_PROPERTIES, events_csv, events_geojson
from .filters import CERTAINTIES, STATUSES, EventFilter
from .graphs import attribution_chain, timeline
from .highlight import highlight_report
from .security import SecurityMiddleware, safe_url

HERE = Path(__file__).parent
DEFAULT_MAX_UPLOAD = 1_000_000  # bytes of one POSTed article (text or file)
EXPORT_LIMIT = 100_000
MAP_LIMIT = 20_000


@functools.cache
def country_name(code: str | None) -> str:
    if not code:
        return ""
    found = pycountry.countries.get(alpha_2=code) if len(code) == 2 else pycountry.countries.get(alpha_3=code)
    return getattr(found, "common_name", None) or getattr(found, "name", None) or code


def count_text(low: int | None, high: int | None) -> str:
    if low is None and high is None:
        return ""
    if high is None:
        return f"{low:,}+"
    if low is None or low == high:
        return f"{high:,}"
    return f"{low:,}–{high:,}"


def _templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,  # every template, whatever its extension
        undefined=jinja2.ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(safe_url=safe_url, country_name=country_name, count_text=count_text)
    env.globals.update(version=__version__, event_key=event_key, EVENT_TYPES=EVENT_TYPES, country_name=country_name,
                       count_text=count_text)
    return Jinja2Templates(env=env)


def _render(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    state = request.app.state
    context.setdefault("writable", state.writable)
    context.setdefault("active", name.split(".")[0])
    return state.templates.TemplateResponse(request, name, context, status_code=status_code)


def _catalog(request: Request) -> Catalog:
    return request.app.state.catalog


# -- pages ----------------------------------------------------------------------------------
def overview(request: Request) -> Response:
    catalog = _catalog(request)
    return _render(
        request, "overview.html", stats=catalog.stats(), recent=catalog.documents(1, 8).rows,
        latest=catalog.events(EventFilter(per_page=8)).rows,
    )


def documents(request: Request) -> Response:
    event_filter = EventFilter.from_query(request.query_params)
    page = _catalog(request).documents(event_filter.page, 50, outlet=event_filter.outlet)
    return _render(request, "documents.html", page=page, outlet=event_filter.outlet, filter=event_filter)


def _publisher(report: Report) -> dict:
    """The one-link chain of a claim the outlet makes itself (records.md)."""
    return {"source_id": None, "name": report.document.outlet or "publisher", "type": "media",
            "role": "publisher", "cue": None}


def _event_cards(report: Report) -> list[dict]:
    publisher = _publisher(report)
    cards = []
    for event in report.events:
        chain = [link.to_dict() for link in event.source_chain] or [publisher]
        cards.append({"event": event, "chain": chain, "key": event_key(report.document.id, event.id)})
    return cards


def _figure_cards(report: Report) -> list[dict]:
    publisher = _publisher(report)
    return [
        {"figure": figure, "chain": [link.to_dict() for link in figure.source_chain] or [publisher]}
        for figure in report.figures
    ]


def _attribution_cards(report: Report) -> list[dict]:
    return [
        {"attribution": a, "chain": [link.to_dict() for link in attribution_chain(report, a)]}
        for a in report.attributions
    ]


def document(request: Request) -> Response:
    doc_id = request.path_params["doc_id"]
    report = _catalog(request).report(doc_id)
    if report is None:
        raise HTTPException(404, f"No document {doc_id}")
    return _render(
        request, "document.html", report=report, doc=report.document, article=highlight_report(report),
        events=_event_cards(report), figures=_figure_cards(report), attributions=_attribution_cards(report),
    )


def events(request: Request) -> Response:
    catalog = _catalog(request)
    event_filter = EventFilter.from_query(request.query_params)
    page = catalog.events(event_filter)
    return _render(
        request, "events.html", page=page, filter=event_filter, facets=catalog.facets(),
        certainties=CERTAINTIES, statuses=STATUSES,
    )


def events_export(request: Request) -> Response:
    if request.path_params["format"] not in ("csv", "geojson"):
        raise HTTPException(404, "Exports are events.csv and events.geojson")
    event_filter = EventFilter.from_query(request.query_params)
    for_map = request.query_params.get("view") == "map"
    if for_map:
        event_filter.located = True
    rows = _catalog(request).events(event_filter, paged=False, limit=MAP_LIMIT if for_map else EXPORT_LIMIT).rows
    if for_map:
        return JSONResponse(events_geojson(rows, MAP_PROPERTIES), media_type="application/geo+json")
    if request.path_params["format"] == "csv":
        return Response(
            events_csv(rows), media_type="text/csv; charset=utf-8",
            headers={"content-disposition": 'attachment; filename="events.csv"'},
        )
    return JSONResponse(
        events_geojson(rows), media_type="application/geo+json",
        headers={"content-disposition": 'attachment; filename="events.geojson"'},
    )


def event_page(request: Request) -> Response:
    asked = request.path_params["key"]
    detail = event_detail(_catalog(request), asked)
    if detail is None:
        raise HTTPException(404, "No such event")
    if asked != detail["key"]:
        # The older doc:event form moved for good; a cluster id names whichever report is first.
        permanent = split_event_key(asked) is not None
        return RedirectResponse(f"/events/{quote(detail['key'])}", status_code=308 if permanent else 307)
    by_kind: dict[str, list[dict]] = {}
    for item in detail["figures"]:
        by_kind.setdefault(item["figure"]["kind"], []).append(item)
    return _render(request, "event.html", active="events", d=detail, figures_by_kind=by_kind)


def map_page(request: Request) -> Response:
    event_filter = EventFilter.from_query(request.query_params)
    return _render(request, "map.html", filter=event_filter)


def timeline_page(request: Request) -> Response:
    event_filter = EventFilter.from_query(request.query_params)
    chart = timeline(_catalog(request).timeline(event_filter))
    return _render(request, "timeline.html", filter=event_filter, chart=chart)


# -- analysing an article on the spot ---------------------------------------------------------
async def _limited_body(request: Request, limit: int) -> bytes | None:
    """The request body, or None as soon as it grows past ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _is_html(text: str, filename: str) -> bool:
    head = text.lstrip()[:15].lower()
    return filename.lower().endswith((".html", ".htm")) or head.startswith(("<!doctype", "<html"))


def _make_article(text: str, filename: str, fields: dict[str, str]) -> Article | str:
    """The Article to analyse, or why there is none (an HTML page without an article body)."""
    meta = {k: (fields.get(k) or None) for k in ("title", "outlet", "url", "published", "author")}
    if _is_html(text, filename):
        from ..ingest.html import PageDefaults, read_html

        found = read_html(text, filename or "upload", PageDefaults(id="web-upload", **meta))
        return found if isinstance(found, Article) else found.reason
    return Article(text=text, id="web-upload", **meta)


async def analyze(request: Request) -> Response:
    state = request.app.state
    if request.method == "GET":
        return _render(request, "analyze.html", max_upload=state.max_upload, form={})
    if not state.writable:
        return _render(request, "analyze.html", status_code=403, max_upload=state.max_upload, form={},
                       error="This server is read-only: start it with --writable to analyse articles.")
    limit = state.max_upload + 64 * 1024  # room for the form's other fields and boundaries
    body = await _limited_body(request, limit)
    if body is None:
        return _render(request, "analyze.html", status_code=413, max_upload=state.max_upload, form={},
                       error=f"Too large: an article may be at most {state.max_upload:,} bytes.")

    async def replay() -> dict:
        return {"type": "http.request", "body": body, "more_body": False}

    form = await Request(request.scope, replay).form(max_files=1, max_fields=20, max_part_size=limit)

    def refuse(status: int, error: str) -> Response:
        return _render(request, "analyze.html", status_code=status, max_upload=state.max_upload,
                       form=fields, error=error)

    fields = {k: v.strip() for k, v in form.items() if isinstance(v, str) and k != "text"}
    text = form.get("text") if isinstance(form.get("text"), str) else ""
    filename = ""
    upload = form.get("file")
    if upload is not None and not isinstance(upload, str) and upload.filename:
        raw = await upload.read(state.max_upload + 1)
        if len(raw) > state.max_upload:
            return refuse(413, f"Too large: an article may be at most {state.max_upload:,} bytes.")
        text, filename = raw.decode("utf-8", errors="replace"), upload.filename
    if not text or not text.strip():
        return refuse(400, "Paste an article's text or choose a file.")
    if len(text.encode("utf-8")) > state.max_upload:
        return refuse(413, f"Too large: an article may be at most {state.max_upload:,} bytes.")
    article = await run_in_threadpool(_make_article, text, filename, fields)
    if isinstance(article, str):
        return refuse(400, f"Nothing to analyse: {article}.")
    report = await run_in_threadpool(state.analyzer, article)
    await run_in_threadpool(state.catalog.add, report)
    return RedirectResponse(f"/documents/{report.document.id}", status_code=303)


# -- errors ---------------------------------------------------------------------------------
async def http_error(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 500)
    detail = getattr(exc, "detail", "Server error")
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": detail}, status_code=status)
    return _render(request, "error.html", status_code=status, status=status, detail=detail, active="")


def _default_analyzer(article: Article) -> Report:
    from ..pipeline import default_pipeline

    return default_pipeline().analyze(article)


def create_app(
    store: Any,
    *,
    token: str | None = None,
    writable: bool = False,
    max_upload: int = DEFAULT_MAX_UPLOAD,
    analyzer: Callable[[Article], Report] | None = None,
) -> Starlette:
    """The ASGI app over an open ``reportedly.store.Store``.

    ``token``: when set, every request must carry it. ``writable``: allow ``POST /analyze``
    (analyse and store an article); otherwise the server never writes. ``analyzer``: how an
    uploaded article is analysed (default: the process-wide pipeline, loaded on first use).
    """
    routes = [
        Route("/", overview, name="overview"),
        Route("/documents", documents, name="documents"),
        Route("/documents/{doc_id}", document, name="document"),
        Route("/events", events, name="events"),
        Route("/events.{format:str}", events_export, name="events_export"),
        Route("/events/{key}", event_page, name="event"),
        Route("/map", map_page, name="map"),
        Route("/timeline", timeline_page, name="timeline"),
        Route("/analyze", analyze, methods=["GET", "POST"], name="analyze"),
        Mount("/api", routes=api.routes()),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SecurityMiddleware, token=token)],
        exception_handlers={HTTPException: http_error, 404: http_error, 405: http_error},
    )
    app.state.catalog = Catalog(store)
    app.state.templates = _templates()
    app.state.writable = writable
    app.state.max_upload = max_upload
    app.state.analyzer = analyzer or _default_analyzer
    return app
