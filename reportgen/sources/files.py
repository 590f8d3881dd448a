"""The files source: find snapshot files and read their table and time from the name.

A snapshot file's name starts with its table and ends in its format: `<table>[-<stamp>].<ext>`
(`jobs-2026-11-25T10.ndjson`, `rollout_configuration.json`), and any other text after the
table is allowed (`jobs-2026-10-30-a.ndjson`, `jobs_export.csv`). The stamp, where the name
has one that parses, is the snapshot time (naive = UTC); otherwise the file's modification time
stands in, and the pull says so. This module only names files; the store reads them.
"""

from __future__ import annotations

import glob
import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from reportgen.errors import InputError
from reportgen.schema import TABLES
from reportgen.sources.source import Chunk, FileFormat, Part, StampFrom

logger = logging.getLogger(__name__)

EXTENSIONS = {
    "ndjson": FileFormat.NDJSON,
    "jsonl": FileFormat.NDJSON,
    "json": FileFormat.JSON_ARRAY,
    "csv": FileFormat.CSV,
    "parquet": FileFormat.PARQUET,
}

# Longest table names first, so a longer table is never read as a shorter one it starts with.
_TABLES_LONGEST_FIRST = sorted(TABLES, key=len, reverse=True)
_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}(?:T\d{2}(?:[-:]\d{2}(?:[-:]\d{2}(?:\.\d+)?)?)?Z?)?")
NAMING_HINT = (
    "Name files <table>[-<stamp>].<ndjson|jsonl|json|csv|parquet>, "
    f"with table one of {', '.join(TABLES)}."
)


@dataclass(frozen=True)
class SnapshotFile:
    """One file to pull: which table it holds, in which format, and when it was taken."""

    path: Path
    table: str
    format: FileFormat
    snapshot_at: datetime
    stamp_from: StampFrom = StampFrom.NAME
    # Set when the name is not the plain `<table>[-<stamp>]`: says where the time came from.
    note: str | None = None


@dataclass(frozen=True)
class Discovery:
    """The snapshot files of a source, in snapshot order, and the files that were skipped."""

    files: tuple[SnapshotFile, ...]
    skipped: tuple[Path, ...]


def parse_stamp(stamp: str) -> datetime:
    """`2026-11-25`, `2026-11-25T10`, `2026-11-25T10-00-00Z` or `2026-11-25T10:00` as UTC."""
    date_part, _, time_part = stamp.removesuffix("Z").partition("T")
    fields = [int(part) for part in re.split(r"[-:]", time_part.split(".")[0])] if time_part else []
    hour, minute, second = [*fields, 0, 0, 0][:3]
    day = datetime.fromisoformat(date_part)
    return day.replace(hour=hour, minute=minute, second=second, tzinfo=UTC)


def _table_of(stem: str) -> str | None:
    """The table a file name starts with; the next character must not continue a word."""
    for table in _TABLES_LONGEST_FIRST:
        if stem.startswith(table) and not stem[len(table) : len(table) + 1].isalnum():
            return table
    return None


def _stamp_of(rest: str) -> datetime | None:
    """The snapshot time at the start of what follows `<table>-`, if one is there and parses."""
    match = _STAMP.match(rest)
    if match is None or rest[match.end() : match.end() + 1].isalnum():
        return None
    try:
        return parse_stamp(match.group())
    except ValueError:
        return None


def snapshot_file(path: Path) -> SnapshotFile | None:
    """The snapshot a file holds, or None when its name starts with no table or has no format."""
    stem, dot, extension = path.name.rpartition(".")
    if not dot or extension.lower() not in EXTENSIONS:
        return None
    table = _table_of(stem)
    if table is None:
        return None
    file_format = EXTENSIONS[extension.lower()]
    rest = stem[len(table) :]
    taken = _stamp_of(rest[1:]) if rest.startswith("-") else None
    plain = rest == "" or (taken is not None and _STAMP.fullmatch(rest[1:]) is not None)
    if taken is not None:
        note = None if plain else f"{path.name}: snapshot time {taken.isoformat()} from the name"
        return SnapshotFile(path, table, file_format, taken, StampFrom.NAME, note)
    modified = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    note = (
        None
        if plain
        else f"{path.name}: no snapshot time in the name; took the file's modification time"
        f" {modified.isoformat()}"
    )
    return SnapshotFile(path, table, file_format, modified, StampFrom.FILE_TIME, note)


def discover(source: str) -> Discovery:
    """The snapshot files of a directory, a glob or one file; unknown files are skipped."""
    candidates = _candidates(source)
    if Path(source).is_file() and snapshot_file(candidates[0]) is None:
        # Named on its own, the file was meant to be pulled: not a warning but an error.
        raise InputError(f"{source} is not a snapshot file", hint=NAMING_HINT)
    files: list[SnapshotFile] = []
    skipped: list[Path] = []
    for path in candidates:
        found = snapshot_file(path)
        if found is None:
            logger.warning("skipped %s: not a snapshot of a known table", path)
            skipped.append(path)
        else:
            if found.note is not None:
                logger.debug("%s", found.note)
            files.append(found)
    if not files:
        raise InputError(f"no snapshot files in {source}", hint=NAMING_HINT)
    # Snapshot order, then name: within a pull a later file wins a tie.
    files.sort(key=lambda file: (file.snapshot_at, file.path.name, str(file.path)))
    return Discovery(tuple(files), tuple(skipped))


def _candidates(source: str) -> list[Path]:
    path = Path(source)
    if path.is_dir():
        return sorted(child.resolve() for child in path.iterdir() if child.is_file())
    if path.is_file():
        return [path.resolve()]
    if glob.has_magic(source):
        found_paths = glob.glob(source, recursive=True)  # noqa: PTH207 - the pattern may be absolute
        matched = sorted(Path(found).resolve() for found in found_paths)
        return [found for found in matched if found.is_file()]
    raise InputError(
        f"snapshot source {source} does not exist",
        hint="Pass --source DIR, a glob or one file, or set source.path.",
    )


class FilesSource:
    """Snapshot files: a directory, a glob or one file, each file one part."""

    unit = "file"

    def __init__(self, location: str) -> None:
        self.location = location
        self._skipped: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return self.location

    @property
    def skipped(self) -> tuple[str, ...]:
        return self._skipped

    @property
    def memory_budget(self) -> int | None:
        return None

    @contextmanager
    def open(self, since: Mapping[str, datetime]) -> Iterator[Sequence[Part]]:
        """Every snapshot file, in snapshot order; files are always read whole (no watermark)."""
        del since
        discovery = discover(self.location)
        self._skipped = tuple(str(path) for path in discovery.skipped)
        yield tuple(_part(file) for file in discovery.files)


def _part(file: SnapshotFile) -> Part:
    chunk = Chunk(file.format, file.path)

    def chunks() -> Iterator[Chunk]:
        yield chunk

    return Part(
        file.table,
        str(file.path),
        file.snapshot_at,
        file.stamp_from,
        chunks,
        note=file.note,
        file=chunk,
    )
