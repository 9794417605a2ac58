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

# In CI the browser, OCR and LibreOffice tests must run, so install Debian's chromium, Tesseract
# (English, French, Spanish) and LibreOffice Writer when they are missing (Tesseract and
# LibreOffice took about 20 s together here, after the package lists were fetched). On a user's
# machine those tests skip with a reason instead; PDFs with a text layer need none of them.
browser:
	@if [ "$$CI" = "true" ] && [ ! -x /usr/bin/chromium ]; then \
		apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	fi
	@if [ "$$CI" = "true" ] && ! { command -v tesseract && command -v soffice; } >/dev/null; then \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends tesseract-ocr \
			tesseract-ocr-eng tesseract-ocr-fra tesseract-ocr-spa libreoffice-writer-nogui >/dev/null; \
	fi

clean:
	rm -rf $(VENV) data .pytest_cache
