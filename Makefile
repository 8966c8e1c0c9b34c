# Boligmonitor Randers. `make help` lists the targets.
# The two set-up commands on a fresh machine are `make report` and `make test`; each sets itself up.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BM := $(VENV)/bin/boligmonitor
STAMP := $(VENV)/.installed
# The Quarto binary. Set QUARTO=/path/to/quarto to use another one.
QUARTO ?= quarto
RAW := data/raw
DB := data/processed/boligmonitor.duckdb
NBTEST := .nbtest

.PHONY: help install data build notebooks report site test lint unit nbtest nbval browsertest chromium bench clean

help: ## list the targets
	@grep -hE '^[a-z][a-zA-Z_-]*:.*## ' $(MAKEFILE_LIST) | sort | \
	  awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@# Notebooks are stored without outputs: nbstripout as a git filter (the working copy keeps outputs).
	@# It also drops the kernel's language_info, which every run rewrites (stable diffs).
	@if git rev-parse --git-dir >/dev/null 2>&1; then \
	  $(VENV)/bin/nbstripout --install --attributes .gitattributes && \
	  git config filter.nbstripout.extrakeys "metadata.language_info"; fi
	@touch $(STAMP)

# Kernels started by Quarto and nbval run over TCP on this machine; ipykernel warns about that for every
# page ("Kernel is running over TCP without encryption"). The kernels read this IPython profile
# (IPYTHONDIR) and log errors only; the profile lives in the venv, outside the project.
KERNEL_PROFILE := $(VENV)/ipython/profile_default/ipython_kernel_config.py
$(KERNEL_PROFILE): $(STAMP)
	@mkdir -p $(dir $@)
	@printf '%s\n' '# Written by the Makefile: kernels for report pages log errors only (no TCP warning per page).' \
	  'c.IPKernelApp.log_level = "ERROR"' 'c.HistoryManager.enabled = False' > $@

install: $(STAMP) ## create .venv and install the package with its test tools

data: $(STAMP) ## write the synthetic default into data/raw (if empty, or synthetic from an older generator; never over a real extract)
	$(BM) synth --out $(RAW) --if-needed

build: data ## run the pipeline: data/raw -> data/processed/boligmonitor.duckdb and published aggregates
	$(BM) build

