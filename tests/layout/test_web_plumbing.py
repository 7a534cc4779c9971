"""The shared web plumbing stays in its rooms (issue 11 knot 6): only the blueprint list
imports view modules (guards live in each concept's access.py), and CSRF is defined once,
in config/web.py."""

from __future__ import annotations

import re

from .imports import ROOT, import_graph, project_modules

BLUEPRINT_LIST = "lti_tool.blueprints"
# Factories that add shared routes to the blueprint of each part that uses them: imported by
# those views on purpose (no guard lives there).
VIEW_FACTORIES = {"catalog.portal.sign_in_views"}


def _is_view(module: str) -> bool:
    last = module.rsplit(".", 1)[-1]
    return last == "views" or last.endswith("_views") or last == "web_home"


def test_only_the_blueprint_list_imports_view_modules() -> None:
    offenders = sorted(
        f"{e.importer}:{e.line} imports {e.imported}"
        for e in import_graph()
        if _is_view(e.imported) and e.imported not in VIEW_FACTORIES
        and e.importer not in (BLUEPRINT_LIST, e.imported)
        and not e.importer.startswith("lti_tool.demo_lms")
    )
    assert offenders == [], "guards belong in each concept's access.py"


def test_csrf_is_defined_once_in_config_web() -> None:
    defining = sorted(
        str(path.relative_to(ROOT)) for path in project_modules().values()
        if re.search(r"^def (check_csrf|csrf_token|protect)\b", path.read_text(), re.MULTILINE)
    )
    assert defining == ["config/web.py"]
