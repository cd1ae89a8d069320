"""The import structure: three layers (core, edges, outputs) under the faces, and no cycle.

Every module under formcheck/ is parsed with ``ast`` (imports inside functions count too: a
lazy import is still a dependency) and the rules of each package's docstring are checked.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "formcheck"
FACES = ("frameloop", "pipeline", "overlap", "live", "batch", "cli", "app", "synth", "evaluate")
ALLOWED = {  # layer -> formcheck units it may import ("" is the version-only formcheck/__init__)
    "core": {"core", "errors"},
    "edges": {"core", "edges", "errors", ""},
    "outputs": {"core", "edges", "outputs", "errors", ""},
}
CORE_THIRD_PARTY = {"numpy", "tomli"}  # besides the standard library (tomli is tomllib before Python 3.11)
# The lab's own `python -m formcheck.synth.…` scripts keep their parsers for now (synth/ is
# edited elsewhere; moving them into formcheck/cli/ is left for later). Nothing else may.
ARGPARSE_OUTSIDE_CLI = {"formcheck.synth.cli", "formcheck.synth.check", "formcheck.synth.build_assets"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules(root: Path = ROOT) -> dict[str, Path]:
    return {module_name(p): p for p in sorted(root.rglob("*.py"))}


def imports_of(name: str, path: Path) -> set[tuple[str, str]]:
    """Every import in the file, anywhere in it: (module, name) pairs with absolute module names.

    ``import a.b`` gives ("a.b", ""); ``from a import b`` gives ("a", "b").
    """
    is_package = path.name == "__init__.py"
    found: set[tuple[str, str]] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update((a.name, "") for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against this module's package
                package = name.split(".") if is_package else name.split(".")[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join(package + ([base] if base else []))
            found.update((base, a.name) for a in node.names)
    return found


def imported_modules(name: str, path: Path) -> set[str]:
    """Top-level names of everything imported (for third-party and argparse checks)."""
    return {base for base, _ in imports_of(name, path)}


def graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Module -> the formcheck modules it imports.

    ``from pkg import sub`` points at ``pkg.sub`` when that is a module, else at ``pkg``.
    """
    edges: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for base, member in imports_of(name, path):
            if member and f"{base}.{member}" in modules:
                targets.add(f"{base}.{member}")
            elif base in modules:
                targets.add(base)
        edges[name] = targets - {name}
    return edges


def unit(module: str) -> str:
    """The top unit below formcheck: core, edges, cli, pipeline, ... ("" for formcheck itself)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def third_party(name: str, path: Path) -> set[str]:
    return {i.split(".")[0] for i in imported_modules(name, path) if i and not i.startswith("formcheck")}


def layer_violations(modules: dict[str, Path]) -> list[str]:
    bad = []
    for name, targets in graph(modules).items():
        layer = unit(name)
        if layer not in ALLOWED:
            continue
        for t in sorted(targets):
            if unit(t) in FACES:
                bad.append(f"{name} imports the face {t}")
            elif unit(t) not in ALLOWED[layer]:
                bad.append(f"{name} ({layer}) imports {t}")
        if layer == "core":
            for mod in sorted(third_party(name, modules[name]) - CORE_THIRD_PARTY - set(sys.stdlib_module_names)):
                bad.append(f"{name} (core) imports the third-party {mod}")
    return bad


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def unit_graph(edges: dict[str, set[str]]) -> dict[str, set[str]]:
    """The same graph between units (core, edges, batch, cli, ...), self-loops dropped."""
    units: dict[str, set[str]] = {}
    for src, targets in edges.items():
        units.setdefault(unit(src), set()).update(unit(t) for t in targets if unit(t) != unit(src))
    return units


# -- the rules ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def modules() -> dict[str, Path]:
    found = all_modules()
    assert {"formcheck.core.analyzer", "formcheck.edges.mediapipe", "formcheck.outputs.overlay", "formcheck.cli"} <= set(found)
    return found


def test_layers_import_only_what_their_docstring_allows(modules):
    assert layer_violations(modules) == []


def test_no_import_cycle_between_modules_or_packages(modules):
    edges = graph(modules)
    assert cycles(edges) == []
    assert cycles(unit_graph(edges)) == []


def test_argparse_lives_only_in_cli(modules):
    outside = {n for n, p in modules.items() if "argparse" in imported_modules(n, p) and unit(n) != "cli"}
    assert outside <= ARGPARSE_OUTSIDE_CLI, f"argparse outside formcheck/cli/: {sorted(outside - ARGPARSE_OUTSIDE_CLI)}"


def test_batch_does_not_import_cli(modules):
    edges = graph(modules)
    assert not [(m, t) for m in edges if unit(m) == "batch" for t in edges[m] if unit(t) == "cli"]


def test_every_package_says_what_it_may_import(modules):
    for name in ("formcheck.core", "formcheck.edges", "formcheck.outputs", "formcheck.batch", "formcheck.cli"):
        doc = ast.get_docstring(ast.parse(modules[name].read_text())) or ""
        assert "may import" in doc.lower(), name


# -- the checks themselves can fail -----------------------------------------------------------
def _tree(tmp_path: Path, files: dict[str, str]) -> dict[str, Path]:
    for rel, text in files.items():
        p = tmp_path / "formcheck" / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return {module_name_in(tmp_path, p): p for p in sorted((tmp_path / "formcheck").rglob("*.py"))}


def module_name_in(root: Path, path: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_a_bad_import_is_caught(tmp_path):
    mods = _tree(
        tmp_path,
        {
            "__init__.py": "",
            "core/__init__.py": "",
            "core/a.py": "def f():\n    from formcheck.edges.video import Reader\n",  # lazy, still counted
            "core/b.py": "import cv2\n",
            "core/c.py": "from formcheck import pipeline\n",
            "edges/__init__.py": "",
            "edges/video.py": "from formcheck.outputs.overlay import draw\n",
            "outputs/__init__.py": "",
            "outputs/overlay.py": "from ..batch import plan\n",
            "pipeline.py": "",
            "batch/__init__.py": "",
            "batch/plan.py": "from formcheck.cli.options import x\n",
            "cli/__init__.py": "",
            "cli/options.py": "import argparse\nfrom formcheck.batch import plan\n",
        },
    )
    bad = layer_violations(mods)
    assert "formcheck.core.a (core) imports formcheck.edges.video" in bad
    assert "formcheck.core.b (core) imports the third-party cv2" in bad
    assert "formcheck.core.c imports the face formcheck.pipeline" in bad
    assert "formcheck.edges.video (edges) imports formcheck.outputs.overlay" in bad
    assert "formcheck.outputs.overlay imports the face formcheck.batch.plan" in bad
    edges = graph(mods)
    assert cycles(edges) == [["formcheck.batch.plan", "formcheck.cli.options"]]
    assert ["batch", "cli"] in cycles(unit_graph(edges))
