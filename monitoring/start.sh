#!/bin/bash
# Fills alertmanager.yml's placeholders from the app's secrets, refuses to start while one is
# left (an alert must not page nobody), then runs Alertmanager and Prometheus as `prometheus`.
# If either exits, so does this script, and Fly restarts the machine.
# `--render-only` prints the filled alertmanager.yml and stops (scripts/check-monitoring.sh, tests).
set -euo pipefail
conf=${MONITORING_CONF:-/etc/cabanas-monitoring}
data=${MONITORING_DATA:-/data}
run=$data/config
mkdir -p "$data/prometheus" "$data/alertmanager" "$run"
cp "$conf/prometheus.yml" "$conf/alerts.yml" "$run/"
missing=()
for name in SLACK_WEBHOOK_URL PAGERDUTY_ROUTING_KEY SMTP_PASSWORD; do
  [ -n "${!name:-}" ] || missing+=("$name")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "alertmanager.yml would keep its placeholders: set ${missing[*]} (fly secrets set -a sist-cabanas-monitoring …)" >&2
  exit 1
fi
# Literal replacement (no regex, no shell expansion of the values).
awk '
  function put(token, value,   i) {
    while ((i = index($0, token)) > 0) $0 = substr($0, 1, i - 1) value substr($0, i + length(token))
  }
  {
    put("https://hooks.slack.com/services/REPLACE/WITH/SLACK_WEBHOOK", ENVIRON["SLACK_WEBHOOK_URL"])
    put("REPLACE_WITH_PAGERDUTY_ROUTING_KEY", ENVIRON["PAGERDUTY_ROUTING_KEY"])
    put("REPLACE_WITH_SMTP_PASSWORD", ENVIRON["SMTP_PASSWORD"])
    print
  }' "$conf/alertmanager.yml" > "$run/alertmanager.yml"
if grep -q REPLACE "$run/alertmanager.yml"; then
  echo "alertmanager.yml still has REPLACE placeholders after filling in the secrets" >&2
  exit 1
fi
amtool check-config "$run/alertmanager.yml" >/dev/null
if [ "${1:-}" = "--render-only" ]; then
  cat "$run/alertmanager.yml"
  exit 0
fi
chown -R prometheus:prometheus "$data"
as_prometheus() { setpriv --reuid=prometheus --regid=prometheus --init-groups "$@"; }
as_prometheus prometheus-alertmanager --config.file="$run/alertmanager.yml" \
  --storage.path="$data/alertmanager" --web.listen-address=:9093 &
as_prometheus prometheus --config.file="$run/prometheus.yml" \
  --storage.tsdb.path="$data/prometheus" --storage.tsdb.retention.time=30d \
  --web.listen-address=:9090 &
wait -n
echo "a monitoring process exited: stopping the machine so that Fly restarts it" >&2
exit 1
