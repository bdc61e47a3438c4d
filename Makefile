# lesionwise: `make demo` sets everything up and runs the demo cohort; `make test` runs the tests.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INPUT ?= data/demo
DB ?= build/lesionwise.duckdb
OUT ?= build/stats
# `make bench`: cohort sizes (screened patients) to simulate and time
BENCH_SIZES ?= 10000,100000,1000000
TARGET ?= duckdb
# `make robustness`: draws, coefficient of variation and floor (mm) of the measurement error,
# seed, and the folder for its tables, figure and DuckDB file
DRAWS ?= 100
CV ?= 0.08
FLOOR_MM ?= 1
SEED ?= 0
ROBUSTNESS_OUT ?= build/robustness
# `make build`: the dbt target (duckdb, or spark: a local Spark, docs/spark.md) and a folder
# to also write each contract table to as <table>.parquet (none when empty)
EXPORT ?=
# `make sdtm`: the SDTM folder, its file suffix (<domain>$(SDTM_SUFFIX).csv, else <domain>.csv),
# the evaluator (investigator, or independent = the accepted assessor), the imported input folder
SDTM ?= tests/data/pharmaverse-sdtm
SDTM_SUFFIX ?= _onco
EVALUATOR ?= investigator
SDTM_OUT ?= build/sdtm-input
export DO_NOT_TRACK := 1
# bytecode compiled at install: where PYTHONDONTWRITEBYTECODE is set (as on CI machines and in
# containers) every process would otherwise compile dbt's modules again (1.4 s per `dbt build`)
UV_INSTALL = $(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python --constraint constraints.txt

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/lesionwise: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==0.13.9
	$(UV_INSTALL) -e '.[dev,spark]'
	@touch $@

setup: $(BIN)/lesionwise  ## create .venv with the pinned packages

demo: setup  ## set up, build the demo cohort's marts into DB and write the study's tables and figures to OUT
	$(BIN)/lesionwise build --input $(INPUT) --db $(DB)
	$(BIN)/lesionwise stats --db $(DB) --out $(OUT)

build: setup  ## dbt build on INPUT (a folder in the contract's format) into DB (TARGET=spark: Spark), Parquet into EXPORT
	$(BIN)/lesionwise build --input $(INPUT) --db $(DB) --target $(TARGET) $(if $(EXPORT),--export $(EXPORT))

test: setup  ## run every test (dbt unit and data tests run inside the pytest suite)
	$(BIN)/pytest

sdtm: setup  ## import the SDTM folder SDTM into SDTM_OUT (docs/sdtm-mapping.md), then build it into DB
	$(BIN)/lesionwise import-sdtm --sdtm $(SDTM) --suffix '$(SDTM_SUFFIX)' --evaluator $(EVALUATOR) --out $(SDTM_OUT)
	$(MAKE) --no-print-directory build INPUT=$(SDTM_OUT)

stats: setup  ## tables, figures and models of the seed study from DB's marts into OUT (README: outputs)
	$(BIN)/lesionwise stats --db $(DB) --out $(OUT)

report: setup  ## one self-contained HTML report of DB's marts (figures embedded) into OUT/report.html
	$(BIN)/lesionwise report --db $(DB) --out $(OUT)

robustness: setup  ## redraw DB's readings DRAWS times with error CV (floor FLOOR_MM mm): DR and BOR kept per patient, cohort ranges, into ROBUSTNESS_OUT
	$(BIN)/lesionwise robustness --db $(DB) --out $(ROBUSTNESS_OUT) --draws $(DRAWS) --cv $(CV) --floor-mm $(FLOOR_MM) --seed $(SEED)

lint: setup  ## check the Python code with ruff
	$(BIN)/ruff check analysis_py tests/python

bench: setup  ## time simulate, dbt build and stats on BENCH_SIZES patients against the SQL floor, pandas and pyrecist (BENCHMARKS.md); not in `make test`
	$(UV_INSTALL) -e '.[bench]'
	$(BIN)/python benchmarks/run.py --sizes $(BENCH_SIZES)

clean:  ## remove build outputs (keeps .venv)
	rm -rf build target logs

.PHONY: help setup demo build test lint clean sdtm stats report bench robustness
