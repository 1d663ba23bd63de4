"""`carbonpeak periods --from 2021 --to 2025`: create the annual and quarterly reporting periods (idempotent)."""

from django.core.management.base import BaseCommand, CommandError

from carbonpeak.plan.selectors import command_plan
from carbonpeak.tracking.services import ensure_periods
from carbonpeak.tracking.users import COMMAND_LINE
from carbonpeak.core import clock


class Command(BaseCommand):
    help = "Create annual and quarterly reporting periods for a plan (default: the configured plan)."

    def add_arguments(self, parser):
        parser.add_argument("--plan", help="plan code (default: the configured plan)")
        parser.add_argument("--from", dest="first", type=int, default=2021)
        parser.add_argument("--to", dest="last", type=int, default=clock.today().year)
        parser.add_argument("--annual-only", action="store_true")

    def handle(self, *args, **options):
        plan = command_plan(options["plan"])
        if options["first"] > options["last"]:
            raise CommandError("--from must not be after --to")
        periods = ensure_periods(plan, options["first"], options["last"], quarterly=not options["annual_only"],
                                 actor=COMMAND_LINE)
        self.stdout.write(self.style.SUCCESS(f"{len(periods)} reporting periods for {plan.code}"))
