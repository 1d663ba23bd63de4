"""`carbonpeak bench [--quick] [--json] [--only APP]`: every app's benchmark figures in one JSON object.

Each app's (and core's) `bench.figures(quick)` returns named figures measured side by side in this same run (ratios, never a
lone absolute time), so they compare across machines.
"""

import json
import time
from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the benchmarks of every domain app and print their figures."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quick", action="store_true", help="smaller sizes: finishes in under a minute")
        parser.add_argument("--json", action="store_true", dest="as_json", help="print one JSON object")
        parser.add_argument("--only", action="append", help="only this app (repeatable)")

    def handle(self, *args, quick: bool, as_json: bool, only: list[str] | None, **options) -> None:
        figures: dict[str, float] = {}
        for app in ["core", *settings.DOMAIN_APPS]:  # core: the pages on the production server
            if only and app not in only:
                continue
            if not find_spec(f"carbonpeak.{app}.bench"):
                continue
            started = time.perf_counter()
            figures.update(import_module(f"carbonpeak.{app}.bench").figures(quick))
            self.stderr.write(f"bench {app}: {time.perf_counter() - started:.1f}s")
        if as_json:
            self.stdout.write(json.dumps(figures, indent=2, sort_keys=True))
        else:
            for name, value in sorted(figures.items()):
                self.stdout.write(f"{name:50s} {value:12.4g}")

