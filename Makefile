# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint types unit bench check clean fake catalogues extract update init

# Message catalogues (gettext, managed with Babel): locale/pathways.pot is extracted from the code
# and the YAML; each language's .po is committed; the .mo files are compiled here, never by hand.
LANGS  := es pt fr ar so
POT    := locale/pathways.pot
PO     := $(foreach l,$(LANGS),locale/$(l)/LC_MESSAGES/pathways.po)
MO     := $(PO:.po=.mo)

# The set-up is quiet unless it fails (pip's warnings look like errors to a newcomer); its
# whole output is kept in .venv/setup.log.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Setting up $(VENV) (python packages; the first time takes a minute)..."
	@{ $(BIN)/python -m pip install --quiet --upgrade pip \
	   && $(BIN)/python -m pip install --quiet -e '.[dev]'; } > $(VENV)/setup.log 2>&1 \
	   || { cat $(VENV)/setup.log; echo "Set-up failed (output above, also in $(VENV)/setup.log)."; exit 1; }
	@touch $(STAMP)

locale/%/LC_MESSAGES/pathways.mo: locale/%/LC_MESSAGES/pathways.po | $(STAMP)
	$(BIN)/pybabel -q compile -D pathways -l $* -i $< -o $@

catalogues: $(MO)

extract: $(STAMP)
	PYTHONPATH=. $(BIN)/pybabel -q extract -F babel.cfg -o $(POT) --project=Pathways --version=0.1 \
		--msgid-bugs-address=none --add-comments=TRANSLATORS: --sort-by-file --width=100 .

update: extract
	$(BIN)/pybabel -q update -i $(POT) -d locale -D pathways --no-fuzzy-matching \
		--ignore-obsolete --width=100

# make init L=xx starts a new language from the template (then add it to LANGS and dialogs/i18n.py).
init: extract
	$(BIN)/pybabel init -i $(POT) -d locale -D pathways -l $(L) --width=100

run: $(STAMP) $(MO)
	@$(BIN)/python -m bot

test: lint types unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(STAMP)
	$(BIN)/mypy knowledge dialogs bot

unit: $(STAMP) $(MO)
	$(BIN)/python -m pytest

check: $(STAMP) $(MO)
	$(BIN)/python -m bot check

bench: $(STAMP)
	@for f in bench/*.py; do echo "== $$f"; PYTHONPATH=. $(BIN)/python -P $$f || exit 1; done

fake: $(STAMP)
	$(BIN)/python -m tests.fake_telegram --port 8081

clean:
	rm -rf $(VENV) build *.egg-info $(MO)
