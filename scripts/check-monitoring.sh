#!/usr/bin/env bash
# promtool/amtool checks of monitoring/: the scrape config, the alert rules, their unit tests
# (every alert can actually fire on series shaped like the app's), and Alertmanager routing.
# Installs Debian's prometheus/prometheus-alertmanager when missing (CI runs as root).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v promtool >/dev/null || ! command -v amtool >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing promtool and amtool (Debian: prometheus, prometheus-alertmanager)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends prometheus prometheus-alertmanager >/dev/null
  else
    echo "promtool/amtool missing: apt-get install prometheus prometheus-alertmanager" >&2
    exit 1
  fi
fi
promtool check config --syntax-only monitoring/prometheus.yml
promtool check rules monitoring/alerts.yml
promtool test rules monitoring/alerts.test.yml
amtool check-config monitoring/alertmanager.yml
# Who hears what (docs/operations/on-call.md): critical pages and goes to Slack, warnings go to
# Slack and e-mail, info to e-mail.
route() {
  local got
  got=$(amtool config routes test --config.file=monitoring/alertmanager.yml "severity=$2" \
    2>/dev/null)
  if [ "$got" != "$1" ]; then
    echo "severity=$2 reaches '$got', expected '$1' (monitoring/alertmanager.yml)" >&2
    exit 1
  fi
}
route pagerduty-oncall,slack-ops critical
route slack-ops,email-team warning
route email-team info
# The monitoring app (monitoring/fly.toml): its image and its start script, which fills the
# receivers' secrets into alertmanager.yml and checks the result with amtool.
.venv/bin/hadolint monitoring/Dockerfile
bash -n monitoring/start.sh
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# pragma: allowlist nextline secret
SLACK_WEBHOOK_URL=https://hooks.slack.com/services/T0/B0/check PAGERDUTY_ROUTING_KEY=check \
  SMTP_PASSWORD=check MONITORING_CONF=monitoring MONITORING_DATA="$scratch" \
  monitoring/start.sh --render-only >/dev/null
echo "monitoring app: Dockerfile and start.sh checked"
if [ "${CHECK_PRODUCTION:-0}" = 1 ] && grep -q REPLACE monitoring/alertmanager.yml; then
  echo "monitoring/alertmanager.yml still has REPLACE placeholders" >&2
  exit 1
fi
