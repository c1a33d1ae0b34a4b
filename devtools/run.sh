#!/usr/bin/env bash
# make run: the development OpenID provider and the portal together; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
node devtools/idp/server.js --base-port 5101 --portal "${PORTAL_BASE_URL:-http://127.0.0.1:5000}" &
IDP_PID=$!
trap 'kill $IDP_PID 2>/dev/null || true' EXIT INT TERM
export PORTAL_CONFIG="${PORTAL_CONFIG:-devtools/dev-portal.toml}"
echo "Portaal: http://127.0.0.1:5000  (demo-accounts staan op de inlogpagina van elke inlogdienst)"
.venv/bin/flask --app wsgi run --host 127.0.0.1 --port 5000
