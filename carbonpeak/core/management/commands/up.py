"""`carbonpeak up`: the main job. Migrate, load the plan (and, on an empty database, the demo data), collect the
static files, then serve with gunicorn and run the worker beside it."""

import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from gunicorn.app.base import BaseApplication

from carbonpeak.plan.models import Plan

from carbonpeak.plan.planfile import PLANS_DIR, find_plan_file


class Command(BaseCommand):
    help = ("Set up the database, load the plan (and demo data on first start), collect static files, and serve the "
            "web app with gunicorn and the worker.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--plan-file", help="default: the file in plans/ of the plan CARBONPEAK_PLAN names")
        parser.add_argument("--addr", default="127.0.0.1:8000", help="host:port to listen on")
        parser.add_argument("--no-demo", action="store_true",
                            help="production: no demo data and no demo accounts (they are only made on the first start)")
        parser.add_argument("--no-worker", action="store_true", help="do not start the worker (run `carbonpeak worker` apart)")
        parser.add_argument("--no-serve", action="store_true", help="prepare everything but do not serve")

    def handle(self, *args, plan_file: str | None, addr: str, no_demo: bool, no_worker: bool, no_serve: bool,
               **options) -> None:
        plan_file = plan_file or str(_configured_plan_file())
        call_command("migrate", interactive=False, verbosity=0)
        first_start = not Plan.objects.exists()
        call_command("plan", "load", plan_file, stdout=self.stdout)
        if first_start and not no_demo:
            code = _plan_code(plan_file)
            call_command("demo", *(["--plan", code] if code else []), stdout=self.stdout)
        self.say_how_to_add_an_admin()
        call_command("collectstatic", interactive=False, verbosity=0)
        if no_serve:
            return
        workers = int(os.environ.get("WEB_CONCURRENCY") or default_workers())
        connections.close_all()  # gunicorn forks: no connection may be shared with the children
        # the worker in a process group of its own: it gets one SIGTERM from us (not the terminal's signals too),
        # and if it does not stop in time the whole group (its job processes included) is killed
        worker = None if no_worker else subprocess.Popen([sys.executable, "-m", "carbonpeak", "worker"],
                                                         start_new_session=True)
        self.stdout.write(self.style.SUCCESS(
            f"Carbonpeak is serving on http://{addr}/ (database: {settings.DATABASES['default']['NAME']}, "
            f"home: {settings.HOME}{', no worker' if worker is None else ''})"))
        self.stdout.flush()
        try:
            WebServer(addr, workers).run()
        finally:
            if worker is not None:
                stop_worker(worker)

    def say_how_to_add_an_admin(self) -> None:
        from carbonpeak.tracking.models import Membership

        if Membership.objects.filter(role=Membership.Role.ADMIN, user__is_active=True).exists():
            return
        self.stdout.write(self.style.WARNING(
            "No district office admin yet. Create the first one (the password is checked by the password rules):\n"
            "  CARBONPEAK_PASSWORD='…' carbonpeak users --add NAME --unit 区发改委 --role admin\n"
            "(--unit: the district office's unit in your plan file; the password may also come on standard input)"))


def default_workers() -> int:
    """One web process per core (at most 4): Python runs one thread of a process at a time, so a second process
    serves the second core; a few threads each keep a slow request from holding up the rest."""
    return max(1, min(os.cpu_count() or 1, 4))


def stop_worker(worker: subprocess.Popen, grace: float = 30) -> None:
    """SIGTERM, then after ``grace`` seconds SIGKILL to the worker's whole process group."""
    worker.terminate()
    try:
        worker.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()


class WebServer(BaseApplication):
    """gunicorn in this process: `workers` processes (they share the login throttle's counts through the file
    cache, carbonpeak.settings), each serving WEB_THREADS requests at once; static files come from WhiteNoise."""

    def __init__(self, addr: str, workers: int) -> None:
        self.options = {
            "bind": addr,
            "workers": workers,
            "worker_class": "gthread",
            "threads": int(os.environ.get("WEB_THREADS", "4")),
            "timeout": 120,  # a Monte Carlo scenario run or a large upload may take a while
            "forwarded_allow_ips": os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1"),
        }
        if os.environ.get("ACCESS_LOG"):
            self.options["accesslog"] = os.environ["ACCESS_LOG"]
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        if "control_socket_disable" in self.cfg.settings:  # gunicorn ≥ 24 would open a socket in $HOME
            self.cfg.set("control_socket_disable", True)

    def load(self):
        from carbonpeak.wsgi import application

        return application


def _configured_plan_file():
    code = settings.CARBONPEAK_PLAN_CODE
    if not code:
        raise CommandError("no plan: set CARBONPEAK_PLAN to a plan code (a file in plans/, e.g. "
                           "CARBONPEAK_PLAN=example-2024) or pass --plan-file FILE")
    path = find_plan_file(code)
    if path is None:
        raise CommandError(f"CARBONPEAK_PLAN={code}: no plan file with that code in {PLANS_DIR}; pass --plan-file FILE")
    return path


def _plan_code(plan_file: str) -> str | None:
    from carbonpeak.plan.planfile import read_plan_file

    return read_plan_file(plan_file).code
