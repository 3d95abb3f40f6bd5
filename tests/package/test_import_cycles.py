"""No import cycles among our own modules, read from the source (nothing is imported).

A cycle hidden in a function body or under ``TYPE_CHECKING`` still ties the two modules together: neither
can be read, tested or moved without the other, and a lazy import only postpones the cycle to run time.
So every import counts here: top-level, inside functions and under ``TYPE_CHECKING``; absolute and
relative; ``from pkg import name`` is an import of ``pkg.name`` when that is a module, else of ``pkg``.
Importing a submodule is not counted as importing its package's ``__init__``: Python runs it, but the
dependency a reader sees, and the one that can form a real cycle, is on the submodule.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("precursor", "server", "client_tui")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def our_modules() -> dict[str, Path]:
    return {module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


def _resolve(importer: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute name of the module an ``ImportFrom`` names (before its imported names)."""
    if node.level == 0:
        return node.module or ""
    base = importer.split(".")
    if not is_package:
        base.pop()  # a module's relative imports start from its package
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules among ``known`` that the module ``name`` imports anywhere in its source."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        targets: Iterable[str] = ()
        if isinstance(node, ast.Import):
            targets = (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            mod = _resolve(name, path.name == "__init__.py", node)
            targets = (f"{mod}.{a.name}" if f"{mod}.{a.name}" in known else mod for a in node.names)
        for t in targets:
            # ``import a.b.c`` names a.b.c; fall back to the longest prefix that is one of ours
            while t and t not in known:
                t = t.rpartition(".")[0]
            if t and t != name:
                out.add(t)
    return out


def import_graph() -> dict[str, set[str]]:
    mods = our_modules()
    known = set(mods)
    return {name: imports_of(name, path, known) for name, path in mods.items()}


def cycles(graph: dict[str, set[str]], scope: str) -> list[list[str]]:
    """Every strongly connected group of more than one module with at least one module in ``scope``
    (Tarjan's algorithm), each as one cycle through it, for the failure message."""
    return [_one_cycle(graph, set(g), g[0]) for g in tangles(graph, scope)]


def tangles(graph: dict[str, set[str]], scope: str) -> list[list[str]]:
    """The strongly connected groups themselves: every module that is on some cycle with the others."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return [g for g in groups if any(m == scope or m.startswith(scope + ".") for m in g)]


def _one_cycle(graph: dict[str, set[str]], group: set[str], start: str) -> list[str]:
    """A shortest path from ``start`` back to itself inside its group (breadth first)."""
    prev: dict[str, str] = {}
    frontier = [start]
    while frontier:
        nxt = []
        for v in frontier:
            for w in sorted(graph[v] & group):
                if w == start:
                    path = [v]
                    while path[-1] != start:
                        path.append(prev[path[-1]])
                    return [*reversed(path), start]
                if w not in prev:
                    prev[w] = v
                    nxt.append(w)
        frontier = nxt
    return [start]


@pytest.mark.parametrize(
    "scope",
    [
        "precursor",
        "server",
        "client_tui",
    ],
)
def test_no_import_cycles(scope: str) -> None:
    graph = import_graph()
    found = tangles(graph, scope)
    lines = [
        " -> ".join(_one_cycle(graph, set(g), g[0]))
        + (f"  (all tangled: {', '.join(g)})" if len(g) > 2 else "")
        for g in found
    ]
    assert not found, "import cycles:\n" + "\n".join(lines)


def test_the_graph_sees_every_kind_of_import() -> None:
    """The checker itself: lazy, TYPE_CHECKING, relative and ``from pkg import module`` imports count."""
    graph = import_graph()
    assert "server.stores.memory" in graph["server.stores"]  # inside a function
    assert "server.app" in graph["server.run"]  # relative, ``from .app import create_app``
    assert "server.auth" in graph["server.hub"]  # ``from . import auth``
    assert "server.run" in graph["precursor.cli"]  # absolute, inside a function
    toy = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(toy, "a") == [["a", "b", "c", "a"]]
    assert cycles(toy, "d") == []
