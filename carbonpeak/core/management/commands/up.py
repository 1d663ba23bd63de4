"""`carbonpeak up`: the main job. Migrate, load the plan and demo data, create the demo users, serve the app."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

DEFAULT_PLAN = Path(__file__).resolve().parents[4] / "plans" / "qingpu-2022.yaml"


class Command(BaseCommand):
    help = "Set up the database, load the plan and demo data, and serve the web app."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--plan-file", default=str(DEFAULT_PLAN))
        parser.add_argument("--addr", default="127.0.0.1:8000")
        parser.add_argument("--no-demo", action="store_true")
        parser.add_argument("--no-serve", action="store_true", help="prepare everything but do not serve")

    def handle(self, *args, plan_file: str, addr: str, no_demo: bool, no_serve: bool, **options) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("plan", "load", plan_file, stdout=self.stdout)
        if not no_demo:
            call_command("demo", stdout=self.stdout)
        if no_serve:
            return
        self.stdout.write(self.style.SUCCESS(f"Carbonpeak is serving on http://{addr}/ (database: {settings.DATABASES['default']['NAME']})"))
        call_command("runserver", addr, "--insecure", "--noreload", use_threading=True)
