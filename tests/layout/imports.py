"""The project's import graph, read from the source with `ast` (nothing is imported)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The four parts, lowest first: a part may import only itself and the parts before it.
PARTS = ("config", "catalog", "grading", "lti_tool")
DEMO_LMS = "lti_tool.demo_lms"


@dataclass(frozen=True)
class Import:
    importer: str  # dotted module name
    imported: str  # dotted module name (a module of this project)
    line: int


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    modules: dict[str, Path] = {}
    for part in PARTS:
        for path in sorted((ROOT / part).rglob("*.py")):
            if "migrations" in path.parts:
                continue  # Alembic loads these by path; they are not imported
            modules[module_name(path)] = path
    return modules


def _under_type_checking(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def _targets(node: ast.Import | ast.ImportFrom, importer: str, is_package: bool) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    base = node.module or ""
    if node.level:
        package = importer.split(".") if is_package else importer.split(".")[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join([*package, base] if base else package)
    yield base
    for alias in node.names:
        yield f"{base}.{alias.name}"  # `from pkg import module` imports pkg.module


def parse_module(path: Path) -> ast.Module:
    # CPython 3.11 counts the AST constructor's depth per interpreter, not per thread: a
    # traceback formatted on another thread at that moment (3.11's traceback module parses the
    # failing line) makes ast.parse raise SystemError "recursion depth mismatch" (gh-106905).
    # The source is the same on a second try; only a SyntaxError means the file is wrong.
    for _ in range(2):
        try:
            return ast.parse(path.read_text(), filename=str(path))
        except SystemError:
            continue
    return ast.parse(path.read_text(), filename=str(path))


def imports_of(module: str, path: Path, known: set[str]) -> Iterator[Import]:
    tree = parse_module(path)
    parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Import | ast.ImportFrom) or _under_type_checking(node, parents):
            continue
        for target in _targets(node, module, path.name == "__init__.py"):
            resolved = _known_module(target, known)
            if resolved and resolved != module:
                yield Import(module, resolved, node.lineno)


def _known_module(name: str, known: set[str]) -> str | None:
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def import_graph() -> list[Import]:
    modules = project_modules()
    known = set(modules)
    found = {imp for module, path in modules.items() for imp in imports_of(module, path, known)}
    # `from grading.passback import service` names the package and the module: keep the module.
    named_inside = {(i.importer, i.line, i.imported.rpartition(".")[0]) for i in found}
    kept = {i for i in found if (i.importer, i.line, i.imported) not in named_inside}
    return sorted(kept, key=lambda i: (i.importer, i.line, i.imported))


def part_of(module: str) -> str:
    return module.split(".", 1)[0]


def cycles(edges: list[Import]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    graph: dict[str, set[str]] = {}
    for edge in edges:
        graph.setdefault(edge.importer, set()).add(edge.imported)
        graph.setdefault(edge.imported, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = counter
                counter += 1
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found
