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
# seed, and the folder for its tables, figure and DuckDB file (empty: the vars robustness_* of
# dbt_project.yml; CV empty with two readers: the CV their paired readings imply, docs/robustness.md)
DRAWS ?=
CV ?=
FLOOR_MM ?=
SEED ?=
ROBUSTNESS_OUT ?= build/robustness
# `make build`: the dbt target (duckdb, or spark: a local Spark, docs/spark.md) and a folder
# to also write each contract table to as <table>.parquet (none when empty)
EXPORT ?=
# how the dates of INPUT are written (strftime, e.g. %d/%m/%Y; empty = ISO) and a CSV keyword,site_group
# of site keywords (docs/input-format.md)
DATE_FORMAT ?=
SITE_MAP ?=
# `make sdtm`: the SDTM folder, its file suffix (<domain>$(SDTM_SUFFIX).csv, else <domain>.csv),
# the evaluator (investigator, or independent = the accepted assessor), the imported input folder
SDTM ?= tests/data/pharmaverse-sdtm
SDTM_SUFFIX ?= _onco
EVALUATOR ?= investigator
SDTM_OUT ?= build/sdtm-input
SDTM_DB ?= build/sdtm.duckdb
# `make build`: settings to override, as dbt takes them, e.g. VARS='{recist_confirmation_min_days: 28}'
VARS ?=
# Paths and settings are data: each reaches the recipes through the environment, unexpanded
# (`$(value ...)`: a `$(x)` in a folder name stays text), and is quoted there as "$$INPUT"; a
# recipe never pastes one into its shell text.
USER_VARIABLES := INPUT DB OUT EXPORT VARS DATE_FORMAT SITE_MAP SDTM SDTM_SUFFIX EVALUATOR SDTM_OUT SDTM_DB TARGET \
	DRAWS CV FLOOR_MM SEED ROBUSTNESS_OUT
$(foreach name,$(USER_VARIABLES),$(eval override $(name) := $$(value $(name))))
export $(USER_VARIABLES)
export DO_NOT_TRACK := 1
# bytecode compiled at install: where PYTHONDONTWRITEBYTECODE is set (as on CI machines and in
# containers) every process would otherwise compile dbt's modules again (1.4 s per `dbt build`)
UV_INSTALL = $(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python --constraint constraints.txt

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/lesionwise: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==0.13.9
	$(UV_INSTALL) -e '.[dev]'
	@touch $@

# pyspark (about 500 MB) only for the Spark target and its test
spark-extra: setup  ## install the `spark` extra (pyspark, about 500 MB) into .venv: `make build TARGET=spark` does
	@$(BIN)/python -c 'import pyspark' 2>/dev/null || $(UV_INSTALL) -e '.[dev,spark]'

# what the tests need outside Python: Chromium (the report test), and Java 17 when the Spark
# test must run (LESIONWISE_REQUIRE_SPARK, as CI sets it); installed with apt-get when root,
# else one line naming the packages
system-packages:  ## install Chromium (and Java 17 with LESIONWISE_REQUIRE_SPARK) with apt-get when root, else name them
	@missing=""; \
	command -v chromium >/dev/null || missing=" chromium"; \
	if [ -n "$$LESIONWISE_REQUIRE_SPARK" ] && ! command -v java >/dev/null; then missing="$$missing openjdk-17-jre-headless"; fi; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && apt-get install -y -qq $$missing >/dev/null; \
	  else echo "make test needs the system packages:$$missing (e.g. sudo apt-get install$$missing)" >&2; exit 1; fi; \
	fi

setup: $(BIN)/lesionwise  ## create .venv with the pinned packages

demo: setup  ## set up, build the demo cohort's marts into DB and write the study's tables and figures to OUT
	$(BIN)/lesionwise build --input "$$INPUT" --db "$$DB"
	$(BIN)/lesionwise stats --db "$$DB" --out "$$OUT"

build: setup $(if $(filter spark,$(TARGET)),spark-extra)  ## dbt build on INPUT (docs/input-format.md) into DB (TARGET=spark: Spark), Parquet into EXPORT; DATE_FORMAT='%d/%m/%Y', SITE_MAP=file.csv, settings VARS
	$(BIN)/lesionwise build --input "$$INPUT" --db "$$DB" --target "$$TARGET" $${EXPORT:+--export "$$EXPORT"} $${VARS:+--vars "$$VARS"} \
		$${DATE_FORMAT:+--date-format "$$DATE_FORMAT"} $${SITE_MAP:+--site-map "$$SITE_MAP"}

test: setup system-packages $(if $(LESIONWISE_REQUIRE_SPARK),spark-extra)  ## run every test (dbt unit and data tests run inside the pytest suite)
	$(BIN)/pytest

sdtm: setup  ## import the SDTM folder SDTM into SDTM_OUT (docs/sdtm-mapping.md), build it into SDTM_DB and print the audit
	$(BIN)/lesionwise import-sdtm --sdtm "$$SDTM" --suffix "$$SDTM_SUFFIX" --evaluator "$$EVALUATOR" --out "$$SDTM_OUT"
	$(BIN)/lesionwise build --input "$$SDTM_OUT" --db "$$SDTM_DB"
	$(BIN)/lesionwise audit --db "$$SDTM_DB"

stats: setup  ## tables, figures and models of the seed study from DB's marts into OUT (README: outputs)
	$(BIN)/lesionwise stats --db "$$DB" --out "$$OUT"

report: setup  ## one self-contained HTML report of DB's marts (figures embedded) into OUT/report.html, reusing `make stats`' tables in OUT
	$(BIN)/lesionwise report --db "$$DB" --out "$$OUT" --stats "$$OUT"

robustness: setup  ## redraw DB's readings DRAWS times with error CV (floor FLOOR_MM mm): DR and BOR kept per patient, cohort ranges, into ROBUSTNESS_OUT
	$(BIN)/lesionwise robustness --db "$$DB" --out "$$ROBUSTNESS_OUT" $${DRAWS:+--draws "$$DRAWS"} $${CV:+--cv "$$CV"} \
		$${FLOOR_MM:+--floor-mm "$$FLOOR_MM"} $${SEED:+--seed "$$SEED"}

lint: setup  ## check the Python code with ruff
	$(BIN)/ruff check analysis_py tests/python

bench: setup  ## time simulate, dbt build and stats on BENCH_SIZES patients against the SQL floor, pandas and pyrecist (BENCHMARKS.md); not in `make test`
	$(UV_INSTALL) -e '.[bench]'
	$(BIN)/python benchmarks/run.py --sizes $(BENCH_SIZES)

clean:  ## remove build outputs (keeps .venv)
	rm -rf build target logs

.PHONY: help setup spark-extra system-packages demo build test lint clean sdtm stats report bench robustness
