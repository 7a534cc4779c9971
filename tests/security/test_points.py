"""Points for a placed project: a value that rounds to 0 would be a zero scoreMaximum, which
the LMS refuses; the form says so next to the field instead."""

from __future__ import annotations

import pytest

from grading.placements import forms


@pytest.mark.parametrize("raw", ["0.001", "0.004", "1e-9", "nan", "inf", "-0.001"])
def test_points_that_round_to_zero_or_are_not_finite_are_refused(raw: str) -> None:
    form, parsed = forms.parse("p0", {"p0-title": "Capstone", "p0-points": raw,
                                      "p0-team_size": "1", "p0-release_mode": "automatic"})
    assert parsed is None
    assert "greater than 0" in form.error("points")


def test_small_points_that_survive_rounding_are_kept() -> None:
    _form, parsed = forms.parse("p0", {"p0-title": "Capstone", "p0-points": "0.005",
                                       "p0-team_size": "1", "p0-release_mode": "automatic"})
    assert parsed is not None and parsed.score_maximum == 0.01
