"""Where snapshots come from: exported files, or the job system's PostgreSQL database.

Both are a `Source` (see `source.py`); the store pulls from either the same way.
"""

from __future__ import annotations

from reportgen.config import Settings
from reportgen.sources.files import Discovery, FilesSource, SnapshotFile, discover
from reportgen.sources.source import (
    Chunk,
    FileFormat,
    Part,
    Source,
    StampFrom,
    is_database_url,
)

__all__ = [
    "Chunk",
    "Discovery",
    "FileFormat",
    "FilesSource",
    "Part",
    "SnapshotFile",
    "Source",
    "StampFrom",
    "discover",
    "open_source",
    "source_of",
]


def source_of(location: str) -> Source:
    """The source at `location` with default settings: a database URL, else files."""
    if not is_database_url(location):
        return FilesSource(location)
    from reportgen.sources.postgres import PostgresSource  # late: loads psycopg

    return PostgresSource(location)


def open_source(settings: Settings, location: str | None = None) -> Source:
    """The source to pull: `location` (--source) if given, else REPORTGEN_DATABASE_URL if set,
    else `source.path`."""
    if location is None:
        url = settings.secrets.database_url
        location = url.get_secret_value() if url is not None else settings.source.path
    if not is_database_url(location):
        return FilesSource(location)
    from reportgen.sources.postgres import PostgresSource, TableNames  # late: loads psycopg

    config = settings.source
    tables = TableNames(
        jobs=config.jobs_table,
        rollout_configuration=config.rollout_configuration_table,
        rollout_history=config.rollout_history_table,
        repository_categories=config.repository_categories_table,
    )
    return PostgresSource(
        location,
        tables=tables,
        batch_rows=config.batch_rows,
        overlap_seconds=config.overlap_seconds,
    )
