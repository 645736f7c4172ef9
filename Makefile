# Two commands matter: `make run` and `make test`. Everything they need is installed here,
# from nothing but python3 + pip: a private uv in .tools/, then the locked virtualenv in .venv/.
SHELL := /bin/bash
.DEFAULT_GOAL := help

HOST ?= 127.0.0.1
PORT ?= 8000
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
# uv must not go looking for interpreters to download; we hand it the 3.12 on this machine.
PYTHON312 := $(shell for p in python3.12 $$HOME/.pyenv/versions/3.12*/bin/python3.12 /usr/local/bin/python3.12 /usr/bin/python3.12; do \
	  "$$p" -c 'import sys; raise SystemExit(sys.version_info[:2] != (3, 12))' >/dev/null 2>&1 && { echo "$$p"; break; }; done)
export UV_PYTHON_DOWNLOADS := never
# Some machines set PYTHONDONTWRITEBYTECODE; without cached bytecode every process spends
# seconds compiling litestar and SQLAlchemy again. The venv is precompiled at sync time.
unexport PYTHONDONTWRITEBYTECODE
export UV_PROJECT_ENVIRONMENT := $(VENV)
# `make test` runs the suite in one pytest worker per core (pytest-xdist; whole files to a
# worker, each with its own PostgreSQL, Redis and Chromium). TEST_WORKERS=0 runs it in one
# process.
TEST_WORKERS ?= auto

.PHONY: help run test test-unit test-domain lint bench bench-scale install migrate clean

help:
	@echo "make run    - serve the API on $(HOST):$(PORT) (embedded PostgreSQL + Redis unless DATABASE_URL / REDIS_URL)"
	@echo "make test   - lint, layer contracts and the whole test suite"
	@echo "make test-unit   - domain, application (in-memory fakes) and adapter unit tests: no servers"
	@echo "make test-domain - the domain's tests alone"
	@echo "make bench  - benchmarks against a bare reference app"
	@echo "make bench-scale - the cost curve: main scenarios at several sizes (BENCH_SCALE), sync pass at 10 and 100 feeds (~15 min)"

$(UV):
	@python3 -m venv $(TOOLS)
	@$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check 'uv>=0.8,<1'

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	@test -n "$(PYTHON312)" || { echo "Python 3.12 not found (tried python3.12 and ~/.pyenv/versions/3.12*)"; exit 1; }
	@$(UV) sync --frozen --compile-bytecode --python "$(PYTHON312)"
	@touch $@

install: $(VENV)/.synced

run: install
	@HOST=$(HOST) PORT=$(PORT) $(VENV)/bin/cabanas run

migrate: install
	@$(VENV)/bin/cabanas migrate

# mypy (one core, ~30 s from a fresh clone) runs beside the other checks; its report is
# printed when it is done, and either failing fails the target.
lint: install
	@$(VENV)/bin/ruff check src tests benchmarks
	@$(VENV)/bin/ruff format --check src tests benchmarks
	@$(VENV)/bin/lint-imports --no-cache
	@report=$$(mktemp); \
	  { $(VENV)/bin/mypy && $(VENV)/bin/mypy tests/unit/application/fakes_conform.py; } >"$$report" 2>&1 & \
	  mypy_pid=$$!; trap 'kill $$mypy_pid 2>/dev/null; rm -f "$$report"' EXIT; \
	  others=0; { scripts/scan-secrets.sh && scripts/audit-deps.sh && scripts/check-monitoring.sh \
	    && $(VENV)/bin/hadolint Dockerfile; } || others=$$?; \
	  typed=0; wait $$mypy_pid || typed=$$?; cat "$$report"; \
	  test $$others -eq 0 && test $$typed -eq 0

test: lint
	@scripts/install-chromium.sh
	@$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadfile
	@scripts/audit-deps.sh --remind

# The fast loop: nothing here starts PostgreSQL or Redis (tests/conftest.py refuses a unit test
# that asks for one, and marks every test that may start one `db`).
test-unit: install
	@$(VENV)/bin/pytest tests/unit -m "not db" -q

test-domain: install
	@$(VENV)/bin/pytest tests/unit/domain -q

bench: install
	@$(VENV)/bin/python -m benchmarks.run

bench-scale: install
	@$(VENV)/bin/python -m benchmarks.scale

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .mypy_cache .ruff_cache
