"""A folder for what is slow to make and the same every time it is made: the Vega bundle of a
vl-convert release, and the chart templates of an Altair release and of our drawing code.

The folder is `$XDG_CACHE_HOME/reportgen` (by default `~/.cache/reportgen`). An entry's name
carries everything its content depends on, so an entry never goes stale; one of an older
release is merely never read again. A file is written under a temporary name and renamed, so
no reader ever sees half of one. A cache that cannot be read or written costs only the time to
make its content again: the build never fails for it.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)


def cache_folder() -> Path | None:
    """Where cached files live; None without a home folder to put them in."""
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except (RuntimeError, KeyError):
            return None
    return Path(base) / "reportgen"


def read_cached(name: str) -> bytes | None:
    """The cached file `name`, or None when it is not there (or cannot be read)."""
    folder = cache_folder()
    if folder is None:
        return None
    try:
        return (folder / name).read_bytes()
    except OSError:
        return None


def write_cached(name: str, content: bytes) -> None:
    """Keep `content` as `name`; a failure is logged, never raised."""
    folder = cache_folder()
    if folder is None:
        return
    temporary: str | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=f".{name}.", delete=False) as file:
            temporary = file.name
            file.write(content)
        Path(temporary).replace(folder / name)
    except OSError as exc:
        log.debug("cannot cache %s in %s: %s", name, folder, exc)
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
