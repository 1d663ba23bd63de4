"""`carbonpeak up`: the main job. Migrate, load the plan and demo data, create the demo users, serve the app."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from carbonpeak.plan.planfile import PLANS_DIR, find_plan_file


class Command(BaseCommand):
    help = "Set up the database, load the plan and demo data, and serve the web app."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--plan-file", help="default: the file in plans/ of the plan CARBONPEAK_PLAN names")
        parser.add_argument("--addr", default="127.0.0.1:8000")
        parser.add_argument("--no-demo", action="store_true")
        parser.add_argument("--no-serve", action="store_true", help="prepare everything but do not serve")

    def handle(self, *args, plan_file: str | None, addr: str, no_demo: bool, no_serve: bool, **options) -> None:
        plan_file = plan_file or str(_configured_plan_file())
        call_command("migrate", interactive=False, verbosity=0)
        call_command("plan", "load", plan_file, stdout=self.stdout)
        if not no_demo:
            code = _plan_code(plan_file)
            call_command("demo", *(["--plan", code] if code else []), stdout=self.stdout)
        if no_serve:
            return
        self.stdout.write(self.style.SUCCESS(f"Carbonpeak is serving on http://{addr}/ (database: {settings.DATABASES['default']['NAME']})"))
        call_command("runserver", addr, "--insecure", "--noreload", use_threading=True)


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
