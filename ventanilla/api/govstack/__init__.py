"""api/govstack."""
