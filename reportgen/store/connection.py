"""Opening the DuckDB file: one writer at a time, and a patient wait for it.

DuckDB locks the whole file per process, even for read-only opens, so every open retries
until `wait_seconds` have passed and then gives up with a one-line StoreBusyError.

Every connection is bounded: DuckDB's default cap is 80 % of the machine's RAM, which on a
shared CI runner is memory other processes need. `Resources` (from the `store` settings) caps
DuckDB's memory and threads and names where it spills what does not fit.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from reportgen.config import StoreSettings
from reportgen.errors import StoreBusyError, StoreError

logger = logging.getLogger(__name__)

# Extensions ship inside the duckdb wheel; never fetch one from the network.
CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": True}
RETRY_SECONDS = 0.1
MAX_RETRY_SECONDS = 1.0
NOT_A_STORE_HINT = (
    "--store must name a reportgen DuckDB file; "
    "to start afresh, move this one aside and run `reportgen pull`."
)


@dataclass(frozen=True)
class Resources:
    """What one DuckDB connection may use: memory before it spills, and worker threads."""

    memory_limit: str
    threads: int
    # None: `<store file>.tmp` beside the store, DuckDB's own choice made explicit.
    temp_directory: Path | None = None

    @classmethod
    def of(cls, settings: StoreSettings) -> Resources:
        return cls(settings.memory_limit, settings.threads, settings.temp_directory)

    def config(self, path: Path) -> dict[str, str]:
        spill = self.temp_directory or path.with_name(path.name + ".tmp")
        return {
            "memory_limit": self.memory_limit.strip(),
            "threads": str(self.threads),
            "temp_directory": str(spill),
        }


DEFAULT_RESOURCES = Resources.of(StoreSettings())


def connect(
    path: Path,
    *,
    wait_seconds: float,
    read_only: bool,
    resources: Resources = DEFAULT_RESOURCES,
) -> duckdb.DuckDBPyConnection:
    """A connection to the store at `path`, in UTC, retrying while another process holds it."""
    if read_only and not path.exists():
        raise StoreError(f"no store at {path}", hint="Run `reportgen pull` first.")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_seconds
    pause = RETRY_SECONDS
    while True:
        try:
            connection = duckdb.connect(
                str(path), read_only=read_only, config={**CONFIG, **resources.config(path)}
            )
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise StoreError(
                    f"cannot open store {path}: {first_line(exc)}", hint=NOT_A_STORE_HINT
                ) from None
            if time.monotonic() >= deadline:
                raise StoreBusyError(
                    f"store {path} is busy: another process held it for over {wait_seconds:g}s"
                ) from None
            if pause == RETRY_SECONDS:
                # Said once, so a wait of up to `wait_seconds` is never silent.
                logger.info(
                    "store %s is in use by another process; waiting up to %gs", path, wait_seconds
                )
            logger.debug("store %s is locked; retrying in %.1fs", path, pause)
            time.sleep(min(pause, max(deadline - time.monotonic(), 0.0)))
            pause = min(pause * 2, MAX_RETRY_SECONDS)
        except duckdb.Error as exc:
            raise StoreError(
                f"cannot open store {path}: {first_line(exc)}", hint=NOT_A_STORE_HINT
            ) from None
        else:
            return in_session(connection)


def in_session(connection: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """`connection` (or a cursor of it: cursors do not inherit these) set for the store."""
    connection.execute("SET TimeZone = 'UTC'")
    # The CLI draws its own progress bar; DuckDB's would garble stderr.
    connection.execute("SET enable_progress_bar = false")
    return connection


def first_line(exc: BaseException) -> str:
    """An error's first line (its type's name when it says nothing): DuckDB's run on."""
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
