"""`carbonpeak periods --from 2021 --to 2025`: create the annual and quarterly reporting periods (idempotent)."""

from django.core.management.base import BaseCommand, CommandError

from carbonpeak.plan.selectors import default_plan
from carbonpeak.tracking.services import ensure_periods
from carbonpeak.tracking.users import COMMAND_LINE
from carbonpeak.core import clock


class Command(BaseCommand):
    help = "Create annual and quarterly reporting periods for the configured plan."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", type=int, default=2021)
        parser.add_argument("--to", dest="last", type=int, default=clock.today().year)
        parser.add_argument("--annual-only", action="store_true")

    def handle(self, *args, **options):
        plan = default_plan()
        if plan is None:
            raise CommandError("no plan is loaded")
        if options["first"] > options["last"]:
            raise CommandError("--from must not be after --to")
        periods = ensure_periods(plan, options["first"], options["last"], quarterly=not options["annual_only"],
                                 actor=COMMAND_LINE)
        self.stdout.write(self.style.SUCCESS(f"{len(periods)} reporting periods for {plan.code}"))
