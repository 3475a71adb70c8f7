# gridgov: the two set-up commands. `make run` serves the demo on SQLite; `make test` runs the whole suite.
PY      ?= python3.11
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
TSTAMP  := $(VENV)/.installed-test
HOST    ?= 127.0.0.1:8000

.PHONY: run test lint bench bench-tools clean frontend browser proxy messages fonts

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(TSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP) $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

frontend: node_modules/.package-lock.json

messages: $(STAMP)
	$(BIN)/gridgov compilemessages

# Browser tests drive Debian's chromium; install it when it is missing (CI runs as root).
browser:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The TLS proxy test (accounts/tests/test_behind_proxy.py) signs in through Debian's nginx; install it when it
# is missing. Only the binary is used: the test writes its own configuration and certificate.
proxy:
	@test -x /usr/sbin/nginx || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; }

# Documents' PDFs (gridgov/core/documents.py) embed a Chinese TrueType font: Debian's AR PL UMing (明体);
# install it when it is missing.
fonts:
	@test -f /usr/share/fonts/truetype/arphic/uming.ttc || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-arphic-uming >/dev/null; }

# The HTTP benches drive the server with Debian's wrk (a C load generator; Python clients would compete for the
# two cores); install it when it is missing.
bench-tools:
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

run: $(STAMP) frontend messages fonts
	$(BIN)/gridgov migrate
	$(BIN)/gridgov demo
	$(BIN)/gridgov run $(HOST)

test: $(TSTAMP) frontend browser proxy fonts
	$(BIN)/gridgov compilemessages
	$(BIN)/ruff check .
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(TSTAMP)
	$(BIN)/ruff check .

bench: $(TSTAMP) frontend messages bench-tools fonts
	@for f in bench/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) node_modules var
