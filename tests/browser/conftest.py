"""Real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright; never a download.

Third-party cookies: a fresh profile of this Chromium blocks them; tests that allow them say
so through the profile preference (../shared/BROWSER-NOTES.md)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from config.settings import Settings
from tests.browser.a11y import AXE

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # .ci/run installs Debian's chromium and axe-core; a developer machine without them skips
    # every browser test before it starts (never a journey cut off halfway), loudly.
    missing = _missing_tools()
    if not missing:
        return
    skip = pytest.mark.skip(reason=missing)
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def _missing_tools() -> str:
    if not shutil.which(CHROMIUM):
        return "Debian's chromium is not installed (apt-get install chromium)"
    if not AXE.exists():
        return f"axe-core is not installed ({AXE}): run `make test`, which runs `npm ci`"
    return ""


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    launch = getattr(item, "funcargs", {}).get("chromium")
    if report.when == "call" and report.failed and launch is not None:
        # Next to the traceback, where a CI excerpt still shows it (the captured logs that
        # follow are long).
        report.longrepr = (f"{report.longrepr}\n\nWhat the browser showed when the test "
                           f"failed:\n{_what_pages_show(launch.contexts)}")
    return report


def _what_pages_show(contexts: list[Any]) -> str:
    """Each page and frame's address and the start of its text: a timeout says only what it
    waited for, not what the person was looking at instead."""
    lines = []
    for context in contexts:
        for page in context.pages:
            for frame in page.frames:
                try:
                    # Bounded: a frame that never answers (a hung page) must not hang the report
                    # (evaluate() has no timeout: once it outlasted pytest-timeout and ended the run).
                    text = frame.locator("body").inner_text(timeout=2000)
                except Exception as error:  # a closed, navigating or unresponsive frame
                    text = f"(unreadable: {error})"
                lines.append(f"--- {frame.name or 'top'}: {frame.url}\n{text[:1500]}")
    return "\n".join(lines)


@pytest.fixture
def chromium(tmp_path: Path) -> Iterator[Callable[..., Any]]:
    from playwright.sync_api import sync_playwright

    contexts: list[Any] = []
    with sync_playwright() as playwright:

        def launch(*, third_party_cookies: bool, **options: Any) -> Any:
            """A fresh profile; ``options`` go to Playwright (e.g. timezone_id)."""
            profile = tmp_path / f"profile-{len(contexts)}"
            (profile / "Default").mkdir(parents=True)
            prefs = {"profile": {"cookie_controls_mode": 0 if third_party_cookies else 1}}
            (profile / "Default" / "Preferences").write_text(json.dumps(prefs))
            context = playwright.chromium.launch_persistent_context(
                str(profile), executable_path=CHROMIUM, headless=True, args=ARGS, **options,
            )
            context.set_default_timeout(15000)
            contexts.append(context)
            return context

        launch.contexts = contexts  # type: ignore[attr-defined]  # read by the failure report
        yield launch
        for context in contexts:
            context.close()


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The browser journeys run the tool as a newcomer's demo does: tasks in-process and the
    email outbox shown, on whichever database the pass uses. Redis and real workers are
    exercised by the passback and service tests, not through a browser."""
    return settings.with_overrides(redis_url="")
