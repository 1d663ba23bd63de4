#!/usr/bin/env bash
# The whole test suite on the embedded SQLite database and on the real PostgreSQL at 127.0.0.1:5432, the two passes
# side by side (two pytest processes, each with its own CARBONPEAK_HOME, temporary files and log). The PostgreSQL pass
# runs the tests that use the database (--only-database-tests); the others do not depend on it and run once, on the
# SQLite pass. Extra arguments go to both passes: `bash scripts/test.sh carbonpeak/plan -x`.
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

RUN="$(mktemp -d)"
pids=()
stop_passes() { [ ${#pids[@]} -eq 0 ] || kill "${pids[@]}" 2>/dev/null; wait; }
trap 'stop_passes; rm -rf "$RUN"' EXIT
trap 'exit 130' INT TERM

# start_pass NAME DATABASE_URL PYTEST_ARGS...: one pytest process in the background, output in $RUN/NAME.log
start_pass() {
  local name="$1" url="$2"
  shift 2
  mkdir -p "$RUN/$name/home"
  (
    export CARBONPEAK_HOME="$RUN/$name/home"
    if [ -n "$url" ]; then export DATABASE_URL="$url"; else unset DATABASE_URL; fi
    started=$SECONDS
    python -m pytest --basetemp="$RUN/$name/tmp" "$@" >"$RUN/$name.log" 2>&1 &
    child=$!
    trap 'kill "$child" 2>/dev/null' TERM
    code=0
    wait "$child" || code=$?
    echo "$code $((SECONDS - started))" >"$RUN/$name.exit" && mv "$RUN/$name.exit" "$RUN/$name.done"
  ) &
  pids+=($!)
}

passes_started=$SECONDS
# The SQLite pass keeps the checkout's .pytest_cache (so `--lf` works on a rerun); the PostgreSQL pass has its own.
# --durations: each log ends with its slowest tests (the suite must stay under 15 minutes)
start_pass sqlite "" --durations=12 "$@"
start_pass postgresql "${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/carbonpeak}" \
  -o cache_dir="$RUN/postgresql/cache" --only-database-tests --durations=12 "$@"
echo "=== tests on SQLite and on PostgreSQL, side by side (logs printed when both are done)"

progress() {  # the last percentage pytest printed, or "starting"
  local done
  done=$(grep -o '\[ *[0-9]*%\]' "$RUN/$1.log" 2>/dev/null | tail -1 | tr -d '[] ' || true)
  echo "${done:-starting}"
}
next_report=$((SECONDS + 60))
while [ ! -f "$RUN/sqlite.done" ] || [ ! -f "$RUN/postgresql.done" ]; do
  sleep 2
  if (( SECONDS >= next_report )); then
    echo "... ${SECONDS} s: SQLite $(progress sqlite), PostgreSQL $(progress postgresql)"
    next_report=$((SECONDS + 60))
  fi
done
pids=()

status=0
for name in sqlite postgresql; do
  read -r code seconds <"$RUN/$name.done"
  echo
  echo "=== tests on $([ $name = sqlite ] && echo SQLite || echo PostgreSQL) (exit $code, ${seconds} s)"
  cat "$RUN/$name.log"
  # 5 = no test selected: a PostgreSQL pass over paths whose tests all run without the database
  if [ "$code" -ne 0 ] && ! { [ $name = postgresql ] && [ "$code" -eq 5 ]; }; then status=1; fi
done
read -r _ sqlite_s <"$RUN/sqlite.done"
read -r _ pg_s <"$RUN/postgresql.done"
echo "=== SQLite ${sqlite_s} s, PostgreSQL ${pg_s} s, side by side in $((SECONDS - passes_started)) s: $([ $status -eq 0 ] && echo passed || echo FAILED)"
exit $status
