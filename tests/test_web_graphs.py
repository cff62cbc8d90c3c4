"""The server-side drawings: provenance graph layout and timeline buckets."""

from __future__ import annotations

from reportedly.web.graphs import NODE_WIDTH, provenance_graph, timeline


def link(name: str, role: str, kind: str = "media") -> dict:
    return {"name": name, "role": role, "type": kind}


def test_chains_merge_by_name_and_publishers_share_the_last_column():
    graph = provenance_graph([
        [link("soldier", "origin", "person"), link("HUR", "relay"), link("Victoria", "relay"), link("a.example", "publisher")],
        [link("Soldier", "origin", "person"), link("HUR", "relay"), link("b.example", "publisher")],
        [link("c.example", "publisher")],
    ])
    by_name = {n.name: n for n in graph.nodes}
    assert set(by_name) == {"soldier", "HUR", "Victoria", "a.example", "b.example", "c.example"}
    assert by_name["soldier"].reports == 2 and by_name["soldier"].role == "origin"
    assert by_name["a.example"].x == by_name["b.example"].x == by_name["c.example"].x
    assert by_name["soldier"].x < by_name["HUR"].x < by_name["Victoria"].x < by_name["a.example"].x
    assert [c["label"] for c in graph.columns] == ["origin", "relay 1", "relay 2", "publisher"]
    # HUR -> b.example skips the Victoria column: routed along a lane below it.
    skip = next(e for e in graph.edges if e["title"] == "HUR → b.example")
    lane = int(skip["d"].split(" L")[1].split(",")[1].split()[0])
    assert lane > by_name["Victoria"].y + 38
    assert graph.width >= 4 * NODE_WIDTH and graph.height > lane


def test_empty_chains_draw_nothing():
    assert provenance_graph([[], []]).nodes == []


def test_timeline_stacks_types_per_day_and_switches_to_weeks_over_long_spans():
    rows = [{"day": "2024-11-01", "type": "ASSAULT", "n": 2}, {"day": "2024-11-01", "type": "AID", "n": 1},
            {"day": "2024-11-03", "type": "ASSAULT", "n": 3}]
    chart = timeline(rows)
    assert chart["unit"] == "day" and chart["peak"] == 3 and chart["types"] == ["AID", "ASSAULT"]
    first_day = [b for b in chart["bars"] if b["label"] == "2024-11-01"]
    assert len(first_day) == 2 and first_day[0]["x"] == first_day[1]["x"]
    assert round(sum(b["h"] for b in first_day)) == round(max(b["h"] for b in chart["bars"]))
    long = timeline(rows + [{"day": "2025-06-01", "type": "AID", "n": 1}])
    assert long["unit"] == "week" and long["first"] == "2024-10-28"  # the Monday of the first week
    assert timeline([])["bars"] == []
