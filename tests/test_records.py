"""The record types, the JSON Schema kept in the repo, and the output of a real analysis."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import msgspec
import pytest

from reportedly.records import Count, Report, decode_report, encode, json_schema


def committed_schema() -> dict:
    return json.loads(resources.files("reportedly.schema").joinpath("report.schema.json").read_text())


def test_committed_schema_matches_the_record_types():
    # Regenerate with: python -c "import json,reportedly.records as r; print(json.dumps(r.json_schema(), indent=2))"
    assert committed_schema() == json_schema()


def test_kursk_output_validates_against_the_schema(kursk_report: Report):
    data = json.loads(encode(kursk_report))
    jsonschema.validate(data, committed_schema())
    assert decode_report(encode(kursk_report)) == kursk_report


def test_schema_rejects_a_bad_event_type(kursk_report: Report):
    data = json.loads(encode(kursk_report))
    data["events"] = [{"id": "e1", "type": "EXPLODE", "trigger": {"text": "x", "start": 0, "end": 1}, "sentence": 0, "evidence": "x"}]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, committed_schema())
    with pytest.raises(msgspec.ValidationError):
        decode_report(json.dumps(data))


def test_count_serialises_open_ranges():
    assert json.loads(encode(Count(min=20000, max=None, approx=True, text="over 20,000"))) == {
        "min": 20000, "max": None, "approx": True, "text": "over 20,000"}
