"""Payment models (filled in by the payments work)."""
