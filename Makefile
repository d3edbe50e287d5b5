# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint types unit bench check clean fake

# The set-up is quiet unless it fails (pip's warnings look like errors to a newcomer); its
# whole output is kept in .venv/setup.log.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Setting up $(VENV) (python packages; the first time takes a minute)..."
	@{ $(BIN)/python -m pip install --quiet --upgrade pip \
	   && $(BIN)/python -m pip install --quiet -e '.[dev]'; } > $(VENV)/setup.log 2>&1 \
	   || { cat $(VENV)/setup.log; echo "Set-up failed (output above, also in $(VENV)/setup.log)."; exit 1; }
	@touch $(STAMP)

run: $(STAMP)
	@$(BIN)/python -m bot

test: lint types unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(STAMP)
	$(BIN)/mypy knowledge dialogs bot

unit: $(STAMP)
	$(BIN)/python -m pytest

check: $(STAMP)
	$(BIN)/python -m bot check

bench: $(STAMP)
	@for f in bench/*.py; do echo "== $$f"; PYTHONPATH=. $(BIN)/python -P $$f || exit 1; done

fake: $(STAMP)
	$(BIN)/python -m tests.fake_telegram --port 8081

clean:
	rm -rf $(VENV) build *.egg-info
