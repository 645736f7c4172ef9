#!/usr/bin/env bash
# Known-vulnerability audit of the locked dependencies (pip-audit against PyPI's advisory data).
# Runs when the advisory service is reachable; otherwise says so loudly and skips. (pip-audit
# reads per-release JSON such as /pypi/<name>/<version>/json: probing the bare project page is
# not enough, some registry mirrors serve that one only.)
set -euo pipefail
cd "$(dirname "$0")/.."
if ! .venv/bin/python - <<'PY' 2>/dev/null
import urllib.request
urllib.request.urlopen("https://pypi.org/pypi/pip/24.0/json", timeout=5)
PY
then
  echo "NOTICE: dependency audit SKIPPED - PyPI's per-release advisory data is unreachable from here"
  exit 0
fi
requirements=$(mktemp)
trap 'rm -f "$requirements"' EXIT
UV_PROJECT_ENVIRONMENT=.venv .tools/bin/uv export --frozen --no-hashes --no-emit-project \
  --format requirements-txt --quiet > "$requirements"
.venv/bin/pip-audit --requirement "$requirements" --no-deps --disable-pip --progress-spinner off
