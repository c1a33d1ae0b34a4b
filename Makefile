# MDT-portaal: `make run` starts the portal, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := wsgi

.PHONY: run test install install-run migrate clean system-packages test-system-packages

IDP_STAMP := devtools/idp/node_modules/.installed

# What running needs (make run), and on top of it what the tests need (make test).
RUN_STAMP := $(VENV)/.installed-run
$(RUN_STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e .
	touch $(RUN_STAMP)

$(STAMP): $(RUN_STAMP)
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

install: $(STAMP) $(IDP_STAMP) system-packages test-system-packages
install-run: $(RUN_STAMP) $(IDP_STAMP) system-packages

# System packages, installed with apt when missing (as root): Pango for WeasyPrint (PDF exports) to run the portal;
# Debian's Chromium for the browser tests, LibreOffice for the documents' round trip and Java for the Nu Html Checker,
# for the tests only (never a downloaded browser build). What cannot be installed is said plainly; with CI=true it is a
# failure.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
TEST_SYSTEM_PACKAGES := chromium libreoffice-writer-nogui libreoffice-calc-nogui default-jre-headless
define apt_install
	@missing=$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  if ! (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null); then \
	    echo "NIET GEÏNSTALLEERD: $$missing -- $(2)"; [ "$$CI" != "true" ]; \
	  fi; \
	fi
endef
system-packages:
	$(call apt_install,$(SYSTEM_PACKAGES),de portal draait; PDF-exports werken pas na installatie van deze pakketten)
test-system-packages:
	$(call apt_install,$(TEST_SYSTEM_PACKAGES),de browser- en documenttests worden overgeslagen (met CI=true is dit een fout))

migrate: install-run
	$(BIN)/flask portal migrate
	$(BIN)/flask portal load-reference

# On a development database without action items, the demo scenario is loaded (never in production).
run: migrate
	@if [ "$${PORTAL_ENV:-development}" = "development" ]; then \
	  PORTAL_CONFIG="$${PORTAL_CONFIG:-devtools/dev-portal.toml}" $(BIN)/flask portal load-demo --if-empty; fi
	devtools/run.sh

# The suite runs twice, on SQLite and on PostgreSQL (127.0.0.1:5432), at the same time (one per core; each its own Redis
# database), then shows both logs. With CI=true an unreachable PostgreSQL is a failure, not a skip. TEST_SPLIT=1: a test
# that does not depend on the database (marked once(...)) runs in one of the two halves only.
test: install $(NODE_STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	@mkdir -p .test-logs
	@TEST_SPLIT=1 TEST_DATABASE=sqlite TEST_REDIS_URL=redis://127.0.0.1:6379/15 $(BIN)/pytest > .test-logs/sqlite.log 2>&1 & lite_pid=$$!; \
	TEST_SPLIT=1 TEST_DATABASE=postgresql TEST_REDIS_URL=redis://127.0.0.1:6379/12 $(BIN)/pytest > .test-logs/postgresql.log 2>&1; pg=$$?; \
	wait $$lite_pid; lite=$$?; \
	echo "===== SQLite ====="; cat .test-logs/sqlite.log; echo "===== PostgreSQL ====="; cat .test-logs/postgresql.log; \
	test $$lite -eq 0 -a $$pg -eq 0

clean:
	rm -rf $(VENV) instance .pytest_cache
