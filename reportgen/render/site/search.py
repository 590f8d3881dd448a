"""The site's search index: Pagefind's, plus a small script-loaded one for `file://`.

Pagefind (its binary, from the `pagefind[bin]` wheel; no network) indexes the report pages'
`data-pagefind-body` content into `pagefind/`, which the search page loads over http(s).
Browsers refuse `fetch()` from `file://` pages, and Pagefind loads its index with fetch, so the
same text Pagefind extracted (its fragments) is also written to `search/pages.js`, a script that
assigns the pages' titles, addresses and text to a global: a `<script>` tag may load it from
disk, and the search page's own small matcher searches it there.

Pagefind has no incremental mode, so the index is made again only when a report page changed
(the gatherer keeps the old one otherwise). The pages are hard-linked (or written) into a
scratch folder for it; the site itself is still written only by the writer.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import tempfile
from collections.abc import Mapping
from functools import cache
from pathlib import Path, PurePosixPath

from reportgen.errors import ReportgenError
from reportgen.render.site.pages import script_json

INDEX_FOLDER = "pagefind"
FALLBACK_INDEX = "search/pages.js"
FALLBACK_GLOBAL = "reportgenSearchPages"
# Pagefind's own search interfaces; the search page uses its JavaScript API only.
UNUSED = ("pagefind-ui.", "pagefind-modular-ui.", "pagefind-component-ui.", "pagefind-highlight.")
# A decompressed fragment starts with this signature, then its JSON.
FRAGMENT_SIGNATURE = b"pagefind_dcd"
TIMEOUT_SECONDS = 300

# A page to index: its HTML, or the file in the old site that holds it.
PageSource = bytes | Path


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
    """`search/pages.js`: each page's address (from the site root), title and text, in the
    order of their addresses."""
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
    return f"window.{FALLBACK_GLOBAL} = {script_json(entries)};\n".encode()


def search_files(pages: Mapping[str, PageSource]) -> dict[str, bytes]:
    """Pagefind's index of `pages` (site path → HTML) under `pagefind/`, and the fallback."""
    if not pages:
        return {FALLBACK_INDEX: fallback_index({})}
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
    files = {str(PurePosixPath(INDEX_FOLDER, path)): data for path, data in written.items()}
    files[FALLBACK_INDEX] = fallback_index(fragments)
    return files
