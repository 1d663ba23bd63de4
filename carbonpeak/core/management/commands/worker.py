"""`carbonpeak worker`: run the periodic jobs, queued jobs and the MQTT subscriber until stopped (see core/worker.py)."""

import signal
import threading

from django.core.management.base import BaseCommand

from carbonpeak.core import worker


class Command(BaseCommand):
    help = "Run the worker: scheduled jobs (alert evaluation), queued jobs and, with MQTT_HOST set, the MQTT subscriber."

    def handle(self, *args, **options) -> None:
        from django_q.brokers import get_broker
        from django_q.cluster import Cluster
        from django_q.scheduler import scheduler

        worker.ensure_schedules()
        stop = threading.Event()
        cluster = Cluster()  # installs its own SIGTERM/SIGINT handlers: ours below replace them
        cluster.start()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        scheduler(broker=get_broker())  # jobs due now are queued at once, not after the cluster's first 30 s
        mqtt = worker.run_mqtt(stop)
        self.stdout.write(self.style.SUCCESS(
            "worker running: " + ", ".join(f"{j.name} every {j.minutes} min" for j in worker.schedules())
            + (", MQTT subscriber" if mqtt else "")), ending="\n")
        self.stdout.flush()
        while not stop.wait(1):  # a timed wait lets the signal handlers run
            pass
        # A SIGTERM sent to the whole process group (systemd, `timeout`) kills django-q's sentinel too, and
        # Cluster.stop() would then wait for ever on the dead sentinel: stop only a sentinel still alive.
        cluster.sentinel.join(timeout=2)
        if cluster.sentinel.is_alive():
            cluster.stop()
        if mqtt:
            mqtt.join(timeout=10)
