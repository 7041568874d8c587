# Everything runs from a local virtual environment that these targets create and keep in step
# with requirements/lock.txt (the pinned resolution of pyproject.toml; `make lock` redoes it).
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
UV     := $(BIN)/uv
STAMP  := $(VENV)/.installed
RUNDIR := .run
# the emulator's grammar gate: the Oracle grammar's parser, run by Node (package-lock.json pins it)
GRAMMAR := emulator/oracle_emulator/grammar
GRAMMAR_STAMP := $(GRAMMAR)/node_modules/.package-lock.json
PYTEST_ARGS ?=

.PHONY: install system-deps node-deps test peer-test lint typecheck format run stop bench lock clean

install: $(STAMP) $(GRAMMAR_STAMP)

# npm ci installs exactly the lock's versions (and writes the stamp)
$(GRAMMAR_STAMP): $(GRAMMAR)/package.json $(GRAMMAR)/package-lock.json
	@command -v node >/dev/null && command -v npm >/dev/null || $(MAKE) --no-print-directory node-deps
	cd $(GRAMMAR) && npm ci --no-audit --no-fund --loglevel=error

$(STAMP): requirements/lock.txt pyproject.toml emulator/pyproject.toml stack/pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is required"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.9
	@# compiled to bytecode once here, as pip does by default and uv only when asked: every
	@# Airflow process (each task, each DAG-file parse) would otherwise compile Airflow and the
	@# Google libraries from source where PYTHONDONTWRITEBYTECODE keeps Python from caching
	@# them, seconds of CPU at every start
	$(UV) pip install --quiet --compile-bytecode --python $(BIN)/python -r requirements/lock.txt
	@# the provider, the Oracle emulator (a distribution of its own) and the local stack's
	@# launchers (test support, never published), all editable; their sources compiled too
	@# (an edited module is compiled afresh on import, as always)
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e . -e ./emulator -e ./stack
	$(BIN)/python -m compileall -q -j 0 airflow_oracle_etl emulator/oracle_emulator stack/oracle_etl_stack
	@# setuptools leaves the build's egg-info in the source tree; found on sys.path beside the
	@# installed dist-info it would make Airflow load the provider's plugin twice
	rm -rf airflow_oracle_etl.egg-info emulator/*.egg-info stack/*.egg-info
	touch $(STAMP)

# Debian packages the tests drive for real: Chromium and its matching ChromeDriver (the job
# view's browser test), PostgreSQL and Redis (the CeleryExecutor test). Installed when missing,
# which needs root (as on CI); otherwise it says what to install.
SYSTEM_PACKAGES := chromium chromium-driver fonts-liberation postgresql redis-server
system-deps: node-deps
	@if dpkg -s $(SYSTEM_PACKAGES) >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
	  echo "installing Debian packages: $(SYSTEM_PACKAGES)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(SYSTEM_PACKAGES) >/dev/null; \
	else echo "the tests need Debian packages: $(SYSTEM_PACKAGES) (sudo apt-get install $(SYSTEM_PACKAGES))"; exit 1; fi

# Node.js and npm for the emulator's grammar gate: Debian's, when no node is on the PATH
node-deps:
	@if command -v node >/dev/null && command -v npm >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
	  echo "installing Debian packages: nodejs npm"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null; \
	else echo "the emulator's grammar gate needs Node.js and npm (sudo apt-get install nodejs npm)"; exit 1; fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# the emulator's own suite, python-oracledb's own suite against it, then the provider's
test: install system-deps lint typecheck
	cd emulator && ../$(BIN)/python -m pytest $(PYTEST_ARGS)
	$(BIN)/python emulator/peer/run.py
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# python-oracledb's own tests (from the pinned version's sdist, downloaded and checksum-verified
# into .cache/) against a fresh emulator; fails when the outcome differs from
# emulator/peer/expected_failures.txt
peer-test: install
	$(BIN)/python emulator/peer/run.py

typecheck: install
	$(BIN)/mypy

run: install
	$(BIN)/python -m oracle_etl_stack.demo start --run-dir $(RUNDIR)

stop: install
	$(BIN)/python -m oracle_etl_stack.demo stop --run-dir $(RUNDIR)

bench: install
	$(BIN)/python benchmarks/run.py

# third-party packages only: the three distributions of this repository are installed editable
lock:
	$(UV) pip compile requirements/local.in --python-version 3.11 --no-header \
	  --no-emit-package airflow-oracle-etl --no-emit-package airflow-oracle-etl-emulator \
	  --no-emit-package airflow-oracle-etl-stack -o requirements/lock.txt

clean: stop
	rm -rf $(VENV) $(RUNDIR) $(GRAMMAR)/node_modules
