"""The terminal summary (`reportedly analyze --format table`) shows what an analyst reads first."""

from __future__ import annotations

from reportedly.cli.table import print_reports


def test_table_shows_the_chain_and_open_bounds(kursk_report, tmp_path):
    out = tmp_path / "table.txt"
    print_reports([kursk_report], out)
    text = " ".join(out.read_text(encoding="utf-8").split())
    assert "ASSAULT/firearms" in text and "friendly fire" in text
    assert "captured Russian soldier (says) → Ukrainian military intelligence (video released by)" in text
    assert "over 20,000 casualties" in text and "max open" in text
    assert "max None" not in text
