"""`carbonpeak demo`: load every app's demo data for the configured plan (idempotent per app)."""

from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from carbonpeak.plan.demodata import fixture_path
from carbonpeak.plan.selectors import plan_or_default


class Command(BaseCommand):
    help = "Load realistic demo data (history, projects, meters, scenarios) for the configured plan."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--plan", help="plan code (default: CARBONPEAK_PLAN, else the first loaded plan)")

    def handle(self, *args, plan: str | None = None, **options) -> None:
        code = plan
        plan = plan_or_default(code)
        if plan is None:
            raise CommandError(f"no plan {code!r} is loaded" if code else
                               "no plan is loaded: run `carbonpeak plan load plans/<plan>.yaml` first")
        apps = [a for a in settings.DOMAIN_APPS if find_spec(f"carbonpeak.{a}.demo")]
        for app in tqdm(apps, desc="demo data", unit="app"):
            import_module(f"carbonpeak.{app}.demo").load_demo(plan)
        self.stdout.write(self.style.SUCCESS(f"demo data loaded for {plan.code}: {', '.join(apps)}"))
        if not fixture_path(plan).is_file():
            self.stdout.write(f"{plan.code} has no demo fixture ({fixture_path(plan).name}): histories generated "
                              "from its own units and indicators, no named projects")
