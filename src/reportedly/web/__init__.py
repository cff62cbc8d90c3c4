"""The local web UI and JSON API (``reportedly serve``)."""

from .app import create_app

__all__ = ["create_app"]
