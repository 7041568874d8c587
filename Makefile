# Everything runs from a local virtual environment that these targets create and keep in step
# with requirements/lock.txt (the pinned resolution of pyproject.toml; `make lock` redoes it).
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
UV     := $(BIN)/uv
STAMP  := $(VENV)/.installed
RUNDIR := .run
PYTEST_ARGS ?=

.PHONY: install system-deps test lint format run stop bench lock clean

install: $(STAMP)

$(STAMP): requirements/lock.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is required"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.9
	$(UV) pip install --quiet --python $(BIN)/python -r requirements/lock.txt
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	@# setuptools leaves the build's egg-info in the source tree; found on sys.path beside the
	@# installed dist-info it would make Airflow load the provider's plugin twice
	rm -rf airflow_oracle_etl.egg-info
	touch $(STAMP)

# Debian packages the tests drive for real: Chromium and its matching ChromeDriver (the job
# view's browser test), PostgreSQL and Redis (the CeleryExecutor test). Installed when missing,
# which needs root (as on CI); otherwise it says what to install.
SYSTEM_PACKAGES := chromium chromium-driver fonts-liberation postgresql redis-server
system-deps:
	@if dpkg -s $(SYSTEM_PACKAGES) >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
	  echo "installing Debian packages: $(SYSTEM_PACKAGES)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(SYSTEM_PACKAGES) >/dev/null; \
	else echo "the tests need Debian packages: $(SYSTEM_PACKAGES) (sudo apt-get install $(SYSTEM_PACKAGES))"; exit 1; fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: install system-deps lint
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
