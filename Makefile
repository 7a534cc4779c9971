# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install system-deps browser-deps browser-test demo test lint screenshots clean

AXE := node_modules/axe-core/axe.min.js

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

# Pango (and its fonts) for WeasyPrint, which renders the evidence packet PDFs.
system-deps:
	@ldconfig -p | grep -q libpango-1.0 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 \
	  libharfbuzz-subset0 fonts-dejavu-core; }

# Debian's Chromium (and npm, for axe-core) for the browser tests (needs root; the tests skip,
# saying so, without them).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; }
	@command -v npm >/dev/null 2>&1 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm; }

# axe-core, pinned in package-lock.json, injected into every page by the browser tests.
# Without npm the accessibility checks skip, saying so.
$(AXE): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: accessibility checks will be skipped (make browser-deps installs it)"; fi

# Installs, migrates, seeds demo data, and starts the tool and the demo LMS.
demo: install
	$(BIN)/microbridge demo

# The full test suite. Embedded default (SQLite, in-process tasks) unless
# MICROBRIDGE_TEST_DATABASE_URL / MICROBRIDGE_TEST_REDIS_URL point at PostgreSQL and Redis.
# pytest-xdist workers hand out tests one by one, slowest files first (tests/conftest.py,
# SLOW_FIRST); each worker has its own database and Redis database number (tests/conftest.py).
# (Per-file groups, `--dist loadgroup`, stopped working with pytest 9.2: xdist 3.8 renames the
# tests of a group through an attribute pytest no longer reads. Measured, per-file groups were
# no faster than one test at a time.) Three workers on two cores: the browser tests and the
# real servers some tests start spend much of their time waiting.
TEST_WORKERS ?= 3
test: install $(AXE)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist load $(PYTEST_ARGS)

# The browser suite alone (Debian's Chromium, axe-core).
browser-test: install $(AXE)
	$(BIN)/python -m pytest tests/browser $(PYTEST_ARGS)

# Screenshots of the main pages for the README, taken by the same Chromium.
screenshots: install
	$(BIN)/python tools/screenshots.py docs/screenshots

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy config catalog grading lti_tool

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache node_modules
