"""Grading's passback, roster and review code names no LTI or vendor URI outside comments: the
lti_tool adapters own those rules. (File import cycles are checked for the whole tree in
tests/layout.)"""

from __future__ import annotations

import io
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENDOR_WORDS = ("imsglobal", "instructure")


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
