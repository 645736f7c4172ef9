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
    METRICS_PORT=9100 \
    METRICS_HOST=:: \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus
# The sync process takes the daily backup (docs/adr/0002-…): pg_dump must be at least the
# server's major version (PostgreSQL 18; Debian bookworm ships 15), so the client comes from the
# PostgreSQL project's apt repository (PGDG), its key pinned by file; rclone uploads the dumps
# (BACKUP_UPLOAD_COMMAND). Both are Debian packages: the image scan (trivy) sees them.
ARG PG_MAJOR=18
# Versions float on purpose: the release's image scan (trivy) judges what was installed.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && install -d /usr/share/postgresql-common/pgdg \
    && curl -fsSL -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc \
       https://www.postgresql.org/media/keys/ACCC4CF8.asc \
    && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt bookworm-pgdg main" \
       > /etc/apt/sources.list.d/pgdg.list \
    && apt-get update \
    && apt-get install -y --no-install-recommends "postgresql-client-${PG_MAJOR}" rclone \
    && apt-get purge -y --auto-remove curl \
    && rm -rf /var/lib/apt/lists/*
ENV PG_BIN_DIR=/usr/lib/postgresql/${PG_MAJOR}/bin
RUN groupadd --system --gid 10001 cabanas \
    && useradd --system --uid 10001 --gid cabanas --home-dir /app --shell /usr/sbin/nologin cabanas
WORKDIR /app
COPY --from=build --chown=cabanas:cabanas /app /app
USER 10001:10001
EXPOSE 8000
# API: 2 workers for a 2-vCPU VM; client addresses come from Fly-Client-IP (TRUSTED_PROXY),
# never from uvicorn's X-Forwarded-For rewriting; no Server banner. The metrics directory is
# emptied at every start (multiprocess mode must not read a previous run's samples). /metrics is
# served apart, on METRICS_PORT (private network only), by its own small server.
# Sync process (fly.toml [processes]): `cabanas sync`.
CMD ["sh", "-c", "rm -rf \"$PROMETHEUS_MULTIPROC_DIR\" && mkdir -p \"$PROMETHEUS_MULTIPROC_DIR\" && { uvicorn --factory entrypoints.asgi:create_metrics --host \"$METRICS_HOST\" --port \"$METRICS_PORT\" --workers 1 --no-server-header --no-access-log --log-config src/entrypoints/uvicorn_log.json & } && exec uvicorn --factory entrypoints.asgi:create --host \"$HOST\" --port \"$PORT\" --workers 2 --loop uvloop --http httptools --no-proxy-headers --no-server-header --no-access-log --timeout-graceful-shutdown 20 --log-config src/entrypoints/uvicorn_log.json"]
