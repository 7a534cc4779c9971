"""`config`, `catalog`, `grading`, `lti_tool` and `templates` are generic names, and PyPI has
packages called `config` and `templates`: if one of those were installed, or a stray folder sat
earlier on sys.path, `import config` would quietly load it. Each top-level package must come from
this checkout or from the files of the installed `microbridge` distribution."""

from __future__ import annotations

import importlib
import importlib.metadata
from pathlib import Path

import pytest

from .imports import PARTS, ROOT

TOP_LEVEL = (*PARTS, "templates")


def _installed_files() -> set[Path]:
    try:
        dist = importlib.metadata.distribution("microbridge")
    except importlib.metadata.PackageNotFoundError:
        return set()
    return {Path(str(dist.locate_file(f))).resolve() for f in dist.files or ()}


def comes_from_this_project(init_file: Path) -> bool:
    return init_file.is_relative_to(ROOT) or init_file in _installed_files()


@pytest.mark.parametrize("name", TOP_LEVEL)
def test_each_top_level_package_is_ours(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__file__, f"{name} is a namespace package: its __init__.py is missing"
    init_file = Path(module.__file__).resolve()
    assert comes_from_this_project(init_file), (
        f"`import {name}` loaded {init_file}, which is not Microbridge's: "
        f"another package called {name!r} shadows it (pip uninstall it, or fix sys.path)"
    )


def test_a_shadowing_package_is_told_apart(tmp_path: Path) -> None:
    stray = tmp_path / "config" / "__init__.py"
    stray.parent.mkdir()
    stray.write_text("")
    assert not comes_from_this_project(stray.resolve())
    assert comes_from_this_project((ROOT / "config" / "__init__.py").resolve())


def test_templates_and_static_files_ship_in_the_templates_package() -> None:
    import templates

    here = Path(templates.__file__).resolve().parent
    assert (here / "base.html.jinja2").is_file()
    assert (here / "static" / "microbridge.css").is_file()
