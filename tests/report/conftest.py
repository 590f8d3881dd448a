"""The bundled sample pulled into a store once per test module that asks for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.store import open_store

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sample") / "store.duckdb"
    with open_store(path) as store:
        store.pull(str(SAMPLE))
    return path
