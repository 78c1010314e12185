"""The package's layers: installed names, and imports that run one way, nets -> scenes -> render -> cli."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ["nets", "scenes", "render", "cli"]  # each may import only those before it
FOREIGN = {"nets": {"manim"}, "scenes": {"torch"}}  # what a layer must never import, even through another


def modules() -> dict[str, Path]:
    """Every module of the package by its dotted name (``netreel.render.pipeline``)."""
    found = {"netreel.cli": ROOT / "cli.py"}
    for layer in LAYERS[:-1]:
        for path in sorted((ROOT / layer).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(("netreel", *(parts[:-1] if parts[-1] == "__init__" else parts)))] = path
    return found


def imports(path: Path, name: str) -> set[str]:
    """The modules a file imports anywhere in it (functions included), relative imports resolved."""
    names = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # from . import x, from ..y import z: relative to the module's package
                parent = package.rsplit(".", node.level - 1)[0]
                base = f"{parent}.{base}" if base else parent
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "netreel" and len(parts) > 1 and parts[1] in LAYERS else None


GRAPH = {name: imports(path, name) for name, path in modules().items()}


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_imports_run_one_way(module):
    own = LAYERS.index(layer_of(module))
    upward = sorted(m for m in GRAPH[module] if layer_of(m) and LAYERS.index(layer_of(m)) > own)
    assert not upward, f"{module} imports a layer above its own: {', '.join(upward)}"
    banned = FOREIGN.get(layer_of(module), set())
    foreign = sorted(m for m in GRAPH[module] if m.split(".")[0] in banned)
    assert not foreign, f"{module} imports {', '.join(foreign)}"


def test_no_import_circle():
    """No module reaches itself through the modules it imports (at module level or inside a function)."""
    edges = {name: {m for m in targets if m in GRAPH and m != name} for name, targets in GRAPH.items()}
    state: dict[str, int] = {}

    def visit(name: str, path: list[str]) -> list[str] | None:
        state[name] = 1
        for other in sorted(edges[name]):
            if state.get(other) == 1:
                return path + [name, other]
            if other not in state and (circle := visit(other, path + [name])):
                return circle
        state[name] = 2
        return None

    for name in sorted(edges):
        if name not in state and (circle := visit(name, [])):
            pytest.fail("import circle: " + " -> ".join(circle[circle.index(circle[-1]):]))


def test_scenes_run_without_torch():
    """The scene layer (and the facts it reads) load without torch: render workers never import it."""
    code = "import sys, netreel.scenes.registry, netreel.scenes.kit, netreel.nets.facts; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("generic", ["cli", "nets", "scenes", "render"])
def test_no_generic_top_level_name_is_installed(tmp_path, generic):
    """Outside the repository, only netreel.* imports: nothing named cli, nets, scenes or render."""
    found = subprocess.run([sys.executable, "-c", f"import {generic}"], cwd=tmp_path, capture_output=True, text=True)
    assert found.returncode != 0 and "ModuleNotFoundError" in found.stderr
    ours = subprocess.run(
        [sys.executable, "-c", f"import netreel.{generic}"], cwd=tmp_path, capture_output=True, text=True,
    )
    assert ours.returncode == 0, ours.stderr
