"""The files source (SPEC §2.2): find snapshot files and read their table and time from the name.

A snapshot file is named `<table>[-<stamp>].<ext>`: `jobs-2026-11-25T10.ndjson`,
`rollout_configuration.json`. The stamp is the snapshot time (naive = UTC); without one the
file's modification time stands in. This module only names files; the store reads them.
"""

from __future__ import annotations

import glob
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from reportgen.errors import InputError
from reportgen.schema import TABLES

logger = logging.getLogger(__name__)


class FileFormat(StrEnum):
    NDJSON = "ndjson"
    JSON_ARRAY = "json"
    CSV = "csv"
    PARQUET = "parquet"


EXTENSIONS = {
    "ndjson": FileFormat.NDJSON,
    "jsonl": FileFormat.NDJSON,
    "json": FileFormat.JSON_ARRAY,
    "csv": FileFormat.CSV,
    "parquet": FileFormat.PARQUET,
}

# Longest table names first, so `rollout_history-…` is never read as a table `rollout`.
_TABLE_PATTERN = "|".join(sorted(TABLES, key=len, reverse=True))
_NAME = re.compile(
    rf"(?P<table>{_TABLE_PATTERN})"
    r"(?:-(?P<stamp>\d{4}-\d{2}-\d{2}(?:T\d{2}(?:[-:]\d{2}(?:[-:]\d{2}(?:\.\d+)?)?)?Z?)?))?"
    r"\.(?P<ext>[A-Za-z]+)"
)


@dataclass(frozen=True)
class SnapshotFile:
    """One file to pull: which table it holds, in which format, and when it was taken."""

    path: Path
    table: str
    format: FileFormat
    snapshot_at: datetime


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


def snapshot_file(path: Path) -> SnapshotFile | None:
    """The snapshot a file holds, or None when its name follows no known table and format."""
    match = _NAME.fullmatch(path.name)
    if match is None or match["ext"].lower() not in EXTENSIONS:
        return None
    if match["stamp"]:
        try:
            taken = parse_stamp(match["stamp"])
        except ValueError:
            return None
    else:
        taken = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return SnapshotFile(path, match["table"], EXTENSIONS[match["ext"].lower()], taken)


def discover(source: str) -> Discovery:
    """The snapshot files of a directory, a glob or one file; unknown files are skipped."""
    candidates = _candidates(source)
    files: list[SnapshotFile] = []
    skipped: list[Path] = []
    for path in candidates:
        found = snapshot_file(path)
        if found is None:
            logger.warning("skipped %s: not a snapshot of a known table", path)
            skipped.append(path)
        else:
            files.append(found)
    if not files:
        raise InputError(
            f"no snapshot files in {source}",
            hint="Name files <table>[-<stamp>].<ndjson|jsonl|json|csv|parquet>, "
            f"with table one of {', '.join(TABLES)}.",
        )
    # Snapshot order, then name: within a pull a later file wins a tie (SPEC §2.3).
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
