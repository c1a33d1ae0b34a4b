# MDT-portaal: `make run` starts the portal, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := wsgi

.PHONY: run test install migrate clean system-packages

IDP_STAMP := devtools/idp/node_modules/.installed

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

# The development/test OpenID provider (npm oidc-provider, versions locked).
$(IDP_STAMP): devtools/idp/package.json devtools/idp/package-lock.json
	cd devtools/idp && npm ci --no-audit --no-fund --loglevel=error
	touch $(IDP_STAMP)

# axe-core for the accessibility checks in the browser tests.
NODE_STAMP := node_modules/.installed
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

install: $(STAMP) $(IDP_STAMP) system-packages

# System packages: Pango for WeasyPrint (PDF exports), Debian's Chromium for the browser tests
# (never a downloaded browser build). Installed with apt when missing (as root).
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core chromium
system-packages:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) || [ "$$CI" != "true" ]; \
	fi

migrate: install
	$(BIN)/flask portal migrate
	$(BIN)/flask portal load-reference

run: migrate
	devtools/run.sh

# The suite runs twice: on SQLite and on PostgreSQL (127.0.0.1:5432).
# With CI=true an unreachable PostgreSQL is a failure, not a skip.
test: install $(NODE_STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	TEST_DATABASE=sqlite $(BIN)/pytest
	TEST_DATABASE=postgresql $(BIN)/pytest

clean:
	rm -rf $(VENV) instance .pytest_cache
