from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from reportgen.render.site.cache import cache_folder, read_cached, write_cached
from reportgen.render.site.page_files import latest_files, vega_bundle
from reportgen.render.site.pages import Assets, Freshness, SiteCommon, environment


def test_cache_keeps_a_file_under_xdg_cache_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_folder() == tmp_path / "reportgen"
    assert read_cached("thing.js") is None
    write_cached("thing.js", b"made once")
    assert read_cached("thing.js") == b"made once"
    assert sorted(p.name for p in (tmp_path / "reportgen").iterdir()) == ["thing.js"]


@pytest.fixture
def unusable_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """XDG_CACHE_HOME names a file, so no cache folder can be made in it."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))


@pytest.mark.usefixtures("unusable_cache")
def test_cache_that_cannot_be_written_is_only_skipped() -> None:
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


def _latest_pages(env: jinja2.Environment) -> dict[str, bytes]:
    freshness = Freshness(None, "2026-11-30T00:00:00+00:00", "abc", False, 36)
    common = SiteCommon("T", "1", freshness, Assets("a.css", "a.js", "v.js", "s.js"))
    return latest_files(env, {}, common)


def test_compiled_templates_are_kept_and_render_as_compiled_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    compiled_now = _latest_pages(environment(cached=True))
    (folder,) = (tmp_path / "reportgen").glob("templates-*")
    kept = {path.name: path.stat().st_mtime_ns for path in folder.iterdir()}
    assert kept  # latest.html and the base it extends
    # The next build reads them (and writes none again), with the same pages as a build
    # that compiles every template.
    assert _latest_pages(environment(cached=True)) == compiled_now
    assert {path.name: path.stat().st_mtime_ns for path in folder.iterdir()} == kept
    assert _latest_pages(environment()) == compiled_now


@pytest.mark.usefixtures("unusable_cache")
def test_compiled_templates_without_a_usable_cache_folder_are_only_compiled() -> None:
    env = environment(cached=True)
    assert env.bytecode_cache is None
    assert _latest_pages(env) == _latest_pages(environment())
