"""`carbonpeak scenario run NAME [--draws N] [--seed S] [--format json|table] | list | copy NAME NEW | backtest`."""

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from carbonpeak.plan.models import Plan
from carbonpeak.plan.selectors import plan_or_default
from carbonpeak.scenarios import engine, services
from carbonpeak.scenarios.models import Scenario


class Command(BaseCommand):
    help = "Run, list and copy carbon peak scenarios (Monte Carlo projections of energy and CO2)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--plan", help="plan code (default: the configured plan)")
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="project a scenario and print its peak statistics")
        run.add_argument("name", help="scenario slug or name")
        run.add_argument("--draws", type=int, default=services.DEFAULT_DRAWS)
        run.add_argument("--seed", type=int, default=services.DEFAULT_SEED)
        run.add_argument("--format", choices=["json", "table"], default="table")
        run.add_argument("--no-cache", action="store_true", help="recompute even if a cached run exists")
        sub.add_parser("list", help="list the plan's scenarios (creates baseline and plan if missing)")
        copy = sub.add_parser("copy", help="copy a scenario under a new name (a custom scenario)")
        copy.add_argument("name")
        copy.add_argument("new")
        bt = sub.add_parser("backtest", help="run the shipped back-test (earlier base year vs later actuals)")
        bt.add_argument("--draws", type=int, default=1000)
        bt.add_argument("--seed", type=int, default=services.DEFAULT_SEED)

    def handle(self, *args, action: str, plan: str | None = None, **options) -> None:
        the_plan = plan_or_default(plan)
        if action == "backtest":
            self.stdout.write(json.dumps(services.backtest(options["draws"], options["seed"], the_plan), indent=2))
            return
        if the_plan is None:
            raise CommandError(f"no plan {plan!r} is loaded" if plan else
                               "no plan is loaded: run `carbonpeak plan load plans/<plan>.yaml` first")
        services.ensure_defaults(the_plan)
        try:
            getattr(self, f"_{action}")(the_plan, **options)
        except engine.ScenarioError as exc:
            raise CommandError(str(exc)) from exc

    def _get(self, plan: Plan, name: str) -> Scenario:
        sc = services.find(plan, name)
        if sc is None:
            names = ", ".join(Scenario.objects.filter(plan=plan).values_list("slug", flat=True))
            raise CommandError(f"no scenario {name!r} in plan {plan.code}; scenarios: {names}")
        return sc

    def _run(self, plan: Plan, name: str, draws: int, seed: int, format: str, no_cache: bool = False, **_) -> None:
        sc = self._get(plan, name)
        run = services.run(sc, draws=draws, seed=seed, use_cache=not no_cache)
        r = run.result
        if format == "json":
            self.stdout.write(json.dumps(r, ensure_ascii=False, indent=1))
            return
        pk = r["peak"]
        self.stdout.write(f"scenario {sc.slug} v{sc.version}: {r['draws']} draws, seed {r['seed']}, "
                          f"base {r['base_year']} ({r['base_source']}), {run.elapsed_s:.2f} s")
        self.stdout.write(f"P(peak <= {pk['by']}) = {pk['p_peak_by']:.3f}; peak year P10/P50/P90 = "
                          f"{pk['peak_year_p10'] or '-'} / {pk['peak_year_p50'] or '>' + str(r['horizon'])} / "
                          f"{pk['peak_year_p90'] or '>' + str(r['horizon'])}; peak value P50 = "
                          f"{pk['peak_value_p50'] / 1e4:,.1f} 万tCO2")
        self.stdout.write(f"{'year':>6} {'CO2 P10':>10} {'CO2 P50':>10} {'CO2 P90':>10} {'energy P50':>11} "
                          f"{'tce/万元':>9}   (万t, 万tce)")
        b = r["bands"]
        for i, year in enumerate(r["years"]):
            self.stdout.write(f"{year:>6} {b['co2']['p10'][i] / 1e4:>10.1f} {b['co2']['p50'][i] / 1e4:>10.1f} "
                              f"{b['co2']['p90'][i] / 1e4:>10.1f} {b['energy']['p50'][i] / 1e4:>11.1f} "
                              f"{b['energy_intensity']['p50'][i]:>9.4f}")
        if r.get("wedges", {}).get("wedges"):
            last = {k: v[-1] / 1e4 for k, v in r["wedges"]["wedges"].items()}
            self.stdout.write(f"wedges in {r['years'][-1]} (万t vs no measures): "
                              + ", ".join(f"{k} {v:.1f}" for k, v in last.items()))
        for note in r.get("notes", []):
            self.stdout.write(f"note: {note}")

    def _list(self, plan: Plan, **_) -> None:
        for sc in Scenario.objects.filter(plan=plan).order_by("id"):
            last = sc.runs.filter(version=sc.version).first()
            p = f"P(peak<=2030)={last.p_peak_by:.2f}" if last else "not run"
            self.stdout.write(f"{sc.slug}\t{sc.kind}\tv{sc.version}\t{sc.name}\t{p}")

    def _copy(self, plan: Plan, name: str, new: str, **_) -> None:
        sc = self._get(plan, name)
        copy = services.copy_scenario(sc, new)
        self.stdout.write(self.style.SUCCESS(f"copied {sc.slug} to {copy.slug} (v{copy.version})"))
