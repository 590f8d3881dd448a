"""A folder for what is slow to make and the same every time it is made: the Vega bundle of a
vl-convert release, the chart templates of an Altair release and of our drawing code, and the
site's Jinja templates compiled.

The folder is `$XDG_CACHE_HOME/reportgen` (by default `~/.cache/reportgen`). An entry's name
carries everything its content depends on, so an entry never goes stale; one of an older
release is merely never read again. A file is written under a temporary name and renamed, so
no reader ever sees half of one. A cache that cannot be read or written costs only the time to
make its content again: the build never fails for it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket

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


class CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Jinja's compiled templates, kept in a sub-folder of the cache folder: compiling them
    costs a build about 0.1 s of CPU, loading them a few milliseconds.

    Jinja checks each entry against its template's source and Python's version; the
    sub-folder's name carries the rest of what the compiled code depends on (Jinja's release
    and the environment's options). As with the other entries, a failure to read or write one
    costs only compiling the template again.
    """

    def __init__(self, folder: Path) -> None:
        super().__init__(str(folder))

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except OSError as exc:
            log.debug("cannot read the compiled template %s: %s", bucket.key, exc)

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError as exc:
            log.debug("cannot cache the compiled template %s: %s", bucket.key, exc)


def compiled_templates(env: jinja2.Environment) -> CompiledTemplates | None:
    """The compiled-template cache for `env`; None without a cache folder that can be made."""
    folder = cache_folder()
    if folder is None:
        return None
    # What else the compiled code depends on: the options that change how a template compiles,
    # and how each filter and test is called (Jinja compiles in what it passes them).
    options = (
        jinja2.__version__,
        env.autoescape,
        env.undefined.__name__,
        env.trim_blocks,
        env.lstrip_blocks,
        env.keep_trailing_newline,
        env.newline_sequence,
        env.optimized,
        sorted(env.extensions),
        env.block_start_string,
        env.variable_start_string,
        env.comment_start_string,
        env.line_statement_prefix,
        sorted((name, getattr(f, "jinja_pass_arg", None)) for name, f in env.filters.items()),
        sorted((name, getattr(f, "jinja_pass_arg", None)) for name, f in env.tests.items()),
    )
    key = hashlib.sha256(repr(options).encode()).hexdigest()[:16]
    folder = folder / f"templates-{key}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        log.debug("cannot cache compiled templates in %s: %s", folder, exc)
        return None
    return CompiledTemplates(folder)
