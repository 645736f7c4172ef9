# syntax=docker/dockerfile:1
# Build: uv resolves the locked dependencies into /app/.venv; the runtime image gets only that
# virtualenv and the application code: no compiler, no uv, no secrets.
FROM python:3.12-slim-bookworm AS build
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
COPY --from=ghcr.io/astral-sh/uv:0.8 /uv /usr/local/bin/uv
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
# The migrations are inside the package (adapters/postgres/migrations): the wheel carries them.
COPY src ./src
RUN uv sync --frozen --no-dev --no-editable

FROM python:3.12-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH="/app/.venv/bin:$PATH" \
    ENVIRONMENT=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus
RUN groupadd --system --gid 10001 cabanas \
    && useradd --system --uid 10001 --gid cabanas --home-dir /app --shell /usr/sbin/nologin cabanas
WORKDIR /app
COPY --from=build --chown=cabanas:cabanas /app /app
USER 10001:10001
EXPOSE 8000
# API: 2 workers for a 2-vCPU VM; client addresses come from Fly-Client-IP (TRUSTED_PROXY),
# never from uvicorn's X-Forwarded-For rewriting; no Server banner. The metrics directory is
# emptied at every start (multiprocess mode must not read a previous run's samples).
# Sync process (fly.toml [processes]): `cabanas sync`.
CMD ["sh", "-c", "rm -rf \"$PROMETHEUS_MULTIPROC_DIR\" && mkdir -p \"$PROMETHEUS_MULTIPROC_DIR\" && exec uvicorn --factory entrypoints.asgi:create --host \"$HOST\" --port \"$PORT\" --workers 2 --loop uvloop --http httptools --no-proxy-headers --no-server-header --no-access-log --timeout-graceful-shutdown 20 --log-config src/entrypoints/uvicorn_log.json"]
