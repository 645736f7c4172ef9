#!/usr/bin/env bash
# Fails when a tracked or new (not ignored) file holds a secret-looking string that is not in the reviewed baseline.
# After reviewing a false positive: .venv/bin/detect-secrets scan --baseline .secrets.baseline
set -euo pipefail
cd "$(dirname "$0")/.."
git ls-files -z --cached --others --exclude-standard | grep -zvE '^(uv\.lock|\.secrets\.baseline)$' \
  | xargs -0 .venv/bin/detect-secrets-hook --baseline .secrets.baseline
