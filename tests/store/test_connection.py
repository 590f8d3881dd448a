"""Opening the store: one process at a time, a patient wait, one clear line when busy."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from reportgen.errors import StoreBusyError, StoreError
from reportgen.store import open_store

# A child process that opens the store (as `pull` would) and holds it for N seconds, or,
# without N, until a line arrives on its stdin.
HOLDER = """
import sys, time
from pathlib import Path
from reportgen.store import open_store
with open_store(Path(sys.argv[1])) as store:
    print("holding", flush=True)
    time.sleep(float(sys.argv[2])) if len(sys.argv) > 2 else sys.stdin.readline()
"""


def hold(store_path: Path, *seconds: str) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(store_path), *seconds],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    assert holder.stdout.readline() == "holding\n"
    return holder


def release(holder: subprocess.Popen[str]) -> None:
    holder.communicate("\n", timeout=30)
    assert holder.returncode == 0


@pytest.mark.parametrize("read_only", [False, True])
def test_open_store_busy_fails_after_waiting(store_path: Path, read_only: bool) -> None:
    with open_store(store_path):
        pass
    holder = hold(store_path)
    try:
        with (
            pytest.raises(StoreBusyError) as raised,
            open_store(store_path, wait_seconds=0.5, read_only=read_only),
        ):
            pass
    finally:
        release(holder)
    assert str(raised.value) == (
        f"store {store_path} is busy: another process held it for over 0.5s"
    )


def test_open_store_waits_for_the_other_process(store_path: Path) -> None:
    opened = threading.Event()
    versions: list[int] = []

    def open_when_free() -> None:
        with open_store(store_path, wait_seconds=60) as store:
            versions.append(
                store.connection.sql("SELECT count(*) FROM schema_version").fetchall()[0][0]
            )
        opened.set()

    holder = hold(store_path)
    opener = threading.Thread(target=open_when_free)
    try:
        opener.start()
        # While the other process holds the store, the open neither fails nor gets in.
        assert not opened.wait(timeout=0.5)
    finally:
        release(holder)
    opener.join(timeout=30)
    assert opened.is_set()  # and once it is free, the open goes through
    assert versions[0] >= 1


def test_open_store_read_only_without_a_store(store_path: Path) -> None:
    with pytest.raises(StoreError) as raised, open_store(store_path, read_only=True):
        pass
    assert str(raised.value) == f"no store at {store_path}"
    assert raised.value.hint == "Run `reportgen pull` first."
    assert not store_path.exists()


def test_open_store_not_a_duckdb_file(store_path: Path) -> None:
    store_path.write_text("this is not a database\n" * 100)
    with pytest.raises(StoreError) as raised, open_store(store_path):
        pass
    assert str(raised.value).startswith(f"cannot open store {store_path}: ")
    assert raised.value.hint == (
        "--store must name a reportgen DuckDB file; "
        "to start afresh, move this one aside and run `reportgen pull`."
    )


def test_open_store_creates_the_parent_directory(tmp_path: Path) -> None:
    path = tmp_path / "data" / "nested" / "reportgen.duckdb"
    with open_store(path) as store:
        assert store.path == path
    assert path.is_file()
