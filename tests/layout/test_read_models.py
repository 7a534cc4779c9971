"""Inside grading, the read models sit above the concepts they read: the student's page and the
instructor's learner states (grading.dashboards) import submissions, consent, teams, reviews...
and no concept's models, services or access checks import them back. Only views, which sit on
top of everything, may use a read model."""

from __future__ import annotations

from .imports import import_graph

DASHBOARDS = "grading.dashboards"


def _is_view(module: str) -> bool:
    return module.rsplit(".", 1)[-1].endswith("views")


def test_the_dashboards_read_the_concepts() -> None:
    read = {e.imported.split(".")[1] for e in import_graph()
            if e.importer.startswith(f"{DASHBOARDS}.") and e.imported.startswith("grading.")}
    assert {"submissions", "consent", "teams", "milestones", "reviews"} <= read


def test_no_concept_imports_a_read_model() -> None:
    upward = [
        f"{e.importer}:{e.line} imports {e.imported}"
        for e in import_graph()
        if e.imported.startswith(DASHBOARDS) and e.importer.startswith("grading.")
        and not e.importer.startswith(DASHBOARDS)
        and not _is_view(e.importer)
    ]
    assert upward == []
