"""cases/backoffice."""
