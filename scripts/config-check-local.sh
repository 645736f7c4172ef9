#!/usr/bin/env bash
# `cabanas config check` on this machine against the production settings, before there is a
# machine to `fly ssh console` into: fly.toml's [env] plus ENV_FILE (the secrets, one NAME=value
# a line, the values given to `fly secrets set`; keep it outside the repository, mode 600) and
# nothing else from this shell's environment. Exit 0 = "ready for production".
set -euo pipefail
cd "$(dirname "$0")/.."
env_file=${1:?usage: scripts/config-check-local.sh ENV_FILE}
exec env -i PATH="$PATH" HOME="${HOME:-/}" "${PYTHON:-.venv/bin/python}" - "$env_file" <<'PY'
import os
import sys
import tomllib

env = {"PATH": os.environ["PATH"], "HOME": os.environ["HOME"]}
with open("fly.toml", "rb") as f:
    env |= {k: str(v) for k, v in tomllib.load(f).get("env", {}).items()}
with open(sys.argv[1], encoding="utf-8") as f:
    for number, line in enumerate(f, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.removeprefix("export ").partition("=")
        if not sep or not name.strip().isidentifier():
            sys.exit(f"{sys.argv[1]}:{number}: expected NAME=value")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        env[name.strip()] = value
os.execve(sys.executable, [sys.executable, "-m", "entrypoints.cli", "config", "check"], env)
PY
