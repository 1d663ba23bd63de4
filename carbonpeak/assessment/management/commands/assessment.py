"""`carbonpeak assessment allocate INDICATOR --year Y --method M [--to towns|key_units] [--base-year B] [--format json]`,
`assessment run --year Y [--format json]`, `assessment barometer --year Y`, `assessment import-key-units FILE`,
`assessment import-series FILE`."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from carbonpeak.assessment import imports, services
from carbonpeak.assessment.models import Allocation
from carbonpeak.plan.selectors import command_plan

METHODS = ["equal", "proportional", "weighted"]


class Command(BaseCommand):
    help = "Decompose district targets over units and score the annual assessment (考核)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--plan", help="plan code (default: the configured plan)")
        sub = parser.add_subparsers(dest="action", required=True)
        alloc = sub.add_parser("allocate", help="split an indicator's district target over units (a preview)")
        alloc.add_argument("indicator", help="the plan indicator's code, e.g. energy-consumption-total")
        alloc.add_argument("--year", type=int, required=True)
        alloc.add_argument("--method", choices=METHODS, required=True)
        alloc.add_argument("--to", choices=[t.value for t in Allocation.Target], default=Allocation.Target.TOWNS)
        alloc.add_argument("--base-year", type=int, help="year of the proportional base (default: the rubric's)")
        alloc.add_argument("--format", choices=["json", "table"], default="table")
        run = sub.add_parser("run", help="score every assessed unit for a year")
        run.add_argument("--year", type=int, required=True)
        run.add_argument("--format", choices=["json", "table"], default="table")
        baro = sub.add_parser("barometer", help="the year's barometer (晴雨表) per unit, as JSON")
        baro.add_argument("--year", type=int, required=True)
        for name, what in (("import-key-units", "key energy-consuming units"), ("import-series", "unit series")):
            imp = sub.add_parser(name, help=f"import {what} from an Excel or CSV file (all rows or none)")
            imp.add_argument("file")

    def handle(self, *args, action: str, plan: str | None = None, **options) -> None:
        the_plan = command_plan(plan)
        try:
            getattr(self, "_" + action.replace("-", "_"))(the_plan, **options)
        except (*services.InputError, ValidationError) as exc:
            raise CommandError(str(exc)) from exc

    def _json(self, data) -> None:
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=1, default=str))

    def _allocate(self, plan, indicator: str, year: int, method: str, to: str, format: str, base_year: int | None,
                  **_) -> None:
        result = services.allocate(plan, indicator, year, method, to, {"base_year": base_year} if base_year else {})
        if format == "json":
            return self._json(result)
        self.stdout.write(f"{result['indicator']} {year} {method}: total {result['total']} "
                          f"(reconciles: {result['reconciles']}; {result['reconciliation']})")
        for row in result["allocations"]:
            self.stdout.write(f"  {row['unit']:20s} {row['value']:>14}")

    def _run(self, plan, year: int, format: str, **_) -> None:
        result = services.run(plan, year)
        if format == "json":
            return self._json(result)
        for row in result["units"]:
            veto = ", ".join(v["name_zh"] for v in row["veto"])
            self.stdout.write(f"{row['rank']:>3} {row['unit']:12s} {row['score']:6.2f} {row['grade_zh']} {veto}")

    def _barometer(self, plan, year: int, **_) -> None:
        self._json({"year": year, "units": services.barometer(plan, year)})

    def _import_key_units(self, plan, file: str, **_) -> None:
        self.stdout.write(f"{imports.import_key_units(plan, file)} key energy-consuming units imported")

    def _import_series(self, plan, file: str, **_) -> None:
        self.stdout.write(f"{imports.import_series(plan, file)} series values imported")
