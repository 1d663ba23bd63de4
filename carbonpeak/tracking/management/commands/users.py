"""`carbonpeak users`: list tracking users, add one, or create the demo users."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from carbonpeak.plan.selectors import default_plan
from carbonpeak.tracking.models import Membership
from carbonpeak.tracking.services import set_membership
from carbonpeak.tracking.users import DEMO_PASSWORD, ensure_demo_users, find_unit


class Command(BaseCommand):
    help = "List users and their units/roles; --demo creates the demo users; --add USER --unit U --role R adds one."

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="create the demo users (password carbonpeak-demo)")
        parser.add_argument("--add", metavar="USERNAME", help="create or update a user")
        parser.add_argument("--unit", help="unit code or Chinese name, e.g. 朱家角镇")
        parser.add_argument("--role", choices=Membership.Role.values)
        parser.add_argument("--password", help="password for --add (prompted if omitted)")

    def handle(self, *args, **options):
        plan = default_plan()
        if plan is None:
            raise CommandError("no plan is loaded: run `carbonpeak plan load plans/<plan>.yaml` first")
        if options["demo"]:
            users = ensure_demo_users(plan)
            self.stdout.write(self.style.SUCCESS(f"{len(users)} demo users, password {DEMO_PASSWORD}"))
        if options["add"]:
            if not options["unit"] or not options["role"]:
                raise CommandError("--add needs --unit and --role")
            try:
                unit = find_unit(plan, options["unit"])
            except Exception as exc:
                raise CommandError(str(exc)) from exc
            password = options["password"]
            if not password:
                import getpass

                password = getpass.getpass(f"password for {options['add']}: ")
            user, _created = get_user_model().objects.get_or_create(username=options["add"])
            user.set_password(password)
            user.save()
            set_membership(user, unit, options["role"])
        for m in Membership.objects.select_related("user", "unit").filter(unit__plan=plan):
            self.stdout.write(f"{m.user.username:24} {m.role:10} {m.unit.code:16} {m.unit.name_zh}")
