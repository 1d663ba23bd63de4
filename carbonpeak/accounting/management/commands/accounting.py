"""`carbonpeak accounting compute --input FILE [--format json|table] [--factor-set CODE]`,
`carbonpeak accounting import FILE [--plan CODE]`, `carbonpeak accounting factors load [FILE]`,
`carbonpeak accounting factors list`, `carbonpeak accounting inventory [--plan CODE] [--factor-set CODE]`,
`carbonpeak accounting import-monitoring --year Y [--plan CODE]`."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from carbonpeak.accounting.engine.factors import FactorError
from carbonpeak.accounting.engine.inventory import InventoryError, by_method, compute_inventory
from carbonpeak.accounting.engine.records import RecordsError, parse_records
from carbonpeak.accounting.engine.units import UnitError

TOTAL_KEYS = ("energy_tce", "energy_tce_reporting", "co2_t", "co2_scope1_t", "co2_scope2_t", "feedstock_tce",
              "renewable_tce", "renewable_kwh", "non_fossil_share", "non_fossil_share_reporting", "coal_tce", "records")


def compute_file(path: str, factor_set: str | None = None) -> dict:
    """Totals and breakdowns of a records file (pure: shipped factor sets need no database).

    `methods` holds, per method (当量值, 等价值), all energy, feedstock, renewable electricity, the new-renewable
    deduction and the energy counted for dual control, summed over years and `by_year`, with the rules named;
    the same sums are also top-level keys, 当量值 plain and 等价值 with `_reporting` (as `energy_tce`).
    """
    from carbonpeak.accounting.services import engine_factor_set

    df = parse_records(Path(path))
    inv = compute_inventory(df, engine_factor_set(factor_set))
    d = inv.to_dict()
    methods = by_method(inv.by_year)
    flat = {f"{k}{suffix}": methods[label][k] for label, suffix in (("当量值", ""), ("等价值", "_reporting"))
            for k in ("feedstock_tce", "renewable_tce", "renewable_deduction_tce", "dual_control_energy_tce")}
    return {k: d[k] for k in ("factor_set", *TOTAL_KEYS)} | flat | {
        "rules": methods["当量值"]["rules"],
        "methods": methods,
        "by_carrier": d["by_carrier"], "by_sector": d["by_sector"], "by_town": d["by_town"], "by_year": d["by_year"],
        "grid_factor_year_used": d["grid_factor_year_used"],
        "reporting_coal_year_used": d["reporting_coal_year_used"], "warnings": d["warnings"],
    }


class Command(BaseCommand):
    help = "Energy and CO2 accounting: compute a file, import records, manage factor sets."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        c = sub.add_parser("compute", help="account a CSV/Excel file of records and print the totals")
        c.add_argument("--input", required=True,
                       help="CSV or .xlsx with entity,sector,carrier,quantity,unit,year (optional: month,town,use)")
        c.add_argument("--format", choices=["json", "table"], default="json")
        c.add_argument("--factor-set", dest="factor_set", default=None)
        i = sub.add_parser("import", help="store the records of a file (all or nothing)")
        i.add_argument("file")
        i.add_argument("--plan", default=None, help="plan code (default: the configured plan)")
        m = sub.add_parser("import-monitoring", help="store a year's monthly energy per monitored site (replaces that year's)")
        m.add_argument("--year", type=int, required=True)
        m.add_argument("--plan", default=None, help="plan code (default: the configured plan)")
        f = sub.add_parser("factors", help="factor sets")
        fsub = f.add_subparsers(dest="factors_action", required=True)
        fl = fsub.add_parser("load", help="load factor sets from a YAML file (default: the shipped file)")
        fl.add_argument("file", nargs="?", default=None)
        fsub.add_parser("list", help="list stored factor sets")
        inv = sub.add_parser("inventory", help="compute and print the stored records' inventory")
        inv.add_argument("--plan", default=None)
        inv.add_argument("--factor-set", dest="factor_set", default=None)
        inv.add_argument("--method", choices=["equivalent", "reporting"], default=None,
                         help="equivalent = 当量值, reporting = 等价值 (default: the plan's assessment method)")

    def handle(self, *args, action: str, **options) -> None:
        try:
            getattr(self, f"_{action.replace('-', '_')}")(**options)
        except RecordsError as exc:
            raise CommandError(f"{len(exc.errors)} bad row(s):\n" + "\n".join(str(e) for e in exc.errors)) from exc
        except (FactorError, UnitError, InventoryError, FileNotFoundError) as exc:
            raise CommandError(str(exc)) from exc

    def _compute(self, input: str, format: str, factor_set: str | None, **_) -> None:
        out = compute_file(input, factor_set)
        if format == "json":
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"factor set: {out['factor_set']}   records: {out['records']}")
        for k in TOTAL_KEYS[:-1]:
            v = out[k]
            self.stdout.write(f"{k:28s} {'' if v is None else f'{v:,.4f}'}")
        for label, m in out["methods"].items():
            self.stdout.write(f"\n{label} ({m['method']})")
            for k in ("energy_tce", "feedstock_tce", "renewable_tce", "renewable_deduction_tce",
                      "dual_control_energy_tce", "co2_t"):
                self.stdout.write(f"  {k:26s} {m[k]:,.4f}")
            for rule in m["rules"]:
                self.stdout.write(f"  {rule}")
        for title, table in (("carrier", out["by_carrier"]), ("sector", out["by_sector"])):
            self.stdout.write(f"\n{title:20s} {'energy_tce':>16s} {'co2_t':>16s}")
            for name, row in table.items():
                self.stdout.write(f"{name:20s} {row['energy_tce']:16,.4f} {row['co2_t']:16,.4f}")

    def _plan(self, code: str | None):
        from carbonpeak.plan.selectors import plan_or_default

        plan = plan_or_default(code)
        if plan is None:
            raise CommandError(f"no plan {code!r} is loaded" if code else "no plan is loaded: run `carbonpeak plan load FILE`")
        return plan

    def _import(self, file: str, plan: str | None, **_) -> None:
        from carbonpeak.accounting.services import import_records

        p = self._plan(plan)
        batch = import_records(p, Path(file), Path(file).name)
        self.stdout.write(self.style.SUCCESS(f"imported {batch.rows} record(s) into {p.code}"))

    def _import_monitoring(self, year: int, plan: str | None, **_) -> None:
        from carbonpeak.accounting.services import import_monitoring

        p = self._plan(plan)
        batch = import_monitoring(p, year)
        self.stdout.write(self.style.SUCCESS(f"imported {batch.rows if batch else 0} monitoring record(s) for {year} into {p.code}"))

    def _factors(self, factors_action: str, file: str | None = None, **_) -> None:
        from carbonpeak.accounting.models import FactorSet
        from carbonpeak.accounting.services import load_factor_sets

        if factors_action == "load":
            sets = load_factor_sets(file)
            self.stdout.write(self.style.SUCCESS(f"loaded {len(sets)} factor set(s): {', '.join(s.code for s in sets)}"))
        else:
            for fs in FactorSet.objects.all():
                self.stdout.write(f"{fs.code}\t{fs.version}\t{fs.valid_from_year}-{fs.valid_to_year}\t{fs.name_zh}")

    def _inventory(self, plan: str | None, factor_set: str | None, method: str, **_) -> None:
        from carbonpeak.accounting.services import inventory

        run = inventory(self._plan(plan), factor_set, method)
        self.stdout.write(json.dumps(run.result, ensure_ascii=False, indent=2))
