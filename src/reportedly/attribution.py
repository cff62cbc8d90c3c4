"""Stage: attribution (first version pending)."""

from __future__ import annotations

from .pipeline import Analysis


class AttributionStage:
    def __call__(self, analysis: Analysis) -> None:
        return None
