"""The shared web plumbing stays in its rooms: only the blueprint list imports view modules,
and the modules of config/ import each other without a cycle (web <-> launch_session was one).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PARTS = ("config", "catalog", "grading", "lti_tool")


def _modules() -> dict[str, Path]:
    found = {}
    for part in PARTS:
        for path in (ROOT / part).rglob("*.py"):
            if "demo_lms" in path.parts or "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """Every project module this file imports, at the top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in names if name in modules}


def _is_view(module: str) -> bool:
    last = module.rsplit(".", 1)[-1]
    return last == "views" or last.endswith("_views") or last == "web_home"


def test_only_the_blueprint_list_imports_view_modules() -> None:
    modules = _modules()
    offenders = sorted(
        f"{name} imports {imported}"
        for name, path in modules.items() if name != "lti_tool.blueprints"
        for imported in _imports(path, modules) if _is_view(imported) and imported != name
    )
    assert not offenders, "guards belong in each concept's access.py:\n" + "\n".join(offenders)


def test_config_modules_import_each_other_without_a_cycle() -> None:
    modules = {n: p for n, p in _modules().items() if n.startswith("config.")}
    graph = {name: _imports(path, modules) - {name} for name, path in modules.items()}
    done: set[str] = set()

    def visit(name: str, trail: tuple[str, ...]) -> None:
        assert name not in trail, "import cycle: " + " -> ".join((*trail, name))
        if name in done:
            return
        for imported in sorted(graph[name]):
            visit(imported, (*trail, name))
        done.add(name)

    for name in sorted(graph):
        visit(name, ())


def test_csrf_lives_in_config_web() -> None:
    defining = sorted(
        str(path.relative_to(ROOT)) for path in _modules().values()
        if re.search(r"^def \w*csrf", path.read_text(), re.MULTILINE)
    )
    assert defining == ["config/web.py"]
