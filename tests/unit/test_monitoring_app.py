"""The monitoring app (monitoring/): Prometheus scrapes every machine of the app on its private
/metrics port, one target per address; the start script fills the receivers' secrets into
alertmanager.yml literally and refuses to start while a placeholder is left."""

from __future__ import annotations

import os
import subprocess
import tomllib
from pathlib import Path

import yaml

# Characters a regex or a shell would act on: they must arrive as they are.
ODD_KEY = r"k&e\y/$(id)`x`"  # pragma: allowlist secret
SLACK = "https://hooks.slack.com/services/T1/B2/abc"  # pragma: allowlist secret
SMTP = "p&ss"  # pragma: allowlist secret


def _render(project_root: Path, tmp_path: Path, **secrets: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ["PATH"],
        "MONITORING_CONF": str(project_root / "monitoring"),
        "MONITORING_DATA": str(tmp_path),
        **secrets,
    }
    return subprocess.run(
        [str(project_root / "monitoring" / "start.sh"), "--render-only"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_prometheus_scrapes_each_machine_on_its_private_metrics_port(project_root: Path) -> None:
    fly = tomllib.loads((project_root / "fly.toml").read_text())
    config = yaml.safe_load((project_root / "monitoring" / "prometheus.yml").read_text())
    [job] = config["scrape_configs"]
    [discovery] = job["dns_sd_configs"]
    assert discovery["names"] == [f"{fly['app']}.internal"]
    assert discovery["type"] == "AAAA"  # Fly's internal DNS answers AAAA (and TXT) only
    assert discovery["port"] == int(fly["env"]["METRICS_PORT"]) == 9100
    assert {m["port"] for m in fly["metrics"]} == {discovery["port"]}  # API and sync machines
    assert "static_configs" not in job


def test_the_receivers_secrets_are_filled_in_literally(project_root: Path, tmp_path: Path) -> None:
    result = _render(
        project_root,
        tmp_path,
        SLACK_WEBHOOK_URL=SLACK,
        PAGERDUTY_ROUTING_KEY=ODD_KEY,
        SMTP_PASSWORD=SMTP,
    )
    assert result.returncode == 0, result.stderr
    rendered = yaml.safe_load(result.stdout)
    receivers = {r["name"]: r for r in rendered["receivers"]}
    assert receivers["pagerduty-oncall"]["pagerduty_configs"][0]["routing_key"] == ODD_KEY
    slack = receivers["slack-ops"]["slack_configs"][0]["api_url"]
    assert slack == SLACK
    [email] = receivers["email-team"]["email_configs"]
    assert email["auth_password"] == SMTP
    assert "REPLACE" not in result.stdout


def test_a_missing_secret_stops_the_start(project_root: Path, tmp_path: Path) -> None:
    result = _render(project_root, tmp_path, PAGERDUTY_ROUTING_KEY="k", SMTP_PASSWORD="p")
    assert result.returncode == 1
    assert "would keep its placeholders: set SLACK_WEBHOOK_URL" in result.stderr
