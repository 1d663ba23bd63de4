"""`carbonpeak plan load FILE | validate FILE | export [--plan CODE] --format json | list`."""

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from carbonpeak.plan.export import export_plan
from carbonpeak.plan.loader import load_plan_file
from carbonpeak.plan.models import Plan
from carbonpeak.plan.planfile import PlanFileErrors, read_plan_file
from carbonpeak.plan.selectors import command_plan


class Command(BaseCommand):
    help = "Load, validate, export and list carbon peak plans."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="validate a plan file and load it (idempotent)")
        load.add_argument("file")
        validate = sub.add_parser("validate", help="check a plan file without loading it")
        validate.add_argument("file")
        export = sub.add_parser("export", help="print a loaded plan")
        export.add_argument("--plan", help="plan code (default: the configured plan)")
        export.add_argument("--format", choices=["json"], default="json")
        sub.add_parser("list", help="list loaded plans")

    def handle(self, *args, action: str, **options) -> None:
        try:
            getattr(self, f"_{action}")(**options)
        except PlanFileErrors as exc:
            raise CommandError(f"plan file has {len(exc.errors)} error(s):\n{exc}") from exc

    def _load(self, file: str, **_) -> None:
        summary = load_plan_file(file)
        self.stdout.write(self.style.SUCCESS(str(summary)))

    def _validate(self, file: str, **_) -> None:
        spec = read_plan_file(file)
        tasks = sum(len(a.tasks) for a in spec.actions)
        self.stdout.write(self.style.SUCCESS(
            f"{file}: valid: {len(spec.actions)} actions, {tasks} tasks, {len(spec.units)} units, "
            f"{len(spec.indicators)} indicators"))
        if spec.source_text:
            self.stdout.write(f"source quotes checked against {spec.source_text}")
        else:
            self.stdout.write(self.style.WARNING("no plan.source_text: the source quotes are unchecked"))

    def _export(self, plan: str | None = None, **_) -> None:
        obj = command_plan(plan)
        self.stdout.write(json.dumps(export_plan(obj), ensure_ascii=False, indent=2))

    def _list(self, **_) -> None:
        for plan in Plan.objects.all():
            self.stdout.write(f"{plan.code}\t{plan.document_number}\t{plan.name_zh}")
