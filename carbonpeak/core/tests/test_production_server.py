"""The main job as a district runs it: `carbonpeak up` under gunicorn on SQLite in a fresh CARBONPEAK_HOME, with
its worker; static files from WhiteNoise; a restart keeps a changed demo password.

Each `up` is a real subprocess on a free loopback port. The first start loads the demo data (about 30-70 s on a
busy two-core machine), so the whole story runs once per module.
"""
from __future__ import annotations

import http.client
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

from carbonpeak.core.tests.cli import carbonpeak, carbonpeak_env
from carbonpeak.monitoring.tests.test_mqtt import Broker, free_port, publish

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="starts its own SQLite main job: run once, on the suite's SQLite pass",
)

NEW_PASSWORD = "qingpu-office-2026-rotated"


class MainJob:
    """`carbonpeak up` in a subprocess; stopped with SIGTERM like a service manager does."""

    def __init__(self, home: Path, **env: str) -> None:
        self.home = home
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = (home / f"up-{self.port}.log").open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "carbonpeak", "up", "--addr", f"127.0.0.1:{self.port}"],
            env=carbonpeak_env(home, **env), stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self.wait_healthy(timeout=400)

    def wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"carbonpeak up exited with {self.proc.returncode}:\n{self.output()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=5) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(1)
        self.stop()
        pytest.fail(f"carbonpeak up did not answer within {timeout} s:\n{self.output()}")

    def output(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def log_in(base_url: str, username: str, password: str, *, via_https_proxy: bool = False) -> bool:
    """Log in through the real login form as a browser does (CSRF cookie and token, Origin); True if the site took
    it. ``via_https_proxy``: the requests carry what nginx in front of an HTTPS site adds (X-Forwarded-Proto) and
    the browser's https Origin, and the cookies are sent back even though they are marked Secure."""
    host = urllib.parse.urlsplit(base_url).netloc
    proxy = {"X-Forwarded-Proto": "https"} if via_https_proxy else {}
    origin = f"{'https' if via_https_proxy else 'http'}://{host}"
    conn = http.client.HTTPConnection(host, timeout=60)
    try:
        conn.request("GET", "/accounts/login/", headers=proxy)
        page = conn.getresponse()
        html = page.read().decode()
        if page.status != 200:
            return False
        cookies = SimpleCookie()
        for header in page.headers.get_all("Set-Cookie") or []:
            cookies.load(header)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        form = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token,
                                       "next": "/tracking/"})
        conn.request("POST", "/accounts/login/", body=form, headers={
            **proxy, "Content-Type": "application/x-www-form-urlencoded", "Origin": origin,
            "Referer": f"{origin}/accounts/login/", "Cookie": f"csrftoken={cookies['csrftoken'].value}"})
        answer = conn.getresponse()
        answer.read()
    finally:
        conn.close()
    if answer.status == 302 and via_https_proxy:
        assert "Secure" in answer.headers["Set-Cookie"]
    return answer.status == 302 and answer.headers["Location"] == "/tracking/"


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("carbonpeak-home")


@pytest.fixture(scope="module")
def broker(tmp_path_factory):
    """A Mosquitto of its own on a free port (the monitoring tests' broker)."""
    b = Broker(tmp_path_factory.mktemp("mosquitto"))
    b.start()
    yield b
    b.stop()


@pytest.fixture(scope="module")
def first_start(home, broker):
    started = time.monotonic()
    job = MainJob(home, MQTT_HOST="127.0.0.1", MQTT_PORT=str(broker.port))
    job.startup_seconds = time.monotonic() - started
    yield job
    job.stop()


def rows(job: MainJob, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(job.home / "carbonpeak.sqlite3", timeout=30) as db:
        return db.execute(sql, params).fetchall()


def wait_for_rows(job: MainJob, sql: str, *params, timeout: float = 120) -> list[tuple]:
    deadline = time.monotonic() + timeout
    while not (found := rows(job, sql, *params)) and time.monotonic() < deadline:
        time.sleep(2)
    return found


def test_the_main_job_serves_pages_and_hashed_compressed_static_files_through_gunicorn(first_start):
    with urllib.request.urlopen(f"{first_start.url}/", timeout=60) as r:
        assert r.status == 200
        assert r.headers["Server"].startswith("gunicorn")
        html = r.read().decode()
    assert "Content-Security-Policy" in r.headers
    css = re.search(r'href="(/static/core/site\.[0-9a-f]{12}\.css)"', html)
    assert css, "the page links the content-hashed style sheet"
    request = urllib.request.Request(first_start.url + css.group(1), headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=30) as r:
        assert r.status == 200
        assert r.headers["Content-Type"].startswith("text/css")
        assert r.headers["Content-Encoding"] == "gzip"
        assert "immutable" in r.headers["Cache-Control"]
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"{first_start.url}/static/core/no-such-file.css", timeout=30)
    assert missing.value.code == 404
    key = first_start.home / "secret_key"
    assert key.stat().st_mode & 0o777 == 0o600 and len(key.read_text().strip()) >= 50


