"""cases/documents."""
