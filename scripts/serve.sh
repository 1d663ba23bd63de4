#!/usr/bin/env bash
# The main job: the Qingpu plan (and demo data on first start) in the embedded SQLite database under the checkout's
# var/ (CARBONPEAK_HOME), served by gunicorn on http://127.0.0.1:8000 with the worker beside it.
# Production: see docs/deployment.md (`--no-demo`, PostgreSQL, HTTPS behind nginx).
source "$(dirname "$0")/_env.sh"
# PDFs: WeasyPrint (Pango) sets the Chinese text in Debian's Noto CJK fonts
fc-list 2>/dev/null | grep -q "Noto Sans CJK SC" || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk libpangoft2-1.0-0 >/dev/null; }
export CARBONPEAK_PLAN="${CARBONPEAK_PLAN:-qingpu-2022}"
exec carbonpeak up --addr "${CARBONPEAK_ADDR:-127.0.0.1:8000}" "$@"
