"""Stage: figures (first version pending)."""

from __future__ import annotations

from .pipeline import Analysis


class FigureStage:
    def __call__(self, analysis: Analysis) -> None:
        return None
