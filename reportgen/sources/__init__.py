"""Where snapshots come from (SPEC §2.2): files now, PostgreSQL in a later issue."""

from __future__ import annotations

from reportgen.errors import InputError
from reportgen.sources.files import Discovery, FileFormat, SnapshotFile, discover

__all__ = ["Discovery", "FileFormat", "SnapshotFile", "discover", "discover_source"]

DATABASE_SCHEMES = ("postgresql://", "postgres://")


def discover_source(source: str) -> Discovery:
    """The snapshot files of `source`; a database URL is refused until that source exists."""
    if source.strip().lower().startswith(DATABASE_SCHEMES):
        raise InputError(
            "PostgreSQL sources are not supported yet",
            hint="Pull from exported snapshot files: --source DIR, a glob or one file.",
        )
    return discover(source)
