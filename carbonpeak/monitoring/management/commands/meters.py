"""`carbonpeak meters ingest FILE | mqtt --host ... --topic ... | simulate --sites N --days D | gateway NAME`."""
from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm


class Command(BaseCommand):
    help = "Online energy monitoring: ingest readings (CSV, MQTT), simulate data, issue gateway tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("ingest", help="import a CSV file of meter,ts,value rows")
        p.add_argument("file")
        p.add_argument("--batch-size", type=int, default=100_000)
        p = sub.add_parser("mqtt", help="subscribe to an MQTT broker (QoS 1, persistent session)")
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=1883)
        p.add_argument("--topic", default="carbonpeak/readings/#")
        p.add_argument("--client-id", default="carbonpeak-monitoring")
        p = sub.add_parser("simulate", help="generate realistic 15-minute data and ingest it")
        p.add_argument("--sites", type=int, default=12)
        p.add_argument("--days", type=int, default=30)
        p.add_argument("--seed", type=int, default=0)
        p.add_argument("--prefix", default="sim-")
        p = sub.add_parser("gateway", help="issue a gateway token for the HTTP API")
        p.add_argument("name")
        scope = p.add_mutually_exclusive_group(required=True)  # the scope is always explicit
        scope.add_argument("--site", help="site code the gateway may write")
        scope.add_argument("--all-sites", action="store_true", help="the gateway may write every site of its plan")
        p.add_argument("--plan", help="the plan of an --all-sites gateway (default: the configured plan)")
        p = sub.add_parser("alerts", help="re-evaluate PUE, quota, EUI and reporting alerts")

    def handle(self, *args, action: str, **opts) -> None:
        getattr(self, f"do_{action}")(**opts)

    def do_ingest(self, file: str, batch_size: int, **_) -> None:
        from pathlib import Path

        from carbonpeak.monitoring.csvimport import ingest_csv
        from carbonpeak.monitoring.services import evaluate_alerts

        path = Path(file)
        if not path.exists():
            raise CommandError(f"{file}: no such file")
        with tqdm(desc=path.name, unit=" rows", unit_scale=True, disable=None) as bar:
            try:
                r = ingest_csv(path, batch_size=batch_size, progress=bar.update)
            except ValueError as exc:
                raise CommandError(str(exc)) from None
        evaluate_alerts()
        self.stdout.write(f"{path.name}: {r.received} rows, {r.inserted} stored, {r.duplicates} duplicates, "
                          f"{r.rejected} rejected, {r.flagged} flagged intervals, {r.batches} batches")
        for reason, n in sorted(r.reasons.items(), key=lambda kv: -kv[1]):
            self.stdout.write(f"  rejected {n:8d}  {reason}")

    def do_mqtt(self, host: str, port: int, topic: str, client_id: str, **_) -> None:
        from carbonpeak.monitoring.mqtt import Subscriber

        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *a: stop.set())
        sub = Subscriber(host, port, topic, client_id)
        self.stdout.write(f"subscribed to {topic} on {host}:{port} as {client_id} (QoS 1, persistent session)")
        sub.run(stop)
        r = sub.result
        self.stdout.write(f"{sub.messages} messages: {r.inserted} stored, {r.duplicates} duplicates, "
                          f"{r.rejected} rejected")

    def do_simulate(self, sites: int, days: int, seed: int, prefix: str, **_) -> None:
        from carbonpeak.monitoring.engine.simulate import make_fleet
        from carbonpeak.monitoring.services import evaluate_alerts, simulate
        from carbonpeak.plan.selectors import default_plan

        fleet = make_fleet(sites, seed=seed)
        total = len(fleet.meters) * days * 96
        with tqdm(total=total, desc="simulate", unit=" readings", unit_scale=True, disable=None) as bar:
            r = simulate(sites, days, seed=seed, plan=default_plan(), prefix=prefix, fleet=fleet,
                         progress=bar.update)
        n = evaluate_alerts()
        self.stdout.write(f"{len(fleet.sites)} sites, {len(fleet.meters)} meters: {r.inserted} readings stored, "
                          f"{r.flagged} flagged intervals, {n} active alerts")

    def do_gateway(self, name: str, site: str | None, all_sites: bool = False, plan: str | None = None, **_) -> None:
        from carbonpeak.monitoring.models import Gateway, Site
        from carbonpeak.plan.selectors import command_plan

        if site:
            s = Site.objects.filter(code=site).first()
            if s is None:
                raise CommandError(f"no site {site!r}")
            gw, token = Gateway.issue(name, site=s)
        else:
            gw, token = Gateway.issue(name, plan=command_plan(plan))
        self.stdout.write(f"gateway {gw.name}: token {token} (shown once; send as 'Authorization: Bearer ...')")

    def do_alerts(self, **_) -> None:
        from carbonpeak.monitoring.services import evaluate_alerts

        self.stdout.write(f"{evaluate_alerts()} active alerts")
