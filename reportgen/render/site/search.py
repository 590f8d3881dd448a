"""The site's search index: Pagefind's, plus a small script-loaded one for `file://`.

Pagefind (its binary, from the `pagefind[bin]` wheel; no network) indexes the report pages'
`data-pagefind-body` content, one bundle per shard (`pagefind/2026-11/`), which the search page
loads and merges over http(s). Browsers refuse `fetch()` from `file://` pages, and Pagefind
loads its index with fetch, so the same text Pagefind extracted (its fragments) is also written
to `search/<shard>.js`, a script that adds the pages' titles, addresses and text to a global: a
`<script>` tag may load it from disk, and the search page's own small matcher searches it there.

Pagefind has no incremental mode, hence the shards: a month's days, weeks (by their first day)
and the month itself, and the named ranges apart. A new day changes the pages of one month, so
only that shard is indexed again (the gatherer keeps the others), not the whole year, and in
the background (`BackgroundIndex`) from the moment its last page is gathered. The pages are
hard-linked (or written) into a scratch folder for Pagefind; the site itself is still written
only by the writer.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import tempfile
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from functools import cache
from pathlib import Path, PurePosixPath

from reportgen.errors import ReportgenError
from reportgen.render.site.pages import script_json
from reportgen.render.site.plan import Page, PageKind

INDEX_FOLDER = "pagefind"
FALLBACK_FOLDER = "search"
RANGES_SHARD = "ranges"
FALLBACK_GLOBAL = "reportgenSearchPages"
# Pagefind's own search interfaces (the search page uses its JavaScript API only), and the
# word stemmer for pages of an unknown language (every page is indexed as English).
UNUSED = (
    "pagefind-ui.",
    "pagefind-modular-ui.",
    "pagefind-component-ui.",
    "pagefind-highlight.",
    "wasm.unknown.",
)
# A decompressed fragment starts with this signature, then its JSON.
FRAGMENT_SIGNATURE = b"pagefind_dcd"
TIMEOUT_SECONDS = 300

# A page to index: its HTML, or the file in the old site that holds it.
PageSource = bytes | Path


def shard_of(page: Page) -> str:
    """The index shard a report page belongs to: its (first day's) month, or `ranges`."""
    if page.kind is PageKind.CUSTOM or page.period is None:
        return RANGES_SHARD
    return f"{page.period.start:%Y-%m}"


@cache
def pagefind_binary() -> Path:
    """The Pagefind executable the `pagefind-bin` wheel ships."""
    try:
        import pagefind_bin

        found: Path = pagefind_bin.get_executable()
    except (ImportError, FileNotFoundError):
        raise ReportgenError(
            "the Pagefind binary is missing, so the site's search index cannot be built",
            hint="Install reportgen's dependencies: pip install 'pagefind[bin]'.",
        ) from None
    return found


def pagefind_version() -> str:
    """The Pagefind release indexing (a new one may write another index)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pagefind-bin")
    except PackageNotFoundError:
        return "unknown"


def _stage(folder: Path, pages: Mapping[str, PageSource]) -> None:
    for path, source in pages.items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(source, Path):
            try:
                os.link(source, target)
                continue
            except OSError:
                source = source.read_bytes()
        target.write_bytes(source)


def _run_pagefind(site: Path, out: Path) -> None:
    command = [
        str(pagefind_binary()),
        "--site",
        str(site),
        "--output-path",
        str(out),
        "--keep-index-url",  # results point at `…/index.html`, which `file://` can open too
        "--force-language",
        "en",
        "--silent",
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
    )
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip().splitlines()
        raise ReportgenError(
            f"Pagefind could not index the site: {message[0] if message else done.returncode}"
        )


def _fragment(content: bytes) -> dict[str, object]:
    data = gzip.decompress(content)
    if not data.startswith(FRAGMENT_SIGNATURE):
        raise ReportgenError("Pagefind wrote a fragment reportgen cannot read")
    fragment: dict[str, object] = json.loads(data[len(FRAGMENT_SIGNATURE) :])
    return fragment


def fallback_index(fragments: Mapping[str, bytes]) -> bytes:
    """`search/<shard>.js`: adds each page's address (from the site root), title and text, in
    the order of their addresses, to the pages the other shards' scripts added."""
    entries = []
    for content in fragments.values():
        fragment = _fragment(content)
        meta = fragment.get("meta")
        title = meta.get("title", "") if isinstance(meta, dict) else ""
        entries.append(
            {
                "url": str(fragment["url"]).lstrip("/"),
                "title": str(title),
                "text": str(fragment.get("content", "")),
            }
        )
    entries.sort(key=lambda entry: entry["url"])
    name = f"window.{FALLBACK_GLOBAL}"
    return f"{name} = ({name} || []).concat({script_json(entries)});\n".encode()


def search_files(shard: str, pages: Mapping[str, PageSource]) -> dict[str, bytes]:
    """Pagefind's index of one shard's `pages` (site path → HTML) under `pagefind/<shard>/`,
    and its fallback `search/<shard>.js`."""
    with tempfile.TemporaryDirectory(prefix="reportgen-search-") as scratch:
        site, out = Path(scratch) / "site", Path(scratch) / "out"
        _stage(site, pages)
        _run_pagefind(site, out)
        written = {
            path.relative_to(out).as_posix(): path.read_bytes()
            for path in sorted(out.rglob("*"))
            if path.is_file() and not path.name.startswith(UNUSED)
        }
    fragments = {path: data for path, data in written.items() if path.startswith("fragment/")}
    files = {str(PurePosixPath(INDEX_FOLDER, shard, path)): data for path, data in written.items()}
    files[f"{FALLBACK_FOLDER}/{shard}.js"] = fallback_index(fragments)
    return files


class BackgroundIndex:
    """Shards indexed one after another on a thread of its own: Pagefind is a process of its
    own, so it indexes a shard while the build computes, renders and writes the rest."""

    def __init__(self) -> None:
        self._pool: ThreadPoolExecutor | None = None
        self._runs: dict[str, Future[dict[str, bytes]]] = {}

    def start(self, shard: str, pages: Mapping[str, PageSource]) -> None:
        """Index `shard` (its `pages`) after the shards started before it."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reportgen-search")
        self._runs[shard] = self._pool.submit(search_files, shard, dict(pages))

    def results(self) -> dict[str, dict[str, bytes]]:
        """Each started shard's files (`search_files`), once all are made; the first error
        of any is raised."""
        try:
            return {shard: run.result() for shard, run in self._runs.items()}
        finally:
            self.cancel()

    def cancel(self) -> None:
        """Start no more shards (a failed build): one already running finishes."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
