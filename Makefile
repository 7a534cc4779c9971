# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install browser-deps demo test lint screenshots clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

# Debian's Chromium for the browser tests (needs root; the tests skip, saying so, without it).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; }

# Installs, migrates, seeds demo data, and starts the tool and the demo LMS.
demo: install
	$(BIN)/microbridge demo

# The full test suite. Embedded default (SQLite, in-process tasks) unless
# MICROBRIDGE_TEST_DATABASE_URL / MICROBRIDGE_TEST_REDIS_URL point at PostgreSQL and Redis.
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy microbridge

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
