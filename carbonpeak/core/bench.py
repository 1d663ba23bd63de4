"""Benchmark figures for `carbonpeak bench`: the pages people open most, on the production server.

One run starts `carbonpeak up` (gunicorn, as a district runs it, without the worker) on a fresh home with the demo
data of the main job's plan (`bench_plan`) on SQLite, then 20 clients at once, each with its own keep-alive
connection and session, request:

- `core_healthz_p95_ms`: the health endpoint (one `SELECT 1`): what the server itself costs (measured before and
  after the pages; the lower p95 counts);
- `core_dashboard_p95_vs_healthz`, `core_sheet_p95_vs_healthz`: the p95 of the district dashboard (`/`, as the
  office, who sees every figure) and of a town reporter's reporting sheet, as a ratio to the health endpoint's p95
  measured the same way in the same run;
- `core_dashboard_p95_budget_ratio`: the goal (dashboard p95 150 ms at 20 clients) divided by the measured p95:
  above 1 is within the goal;
- `core_<page>_bytes`: bytes transferred for a first visit of the page (HTML and the scripts and stylesheets it
  loads, compressed as a browser accepts them): ECharts (1 MB) only where a page draws charts.

With `CARBONPEAK_BENCH_DATABASE_URL` naming a throwaway PostgreSQL database (the bench fills it with the demo), the
same server is started again on it and its timings are added with the suffix `_postgresql`.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

CLIENTS = 20
GOAL_DASHBOARD_P95_MS = 150.0
OFFICE, REPORTER, PASSWORD = "office", "zhujiajiao-reporter", "carbonpeak-demo"  # tracking.users demo accounts


def bench_plan() -> str:
    """The plan the main job serves (CARBONPEAK_PLAN), else the first shipped plan with a demo fixture."""
    from django.conf import settings

    from carbonpeak.plan.planfile import PLANS_DIR

    fixtures = sorted((PLANS_DIR / "demo").glob("*.yaml"))
    if not (settings.CARBONPEAK_PLAN_CODE or fixtures):
        raise RuntimeError("set CARBONPEAK_PLAN to the plan the bench serves")
    return settings.CARBONPEAK_PLAN_CODE or fixtures[0].stem


class Site:
    """HTTP to a Carbonpeak server on a loopback port: what a browser does, without one."""

    def __init__(self, port: int) -> None:
        self.port = port

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)

    def get(self, path: str, cookie: str = "", conn: http.client.HTTPConnection | None = None,
            encoding: str = "") -> tuple[int, bytes, http.client.HTTPResponse | None]:
        conn = conn or self.connection()
        for attempt in (1, 2):  # gunicorn closes a keep-alive connection idle for 2 s: reconnect, as a browser does
            try:
                conn.request("GET", path, headers={"Cookie": cookie, "Accept-Encoding": encoding})
                response = conn.getresponse()
                return response.status, response.read(), response
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                conn.close()
            except OSError:
                break
        return 0, b"", None

    def login(self, username: str) -> str:
        """A session cookie for `username`, through the real login form."""
        _status, body, response = self.get("/accounts/login/")
        csrf = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie"))[1]
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)[1].decode()
        conn = self.connection()
        conn.request("POST", "/accounts/login/", urllib.parse.urlencode(
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token, "next": "/"}),
            {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf}",
             "Referer": f"http://127.0.0.1:{self.port}/accounts/login/"})
        answer = conn.getresponse()
        answer.read()
        session = re.search(r"sessionid=([^;]+)", answer.getheader("Set-Cookie") or "")
        if answer.status != 302 or session is None:
            raise RuntimeError(f"login as {username} failed ({answer.status})")
        return f"sessionid={session[1]}; csrftoken={csrf}"


class Server(Site):
    """`carbonpeak up` in a subprocess on a free loopback port."""

    def __init__(self, home: Path, database_url: str = "") -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            super().__init__(s.getsockname()[1])
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEBUG", "DJANGO_SETTINGS_MODULE")}
        env.update(CARBONPEAK_HOME=str(home), CARBONPEAK_PLAN=bench_plan())
        if database_url:
            env["DATABASE_URL"] = database_url
        self.log = (home / "up.log").open("w")
        self.proc = subprocess.Popen([sys.executable, "-m", "carbonpeak", "up", "--no-worker", "--addr",
                                      f"127.0.0.1:{self.port}"], env=env, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 600
        while self.get("/healthz")[0] != 200:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"carbonpeak up did not start: see {home / 'up.log'}")
            time.sleep(1)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def p95_ms(server: Site, path: str, cookie: str, per_client: int) -> float:
    """p95 latency of `path` with CLIENTS clients requesting it at once, each on its own connection."""
    times: list[float] = []
    failures: list[int] = []
    start = threading.Barrier(CLIENTS)

    def client() -> None:
        conn = server.connection()
        server.get(path, cookie, conn)  # warm the connection (and the page's derived caches)
        start.wait()
        for _ in range(per_client):
            t0 = time.perf_counter()
            status, _body, _r = server.get(path, cookie, conn)
            times.append(time.perf_counter() - t0)
            if status != 200:
                failures.append(status)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise RuntimeError(f"{path}: {len(failures)} requests failed ({failures[:3]})")
    return 1000 * statistics.quantiles(times, n=20)[-1]


def page_bytes(server: Site, path: str, cookie: str) -> int:
    """HTML plus the scripts and stylesheets the page loads, as transferred to a browser (gzip/brotli accepted)."""
    encoding = "gzip, br"
    status, html, response = server.get(path, cookie, encoding=encoding)
    total = len(html)
    if status in (301, 302):  # e.g. /plan/ → the plan's overview: both transfers count
        _status, html, _r = server.get(response.getheader("Location"), cookie, encoding=encoding)
        total += len(html)
    text = html.decode("utf-8", "replace") if not html.startswith(b"\x1f\x8b") else ""
    for asset in sorted(set(re.findall(r'(?:src|href)="(/static/[^"]+\.(?:js|css))"', text))):
        total += len(server.get(asset, encoding=encoding)[1])
    return total


def _sheet_url(server: Site, reporter: str) -> str:
    """The reporter's sheet for the current period, as linked from the reporting landing page."""
    _status, body, _r = server.get("/tracking/", reporter)
    found = re.search(rb'href="(/tracking/periods/\d+/units/[\w-]+/)"', body)
    if found is None:
        raise RuntimeError("the reporting landing page (/tracking/) links no reporting sheet")
    return found[1].decode()


