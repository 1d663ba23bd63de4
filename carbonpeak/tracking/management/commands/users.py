"""`carbonpeak users`: list tracking users, add one, or create the demo users."""

import getpass
import os
import sys

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from carbonpeak.plan.models import ResponsibleUnit
from carbonpeak.plan.selectors import command_plan
from carbonpeak.tracking.models import Membership
from carbonpeak.tracking.users import COMMAND_LINE, DEMO_PASSWORD, ensure_demo_users, find_unit, save_account

PASSWORD_ENV = "CARBONPEAK_PASSWORD"


class Command(BaseCommand):
    help = ("List users and their units/roles; --demo creates the demo users; --add USER --unit U --role R adds or "
            f"updates one (password from ${PASSWORD_ENV}, else standard input, else a prompt).")

    def add_arguments(self, parser):
        parser.add_argument("--plan", help="plan code (default: the configured plan)")
        parser.add_argument("--demo", action="store_true", help="create the missing demo users (password carbonpeak-demo)")
        parser.add_argument("--add", metavar="USERNAME", help="create or update a user")
        parser.add_argument("--unit", help="unit code or Chinese name, e.g. 朱家角镇")
        parser.add_argument("--role", choices=Membership.Role.values)

    def handle(self, *args, **options):
        plan = command_plan(options["plan"])
        if options["demo"]:
            users = ensure_demo_users(plan)
            self.stdout.write(self.style.SUCCESS(f"{len(users)} demo users (new ones get the password {DEMO_PASSWORD})"))
        if options["add"]:
            self.add(plan, options["add"], options["unit"], options["role"])
        for m in Membership.objects.select_related("user", "unit").filter(unit__plan=plan):
            self.stdout.write(f"{m.user.username:24} {m.role:10} {m.unit.code:16} {m.unit.name_zh}")

    def add(self, plan, username: str, unit_name: str | None, role: str | None) -> None:
        if not unit_name or not role:
            raise CommandError("--add needs --unit and --role")
        try:
            unit = find_unit(plan, unit_name)
        except ResponsibleUnit.DoesNotExist as exc:
            raise CommandError(str(exc)) from None
        password = self.read_password(username)
        with transaction.atomic():
            user, _created = get_user_model().objects.get_or_create(username=username)
            try:
                save_account(user, password, unit, role, actor=COMMAND_LINE)
            except ValidationError as exc:
                transaction.set_rollback(True)
                raise CommandError(f"password for {username} refused: {' '.join(exc.messages)}") from None
        self.stdout.write(self.style.SUCCESS(f"{username}: {role} of {unit.name_zh}"))

    def read_password(self, username: str) -> str:
        """The password from $CARBONPEAK_PASSWORD, else the first line of standard input, else a prompt."""
        password = os.environ.get(PASSWORD_ENV)
        if password is None:
            password = getpass.getpass(f"password for {username}: ") if sys.stdin.isatty() else sys.stdin.readline()
        password = password.rstrip("\r\n")
        if not password:
            raise CommandError(f"no password: set ${PASSWORD_ENV} or pipe it on standard input")
        return password
