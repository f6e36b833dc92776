"""Structure rules that keep the core usable without a UI (see DEVELOPERS.md)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "aniload"
UI_MODULES = {"cli.py", "render.py"}
UI_LIBRARIES = {"typer", "rich", "click"}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_only_cli_and_renderers_import_ui_libraries():
    offenders = {
        p.name: sorted(imported_roots(p) & UI_LIBRARIES)
        for p in PACKAGE.glob("*.py")
        if p.name not in UI_MODULES and imported_roots(p) & UI_LIBRARIES
    }
    assert offenders == {}


def test_core_never_prints():
    for p in PACKAGE.glob("*.py"):
        if p.name in UI_MODULES or p.name == "__main__.py":
            continue
        calls = [
            n for n in ast.walk(ast.parse(p.read_text()))
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "print"
        ]
        assert not calls, f"{p.name} prints; emit an event instead"


def test_scan_path_does_not_import_network_or_ui_libraries():
    code = (
        "import sys; import aniload.pipeline, aniload.scanner, aniload.sidecar;"
        "print(sorted(m for m in ('httpx', 'rich', 'typer') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
