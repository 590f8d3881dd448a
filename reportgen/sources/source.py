"""The Source protocol: what the store pulls from, whether files or a database.

A source opens into parts, one per file or per database table. A part streams its rows as
chunks that DuckDB scans: the file itself, or a table's rows as a stream of bounded Arrow
batches, so the store never needs to know where the rows came from. Each part carries its
snapshot time and the origin label that rejects and the pull's output name it by; a
database's label never holds a password.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import pyarrow as pa

DATABASE_SCHEMES = ("postgresql://", "postgres://")


def is_database_url(text: str) -> bool:
    return text.strip().lower().startswith(DATABASE_SCHEMES)


class FileFormat(StrEnum):
    NDJSON = "ndjson"
    JSON_ARRAY = "json"
    CSV = "csv"
    PARQUET = "parquet"
    # A database table's rows, typed as the database holds them, streamed in batches.
    ARROW = "arrow"


class StampFrom(StrEnum):
    """Where a part's snapshot time came from, so the pull can say so."""

    NAME = "name"
    FILE_TIME = "file time"
    DATABASE = "database"


@dataclass(frozen=True)
class Chunk:
    """A file of rows for DuckDB to scan (`path`), or (`ARROW`) a stream of a table's `rows`,
    each led by its number in the read (`__number`)."""

    format: FileFormat
    path: Path | None = None
    rows: pa.RecordBatchReader | None = None


@dataclass(frozen=True)
class Part:
    """One file, or one table of a database, as the pull reads it."""

    table: str
    origin: str
    snapshot_at: datetime
    stamp_from: StampFrom
    chunks: Callable[[], Iterator[Chunk]]
    # Read again, a file replaces its earlier rejects; an incremental database read adds to them.
    replaces_rejects: bool = True
    # The newest change time this part read (database parts), for the next incremental pull.
    watermark: datetime | None = None
    # Said by the pull when the snapshot time needs explaining (a file of an unusual name).
    note: str | None = None
    # A file part's one chunk, known without reading it (None for a database table).
    file: Chunk | None = None


class Source(Protocol):
    """Where snapshots come from; `open` yields the parts to pull, in snapshot order."""

    @property
    def label(self) -> str:
        """How the output and the pull log name this source (never with a password)."""
        ...

    @property
    def unit(self) -> str:
        """What one part is, for the output: `file` or `table`."""
        ...

    @property
    def skipped(self) -> tuple[str, ...]:
        """What the source passed over (files of no known table), once opened."""
        ...

    @property
    def memory_budget(self) -> int | None:
        """Bytes the store may hold in memory while staging this pull (the rest spills to
        disk), or None for no bound of the source's own."""
        ...

    def open(self, since: Mapping[str, datetime]) -> AbstractContextManager[Sequence[Part]]:
        """The parts to pull; `since` holds each table's watermark from the last pull."""
        ...
