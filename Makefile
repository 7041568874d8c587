# Everything runs from a local virtual environment that these targets create and keep in step
# with requirements/lock.txt (the pinned resolution of pyproject.toml; `make lock` redoes it).
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
UV     := $(BIN)/uv
STAMP  := $(VENV)/.installed
RUNDIR := .run
PYTEST_ARGS ?=

.PHONY: install test lint format run stop bench lock clean

install: $(STAMP)

$(STAMP): requirements/lock.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is required"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.9
	$(UV) pip install --quiet --python $(BIN)/python -r requirements/lock.txt
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: install lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

run: install
	$(BIN)/python -m airflow_oracle_etl.testing.demo start --run-dir $(RUNDIR)

stop: install
	$(BIN)/python -m airflow_oracle_etl.testing.demo stop --run-dir $(RUNDIR)

bench: install
	$(BIN)/python benchmarks/run.py

lock:
	$(UV) pip compile pyproject.toml --all-extras --python-version 3.11 --no-header -o requirements/lock.txt

clean: stop
	rm -rf $(VENV) $(RUNDIR)