def figures(quick: bool) -> dict[str, float]:
    out = _on_database("", quick)
    postgresql = os.environ.get("CARBONPEAK_BENCH_DATABASE_URL", "")
    if postgresql:  # the same pages served from PostgreSQL (the bytes are the same pages: measured once)
        out |= {f"{name}_postgresql": value for name, value in _on_database(postgresql, quick).items()
                if not name.endswith("_bytes")}
    return out


def _on_database(database_url: str, quick: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="carbonpeak-bench-") as home:
        server = Server(Path(home), database_url)
        try:
            return measure(server, per_client=5 if quick else 20)
        finally:
            server.stop()


def measure(site: Site, per_client: int) -> dict[str, float]:
    """The figures, on a server with the bench plan's demo data and accounts (`carbonpeak up` on a fresh home)."""
    office, reporter = site.login(OFFICE), site.login(REPORTER)
    sheet = _sheet_url(site, reporter)
    health_first = p95_ms(site, "/healthz", "", per_client)
    dashboard = p95_ms(site, "/", office, per_client)
    sheet_p95 = p95_ms(site, sheet, reporter, per_client)
    # again once the server has settled: a freshly started server's first burst can be several times slower
    health = min(health_first, p95_ms(site, "/healthz", "", per_client))
    return {
        "core_healthz_p95_ms": round(health, 2),
        "core_dashboard_p95_vs_healthz": dashboard / health,
        "core_sheet_p95_vs_healthz": sheet_p95 / health,
        "core_dashboard_p95_budget_ratio": GOAL_DASHBOARD_P95_MS / dashboard,
        "core_dashboard_bytes": page_bytes(site, "/", office),
        "core_sheet_bytes": page_bytes(site, sheet, reporter),
        "core_plan_page_bytes": page_bytes(site, "/plan/", office),
        "core_cockpit_bytes": page_bytes(site, "/cockpit/", office),
    }
