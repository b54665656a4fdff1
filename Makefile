# The two commands a newcomer needs: `make demo` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
VENDOR := src/dieuhanh/static/vendor
PIP_INSTALL := $(BIN)/pip install --quiet --disable-pip-version-check -c requirements/constraints.txt
export DIEUHANH_HOME ?= $(CURDIR)/var

.PHONY: demo test screenshots install install-dev install-bench assets lint typecheck messages constraints \
	bench bench-smoke ci clean

demo: install assets  ## set up, load the Hồ Chí Minh City sample data, serve on http://127.0.0.1:8000 (or ADDRPORT=host:port)
	$(BIN)/dieuhanh demo $(if $(ADDRPORT),--addrport $(ADDRPORT))

# The suite's processes: one per core (pytest-xdist), at most four; PYTEST_WORKERS=0 runs it in this process.
PYTEST_WORKERS ?= auto

# The tests of migrations run apart, with the migrations: only the files that hold them are collected.
MIGRATION_TESTS = $(shell grep -rl --include='*.py' 'mark\.migrations' tests)

test: install-dev assets  ## set up and run the test suite (DATABASE_URL picks the database; SQLite by default)
	$(BIN)/pytest -n $(PYTEST_WORKERS) --maxprocesses 4 $(PYTEST_ARGS)
	$(BIN)/pytest --migrations -m migrations $(MIGRATION_TESTS)

screenshots: install-dev assets  ## PNGs of every dashboard page of the demo into out/screenshots/ (the browser tests)
	@command -v chromium >/dev/null 2>&1 || test -x /usr/bin/chromium || \
		{ echo "make screenshots needs Debian's Chromium: apt-get install chromium" >&2; exit 1; }
	$(BIN)/pytest -m browser tests/browser
	@ls out/screenshots/*.png

# Three layers, each with its stamp: the package and what it runs (the demo), then the development
# tools (tests, lint, types) or the benchmarks' reference engine on top. A layer is installed again
# when pyproject.toml or the constraints change, or when the layer under it was.
install: $(VENV)/.installed-base
install-dev: $(VENV)/.installed-dev
install-bench: $(VENV)/.installed-bench

$(VENV)/.installed-base: pyproject.toml requirements/constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed-base
	$(PIP_INSTALL) -e '.[dev]'
	touch $@

$(VENV)/.installed-bench: $(VENV)/.installed-base
	$(PIP_INSTALL) -e '.[bench]'
	touch $@

assets: $(VENDOR)/.installed

$(VENDOR)/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/echarts/dist/echarts.min.js $(VENDOR)/
	touch $@

lint: install-dev  ## ruff, the format, the types and the import contracts
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src
	$(BIN)/lint-imports

typecheck: install-dev
	$(BIN)/mypy src

messages: install-dev  ## refresh the translation catalogues after changing user-facing text
	cd src/dieuhanh && ../../$(BIN)/dieuhanh makemessages --locale vi --locale en --no-obsolete --no-location
	cd src/dieuhanh && ../../$(BIN)/dieuhanh compilemessages

# Pins what every layer installs, so the venv must hold them all.
constraints: install-dev install-bench
	(echo "# Every transitive dependency, pinned. Regenerate with: make constraints"; \
	 $(BIN)/pip freeze --exclude-editable | grep -v '^dieuhanh') > requirements/constraints.txt

bench: install-bench  ## the benchmarks (bench/README.md): province and national; writes docs/performance.md
	$(BIN)/python -m bench run $(BENCH_ARGS)

bench-smoke: install-bench  ## the tiny data set through every benchmark step, on PostgreSQL and SQLite
	$(BIN)/python -m bench smoke $(BENCH_ARGS)

ci:
	.ci/run

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var
