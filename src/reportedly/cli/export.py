"""`reportedly export` (pending)."""

command = None
