"""Write a gathered site to disk atomically, reusing unchanged files of the previous build.

The new site is written into a hidden sibling folder, then swapped in with two renames (old
aside, new in) and the old one deleted: a reader, or a failed build, only ever sees a complete
site. Files of unchanged pages are hard-linked from the old site (copied where links are not
possible), so they are neither re-rendered nor rewritten. `.reportgen-build.json` records each
page's input fingerprint and files for the next build.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import shutil
import tempfile
import threading
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


def _same_manifest(site: Path, manifest: BuildManifest) -> bool:
    return (site / BUILD_MANIFEST).is_file() and (
        (site / BUILD_MANIFEST).read_bytes() == manifest.to_json()
    )


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


class SiteWriter:
    """Writes a build's site beside the old one while the build still gathers it.

    `write` and `keep` hand over each page's files as it is gathered: new ones, and files of
    the old site kept as they are. A thread of its own writes the new ones and links the kept
    ones into the hidden sibling folder, since writing thousands of small files is mostly
    waiting for the disk, time the gathering can use. Secrets are looked for before a file is
    handed over. Nothing is written before the first new file (an unchanged site is not
    copied), and nothing is visible before `finish` swaps the new site in: leaving the `with`
    block without finishing (a failed build) removes the new folder, so the old site stays
    exactly as it was.
    """

    def __init__(self, site: Path, secrets: Sequence[str]) -> None:
        check_site_folder(site)
        self.site = site
        self._secrets = secrets
        self._new = site.with_name(f".{site.name}.new-{os.getpid()}")
        self._kept: list[str] = []  # kept before the first new file, linked once it comes
        self._queue: queue.SimpleQueue[tuple[str, bytes | None] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._error: Exception | None = None
        self._written = self._reused = 0
        self._finished = False

    def __enter__(self) -> SiteWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self._finished:
            with contextlib.suppress(ReportgenError):  # the build's own error is the one told
                self._stop()
            shutil.rmtree(self._new, ignore_errors=True)

    def write(self, files: Mapping[str, bytes]) -> None:
        """New files, by site path."""
        if not files:
            return
        scan_for_secrets(files.items(), self._secrets)
        checked = [(check_path(path), content) for path, content in files.items()]
        self._start()
        for item in checked:
            self._queue.put(item)
        self._written += len(checked)

    def keep(self, paths: Sequence[str]) -> None:
        """Files of the old site that the new one holds unchanged."""
        if _needles(self._secrets):  # else reading the kept files could find nothing
            scan_for_secrets(_old_contents(self.site, paths), self._secrets)
        checked = [check_path(path) for path in paths]
        if self._thread is None:
            self._kept.extend(checked)
        else:
            for path in checked:
                self._queue.put((path, None))
        self._reused += len(checked)

    def finish(self, output: SiteOutput) -> WriteResult:
        """Add `output`'s late files and its manifest, and swap the new site in. Its other
        files must have been handed over already (`write_site` does both)."""
        unchanged = self._thread is None and output.late is None
        if unchanged and _same_manifest(self.site, output.manifest):
            self._finished = True
            log.debug("site %s is up to date; nothing written", self.site)
            return WriteResult(written=0, reused=self._reused, changed=False)
        manifest = output.manifest
        self._start()
        if output.late is not None:
            late = output.late()
            self.write(late.files)
            self.keep(late.reused)
            manifest = BuildManifest({**manifest.units, **late.manifest.units})
        self._stop()
        try:
            (self._new / NOJEKYLL).write_bytes(b"")
            (self._new / BUILD_MANIFEST).write_bytes(manifest.to_json())
            _swap(self._new, self.site)
        except OSError as exc:
            raise self._failed(exc) from exc
        self._finished = True
        return WriteResult(written=self._written, reused=self._reused, changed=True)

    def _start(self) -> None:
        if self._thread is not None:
            return
        try:
            self.site.parent.mkdir(parents=True, exist_ok=True)
            shutil.rmtree(self._new, ignore_errors=True)
            self._new.mkdir()
        except OSError as exc:
            raise self._failed(exc) from exc
        self._thread = threading.Thread(target=self._drain, name="reportgen-write", daemon=True)
        self._thread.start()
        for path in self._kept:
            self._queue.put((path, None))
        self._kept = []

    def _drain(self) -> None:
        made: set[Path] = set()
        while (item := self._queue.get()) is not None:
            if self._error is not None:
                continue  # the first error is the one reported; take the rest off the queue
            path, content = item
            target = self._new / path
            try:
                # Each folder made once: asking for an existing one costs as much as a file.
                if target.parent not in made:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    made.add(target.parent)
                if content is None:
                    _link_or_copy(self.site / path, target)
                else:
                    target.write_bytes(content)
            except Exception as exc:  # told by `finish`: a thread's own error would be lost
                self._error = exc

    def _stop(self) -> None:
        """Wait for every file handed over; raise the first error writing them."""
        if self._thread is None or not self._thread.is_alive():
            return
        self._queue.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._failed(self._error)

    def _failed(self, exc: Exception) -> ReportgenError:
        return ReportgenError(f"cannot write the site to {self.site}: {exc}")


def write_site(site: Path, output: SiteOutput, secrets: Sequence[str]) -> WriteResult:
    """Write `output` as the new `site`, atomically; on any failure the old site is untouched."""
    with SiteWriter(site, secrets) as writer:
        writer.write(output.files)
        writer.keep(output.reused)
        return writer.finish(output)
