"""Shared fixtures: the pipeline (loaded once per test session) and ../shared when present."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLE = ROOT / "examples" / "kursk-friendly-fire.txt"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def pipeline():
    from reportedly.pipeline import default_pipeline

    return default_pipeline()


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is absent: skipping tests that read the shared corpora and gold sets")
    return SHARED


@pytest.fixture(scope="session")
def kursk_report(pipeline):
    from reportedly.records import Article

    return pipeline.analyze(
        Article(text=EXAMPLE.read_text(encoding="utf-8"), id="examples/kursk-friendly-fire.txt", published="2024-11-08")
    )
