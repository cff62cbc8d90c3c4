"""The events filter: query parameters in, validated values and a parameterised SQL WHERE out.

The same ``EventFilter`` serves the events table, its CSV/GeoJSON exports, the map, the
timeline and ``/api/events``, so every view of "the current filter" shows the same events.
Every value reaches SQL as a bound parameter; column and sort names come from fixed tables.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from urllib.parse import urlencode

from ..records import EVENT_TYPES

CERTAINTIES: tuple[str, ...] = ("certain", "probable", "possible", "uncertain")
STATUSES: tuple[str, ...] = ("asserted", "negated", "denied", "hypothetical", "future", "threatened")

# Sort key -> column of the flat events query (see data.EVENT_COLUMNS); never user text.
SORTS: dict[str, str] = {
    "date": "event_date",
    "type": "type",
    "country": "location_country",
    "admin1": "location_admin1",
    "certainty": "certainty_rank",
    "outlet": "outlet",
    "origins": "independent_origins",
    "killed": "killed_min",
    "actor": "actor_name",
}
PER_PAGE_MAX = 500
_CODE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,3})?$")


def _date(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip()[:10]).isoformat()
    except ValueError:
        return None


def _code(value: str | None) -> str | None:
    value = (value or "").strip()
    return value.upper() if _CODE.match(value) else None


def _int(value: str | None, default: int, low: int, high: int) -> int:
    try:
        return max(low, min(high, int(value))) if value not in (None, "") else default
    except ValueError:
        return default


@dataclass
class EventFilter:
    types: list[str] = field(default_factory=list)
    country: str | None = None
    admin1: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    certainty: str | None = None
    status: str | None = None
    actor: str | None = None
    outlet: str | None = None
    min_origins: int | None = None
    friendly_fire: bool = False
    located: bool = False
    doc: str | None = None
    sort: str = "date"
    order: str = "desc"
    page: int = 1
    per_page: int = 50

    @classmethod
    def from_query(cls, query: Mapping, *, per_page: int = 50) -> EventFilter:
        """Parse request query parameters; unknown or malformed values are ignored, not errors."""
        getlist = getattr(query, "getlist", lambda key: [query[key]] if key in query else [])
        types = [t.upper() for t in getlist("type") if t and t.upper() in EVENT_TYPES]
        certainty = query.get("certainty") or None
        status = query.get("status") or None
        min_origins = _int(query.get("min_origins"), 0, 0, 1000) or None
        sort = query.get("sort") or "date"
        return cls(
            types=types,
            country=_code(query.get("country")),
            admin1=_code(query.get("admin1")),
            date_from=_date(query.get("date_from")),
            date_to=_date(query.get("date_to")),
            certainty=certainty if certainty in CERTAINTIES else None,
            status=status if status in STATUSES else None,
            actor=(query.get("actor") or "").strip()[:200] or None,
            outlet=(query.get("outlet") or "").strip()[:200] or None,
            min_origins=min_origins,
            friendly_fire=query.get("friendly_fire") in ("1", "true", "on"),
            located=query.get("located") in ("1", "true", "on"),
            doc=(query.get("doc") or "").strip()[:64] or None,
            sort=sort if sort in SORTS else "date",
            order="asc" if query.get("order") == "asc" else "desc",
            page=_int(query.get("page"), 1, 1, 10**6),
            per_page=_int(query.get("per_page"), per_page, 1, PER_PAGE_MAX),
        )

    def where(self) -> tuple[str, list]:
        """The SQL condition over the flat events query (data.EVENT_COLUMNS) and its params."""
        clauses: list[str] = []
        params: list = []
        if self.types:
            clauses.append("type IN (" + ", ".join("?" for _ in self.types) + ")")
            params.extend(self.types)
        for column, value in (
            ("location_country", self.country),
            ("location_admin1", self.admin1),
            ("certainty", self.certainty),
            ("status", self.status),
            ("outlet", self.outlet),
            ("doc_id", self.doc),
        ):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        if self.date_from:
            clauses.append("event_date >= ?")
            params.append(self.date_from)
        if self.date_to:
            clauses.append("event_date <= ?")
            params.append(self.date_to)
        if self.actor:
            clauses.append(
                "(actor_name ILIKE ? ESCAPE '\\' OR actor_text ILIKE ? ESCAPE '\\' OR recipient_name ILIKE ? ESCAPE '\\' OR recipient_text ILIKE ? ESCAPE '\\')"
            )
            pattern = "%" + self.actor.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            params.extend([pattern] * 4)
        if self.min_origins:
            clauses.append("independent_origins >= ?")
            params.append(self.min_origins)
        if self.friendly_fire:
            clauses.append("friendly_fire")
        if self.located:
            clauses.append("location_lat IS NOT NULL AND location_lon IS NOT NULL")
        return (" AND ".join(clauses) or "TRUE"), params

    def order_by(self) -> str:
        direction = "ASC" if self.order == "asc" else "DESC"
        return f"{SORTS[self.sort]} {direction} NULLS LAST, doc_id, event_id"

    def params(self, **overrides) -> dict[str, object]:
        """The filter as query parameters (defaults left out), with ``overrides`` applied."""
        values: dict[str, object] = {}
        defaults = EventFilter()
        for item in fields(self):
            value = getattr(self, item.name)
            if value != getattr(defaults, item.name):
                values[item.name] = value
        values.update(overrides)
        out: dict[str, object] = {}
        for key, value in values.items():
            if value in (None, False, [], ""):
                continue
            if key == "types":
                out["type"] = value
            else:
                out[key] = 1 if value is True else value
        return out

    def query_string(self, **overrides) -> str:
        return urlencode(self.params(**overrides), doseq=True)

    def is_filtered(self) -> bool:
        """Whether any condition (not just sort or paging) is set."""
        return bool(set(self.params()) - {"sort", "order", "page", "per_page"})
