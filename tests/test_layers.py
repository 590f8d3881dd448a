"""Imports run one way: each layer imports only the layers below it (the README's map).

An AST walk over every module of reportgen/, module-level and late (function-level) imports
alike. Commands never import each other.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "reportgen"

# The layer of each top-level module or package, from the ground floor up. A module may import
# its own package and any layer below its own.
LAYERS: dict[str, int] = {
    "errors": 0,
    "schema": 0,
    "config": 0,
    "periods": 0,
    "findings": 0,
    "sources": 1,
    "store": 2,
    "compute": 3,
    "evaluate": 4,
    "report": 5,
    "render": 6,
    "notify": 7,  # quotes untrusted text in issues with render's escaping
    "control": 7,
    "sample": 7,
    "commands": 8,
    "cli": 9,
    "__main__": 10,
}
# The ground floor's own order (config reads periods, everything may raise errors).
GROUND = ("errors", "schema", "periods", "findings", "config")


def _unit(module: str) -> str:
    """`reportgen.store.pull` -> `store`; `reportgen` itself -> ``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _imports(path: Path) -> list[str]:
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = module.split(".")[: -node.level]
                found.append(".".join([*base, node.module or ""]).rstrip("."))
            elif node.module:
                found += [node.module] + [f"{node.module}.{a.name}" for a in node.names]
    return [name for name in found if name == "reportgen" or name.startswith("reportgen.")]


def _violations() -> list[str]:
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        source = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        unit = _unit(source) if source != "reportgen" else ""
        if unit == "" or unit == "__init__":
            continue  # the package's own __init__ only reads its version
        for target in _imports(path):
            other = _unit(target)
            if other in ("", unit) and not (unit == "commands" and target != source):
                continue
            if unit == "commands" and other == "commands":
                if target.count(".") >= 2 and target.split(".")[2] != source.split(".")[2]:
                    problems.append(f"{source} imports another command: {target}")
                continue
            if other not in LAYERS:
                continue  # a name imported from the package root, e.g. __version__
            if unit in GROUND and other in GROUND:
                if GROUND.index(other) >= GROUND.index(unit):
                    problems.append(f"{source} imports {target}, above it on the ground floor")
                continue
            if LAYERS[other] >= LAYERS[unit]:
                problems.append(
                    f"{source} (layer {LAYERS[unit]}) imports {target} (layer {LAYERS[other]})"
                )
    return problems


def test_imports_run_one_way() -> None:
    assert _violations() == []


def test_every_package_has_a_layer() -> None:
    units = {
        path.stem if path.is_file() else path.name
        for path in PACKAGE.iterdir()
        if (path.suffix == ".py" and path.stem != "__init__") or (path / "__init__.py").is_file()
    }
    assert units - set(LAYERS) == set()
