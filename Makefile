# Set-up is part of every target: a fresh clone needs only `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# editable_mode=compat: a plain path in a .pth file, which type checkers (mypy) follow;
# setuptools' default editable finder is an import hook they cannot see.

.PHONY: demo test bench install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]' --config-settings editable_mode=compat
	touch $(STAMP)

install: $(STAMP)

DEMO_CASE := examples/cases/thin_record.yaml

# The overview (the first lines of the assessment), the first questions to ask, and where
# the detail is.
demo: $(STAMP)
	@$(BIN)/spo-advisor assess $(DEMO_CASE) | sed '/^$$/q'
	@$(BIN)/spo-advisor what-if $(DEMO_CASE) | head -n 6
	@echo
	@echo "The detail (each order's limbs, the law, the drafting prompts):"
	@echo "  $(BIN)/spo-advisor assess $(DEMO_CASE)          (add --verbose for the rule ids)"
	@echo "  $(BIN)/spo-advisor what-if $(DEMO_CASE)         (every question)"
	@echo "  $(BIN)/spo-advisor assess $(DEMO_CASE) --format html --out report.html"

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

clean:
	rm -rf $(VENV) build *.egg-info
