# The two commands of the README: `make render` and `make test`. Both set up first.
VENV   := .venv
PYTHON ?= python3
BIN    := $(VENV)/bin

.PHONY: render test setup system clean

render: setup
	$(BIN)/netreel render network --quality low --voice offline

test: setup
	$(BIN)/python -m pytest

setup: system $(VENV)/.installed node_modules/.installed

system:
	@scripts/setup-system

# torch first, pinned to the CPU build, so that nothing pulls a CUDA build.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

# The npm packages netreel reads (package.json): reveal.js, carried beside every HTML deck.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

clean:
	rm -rf $(VENV) node_modules renders/*/ .pytest_cache