notebooks: build ## execute every notebook in notebooks/ in place, in order
	@for nb in notebooks/[0-9]*.ipynb; do \
	  echo "executing $$nb"; \
	  $(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.kernel_name=python3 "$$nb"; \
	done

report: build $(KERNEL_PROFILE) ## build everything and render the report site to _site/ (needs Quarto); YEAR=2025 renders that annual report only
	@Q="$(QUARTO)"; \
	if ! command -v "$$Q" >/dev/null 2>&1 && [ ! -x "$$Q" ]; then \
	  echo "Quarto not found as '$$Q'; trying the 'site' extra (quarto-cli from PyPI) ..."; \
	  if $(PY) -m pip install --quiet -e ".[site]" > $(VENV)/site-extra.log 2>&1 && [ -x $(VENV)/bin/quarto ]; then Q=$(VENV)/bin/quarto; \
	  else \
	    echo ""; \
	    echo "The 'site' extra could not install Quarto here (details: $(VENV)/site-extra.log)."; \
	    echo "The data, database and published aggregates are built (data/processed/), but the site is not:"; \
	    echo "Quarto (1.7 or later) is needed to render it. Get it in one of two ways:"; \
	    echo "  1. the conda environment:  conda env create -f environment.yml && conda activate boligmonitor"; \
	    echo "     then: make report VENV=\$$CONDA_PREFIX"; \
	    echo "  2. the installer from https://quarto.org/docs/get-started/ , then: make report QUARTO=/path/to/quarto"; \
	    exit 1; \
	  fi; \
	fi; \
	$(PY) -m boligmonitor.site downloads && \
	$(PY) -m boligmonitor.site freeze-guard && \
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" QUARTO_PYTHON="$(CURDIR)/$(PY)" IPYTHONDIR="$(CURDIR)/$(VENV)/ipython" \
	  "$$Q" render $(if $(YEAR),reports/$(YEAR)/index.py)
	$(PY) -m boligmonitor.site check-offline _site
	@$(MAKE) --no-print-directory chromium
	@rm -rf _site-screenshots
	BOLIGMONITOR_BROWSER_PAGES=_site BOLIGMONITOR_SCREENSHOTS=_site-screenshots \
	  $(if $(YEAR),BOLIGMONITOR_BROWSER_ONLY=reports/$(YEAR)/index.html) \
	  $(VENV)/bin/pytest -q -p no:cacheprovider tests/test_browser.py
	@echo "The report site is in _site/ (open _site/index.html)."

site: report ## alias of report

lint: $(STAMP) ## ruff on the package, tests, benchmarks and report pages (stored notebooks: tests/test_repository.py)
	$(VENV)/bin/ruff check src tests bench reports index.py tools

chromium: ## Debian's Chromium for the browser test (installed with apt-get when missing; needs root)
	@command -v chromium >/dev/null 2>&1 || [ -n "$${BOLIGMONITOR_CHROMIUM:-}" ] || \
	  { echo "installing Debian's chromium for the browser test"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

unit: $(STAMP) chromium ## unit tests (pytest tests/)
	$(VENV)/bin/pytest tests

nbtest: build ## execute every notebook and every report page under nbval; the pages are exported to .nbtest/html
	@$(MAKE) --no-print-directory nbval

# (no build of its own: nbtest and test build first, once)
nbval: $(STAMP) $(KERNEL_PROFILE)
	@rm -rf $(NBTEST) && $(PY) -m boligmonitor.site pages-to-notebooks $(NBTEST)
	IPYTHONDIR="$(CURDIR)/$(VENV)/ipython" $(VENV)/bin/pytest -p no:cacheprovider --nbval-lax --nbval-current-env \
	  -p boligmonitor.site.nbexport --export-html $(NBTEST)/html --export-root $(NBTEST) notebooks $(NBTEST)

browsertest: chromium ## open every exported page (make nbtest) in headless Chromium, network blocked; screenshots in .nbtest/screenshots
	@test -d $(NBTEST)/html || { echo "no exported pages in $(NBTEST)/html: run make nbtest first"; exit 1; }
	@rm -rf $(NBTEST)/screenshots
	BOLIGMONITOR_BROWSER_PAGES=$(NBTEST)/html BOLIGMONITOR_SCREENSHOTS=$(NBTEST)/screenshots \
	  $(VENV)/bin/pytest -p no:cacheprovider tests/test_browser.py

# The build runs once; with nothing changed since the last one it only checks that (boligmonitor.uptodate).
test: build ## everything CI runs: ruff, unit tests, notebooks and report pages under nbval, pages in a browser (no Quarto needed)
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory unit
	$(MAKE) --no-print-directory nbval
	$(MAKE) --no-print-directory browsertest

BENCH_ARGS ?=
bench: $(STAMP) ## the product against pandas and DuckDB references, side by side (scales 0.25-10; BENCH_ARGS="--scales 1 --rounds 3"); writes docs/benchmarks.md
	nice -n 10 $(PY) bench/bench.py $(BENCH_ARGS)

clean: ## remove build output (_site, database, published files, caches); keeps data/raw and .venv
	rm -rf _site _site-screenshots .quarto $(NBTEST) .pytest_cache .ruff_cache
	find data/processed -mindepth 1 ! -name .gitkeep ! -name README.md -exec rm -rf {} +
	find . -name __pycache__ -type d -prune -not -path './$(VENV)/*' -exec rm -rf {} +

clean-raw: ## remove the extract in data/raw (the synthetic default is rewritten by make data)
	find $(RAW) -mindepth 1 ! -name .gitkeep ! -name README.md -exec rm -rf {} +
