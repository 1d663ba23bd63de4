"""`carbonpeak demo`: load every app's demo data for the configured plan (idempotent per app)."""

from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from carbonpeak.plan.selectors import default_plan


class Command(BaseCommand):
    help = "Load realistic demo data (history, projects, meters, scenarios) for the configured plan."

    def handle(self, *args, **options) -> None:
        plan = default_plan()
        if plan is None:
            raise CommandError("no plan is loaded: run `carbonpeak plan load plans/qingpu-2022.yaml` first")
        apps = [a for a in settings.DOMAIN_APPS if find_spec(f"carbonpeak.{a}.demo")]
        for app in tqdm(apps, desc="demo data", unit="app"):
            import_module(f"carbonpeak.{app}.demo").load_demo(plan)
        self.stdout.write(self.style.SUCCESS(f"demo data loaded for {plan.code}: {', '.join(apps)}"))
