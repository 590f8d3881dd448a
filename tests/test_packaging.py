"""The wheel carries every package of reportgen/ and the top-level templates."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_of_reportgen_is_listed_for_the_wheel() -> None:
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = {
        ".".join(folder.relative_to(ROOT).parts)
        for folder in (ROOT / "reportgen").rglob("*")
        if (folder / "__init__.py").is_file()
    }
    assert found | {"reportgen", "reportgen.site_templates"} == set(setuptools["packages"])


def test_the_templates_are_mapped_into_the_package() -> None:
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert setuptools["package-dir"] == {"reportgen.site_templates": "site_templates"}
    assert (ROOT / "site_templates" / "base.html").is_file()
    assert not (ROOT / "reportgen" / "site_templates").exists()
