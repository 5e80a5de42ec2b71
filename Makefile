# Two commands do all the set-up (see README):
#   make demo   create .venv, install cxstats, run the bundled demo study -> reports/
#   make test   create .venv, install cxstats with test tools, run the test suite
#   make render the demo workbooks as PNG pages (LibreOffice -> PDF -> pdftoppm) -> reports/render/
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.cxstats-installed

.PHONY: demo test setup clean bench render

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

# needs soffice (apt-get install libreoffice-calc) and pdftoppm (poppler-utils)
render: demo
	$(BIN)/python scripts/render_workbooks.py reports/demo_gap_workbook.xlsx reports/demo_measurement.xlsx \
		reports/demo_roi_workbook.xlsx --out reports/render

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) reports/demo-study reports/*.xlsx reports/*.json reports/render
