"""fly.toml and the Dockerfile say what the checklist and the security issue require; this
test keeps anyone from drifting (no Docker engine or Fly account here: checked, not run)."""

import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def fly() -> dict[str, object]:
    return tomllib.loads((ROOT / "fly.toml").read_text())


# uvicorn's own lines as JSON (the file ships in the image: src/ is copied to /app/src).
LOG_CONFIG = "--log-config src/entrypoints/uvicorn_log.json"


def test_the_uvicorn_log_config_exists() -> None:
    assert (ROOT / LOG_CONFIG.split()[1]).is_file()


def test_app_region_and_processes(fly: dict) -> None:  # type: ignore[type-arg]
    assert fly["app"] == "sist-cabanas-prod"
    # Fly's one South American region (its docs' reference/regions), and the one where its Managed
    # Postgres runs there: the database beside the machines (docs/cutover.md D-7).
    assert fly["primary_region"] == "gru"
    assert set(fly["processes"]) == {"app", "sync"}
    assert fly["processes"]["sync"].endswith("exec cabanas sync'")
    app = fly["processes"]["app"]
    assert "uvicorn" in app
    assert "--workers 2" in app
    for flag in ("--no-proxy-headers", "--no-server-header", LOG_CONFIG):
        assert flag in app


def test_the_monitoring_app_runs_in_the_apps_region(fly: dict) -> None:  # type: ignore[type-arg]
    """Its volume is created there (incident runbook, "monitoring") and it scrapes the app's
    machines over the private network."""
    monitoring = tomllib.loads((ROOT / "monitoring" / "fly.toml").read_text())
    assert monitoring["primary_region"] == fly["primary_region"]
    runbook = (ROOT / "docs" / "runbooks" / "incident-response-runbook.md").read_text()
    assert f"-a sist-cabanas-monitoring --region {fly['primary_region']}`" in runbook


def test_a_stopping_machine_finishes_its_requests_before_it_is_killed(
    fly: dict,  # type: ignore[type-arg]
) -> None:
    """Fly sends ``kill_signal`` and kills the machine ``kill_timeout`` seconds later (default
    SIGINT and 5 s): the wait must outlast uvicorn's graceful shutdown and the pools' closing,
    and the sync's feed in progress; the graceful shutdown must outlast the longest a request's
    body may take to arrive."""
    import re

    from adapters.ical.fetcher import TOTAL_TIMEOUT_S
    from entrypoints.settings import Settings

    graceful = int(re.findall(r"--timeout-graceful-shutdown (\d+)", fly["processes"]["app"])[0])
    assert fly["kill_signal"] == "SIGTERM"  # uvicorn and `cabanas sync` both stop gracefully on it
    assert fly["kill_timeout"] >= graceful + 5
    assert fly["kill_timeout"] >= TOTAL_TIMEOUT_S + 5  # the sync's feed in progress, and its writes
    assert fly["kill_timeout"] <= 300  # Fly's ceiling for shared-CPU machines
    defaults = Settings()
    assert graceful > defaults.request_body_timeout_seconds


def test_http_service(fly: dict) -> None:  # type: ignore[type-arg]
    service = fly["http_service"]
    assert service["force_https"] is True
    assert service["auto_stop_machines"] == "off"
    assert service["min_machines_running"] >= 2
    assert service["processes"] == ["app"]
    [check] = service["checks"]
    assert check["path"] == "/api/v1/healthz"
    assert check["interval"] == "15s"
    assert check["timeout"] == "5s"
    assert check["headers"]["X-Forwarded-Proto"] == "https"


