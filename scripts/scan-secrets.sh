#!/usr/bin/env bash
# Fails when a tracked or new (not ignored) file holds a secret-looking string that is not in the reviewed baseline.
# A reviewed false positive (a test vector, a fake secret) gets an inline
# `# pragma: allowlist secret` (or `# pragma: allowlist nextline secret` above it), never a
# baseline entry: entries carry line numbers, and any edit above them would fail CI.
# The files are scanned in batches, one per core at a time (xargs fails if any batch does).
set -euo pipefail
cd "$(dirname "$0")/.."
git ls-files -z --cached --others --exclude-standard | grep -zvE '^(uv\.lock|\.secrets\.baseline)$' \
  | xargs -0 -P "$(nproc)" -n 100 .venv/bin/detect-secrets-hook --baseline .secrets.baseline
