"""The JSON API under ``/api/``: the same queries as the pages, described at ``/api/openapi.json``."""

from __future__ import annotations

import dataclasses

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .. import __version__
from ..records import EVENT_TYPES
from .data import Page
from .detail import event_detail
from .filters import CERTAINTIES, SORTS, STATUSES, EventFilter


def _page(page: Page) -> dict:
    return {"total": page.total, "page": page.page, "per_page": page.per_page, "pages": page.pages,
            "items": page.rows}


def stats(request: Request) -> JSONResponse:
    return JSONResponse(request.app.state.catalog.stats())


def events(request: Request) -> JSONResponse:
    event_filter = EventFilter.from_query(request.query_params)
    return JSONResponse(_page(request.app.state.catalog.events(event_filter)))


def event(request: Request) -> JSONResponse:
    detail = event_detail(request.app.state.catalog, request.path_params["key"])
    if detail is None:
        raise HTTPException(404, "no such event")
    detail["graph"] = dataclasses.asdict(detail["graph"])
    return JSONResponse(detail)


def timeline(request: Request) -> JSONResponse:
    event_filter = EventFilter.from_query(request.query_params)
    return JSONResponse({"days": request.app.state.catalog.timeline(event_filter)})


def documents(request: Request) -> JSONResponse:
    event_filter = EventFilter.from_query(request.query_params)
    outlet = (request.query_params.get("outlet") or "").strip() or None
    page = request.app.state.catalog.documents(event_filter.page, event_filter.per_page, outlet=outlet)
    return JSONResponse(_page(page))


def document(request: Request) -> JSONResponse:
    report = request.app.state.catalog.report(request.path_params["doc_id"])
    if report is None:
        raise HTTPException(404, "no such document")
    return JSONResponse(report.to_dict())


def openapi(request: Request) -> JSONResponse:
    return JSONResponse(OPENAPI)


def routes() -> list[Route]:
    return [
        Route("/stats", stats),
        Route("/events", events),
        Route("/events/{key}", event),
        Route("/timeline", timeline),
        Route("/documents", documents),
        Route("/documents/{doc_id}", document),
        Route("/openapi.json", openapi),
    ]


# -- OpenAPI description (hand-written: small, and it documents the filter parameters) ----------
def _query(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


_PAGING = [
    _query("page", {"type": "integer", "minimum": 1, "default": 1}, "Page number."),
    _query("per_page", {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}, "Rows per page."),
]
EVENT_FILTERS = [
    _query("type", {"type": "array", "items": {"type": "string", "enum": list(EVENT_TYPES)}},
           "PLOVER event type (repeat for several)."),
    _query("country", {"type": "string"}, "Location country, ISO 3166-1 alpha-2."),
    _query("admin1", {"type": "string"}, "Location region, ISO 3166-2."),
    _query("date_from", {"type": "string", "format": "date"},
           "Events on or after this day (event date, else the publication date)."),
    _query("date_to", {"type": "string", "format": "date"}, "Events on or before this day."),
    _query("certainty", {"type": "string", "enum": list(CERTAINTIES)}, "Certainty."),
    _query("status", {"type": "string", "enum": list(STATUSES)}, "Status."),
    _query("actor", {"type": "string"}, "Substring of the actor's or recipient's text or name."),
    _query("outlet", {"type": "string"}, "Publishing outlet (exact)."),
    _query("min_origins", {"type": "integer", "minimum": 0},
           "At least this many independent origins (corroboration; 1 when not computed)."),
    _query("friendly_fire", {"type": "boolean"}, "Only friendly-fire events."),
    _query("located", {"type": "boolean"}, "Only events with coordinates."),
    _query("doc", {"type": "string"}, "Only events of this document id."),
    _query("sort", {"type": "string", "enum": list(SORTS), "default": "date"}, "Sort key."),
    _query("order", {"type": "string", "enum": ["asc", "desc"], "default": "desc"}, "Sort order."),
    *_PAGING,
]
_JSON = {"application/json": {"schema": {"type": "object"}}}
_ERRORS = {"401": {"description": "Token required (when the server has one)."}}


def _get(summary: str, parameters: list | None = None, description: str = "") -> dict:
    return {"get": {"summary": summary, "description": description, "parameters": parameters or [],
                    "responses": {"200": {"description": "OK", "content": _JSON}, **_ERRORS}}}


def _path(name: str, description: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}, "description": description}


OPENAPI: dict = {
    "openapi": "3.0.3",
    "info": {
        "title": "reportedly",
        "version": __version__,
        "description": (
            "Conflict events, figures and source chains from the reportedly store: the data the "
            "web pages show. Records follow the reportedly record format (events, figures, "
            "attributions, sources; corroboration when computed). With a server token, send "
            "`Authorization: Bearer <token>`."
        ),
    },
    "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    "security": [{"bearer": []}],
    "paths": {
        "/api/stats": _get("Counts: documents, events, located events, by type, country, certainty, outlet, origin."),
        "/api/events": _get(
            "Events matching a filter, one page at a time.", EVENT_FILTERS,
            "Items are flat event rows with the document's outlet, title, published date and url, "
            "`key` (the event id: document id then event id, `3f2a9c0d1b2e4f5ae1`), and corroboration columns.",
        ),
        "/api/events/{key}": _get(
            "One event: fields, its mentions across articles (its corroboration cluster), the "
            "provenance graph and the figures that count it.",
            [_path("key", "The event id (document id then event id, e.g. `3f2a9c0d1b2e4f5ae1`), the "
                   "older `3f2a9c0d1b2e4f5a:e1`, or a corroboration cluster id (its first report).")],
        ),
        "/api/timeline": _get("Events per day and type under a filter.", EVENT_FILTERS[:-4]),
        "/api/documents": _get(
            "Stored documents (no text), newest first.",
            [_query("outlet", {"type": "string"}, "Only this outlet."), *_PAGING],
        ),
        "/api/documents/{doc_id}": _get(
            "One document's full report (document with text, events, figures, attributions, sources).",
            [_path("doc_id", "Document id (16 hex characters).")],
        ),
        "/api/openapi.json": _get("This description."),
    },
}