def test_deploy_vm_and_metrics(fly: dict) -> None:  # type: ignore[type-arg]
    assert fly["deploy"]["strategy"] == "rolling"
    assert fly["deploy"]["release_command"] == "cabanas migrate"
    app_vm = next(vm for vm in fly["vm"] if vm["processes"] == ["app"])
    assert app_vm["size"] in {"shared-cpu-2x", "shared-cpu-4x", "performance-1x", "performance-2x"}
    assert {tuple(m["processes"]) for m in fly["metrics"]} == {("app",), ("sync",)}
    # /metrics on the private port of every machine, never the public service's.
    assert {m["port"] for m in fly["metrics"]} == {9100}
    assert fly["http_service"]["internal_port"] == 8000
    assert fly["env"]["METRICS_PORT"] == "9100"
    assert fly["env"]["METRICS_HOST"] == "::"  # Fly's private network is IPv6
    app = fly["processes"]["app"]
    assert "entrypoints.asgi:create_metrics --host $METRICS_HOST --port $METRICS_PORT" in app
    assert fly["env"]["ENVIRONMENT"] == "production"
    assert fly["env"]["TRUSTED_PROXY"] == "true"


def test_the_log_shipper_is_an_app_of_its_own() -> None:
    """`fly deploy` reads the fly.toml of the folder it runs in (`-a` only renames the app): the
    shipper has its own, with Fly's shipper image and nothing of this app's (no processes, no
    release command, no services: it only connects out), and the docs deploy it from there."""
    shipper = tomllib.loads((ROOT / "monitoring" / "log-shipper" / "fly.toml").read_text())
    others = {
        tomllib.loads((ROOT / path).read_text())["app"]
        for path in ("fly.toml", "monitoring/fly.toml")
    }
    assert shipper["app"] == "cabanas-log-shipper"
    assert shipper["app"] not in others
    image = shipper["build"]["image"]
    assert image.startswith("flyio/log-shipper:v"), image  # a released tag, not :latest
    assert set(shipper["build"]) == {"image"}  # nothing built from this repository
    for section in ("processes", "services", "http_service", "mounts", "env"):
        assert section not in shipper, section  # secrets only through `fly secrets set`
    assert "release_command" not in shipper.get("deploy", {})
    assert shipper["checks"]["vector"]["port"] == 8686  # Vector's /health
    logging = (ROOT / "docs" / "operations" / "logging.md").read_text()
    assert "cd monitoring/log-shipper && fly deploy --no-public-ips" in logging
    assert f"fly secrets set -a {shipper['app']} " in logging
    assert "--image" not in logging


def test_no_secrets_in_fly_toml(fly: dict) -> None:  # type: ignore[type-arg]
    for key in fly.get("env", {}):
        assert not key.endswith(("SECRET", "TOKEN", "SALT", "PASSWORD", "_URL"))


def test_dockerfile_runtime_is_slim_non_root_and_safe() -> None:
    text = (ROOT / "Dockerfile").read_text()
    runtime = text.split("AS runtime", 1)[1]
    assert "python:3.12-slim" in text
    assert "USER 10001" in runtime
    assert "uv" not in runtime.split("COPY --from=build", 1)[0]  # no build tools in the runtime
    for flag in (
        "--no-proxy-headers",
        "--no-server-header",
        LOG_CONFIG,
        "PYTHONDONTWRITEBYTECODE=1",
        "PYTHONUNBUFFERED=1",
    ):
        assert flag in runtime
    ignored = (ROOT / ".dockerignore").read_text().split()
    for path in (".git", ".venv", ".data", ".env"):
        assert path in ignored


def test_the_runtime_image_has_a_pg_dump_of_the_servers_major_version_and_an_uploader() -> None:
    """The sync process backs up from the runtime image: pg_dump refuses a server newer than
    itself, so its major is the one the tests run (the embedded PostgreSQL, production's)."""
    import re
    import subprocess

    from entrypoints.embedded import pg_bin_if_installed

    tool = pg_bin_if_installed("pg_dump")
    assert tool is not None
    version = subprocess.run([tool, "--version"], capture_output=True, text=True, check=True)
    server_major = re.search(r"\) (\d+)", version.stdout).group(1)  # type: ignore[union-attr]
    runtime = (ROOT / "Dockerfile").read_text().split("AS runtime", 1)[1]
    assert f"ARG PG_MAJOR={server_major}\n" in runtime
    assert '"postgresql-client-${PG_MAJOR}" rclone' in runtime
    assert "ENV PG_BIN_DIR=/usr/lib/postgresql/${PG_MAJOR}/bin" in runtime
    assert "apt.postgresql.org" in runtime
    assert "signed-by=" in runtime


