# The two commands a newcomer needs: `make demo` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
VENDOR := src/dieuhanh/static/vendor
export DIEUHANH_HOME ?= $(CURDIR)/var

.PHONY: demo test screenshots install assets lint typecheck messages constraints bench bench-smoke ci clean

demo: install assets  ## set up, load the Bình Dương sample data, serve on http://127.0.0.1:8000
	$(BIN)/dieuhanh demo

test: install assets  ## set up and run the test suite (DATABASE_URL picks the database; SQLite by default)
	$(BIN)/pytest $(PYTEST_ARGS)

screenshots: install assets  ## PNGs of every dashboard page of the demo into out/screenshots/ (the browser tests)
	@command -v chromium >/dev/null 2>&1 || test -x /usr/bin/chromium || \
		{ echo "make screenshots needs Debian's Chromium: apt-get install chromium" >&2; exit 1; }
	$(BIN)/pytest -m browser tests/browser
	@ls out/screenshots/*.png

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements/constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c requirements/constraints.txt -e '.[dev,bench]'
	touch $@

assets: $(VENDOR)/.installed

$(VENDOR)/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/echarts/dist/echarts.min.js $(VENDOR)/
	touch $@

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src
	$(BIN)/lint-imports

messages: install  ## refresh the translation catalogues after changing user-facing text
	cd src/dieuhanh && ../../$(BIN)/dieuhanh makemessages --locale vi --locale en --no-obsolete --no-location
	cd src/dieuhanh && ../../$(BIN)/dieuhanh compilemessages

constraints: install
	(echo "# Every transitive dependency, pinned. Regenerate with: make constraints"; \
	 $(BIN)/pip freeze --exclude-editable | grep -v '^dieuhanh') > requirements/constraints.txt

bench: install  ## the benchmarks (bench/README.md): province and national; writes docs/performance.md
	$(BIN)/python -m bench run $(BENCH_ARGS)

bench-smoke: install  ## the tiny data set through every benchmark step, on PostgreSQL and SQLite
	$(BIN)/python -m bench smoke $(BENCH_ARGS)

ci:
	.ci/run

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var
