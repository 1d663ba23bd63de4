#!/usr/bin/env bash
# The main job: the Qingpu plan (and demo data on first start) in the embedded SQLite database under the checkout's
# var/ (CARBONPEAK_HOME), served by gunicorn on http://127.0.0.1:8000 with the worker beside it.
# Production: see docs/deployment.md (`--no-demo`, PostgreSQL, HTTPS behind nginx).
source "$(dirname "$0")/_env.sh"
export CARBONPEAK_PLAN="${CARBONPEAK_PLAN:-qingpu-2022}"
exec carbonpeak up --addr "${CARBONPEAK_ADDR:-127.0.0.1:8000}" "$@"
