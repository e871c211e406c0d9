"""cases/citizen."""
