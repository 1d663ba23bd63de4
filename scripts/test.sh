#!/usr/bin/env bash
# The whole test suite, on the embedded SQLite database and then on the real PostgreSQL at 127.0.0.1:5432.
# Installs what it needs (Chromium from Debian, the Python packages) and starts PostgreSQL and Mosquitto if down.
source "$(dirname "$0")/_env.sh"

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v mosquitto >/dev/null || need_apt+=(mosquitto)
command -v pg_ctlcluster >/dev/null || need_apt+=(postgresql)
fc-list 2>/dev/null | grep -q "Noto Sans CJK SC" || need_apt+=(fonts-noto-cjk libpangoft2-1.0-0)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing ${need_apt[*]} from Debian"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start || true
  for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
if ! (exec 3<>/dev/tcp/127.0.0.1/1883) 2>/dev/null; then
  echo "starting Mosquitto"
  mosquitto -d -c /etc/mosquitto/mosquitto.conf
  sleep 1
fi

export CARBONPEAK_HOME="$(mktemp -d)"
trap 'rm -rf "$CARBONPEAK_HOME"' EXIT

echo "=== tests on SQLite"
env -u DATABASE_URL python -m pytest "$@"
echo "=== tests on PostgreSQL"
DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/carbonpeak}" python -m pytest "$@"
