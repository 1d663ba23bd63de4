"""The worker: long-running and scheduled work beside the web server (`carbonpeak worker`, started by `up`).

Job library: django-q2 with its ORM broker. Jobs and schedules are rows in the platform's own database, so the
worker works the same on the zero-set-up SQLite and on PostgreSQL, needs no Redis, and the schedules and job
results show in the admin. (Huey would need its own SQLite file beside a PostgreSQL deployment.)

Periodic jobs are declared in ``SCHEDULES`` and written to the database each time the worker starts. The MQTT
subscriber is not a job but a connection held open: the worker runs it in a thread when ``MQTT_URL`` is set.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from django.conf import settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Periodic:
    name: str
    func: str
    """Dotted path of a function without arguments."""
    minutes: int


def schedules() -> list[Periodic]:
    """The periodic jobs (read from settings each call, so a test or a deployment may change the periods)."""
    return [
        Periodic("monitoring alerts", "carbonpeak.monitoring.services.evaluate_alerts", settings.WORKER_ALERTS_MINUTES),
        Periodic("reporting reminders", "carbonpeak.tracking.reminders.send_scheduled_reminders",
                 settings.WORKER_REMINDERS_MINUTES),
    ]


def ensure_schedules() -> None:
    """Write the periodic jobs to django-q's schedule table; a job whose period changed keeps its next run."""
    from django_q.models import Schedule

    for job in schedules():
        Schedule.objects.update_or_create(
            name=job.name,
            defaults={"func": job.func, "schedule_type": Schedule.MINUTES, "minutes": job.minutes, "repeats": -1},
        )


def run_mqtt(stop: threading.Event) -> threading.Thread | None:
    """Start the MQTT subscriber (settings.MQTT_HOST, MQTT_PORT, MQTT_TOPIC) in a thread until ``stop`` is set;
    None when no broker is configured."""
    if not settings.MQTT_HOST:
        return None
    from carbonpeak.monitoring.mqtt import Subscriber

    subscriber = Subscriber(settings.MQTT_HOST, settings.MQTT_PORT, settings.MQTT_TOPIC, "carbonpeak-worker")
    thread = threading.Thread(target=subscriber.run, args=(stop,), name="mqtt", daemon=True)
    thread.start()
    log.warning("worker: subscribed to %s on %s:%s", settings.MQTT_TOPIC, settings.MQTT_HOST, settings.MQTT_PORT)
    return thread
