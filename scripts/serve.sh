#!/usr/bin/env bash
# The main job: an embedded SQLite database with the Qingpu plan and demo data, served on http://127.0.0.1:8000
source "$(dirname "$0")/_env.sh"
export CARBONPEAK_HOME="${CARBONPEAK_HOME:-$REPO/var}"
export CARBONPEAK_PLAN="${CARBONPEAK_PLAN:-qingpu-2022}"
exec carbonpeak up --addr "${CARBONPEAK_ADDR:-127.0.0.1:8000}" "$@"
