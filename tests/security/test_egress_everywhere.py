"""M4, the class: no code of the tool makes an HTTP request except through config/egress.py.

Read with ``ast``: a call of ``requests.get/post/...``, a ``requests.Session()`` built outside
the egress module, or any use of urllib.request, http.client, httpx or urllib3's pools would
be a way around the policy. The demo LMS is a separate program and is left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.layout.imports import parse_module

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("config", "catalog", "grading", "lti_tool")
EGRESS = ROOT / "config" / "egress.py"
FORBIDDEN_MODULES = {"urllib.request", "http.client", "httpx", "aiohttp", "urllib3", "pycurl"}
REQUESTS_CALLS = {"get", "post", "put", "patch", "delete", "head", "options", "request", "Session",
                  "session"}


def _sources() -> list[Path]:
    files = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "demo_lms" in path.parts or path == EGRESS or "migrations" in path.parts:
                continue
            files.append(path)
    return files


def _bypasses(path: Path) -> list[str]:
    tree = parse_module(path)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if a.name in FORBIDDEN_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.module in FORBIDDEN_MODULES:
            found.append(f"from {node.module} import ...")
        elif isinstance(node, ast.ImportFrom) and node.module == "requests":
            found += [f"from requests import {a.name}" for a in node.names
                      if a.name in REQUESTS_CALLS]
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and isinstance(node.func.value, ast.Name) and node.func.value.id == "requests"
              and node.func.attr in REQUESTS_CALLS):
            found.append(f"requests.{node.func.attr}(...) at line {node.lineno}")
    return [f"{path.relative_to(ROOT)}: {what}" for what in found]


def test_every_outbound_request_goes_through_the_egress_policy() -> None:
    sources = _sources()
    assert len(sources) > 100
    bypasses = [line for path in sources for line in _bypasses(path)]
    assert bypasses == []
