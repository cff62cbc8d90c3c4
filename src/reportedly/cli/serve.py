"""`reportedly serve` (pending)."""

command = None
