"""Grade passback's files import each other one way, and grading's passback, roster and review
code names no LTI or vendor URI outside comments (those rules live in the lti_tool adapters)."""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENDOR_WORDS = ("imsglobal", "instructure")


def _local_imports(path: Path, package: str) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == package:
                found.update(f"{package}.{alias.name}" for alias in node.names)
            elif node.module.startswith(package + "."):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith(package + "."))
    return found


def test_no_import_cycle_between_passback_files() -> None:
    package = "grading.passback"
    files = {f"{package}.{p.stem}": p for p in (ROOT / "grading" / "passback").glob("*.py")}
    graph = {name: _local_imports(path, package) & files.keys() for name, path in files.items()}

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph[start]:
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    cycles = [name for name in graph if reaches(name, name, {name})]
    assert cycles == [], f"import cycle through {cycles}"


def test_grading_code_names_no_lti_or_vendor_uri() -> None:
    files = [ROOT / "grading" / "ports.py"] + [
        path for part in ("passback", "placements", "reviews")
        for path in (ROOT / "grading" / part).glob("*.py")
    ]
    offending = []
    for path in files:
        for token in tokenize.generate_tokens(io.StringIO(path.read_text()).readline):
            if token.type == tokenize.COMMENT:
                continue
            is_docstring = token.type == tokenize.STRING and token.string.startswith(('"""', "'''"))
            if token.type == tokenize.STRING and not is_docstring and any(
                word in token.string for word in VENDOR_WORDS
            ):
                offending.append(f"{path.relative_to(ROOT)}:{token.start[0]}")
    assert offending == []
