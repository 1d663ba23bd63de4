"""`carbonpeak review assess FILE.yaml --format json|table`: the review of one proposal file."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from carbonpeak.plan.selectors import command_plan
from carbonpeak.review import services
from carbonpeak.review.engine import ProposalError, RulesError, load_proposal
from carbonpeak.scenarios.engine import ScenarioError

SUMMARY = ("energy_tce", "co2_t", "intensity_impact_pct_points", "headroom_tce_before", "headroom_tce_after",
           "p_peak_by_2030_before", "p_peak_by_2030_after", "peak_year_p50_before", "peak_year_p50_after",
           "checks", "recommendation")


class Command(BaseCommand):
    help = "Project energy review (节能审查)"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--plan", help="plan code (default: the configured plan)")
        sub = parser.add_subparsers(dest="action", required=True)
        assess = sub.add_parser("assess", help="review a proposal YAML file")
        assess.add_argument("file")
        assess.add_argument("--format", choices=["json", "table"], default="table")
        assess.add_argument("--draws", type=int, default=services.DEFAULT_DRAWS)
        assess.add_argument("--seed", type=int, default=services.DEFAULT_SEED)
        assess.add_argument("--full", action="store_true", help="JSON: every figure, not only the summary")

    def handle(self, *args, action: str, plan: str | None = None, **options) -> None:
        the_plan = command_plan(plan)
        try:
            rules = services.rules(the_plan)
            p = load_proposal(options["file"], rules.sectors, rules.exceptions)
            result = services.assess(the_plan, p.to_dict(), file=options["file"], draws=options["draws"],
                                     seed=options["seed"])
        except ProposalError as exc:
            raise CommandError("\n".join(map(str, exc.errors))) from None
        except (RulesError, ScenarioError) as exc:
            raise CommandError(str(exc)) from None
        if options["format"] == "json":
            out = result if options["full"] else {k: result[k] for k in SUMMARY}
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
            return
        for key in SUMMARY[:-2]:
            self.stdout.write(f"{key:32s} {result[key]}")
        for c in result["checks"]:
            self.stdout.write(f"[{'✓' if c['passed'] else '✗'}] {c['rule']}: {c['detail']} — {c['source']}")
        self.stdout.write(f"recommendation: {result['recommendation']} ({'; '.join(result['reasons'])})")
