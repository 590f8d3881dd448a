"""Every store connection is bounded: DuckDB's memory cap, threads and spill folder."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from reportgen.config import load_settings
from reportgen.errors import ConfigError
from reportgen.sources.files import FilesSource
from reportgen.store import Resources, open_store
from reportgen.store.staging import MEMORY_HINT, UNREADABLE_HINT, _hint

from .rows import job, write_ndjson


def _settings_in_force(path: Path, *, read_only: bool, resources: Resources) -> list[object]:
    with open_store(path, read_only=read_only, resources=resources) as store:
        return list(
            store.connection.sql(
                "SELECT current_setting('memory_limit'), current_setting('threads'),"
                " current_setting('temp_directory')"
            ).fetchall()[0]
        )


def test_default_resources_fit_a_small_runner(tmp_path: Path) -> None:
    store = tmp_path / "store.duckdb"
    defaults = Resources.of(load_settings(environ={}).store)
    assert defaults == Resources("2GB", 2, None)
    # DuckDB shows 2GB (10^9 bytes) in GiB.
    expected = ["1.8 GiB", 2, f"{store}.tmp"]
    assert _settings_in_force(store, read_only=False, resources=defaults) == expected
    assert _settings_in_force(store, read_only=True, resources=defaults) == expected


def test_configured_resources_reach_the_connection(tmp_path: Path) -> None:
    settings = load_settings(
        environ={
            "REPORTGEN_STORE__MEMORY_LIMIT": "1536MiB",
            "REPORTGEN_STORE__THREADS": "1",
            "REPORTGEN_STORE__TEMP_DIRECTORY": str(tmp_path / "spill"),
        }
    )
    resources = Resources.of(settings.store)
    in_force = _settings_in_force(tmp_path / "s.duckdb", read_only=False, resources=resources)
    assert in_force == ["1.5 GiB", 1, str(tmp_path / "spill")]


def test_a_memory_limit_without_a_unit_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"store\.memory_limit"):
        load_settings(environ={"REPORTGEN_STORE__MEMORY_LIMIT": "lots"})


def test_a_memory_limit_below_256_megabytes_is_refused() -> None:
    with pytest.raises(
        ConfigError, match=r"store\.memory_limit.*200MB is below the minimum of 256MB"
    ):
        load_settings(environ={"REPORTGEN_STORE__MEMORY_LIMIT": "200MB"})
    settings = load_settings(environ={"REPORTGEN_STORE__MEMORY_LIMIT": " 1.5GiB "})
    assert settings.store.memory_limit == "1.5GiB"


def test_every_snapshot_format_pulls_under_the_smallest_cap(tmp_path: Path) -> None:
    # Each reader's buffer is sized by its file: a 1 KB export once asked DuckDB for 512 MiB,
    # which failed every pull under a cap of 512MB.
    folder = tmp_path / "in"
    write_ndjson(folder / "jobs-2026-11-25T10.ndjson", [job("job-1"), job("job-2")])
    (folder / "jobs-2026-11-25T11.csv").write_text(
        "id,job_type,processor_type,status,created_at\n"
        "job-3,recent-prs,inngest,completed,2026-11-25T10:00:00Z\n"
    )
    (folder / "rollout_configuration.json").write_text(
        '[{"id": "c1", "feature_name": "hybrid_progressive_capture", "rollout_percentage": 10,'
        ' "is_active": true, "created_at": "2026-11-01T00:00:00Z",'
        ' "updated_at": "2026-11-01T00:00:00Z"}]'
    )
    with open_store(tmp_path / "s.duckdb", resources=Resources("256MB", 2)) as store:
        result = store.pull(str(folder))
    assert [(t.table, t.inserted, t.rejected) for t in result.tables] == [
        ("jobs", 3, 0),
        ("rollout_configuration", 1, 0),
    ]


class _Budgeted(FilesSource):
    """Snapshot files that ask for a memory budget of their own, as a database source does."""

    def __init__(self, location: str, budget: int) -> None:
        super().__init__(location)
        self.budget = budget

    @property
    def memory_budget(self) -> int | None:
        return self.budget


@pytest.mark.parametrize("budget", [1_000_000_000, 8_000_000_000])
def test_a_sources_memory_budget_gives_back_the_stores_own_cap(tmp_path: Path, budget: int) -> None:
    # RESET would lift the cap to DuckDB's default (80 % of RAM) for the rest of a build.
    files = write_ndjson(tmp_path / "in" / "jobs-2026-11-25T10.ndjson", [job("job-1")])
    resources = Resources("1536MiB", 2)
    with open_store(tmp_path / "s.duckdb", resources=resources) as store:
        assert store.pull(_Budgeted(str(files), budget)).tables[0].inserted == 1
        cap = store.connection.sql("SELECT current_setting('memory_limit')").fetchall()
    assert cap == [("1.5 GiB",)]


def test_a_scan_out_of_memory_says_to_raise_the_cap_not_to_fix_the_file() -> None:
    # A real one needs a file that takes DuckDB tens of seconds to give up on.
    out_of_memory = duckdb.OutOfMemoryException("failed to allocate data of size 512.0 MiB")
    assert _hint(out_of_memory, UNREADABLE_HINT) == MEMORY_HINT
    assert _hint(duckdb.InvalidInputException("bad"), UNREADABLE_HINT) == UNREADABLE_HINT
    assert _hint(None, UNREADABLE_HINT) == UNREADABLE_HINT
