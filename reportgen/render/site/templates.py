"""Where the site's templates and assets come from.

The shipped ones live in the repository's top-level `site_templates/` folder (an installed wheel
carries it as `reportgen/site_templates`). A team restyles its dashboard without forking by
pointing `site.templates` at a folder of overrides, as mkdocs' `custom_dir` does: a file there
replaces the shipped file of the same name; everything else is taken from the shipped folder.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path

from reportgen.errors import ConfigError

TEMPLATE_SUFFIXES = frozenset({".html", ".css", ".js", ".xml"})


def shipped_folder() -> Path:
    """The shipped templates: inside the installed package, else beside it in a checkout."""
    packaged = Path(str(resources.files("reportgen"))) / "site_templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "site_templates"


def template_folders(overrides: Path | None) -> tuple[Path, ...]:
    """The folders to look in, overrides first."""
    if overrides is None:
        return (shipped_folder(),)
    if not overrides.is_dir():
        raise ConfigError(
            f"site.templates {overrides} is not a folder",
            hint="Point site.templates at a folder of template overrides, or leave it unset.",
        )
    return (overrides, shipped_folder())


def read_asset(name: str, folders: Sequence[Path]) -> bytes:
    """A static file (`style.css`, `site.js`) from the first folder that has it."""
    for folder in folders:
        path = folder / name
        if path.is_file():
            return path.read_bytes()
    raise FileNotFoundError(f"no {name} in {', '.join(map(str, folders))}")


@cache
def templates_fingerprint(folders: tuple[Path, ...]) -> str:
    """A hash of every template and asset in `folders`: any change rebuilds every page."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in TEMPLATE_SUFFIXES:
                digest.update(path.relative_to(folder).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()
