"""`reportedly ingest` (pending)."""

command = None
