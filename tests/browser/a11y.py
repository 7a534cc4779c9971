"""WCAG 2.1 AA checks with axe-core (npm package, pinned in package-lock.json).

axe is injected through Playwright's ``evaluate``, which goes over the DevTools protocol and so
is not subject to the page's ``script-src 'self'`` Content-Security-Policy. It runs in the page
or frame given, so a tool page framed by the demo LMS is checked as the tool's own document.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

_RUN = """async (tags) => {
  const results = await axe.run(document, {
    runOnly: {type: 'tag', values: tags},
    iframes: false,
    resultTypes: ['violations'],
  });
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html, summary: n.failureSummary})),
  }));
}"""


@cache
def axe_source() -> str:
    if not AXE.exists():
        pytest.skip(f"axe-core is not installed ({AXE}); run `make {AXE.relative_to(AXE.parents[2])}`")
    return AXE.read_text(encoding="utf-8")


def violations(page_or_frame: Any) -> list[dict[str, Any]]:
    """axe's WCAG 2.1 A/AA violations of the document in this page or frame."""
    if not page_or_frame.evaluate("typeof window.axe !== 'undefined'"):
        page_or_frame.evaluate(axe_source())
    found: list[dict[str, Any]] = page_or_frame.evaluate(_RUN, TAGS)
    return found


def describe(found: list[dict[str, Any]]) -> str:
    lines = []
    for violation in found:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    at {node['target']}: {node['html'][:160]}")
            summary = " ".join(str(node["summary"] or "").split())
            if summary:
                lines.append(f"      {summary[:300]}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    ... and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


def assert_accessible(page_or_frame: Any, name: str) -> None:
    """Fail with a readable list if axe finds any WCAG 2.1 A/AA violation on this page."""
    found = violations(page_or_frame)
    if found:
        url = page_or_frame.url
        raise AssertionError(f"axe: {len(found)} WCAG 2.1 AA violation(s) on {name} ({url}):\n"
                             + describe(found))
