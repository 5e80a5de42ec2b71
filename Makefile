# Two commands do all the set-up (see README):
#   make demo   create .venv, install cxstats, run the bundled demo study -> reports/
#   make test   create .venv, install cxstats with test tools, run the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.cxstats-installed

.PHONY: demo test setup clean bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/cxstats demo reports/demo-study --force
	$(BIN)/cxstats run reports/demo-study/plan.yaml --out reports

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) reports/demo-study reports/*.xlsx reports/*.json
