# The two commands a newcomer needs:
#   make run    install RedAlert into .venv and start the bot (SQLite in ./data by default)
#   make test   install the test tools, lint, and run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint sandbox sandbox-script

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# redalert_core is installed in editable mode (pyproject.toml): every entry point imports it as a package.
$(VENV)/.runtime: requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt pyproject.toml tests/tools/ensure_chromium.sh tests/tools/ensure_promtool.sh | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	bash tests/tools/ensure_chromium.sh
	bash tests/tools/ensure_promtool.sh
	touch $@ $(VENV)/.runtime

run: $(VENV)/.runtime
	$(BIN)/errbot -c config.py

# ruff (lint and format), then mypy over redalert_core, chat_commands and the backend (pyproject.toml: zero errors).
lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Three workers on two cores: most tests wait on a bot process or an emulator, not on the CPU. A file stays on one
# worker, so module-scoped fixtures (two-replica clusters, emulators) start once.
test: lint
	$(BIN)/python -m pytest -n 3 --dist loadfile $(PYTEST_ARGS)

# Try RedAlert without Slack: a local Slack emulator with a demo workspace and the real bot.
sandbox: $(VENV)/.dev
	$(BIN)/python tests/sandbox.py

sandbox-script: $(VENV)/.dev
	$(BIN)/python tests/sandbox.py --script
