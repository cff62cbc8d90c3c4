"""`reportedly stats` (pending)."""

command = None
