# Two commands on a fresh clone: `make demo` and `make test`. Both build .venv themselves.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: venv browser demo test lint format bench bench-full egg deploy clean-venv

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,web,bench,cluster]'
	touch $(STAMP)

venv: $(STAMP)

## Debian's chromium and chromedriver, for the browser test of `archive serve`, Graphviz,
## for `archive related --format svg|png`, and libfiu's fiu-run and fiu-ctrl, which make the
## archive's disk fail on cue for the fault-injection tests (tests/test_faults*.py);
## apt-get only when one is missing (sudo when not root; `apt-get update` when the install
## fails first).
CHROMIUM ?= /usr/bin/chromium
CHROMEDRIVER ?= /usr/bin/chromedriver
DOT ?= /usr/bin/dot
FIU_RUN ?= /usr/bin/fiu-run
APT_BROWSER := env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
	chromium chromium-driver graphviz fiu-utils
browser:
	@if [ ! -x $(CHROMIUM) ] || [ ! -x $(CHROMEDRIVER) ] || [ ! -x $(DOT) ] || [ ! -x $(FIU_RUN) ]; then \
		sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$sudo $(APT_BROWSER) || { $$sudo apt-get update && $$sudo $(APT_BROWSER); }; \
	fi

## Serve the bundled replica site on 127.0.0.1:8765 (DEMO_PORT), crawl it into ./archive.db
## and show what was archived; run again, it shows an incremental run (not_due), then the
## replica a week later (new, updated, gone) and an edited article's history.
demo: venv
	VENV=$(VENV) bash scripts/demo.sh

## The whole test suite, then the linters.
test: venv browser
	$(PY) -m pytest
	$(MAKE) --no-print-directory lint

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## The crawl benchmark (bench/crawl.py): throughput against the plain Scrapy floor and a
## trafilatura pipeline, scaling, incremental runs, the replica's own rate. Each run appends
## its figures to bench/RESULTS.md and its plots to bench/plots/. `bench` is the quick one
## (under 5 minutes), `bench-full` the one of issue 6 (up to 100,000 articles: an hour or so).
bench: venv
	$(PY) bench/crawl.py --label quick --articles 1000,3000 --trafilatura-sizes 1000 \
		--incremental-size 3000 --loadtest-seconds 3 --record bench/RESULTS.md

bench-full: venv
	$(PY) bench/crawl.py --label full --articles 1000,10000,100000 --trafilatura-sizes 1000 \
		--incremental-size 10000 --record bench/RESULTS.md

## The egg Scrapyd runs the crawls from (dist/), and its deployment to the Scrapyd node
## SCRAPYD_URL names with scrapyd-deploy (scrapy.cfg's [deploy:node]); see docs/scaling.md.
SCRAPYD_URL ?= http://localhost:6800/
egg: venv
	$(PY) scripts/build_egg.py dist

deploy: venv
	egg=$$($(PY) scripts/build_egg.py dist) && \
		SCRAPYD_URL=$(SCRAPYD_URL) $(VENV)/bin/scrapyd-deploy node --egg "$$egg"

clean-venv:
	rm -rf $(VENV)
