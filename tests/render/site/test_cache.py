from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.render.site.cache import cache_folder, read_cached, write_cached
from reportgen.render.site.page_files import vega_bundle


def test_cache_keeps_a_file_under_xdg_cache_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_folder() == tmp_path / "reportgen"
    assert read_cached("thing.js") is None
    write_cached("thing.js", b"made once")
    assert read_cached("thing.js") == b"made once"
    assert sorted(p.name for p in (tmp_path / "reportgen").iterdir()) == ["thing.js"]


def test_cache_that_cannot_be_written_is_only_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    write_cached("thing.js", b"made once")
    assert read_cached("thing.js") is None


def test_vega_bundle_is_made_once_per_release_then_read_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    vega_bundle.cache_clear()
    made = vega_bundle()
    (cached,) = (tmp_path / "reportgen").glob("vega-bundle-*.js")
    assert cached.read_bytes() == made
    assert b"vegaEmbed" in made
    # The next process reads the file, whatever it holds.
    cached.write_bytes(b"window.vegaEmbed = 1;")
    vega_bundle.cache_clear()
    assert vega_bundle() == b"window.vegaEmbed = 1;"
    vega_bundle.cache_clear()
