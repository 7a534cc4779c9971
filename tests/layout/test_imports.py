"""The four parts lean one way (lti_tool -> grading -> catalog -> config), no two files import
each other, and the demo LMS never imports the tool: read from the source, so a new import that
breaks the design fails here before anyone has to notice it in review."""

from __future__ import annotations

from .imports import DEMO_LMS, PARTS, cycles, import_graph, part_of, project_modules


def test_the_graph_is_read() -> None:
    edges = import_graph()
    # A reader that found nothing would pass every check below.
    assert len(project_modules()) > 150
    assert any(e.importer == "lti_tool.app" and part_of(e.imported) == "config" for e in edges)
    assert any(part_of(e.importer) == "grading" and part_of(e.imported) == "catalog" for e in edges)


def test_parts_lean_one_way() -> None:
    rank = {part: i for i, part in enumerate(PARTS)}
    upward = [
        f"{e.importer}:{e.line} imports {e.imported}"
        for e in import_graph()
        if rank[part_of(e.imported)] > rank[part_of(e.importer)]
    ]
    assert upward == []


def test_the_demo_lms_never_imports_the_tool() -> None:
    inside = f"{DEMO_LMS}."
    reaching_out = [
        f"{e.importer}:{e.line} imports {e.imported}"
        for e in import_graph()
        if (e.importer == DEMO_LMS or e.importer.startswith(inside))
        and not (e.imported == DEMO_LMS or e.imported.startswith(inside))
    ]
    assert reaching_out == []


def test_no_cycle_between_files() -> None:
    """Imports under `if TYPE_CHECKING:` never run and are not counted."""
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_cycles() -> None:
    from .imports import Import

    loop = [Import("a", "b", 1), Import("b", "c", 1), Import("c", "a", 1), Import("c", "d", 1)]
    assert cycles(loop) == [["a", "b", "c"]]
    assert cycles(loop[:2]) == []
