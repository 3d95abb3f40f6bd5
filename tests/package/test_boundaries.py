"""Architecture rules that keep the game pure: the dependency direction and no I/O in ``precursor/game``
(docs/engine.md, "Layers")."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The pure game is one package: every module in it is held to these rules, so a new module cannot slip out.
GAME = ROOT / "precursor" / "game"
# Modules that read the clock, the network or the terminal, or run things; the game may not import them.
FORBIDDEN_IN_ENGINE = {
    "random",
    "time",
    "os",
    "socket",
    "subprocess",
    "asyncio",
    "threading",
    "server",
    "client_tui",
    "httpx",
    "websockets",
    "fastapi",
    "textual",
}


def test_precursor_never_imports_server_or_client() -> None:
    code = (
        "import sys, importlib, pkgutil, precursor\n"
        "for m in pkgutil.iter_modules(precursor.__path__):\n"
        "    importlib.import_module('precursor.' + m.name)\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in ('server', 'client_tui'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"precursor imported: {out.stdout.strip()}"


def test_engine_modules_do_no_io_and_read_no_clock() -> None:
    modules = sorted(GAME.rglob("*.py"))
    assert len(modules) >= 15, modules
    for path in modules:
        name = str(path.relative_to(GAME))
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    assert a.name.split(".")[0] not in FORBIDDEN_IN_ENGINE, f"{name} imports {a.name}"
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                assert node.module.split(".")[0] not in FORBIDDEN_IN_ENGINE, f"{name} imports {node.module}"
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in ("open", "eval", "exec", "input", "print"), (
                    f"{name} calls {node.func.id}()"
                )
            elif isinstance(node, ast.Attribute) and node.attr in ("now", "today", "utcnow"):
                raise AssertionError(f"{name} reads the wall clock ({node.attr})")


def test_server_and_client_packages_keep_their_direction() -> None:
    """The client never imports the server (it speaks the protocol), and the server never the client."""
    for pkg, banned in (("client_tui", "server"), ("server", "client_tui")):
        for path in (ROOT / pkg).rglob("*.py"):
            tree = ast.parse(path.read_text())
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                for n in names:
                    assert n.split(".")[0] != banned, f"{path.relative_to(ROOT)} imports {n}"


def test_every_client_module_can_be_imported_first() -> None:
    """A module that cannot be the first one imported hides an import cycle until someone imports it on
    its own (a test helper importing ``client_tui.composer`` before the app failed: the composer imported
    the panes, whose forms imported the composer's CSS). Each module of the client is imported in a
    process where no other client module is loaded yet."""
    script = (
        "import importlib, pkgutil, sys\n"
        "import client_tui\n"
        "names = [m.name for m in pkgutil.walk_packages(client_tui.__path__, 'client_tui.')]\n"
        "bad = []\n"
        "for name in names:\n"
        "    for loaded in [m for m in sys.modules if m == 'client_tui' or m.startswith('client_tui.')]:\n"
        "        del sys.modules[loaded]\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except ImportError as exc:\n"
        "        bad.append(f'{name}: {exc}')\n"
        "print(len(names))\n"
        "print('\\n'.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    count, *bad = out.stdout.strip().split("\n")
    assert int(count) > 20, out.stdout
    assert not [b for b in bad if b], bad
