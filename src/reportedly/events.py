"""Stage: events (first version pending)."""

from __future__ import annotations

from .pipeline import Analysis


class EventStage:
    def __call__(self, analysis: Analysis) -> None:
        return None
