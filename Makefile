# The two commands a new user types: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint fmt serve clean browser

$(BIN)/submissions: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

run: $(BIN)/submissions
	$(BIN)/submissions serve --ingest-sample

test: $(BIN)/submissions lint browser
	$(BIN)/pytest

lint: $(BIN)/submissions
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

fmt: $(BIN)/submissions
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# In CI the browser test must run, so install Debian's chromium when it is missing.
# On a user's machine the browser test skips with a reason instead.
browser:
	@if [ "$$CI" = "true" ] && [ ! -x /usr/bin/chromium ]; then \
		apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	fi

clean:
	rm -rf $(VENV) data .pytest_cache
