# Two commands do all the set-up: `make run` and `make test`. Each creates .venv on first use.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
CONFIG ?= bot.toml

.PHONY: run test lint browser bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,lint]'
	touch $@

$(CONFIG): | $(VENV)/.installed
	$(BIN)/tallybot init --path $(CONFIG)

run: $(VENV)/.installed $(CONFIG)
	$(BIN)/tallybot run --config $(CONFIG)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The end-to-end tests drive Debian's Chromium (never a downloaded browser); install it once.
browser:
	@command -v chromium >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update && $$SUDO apt-get install -y --no-install-recommends chromium; }

# Two workers (or more, up to four, on a bigger machine): the long tests run beside the rest.
test: lint browser
	$(BIN)/pytest -q --numprocesses=auto --maxprocesses=4

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache artifacts
