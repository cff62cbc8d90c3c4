"""Scorers against the gold sets in ../shared/eval (run on demand, never needed at run time)."""

from __future__ import annotations

from pathlib import Path


def shared_dir() -> Path | None:
    """``../shared`` beside the repository (or $REPORTEDLY_SHARED), or None when absent."""
    import os

    env = os.environ.get("REPORTEDLY_SHARED")
    candidates = [Path(env)] if env else []
    candidates.append(Path(__file__).resolve().parents[3].parent / "shared")
    candidates.append(Path.cwd().parent / "shared")
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return None