def test_the_sync_process_takes_the_daily_backup(fly: dict) -> None:  # type: ignore[type-arg]
    assert fly["env"]["BACKUP_EVERY_HOURS"] == "24"
    assert fly["env"]["BACKUP_DIR"].startswith("/tmp/")  # writable by uid 10001
    assert "BACKUP_UPLOAD_COMMAND" not in fly["env"]  # a secret: it may carry credentials


def test_the_grafana_dashboard_only_queries_series_the_app_exports(project_root: Path) -> None:
    import json
    import re

    from prometheus_client import REGISTRY

    import adapters.prometheus.metrics  # noqa: F401 - registers every instrument

    exported = set()
    for collector in list(REGISTRY._collector_to_names):
        for metric in collector.describe() if hasattr(collector, "describe") else ():
            exported.add(metric.name)
            for suffix in ("_total", "_bucket", "_count", "_sum"):
                exported.add(metric.name + suffix)
    dashboard = json.loads((project_root / "monitoring/grafana/cabanas.json").read_text())
    used = set()
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            # Series names: identifiers left once label matchers and `by (…)` are removed,
            # that are not function calls.
            expr = re.sub(r"\{[^}]*\}|by \([^)]*\)|\[[^\]]*\]", "", target["expr"])
            used |= set(re.findall(r"\b([a-z_][a-z0-9_]*)\b(?!\s*\()", expr))
    assert used, "the dashboard has no queries"
    assert used <= exported, f"not exported by the app: {used - exported}"
    titles = " ".join(p["title"].lower() for p in dashboard["panels"])
    for needed in ("traffic", "error", "p95", "active reservations", "sync age"):
        assert needed in titles


def _dashboard(project_root: Path) -> dict:  # type: ignore[type-arg]
    import json

    return json.loads((project_root / "monitoring/grafana/cabanas.json").read_text())  # type: ignore[no-any-return]


def _datasource_references(node: object) -> list[object]:
    if isinstance(node, dict):
        own = [node["datasource"]] if "datasource" in node else []
        return own + [ref for value in node.values() for ref in _datasource_references(value)]
    if isinstance(node, list):
        return [ref for item in node for ref in _datasource_references(item)]
    return []


def test_the_dashboard_imports_into_a_grafana_whatever_its_prometheus_uid(
    project_root: Path,
) -> None:
    """It is imported into Fly's managed Grafana (docs/operations/dashboard.md), whose Prometheus
    data source has a uid of Fly's choosing: every query goes through a data-source variable,
    no data source is named by uid, and every variable a query uses is defined."""
    import json
    import re

    dashboard = _dashboard(project_root)
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    [source] = [name for name, v in variables.items() if v["type"] == "datasource"]
    assert variables[source]["query"] == "prometheus"
    references = _datasource_references(dashboard["panels"])
    assert len(references) >= len(dashboard["panels"])
    for reference in references:
        assert reference == {"type": "prometheus", "uid": f"${{{source}}}"}, reference
    assert dashboard.get("id") is None  # an id belongs to the Grafana it was exported from
    inputs = {i["name"] for i in dashboard.get("__inputs", [])}
    used = set(re.findall(r"\$\{?(\w+)", json.dumps(dashboard)))
    assert {name for name in used if not name.startswith("__")} <= set(variables) | inputs
    guide = (project_root / "docs" / "operations" / "dashboard.md").read_text()
    assert "monitoring/grafana/cabanas.json" in guide
    assert "fly-metrics.net" in guide
    for doc in ("README.md", "docs/cutover.md"):
        assert "docs/operations/dashboard.md" in (project_root / doc).read_text(), doc


