"""Write a gathered site to disk atomically, reusing unchanged files of the previous build.

The new site is written into a hidden sibling folder, then swapped in with two renames (old
aside, new in) and the old one deleted: a reader, or a failed build, only ever sees a complete
site. Files of unchanged pages are hard-linked from the old site (copied where links are not
possible), so they are neither re-rendered nor rewritten. `.reportgen-build.json` records each
page's input fingerprint and files for the next build.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from reportgen.errors import ReportgenError

log = logging.getLogger(__name__)

BUILD_MANIFEST = ".reportgen-build.json"
MANIFEST_VERSION = 1
# GitHub Pages would run Jekyll without it, which hides `_`-prefixed paths and costs minutes.
NOJEKYLL = ".nojekyll"


@dataclass(frozen=True)
class Unit:
    """One page (or asset) of the build: its input fingerprint and the files it produced."""

    fingerprint: str
    files: tuple[str, ...]
    # A report page's report inputs alone (its links aside): when only a link changed, the
    # report is read back from the old site instead of being computed again.
    inputs: str = ""
    # A daily page's status, for the index's year calendar without reading every report.
    status: str = ""
    # A daily page's part of its report that the alerts page reads (`incidents.alerts_digest`),
    # so that page is made without reading every day's report again; None in older manifests.
    alerts: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class BuildManifest:
    units: Mapping[str, Unit] = field(default_factory=dict)

    def to_json(self) -> bytes:
        units = {
            name: {
                "fingerprint": unit.fingerprint,
                "files": list(unit.files),
                "inputs": unit.inputs,
                **({"status": unit.status} if unit.status else {}),
                **({"alerts": unit.alerts} if unit.alerts is not None else {}),
            }
            for name, unit in sorted(self.units.items())
        }
        data = {"version": MANIFEST_VERSION, "units": units}
        return (json.dumps(data, indent=1, sort_keys=True) + "\n").encode()


@dataclass(frozen=True)
class SiteOutput:
    """Everything one build will write: new files by path, and units kept from the old site;
    `late`, if any, waits for more made in the background (the search index), which the
    writer adds after the others, before the swap."""

    files: Mapping[str, bytes]
    reused: Sequence[str]
    manifest: BuildManifest
    late: Callable[[], SiteOutput] | None = None


@dataclass(frozen=True)
class WriteResult:
    written: int
    reused: int
    changed: bool


def read_manifest(site: Path) -> BuildManifest:
    """The previous build's manifest; an unreadable or foreign one means "rebuild everything"."""
    try:
        data: Any = json.loads((site / BUILD_MANIFEST).read_text(encoding="utf-8"))
        if data.get("version") != MANIFEST_VERSION:
            return BuildManifest()
        units = {
            str(name): Unit(
                str(unit["fingerprint"]),
                tuple(str(f) for f in unit["files"]),
                str(unit.get("inputs", "")),
                str(unit.get("status", "")),
                _mapping_or_none(unit.get("alerts")),
            )
            for name, unit in data["units"].items()
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return BuildManifest()
    return BuildManifest(units)


def _mapping_or_none(value: Any) -> Mapping[str, Any] | None:
    return value if isinstance(value, dict) else None


def check_path(path: str) -> str:
    """A safe relative site path: no absolute, `..` or `_`-prefixed folder (Pages hides them)."""
    parts = PurePosixPath(path).parts
    if not parts or path.startswith("/") or ".." in parts or "\\" in path:
        raise ReportgenError(f"refusing to write outside the site: {path!r}")
    if any(part.startswith("_") for part in parts[:-1]):
        raise ReportgenError(f"site folder names may not start with '_': {path!r}")
    return path


def _needles(secrets: Sequence[str]) -> list[bytes]:
    """The secret values to look for; shorter ones than 4 characters would match anywhere."""
    return [s.encode() for s in secrets if len(s) >= 4]


def scan_for_secrets(contents: Iterable[tuple[str, bytes]], secrets: Sequence[str]) -> None:
    """Refuse the whole build if any secret value appears in any file (named, never shown)."""
    needles = _needles(secrets)
    for path, content in contents:
        if any(needle in content for needle in needles):
            raise ReportgenError(
                f"the site would contain a secret value (in {path}); nothing was written",
                hint="A token or DSN leaked into a report input; remove it from the data.",
            )


def _old_contents(site: Path, paths: Iterable[str]) -> Iterable[tuple[str, bytes]]:
    for path in paths:
        yield path, (site / path).read_bytes()


def _is_reportgen_site(site: Path) -> bool:
    return not site.exists() or (site / BUILD_MANIFEST).is_file() or not any(site.iterdir())


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _write_files(folder: Path, output: SiteOutput, old_site: Path) -> None:
    made: set[Path] = set()

    def target_of(path: str) -> Path:
        # Each folder made once: a site has about eight files a folder, and asking the
        # file system for an existing folder costs as much as writing a file.
        target = folder / check_path(path)
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        return target

    for path, content in output.files.items():
        target_of(path).write_bytes(content)
    for path in output.reused:
        _link_or_copy(old_site / path, target_of(path))


def _write_tree(folder: Path, output: SiteOutput, old_site: Path, secrets: Sequence[str]) -> int:
    """Write `output` into `folder`, its late files last; how many files were new."""
    _write_files(folder, output, old_site)
    manifest, written = output.manifest, len(output.files)
    if output.late is not None:
        late = output.late()
        scan_for_secrets(late.files.items(), secrets)
        _write_files(folder, late, old_site)
        manifest = BuildManifest({**manifest.units, **late.manifest.units})
        written += len(late.files)
    (folder / NOJEKYLL).write_bytes(b"")
    (folder / BUILD_MANIFEST).write_bytes(manifest.to_json())
    return written


def _swap(new: Path, site: Path) -> None:
    """Put `new` where `site` is; the old site is removed only once the new one is in place."""
    if not site.exists():
        new.rename(site)
        return
    aside = site.with_name(f".{site.name}.old-{os.getpid()}")
    site.rename(aside)
    try:
        new.rename(site)
    except OSError:
        aside.rename(site)
        raise
    shutil.rmtree(aside, ignore_errors=True)


def _unchanged(site: Path, output: SiteOutput) -> bool:
    if output.files or output.late is not None or not (site / BUILD_MANIFEST).is_file():
        return False
    return (site / BUILD_MANIFEST).read_bytes() == output.manifest.to_json()


def check_site_folder(site: Path) -> None:
    """Refuse, before any report is computed, a folder the site may not replace or whose
    parent cannot hold the new site written beside it."""
    if not _is_reportgen_site(site):
        raise ReportgenError(
            f"{site} exists and is not a reportgen site; refusing to replace it",
            hint="Choose an empty folder with --out, or remove that folder first.",
        )
    try:
        site.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=site.parent, prefix=f".{site.name}.check-"):
            pass
    except OSError as exc:
        raise ReportgenError(
            f"cannot write the site to {site}: {exc.strerror or exc}",
            hint="Choose a folder you can write with --out.",
        ) from None


def write_site(site: Path, output: SiteOutput, secrets: Sequence[str]) -> WriteResult:
    """Write `output` as the new `site`, atomically; on any failure the old site is untouched."""
    check_site_folder(site)
    scan_for_secrets(output.files.items(), secrets)
    if _needles(secrets):  # else reading the kept files could find nothing
        scan_for_secrets(_old_contents(site, output.reused), secrets)
    if _unchanged(site, output):
        log.debug("site %s is up to date; nothing written", site)
        return WriteResult(written=0, reused=len(output.reused), changed=False)
    site.parent.mkdir(parents=True, exist_ok=True)
    new = site.with_name(f".{site.name}.new-{os.getpid()}")
    shutil.rmtree(new, ignore_errors=True)
    new.mkdir()
    try:
        written = _write_tree(new, output, site, secrets)
        _swap(new, site)
    except OSError as exc:
        shutil.rmtree(new, ignore_errors=True)
        raise ReportgenError(f"cannot write the site to {site}: {exc}") from exc
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    return WriteResult(written=written, reused=len(output.reused), changed=True)
