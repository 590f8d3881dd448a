from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.errors import ReportgenError
from reportgen.render.site.write import (
    BUILD_MANIFEST,
    BuildManifest,
    SiteOutput,
    SiteWriter,
    Unit,
    check_path,
    read_manifest,
    write_site,
)


def output(files: dict[str, bytes], reused: tuple[str, ...] = ()) -> SiteOutput:
    units = {"pages": Unit("f1", tuple(sorted([*files, *reused])))}
    return SiteOutput(files, reused, BuildManifest(units))


def tree(site: Path) -> dict[str, bytes]:
    return {
        path.relative_to(site).as_posix(): path.read_bytes()
        for path in sorted(site.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def old_site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    write_site(site, output({"index.html": b"old", "daily/1/index.html": b"day page"}), [])
    return site


def test_write_site_writes_files_nojekyll_and_manifest(tmp_path: Path) -> None:
    site = tmp_path / "out" / "site"
    result = write_site(site, output({"index.html": b"<p>hi</p>"}), [])
    assert (result.written, result.reused, result.changed) == (1, 0, True)
    assert tree(site) == {
        ".nojekyll": b"",
        BUILD_MANIFEST: BuildManifest({"pages": Unit("f1", ("index.html",))}).to_json(),
        "index.html": b"<p>hi</p>",
    }
    assert read_manifest(site).units == {"pages": Unit("f1", ("index.html",))}
    assert sorted(p.name for p in site.parent.iterdir()) == ["site"]


def test_write_site_hard_links_reused_files(old_site: Path) -> None:
    before = (old_site / "daily/1/index.html").stat().st_ino
    write_site(old_site, output({"index.html": b"new"}, ("daily/1/index.html",)), [])
    assert (old_site / "daily/1/index.html").stat().st_ino == before
    assert tree(old_site)["index.html"] == b"new"
    assert sorted(p.name for p in old_site.parent.iterdir()) == ["site"]


def test_write_site_failing_midway_leaves_the_old_site_byte_identical(old_site: Path) -> None:
    before = tree(old_site)
    # `a` is written as a file, then needed as a folder: the write fails half-way.
    broken = output({"a": b"file", "a/index.html": b"page", "index.html": b"new"})
    with pytest.raises(ReportgenError) as raised:
        write_site(old_site, broken, [])
    assert str(raised.value).startswith(f"cannot write the site to {old_site}: ")
    assert tree(old_site) == before
    assert sorted(p.name for p in old_site.parent.iterdir()) == ["site"]


def test_write_site_refuses_a_secret_and_writes_nothing(old_site: Path) -> None:
    before = tree(old_site)
    leaky = output({"index.html": b"token ghp_secretvalue123 here"})
    with pytest.raises(ReportgenError) as raised:
        write_site(old_site, leaky, ["ghp_secretvalue123"])
    assert str(raised.value) == (
        "the site would contain a secret value (in index.html); nothing was written"
    )
    assert "ghp_secretvalue123" not in str(raised.value)
    assert tree(old_site) == before


def test_write_site_scans_reused_files_for_secrets(old_site: Path) -> None:
    with pytest.raises(ReportgenError) as raised:
        write_site(old_site, output({}, ("daily/1/index.html",)), ["day page"])
    assert str(raised.value) == (
        "the site would contain a secret value (in daily/1/index.html); nothing was written"
    )


def test_write_site_refuses_to_replace_a_foreign_folder(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.txt").write_text("mine")
    with pytest.raises(ReportgenError) as raised:
        write_site(tmp_path / "docs", output({"index.html": b"x"}), [])
    assert str(raised.value) == (
        f"{tmp_path / 'docs'} exists and is not a reportgen site; refusing to replace it"
    )
    assert (tmp_path / "docs" / "notes.txt").read_text() == "mine"


def mtimes(site: Path) -> dict[str, int]:
    return {p: (site / p).stat().st_mtime_ns for p in tree(site)}


def test_write_site_unchanged_touches_nothing(old_site: Path) -> None:
    stamps, inode = mtimes(old_site), old_site.stat().st_ino
    result = write_site(old_site, output({}, ("daily/1/index.html", "index.html")), [])
    assert (result.written, result.changed) == (0, False)
    assert old_site.stat().st_ino == inode
    assert mtimes(old_site) == stamps


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("../x.html", "refusing to write outside the site: '../x.html'"),
        ("/etc/x", "refusing to write outside the site: '/etc/x'"),
        ("_assets/x.js", "site folder names may not start with '_': '_assets/x.js'"),
    ],
)
def test_check_path_refuses(path: str, message: str) -> None:
    with pytest.raises(ReportgenError) as raised:
        check_path(path)
    assert str(raised.value) == message


def test_read_manifest_of_a_foreign_file_means_rebuild(tmp_path: Path) -> None:
    (tmp_path / BUILD_MANIFEST).write_text('{"version": 99}')
    assert read_manifest(tmp_path) == BuildManifest()
    (tmp_path / BUILD_MANIFEST).write_text("not json")
    assert read_manifest(tmp_path) == BuildManifest()


def late_index(files: dict[str, bytes]) -> SiteOutput:
    """What the search index adds once it is made (in the background, during the write)."""
    return SiteOutput(files, (), BuildManifest({"search/x": Unit("s1", tuple(sorted(files)))}))


def test_write_site_adds_late_files_and_their_units_before_the_swap(old_site: Path) -> None:
    early = output({"index.html": b"new"}, ("daily/1/index.html",))
    late = late_index({"pagefind/x/pagefind.js": b"index", "search/x.js": b"fallback"})
    result = write_site(
        old_site, SiteOutput(early.files, early.reused, early.manifest, lambda: late), []
    )
    assert (result.written, result.reused, result.changed) == (3, 1, True)
    assert tree(old_site)["search/x.js"] == b"fallback"
    assert read_manifest(old_site).units == {**early.manifest.units, **late.manifest.units}
    assert sorted(p.name for p in old_site.parent.iterdir()) == ["site"]


def test_write_site_whose_late_files_fail_leaves_the_old_site_byte_identical(
    old_site: Path,
) -> None:
    before = tree(old_site)
    early = output({"index.html": b"new"}, ("daily/1/index.html",))

    def pagefind_failed() -> SiteOutput:
        raise ReportgenError("Pagefind could not index the site: boom")

    with pytest.raises(ReportgenError, match="Pagefind could not index the site: boom"):
        write_site(
            old_site, SiteOutput(early.files, early.reused, early.manifest, pagefind_failed), []
        )
    assert tree(old_site) == before
    assert sorted(p.name for p in old_site.parent.iterdir()) == ["site"]


def test_write_site_refuses_a_secret_in_late_files_and_keeps_the_old_site(
    old_site: Path,
) -> None:
    before = tree(old_site)
    early = output({"index.html": b"new"})
    leaky = late_index({"search/x.js": b"token ghp_secretvalue123 here"})
    with pytest.raises(ReportgenError) as raised:
        write_site(
            old_site,
            SiteOutput(early.files, early.reused, early.manifest, lambda: leaky),
            ["ghp_secretvalue123"],
        )
    assert str(raised.value) == (
        "the site would contain a secret value (in search/x.js); nothing was written"
    )
    assert tree(old_site) == before
    assert sorted(p.name for p in old_site.parent.iterdir()) == ["site"]


# Handed over while the build gathers (`SiteWriter`, as `build` uses it).


def test_files_handed_over_stay_hidden_until_finish(old_site: Path) -> None:
    before = tree(old_site)
    with SiteWriter(old_site, []) as writer:
        writer.write({"daily/2/index.html": b"day two"})
        writer.keep(["daily/1/index.html"])
        assert tree(old_site) == before  # nothing visible while the build goes on
        writer.write({"index.html": b"new"})
        gathered = output({"index.html": b"new"}, ("daily/1/index.html",))
        result = writer.finish(gathered)
    assert (result.written, result.reused, result.changed) == (2, 1, True)
    assert tree(old_site) == {
        ".nojekyll": b"",
        BUILD_MANIFEST: gathered.manifest.to_json(),
        "daily/1/index.html": b"day page",
        "daily/2/index.html": b"day two",
        "index.html": b"new",
    }
    assert sorted(p.name for p in old_site.parent.iterdir()) == ["site"]


def test_a_build_failing_after_files_were_handed_over_leaves_the_old_site(
    old_site: Path,
) -> None:
    before = tree(old_site)
    with pytest.raises(RuntimeError), SiteWriter(old_site, []) as writer:
        writer.write({"index.html": b"new", "daily/2/index.html": b"day two"})
        raise RuntimeError("a report failed")
    assert tree(old_site) == before
    assert sorted(p.name for p in old_site.parent.iterdir()) == ["site"]


def test_a_secret_in_a_later_page_writes_nothing(old_site: Path) -> None:
    before = tree(old_site)
    with pytest.raises(ReportgenError) as raised, SiteWriter(old_site, ["hunter2-secret"]) as w:
        w.write({"daily/2/index.html": b"fine"})
        w.write({"daily/3/index.html": b"leaks hunter2-secret"})
    assert str(raised.value) == (
        "the site would contain a secret value (in daily/3/index.html); nothing was written"
    )
    assert tree(old_site) == before
    assert sorted(p.name for p in old_site.parent.iterdir()) == ["site"]


def test_a_write_failing_on_the_writer_thread_is_told_by_finish(old_site: Path) -> None:
    before = tree(old_site)
    broken = {"a": b"file", "a/index.html": b"page"}
    with pytest.raises(ReportgenError) as raised, SiteWriter(old_site, []) as writer:
        writer.write(broken)
        writer.finish(output(broken))
    assert str(raised.value).startswith(f"cannot write the site to {old_site}: ")
    assert tree(old_site) == before
    assert sorted(p.name for p in old_site.parent.iterdir()) == ["site"]


def test_kept_files_alone_write_nothing_when_the_manifest_is_the_same(old_site: Path) -> None:
    unchanged = output({}, ("daily/1/index.html", "index.html"))
    with SiteWriter(old_site, []) as writer:
        writer.keep(unchanged.reused)
        assert sorted(p.name for p in old_site.parent.iterdir()) == ["site"]
        result = writer.finish(unchanged)
    assert (result.written, result.reused, result.changed) == (0, 2, False)
