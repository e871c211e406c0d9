"""The two search engines behind one interface, chosen by the database in use: SQLite FTS5 for
the embedded default, PostgreSQL full-text search (tsvector + pg_trgm) in production."""

from django.db import connection

from ventanilla.search.backends.base import Backend, Filters


def backend() -> Backend:
    if connection.vendor == "postgresql":
        from ventanilla.search.backends.postgres import PostgresBackend

        return PostgresBackend()
    from ventanilla.search.backends.sqlite import SqliteBackend

    return SqliteBackend()


__all__ = ["Backend", "Filters", "backend"]