def test_the_worker_started_by_up_runs_the_scheduled_alert_evaluation(first_start):
    done = wait_for_rows(first_start, "SELECT success, result FROM django_q_task WHERE func = ?",
                         "carbonpeak.monitoring.services.evaluate_alerts")
    assert done, f"no alert evaluation ran through the worker:\n{first_start.output()}"
    assert done[0][0] == 1, done


def test_the_worker_started_by_up_takes_meter_readings_from_mqtt(first_start, broker):
    # an unknown meter: the pipeline stores the reading as a reject naming it, which shows it went all the way
    publish(broker.port, [json.dumps({"readings": [{"meter": "WORKER-MQTT-1", "ts": 1_764_000_000, "value": 1.0}]})])
    stored = wait_for_rows(first_start, "SELECT source, reason FROM monitoring_rejectedreading WHERE meter_code = ?",
                           "WORKER-MQTT-1", timeout=60)
    assert stored and stored[0][0] == "mqtt", first_start.output()


def test_the_web_server_runs_a_process_per_core_and_they_share_the_login_throttle(first_start):
    from carbonpeak.core.management.commands.up import default_workers

    pid = first_start.proc.pid
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    web = [c for c in children if b"up" in Path(f"/proc/{c}/cmdline").read_bytes().split(b"\0")]  # forks of `up`
    assert len(web) == default_workers() == min(os.cpu_count(), 4), children
    for _ in range(5):  # each login on a new connection, taken by whichever web process accepts it first
        assert not log_in(first_start.url, "jingwei-reviewer", "not-the-password")
    assert not log_in(first_start.url, "jingwei-reviewer", "carbonpeak-demo")  # locked out in every process


def test_the_bench_measures_the_dashboard_and_the_reporting_sheet_on_the_main_job(first_start):
    """`carbonpeak bench`'s core figures, taken from this server (the bench starts one of its own the same way)."""
    from carbonpeak.core import bench

    figures = bench.measure(bench.Site(first_start.port), per_client=2)
    assert figures["core_healthz_p95_ms"] > 0
    assert figures["core_dashboard_p95_vs_healthz"] > 0 and figures["core_sheet_p95_vs_healthz"] > 0
    # ECharts (about 300 kB compressed) only where a page draws charts: the dashboard does, the wall screen not
    assert figures["core_cockpit_bytes"] < 100_000 < figures["core_dashboard_bytes"]


def test_a_restart_keeps_a_changed_demo_password_and_logins_work_behind_an_https_proxy(first_start, home):
    assert log_in(first_start.url, "office", "carbonpeak-demo")
    changed = carbonpeak("users", "--add", "office", "--unit", "区发改委", "--role", "admin", home=home,
                         CARBONPEAK_PASSWORD=NEW_PASSWORD)
    assert changed.returncode == 0, changed.stderr
    first_start.stop()
    started = time.monotonic()
    # restarted as docs/deployment.md runs it behind nginx
    again = MainJob(home, HTTPS="true", TRUST_X_FORWARDED_PROTO="true", ALLOWED_HOSTS="127.0.0.1")
    try:
        restart_seconds = time.monotonic() - started
        assert log_in(again.url, "office", NEW_PASSWORD, via_https_proxy=True)
        assert not log_in(again.url, "office", "carbonpeak-demo", via_https_proxy=True)
        assert not log_in(again.url, "office", NEW_PASSWORD)  # plain http is redirected to https
        assert "demo data loaded" not in again.output()
    finally:
        again.stop()
    print(f"first start {first_start.startup_seconds:.0f} s, restart {restart_seconds:.0f} s")