def test_every_dashboard_query_is_about_one_app(fly: dict, project_root: Path) -> None:  # type: ignore[type-arg]
    """Fly's Prometheus holds every app of the organisation, each series labelled `app`: without
    the filter, staging's requests, cabins and feeds would be added to production's."""
    import re

    dashboard = _dashboard(project_root)
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    app = variables["app"]
    assert app["current"]["value"] == fly["app"]
    assert {o["value"] for o in app["options"]} == {fly["app"], "sist-cabanas-staging"}
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            expr = re.sub(r"\b(by|without)\s*\([^)]*\)|\[[^\]]*\]", "", target["expr"])
            selectors = re.findall(r"\b([a-z_][a-z0-9_]*)\b\s*(\{[^}]*\})?(?!\s*\()", expr)
            assert selectors, target["expr"]
            for name, matchers in selectors:
                assert 'app="$app"' in matchers, f"{name} in {target['expr']}"


# Gauges every API machine computes from the same database: summing them over the scraped
# machines would count each reservation once per machine.
DATABASE_GAUGES = (
    "active_reservations",
    "ical_last_sync_age_minutes",
    "outbox_pending_messages",
    "backup_last_success_timestamp_seconds",
)


def test_database_derived_gauges_are_never_summed_across_machines(project_root: Path) -> None:
    import json
    import re

    dashboard = json.loads((project_root / "monitoring/grafana/cabanas.json").read_text())
    rules = (project_root / "monitoring/alerts.yml").read_text()
    exprs = [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    exprs += re.findall(r"expr:\s*(.+)", rules)
    for expr in exprs:
        for gauge in DATABASE_GAUGES:
            summed = rf"\b(sum|avg)\b(\s*by\s*\([^)]*\))?\s*\(\s*{gauge}\b"
            assert not re.search(summed, expr), expr


def test_the_operator_documents_name_one_production_address(project_root: Path) -> None:
    """The cutover, the runbooks and the README send the operator to the same host: the app's
    fly.dev name, which exists as soon as the app does (no DNS step in the plan)."""
    import re

    documents = [
        project_root / "README.md",
        project_root / "docs" / "cutover.md",
        *sorted((project_root / "docs" / "runbooks").glob("*.md")),
    ]
    hosts = {
        host
        for doc in documents
        for host in re.findall(r"https?://([a-z0-9.-]*cabanas[a-z0-9.-]*)", doc.read_text())
        if not host.endswith((".test", ".local", ".example"))
    }
    assert hosts == {"sist-cabanas-prod.fly.dev", "sist-cabanas-staging.fly.dev"}


def test_the_cutover_creates_each_app_before_using_it(project_root: Path) -> None:
    """Provisioning comes first: no `fly … -a <app>` (secrets, storage, deploy) before `fly apps
    create <app>`, and every smoke preflight names the cabin it books on (a fresh database has
    none: production never seeds)."""
    import re

    plan = (project_root / "docs" / "cutover.md").read_text()
    for app in ("$APP", "$STAGING"):
        uses = [m.start() for m in re.finditer(rf"-a {re.escape(app)}(?![\w-])", plan)]
        assert uses, app
        assert f"fly apps create {app} " in plan, app
        assert plan.index(f"fly apps create {app} ") < min(uses), app
    smokes = re.findall(r"preflight [^\n`]*--smoke\b[^\n`]*", plan)
    assert smokes
    for command in smokes:
        assert "--smoke-accommodation" in command, command


# `fly logs` options as flyctl documents them (fly.io/docs/flyctl/logs): filter by machine
# (--instance/-i) or region, not by process group.
FLY_LOGS_FLAGS = {"-a", "--app", "-i", "--instance", "-r", "--region", "-n", "--no-tail"}
FLY_LOGS_FLAGS |= {"-j", "--json", "-c", "--config"}


def test_the_documents_use_only_flags_fly_logs_has(project_root: Path) -> None:
    import re

    documents = [project_root / "README.md", *sorted((project_root / "docs").rglob("*.md"))]
    used = set()
    for doc in documents:
        for command in re.findall(
            r"fly logs((?:\s+-{1,2}[a-z-]+(?:(?:=|\s+)[^\s`|-][^\s`|]*)?)*)", doc.read_text()
        ):
            used |= set(re.findall(r"(?<!\S)(-{1,2}[a-z-]+)", command))
    assert used, "no fly logs command found"
    assert used <= FLY_LOGS_FLAGS, used - FLY_LOGS_FLAGS
