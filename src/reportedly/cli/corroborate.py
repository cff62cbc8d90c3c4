"""`reportedly corroborate` (pending)."""

command = None
