# Strata: the two commands are `make demo` and `make test`; both set up .venv from nothing.
# TORCH_SPEC is installed before everything else; GPU users override it, e.g.
#   make demo TORCH_SPEC="torch==2.13.0 --index-url <your CUDA wheel index>"
PYTHON ?= python3
TORCH_SPEC ?= torch==2.13.0
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The suite runs in this many processes, each taking a whole test file at a time (so a file's shared
# fixtures, like the Ray tests' cluster, are built once).
TEST_WORKERS ?= 2
PYTEST := QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

.PHONY: demo test test-all lint bench clean setup installer

setup: $(STAMP)

$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q $(TORCH_SPEC)
	$(BIN)/python -m pip install -q -e ".[dev]"
	$(BIN)/python -m app.warmup  # numba's caches written now, not by the first run (~1 min on 2 cores)
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/strata demo

test: $(STAMP) lint
	$(PYTEST)

test-all: $(STAMP) lint
	$(PYTEST) -m ""

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/run_all.py

# The standalone application (installer/README.md): build dist/strata/, then smoke-test it.
installer: $(STAMP)
	$(BIN)/python -m pip install -q -e ".[installer]"
	$(BIN)/python installer/build.py
	$(BIN)/python installer/smoke_test.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
