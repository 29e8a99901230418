# Two entry points (see README): `make demo` installs and runs the demo; `make test` installs the test extras
# and runs every test. Everything is installed from the package registries into .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Checkov pins an old boto3, so it lives in a virtualenv of its own that the scanner adapter calls.
CHECKOV_VENV := $(VENV)/tools/checkov
CHECKOV_VERSION := 3.3.30

.PHONY: demo test install install-test bench lint

demo: install
	$(BIN)/olympus demo

test: install-test
	$(BIN)/ruff check bot tests benchmarks
	$(BIN)/mypy bot
	$(BIN)/pytest

install: $(VENV)/.installed $(CHECKOV_VENV)/.installed

install-test: install $(VENV)/.installed-test

bench: install-test
	$(BIN)/python benchmarks/run_all.py

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

$(CHECKOV_VENV)/.installed:
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/pip install --quiet "checkov==$(CHECKOV_VERSION)"
	touch $@
