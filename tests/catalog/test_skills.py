"""Skills typed by employers and students become taxonomy names or tidy free additions."""

from __future__ import annotations

import pytest

from catalog.skills.service import normalise, normalise_all, split_list


@pytest.mark.parametrize(("typed", "label"), [
    ("postgres", "SQL"), ("  PYTHON3 ", "Python"), ("data viz", "Data visualisation"),
    ("Data Visualization", "Data visualisation"), ("wcag", "Accessibility"),
    ("user research", "UX research"), ("html/css", "HTML and CSS"),
])
def test_aliases_map_to_taxonomy_names(typed: str, label: str) -> None:
    skill = normalise(typed)
    assert skill is not None and skill.label == label and skill.in_taxonomy


def test_free_additions_are_kept_tidy() -> None:
    skill = normalise("  beekeeping   logistics ")
    assert skill is not None
    assert (skill.label, skill.slug, skill.in_taxonomy) == (
        "Beekeeping logistics", "beekeeping-logistics", False)
    assert normalise("   ") is None


def test_duplicates_collapse_in_order() -> None:
    labels = [s.label for s in normalise_all(split_list("SQL; postgres\nExcel, excel, R"))]
    assert labels == ["SQL", "Excel", "R"]


def test_skills_read_naturally_mid_sentence() -> None:
    words = [s.in_sentence for s in normalise_all(["SQL", "Survey design", "Python",
                                                   "Kiln firing"])]
    assert words == ["SQL", "survey design", "Python", "Kiln firing"]
