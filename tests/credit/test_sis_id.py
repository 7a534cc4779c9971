"""The registrar's id for a student (``lis.person_sourcedid``) is kept from the launch."""

from __future__ import annotations

from typing import Any

import pytest

from lti_tool.launch import claims
from lti_tool.launch.service import person_seen


@pytest.mark.parametrize(("lis", "expected"), [
    ({"person_sourcedid": " SIS-1042 "}, "SIS-1042"),
    ({"person_sourcedid": ""}, ""),
    ({"course_offering_sourcedid": "SIS-BUS101"}, ""),
    ("not an object", ""),
    (None, ""),
])
def test_the_launch_reads_the_sis_id_or_leaves_it_blank(lis: Any, expected: str) -> None:
    body: dict[str, Any] = {"sub": "u-1"}
    if lis is not None:
        body[claims.LIS] = lis
    assert person_seen(body, platform_id=1).sis_id == expected
