"""MQTT subscriber: QoS 1, persistent session, messages acknowledged only after the database commit.

Payloads are JSON (one reading, a list, or {"readings": [...]}) and go through the shared pipeline.
A payload that cannot be parsed is kept as a RejectedReading and acknowledged (a poison message
must not be redelivered forever). A database that is locked or down is waited for, however long: the
message is retried until it is stored or the subscriber is stopped, and a message not stored is not
acknowledged, so the broker hands it over again on the next connection. A message the database refuses
(a meter deleted since the catalog was read) is tried once more with a fresh catalog, then kept as a
RejectedReading and acknowledged. The thread dies of none of these.
"""
from __future__ import annotations

import logging
import sqlite3
import threading

import paho.mqtt.client as mqtt
import psycopg
from django.db import OperationalError, close_old_connections, connection, transaction

from carbonpeak.monitoring.ingest import IngestResult, Pipeline, Reject, parse_payload, store_rejects

log = logging.getLogger(__name__)

# The pipeline writes through the driver's own connection too (SQLite inserts, PostgreSQL COPY), whose errors
# Django does not wrap: a locked or unreachable database shows up as any of these.
UNAVAILABLE = (OperationalError, sqlite3.OperationalError, psycopg.OperationalError)
RETRY_FIRST, RETRY_MAX = 0.05, 2.0  # seconds between tries to store a message while the database refuses it


class Subscriber:
    def __init__(self, host: str, port: int, topic: str, client_id: str, *, keepalive: int = 30) -> None:
        self.host, self.port, self.topic = host, port, topic
        self.result = IngestResult()
        self.messages = 0
        self.retries = 0  # times a message found the database locked or down
        self._stop = threading.Event()
        self.pipeline: Pipeline | None = None
        self.connected = threading.Event()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=False,
                                  manual_ack=True)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.on_disconnect = self._on_disconnect
        self.client.reconnect_delay_set(min_delay=1, max_delay=5)
        self.keepalive = keepalive

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            log.warning("MQTT connect failed: %s", reason_code)
            return
        # (re)subscribe every time: harmless with a persistent session, needed if the broker lost it
        client.subscribe(self.topic, qos=1)
        self.connected.set()

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        self.connected.clear()

    def _on_message(self, client, userdata, msg) -> None:
        if self._store(msg):
            # committed: now the broker may forget the message
            client.ack(msg.mid, msg.qos)
            self.messages += 1

    def _store(self, msg) -> bool:
        """Store one message; False when the subscriber was stopped before the database took it.

        A locked or unreachable database is waited for. A message the database refuses (e.g. for a meter deleted
        since the catalog was read: its foreign key fails at commit) is tried once more with a fresh pipeline,
        then kept as a rejected reading and acknowledged: a poison message redelivered for ever would hold up
        every message behind it."""
        delay = RETRY_FIRST
        refusals, reason = 0, ""
        while True:
            close_old_connections()
            try:
                self.result.add(self._reject(msg, reason) if reason else self._ingest(msg))
                return True
            except UNAVAILABLE as exc:  # locked (SQLite) or unreachable: transient, wait for it
                self.retries += 1
                log.warning("MQTT message on %s not stored yet (%s): retrying in %.1f s", msg.topic, exc, delay)
            except Exception as exc:  # noqa: BLE001 - a message the database refuses must not end the subscriber
                refusals += 1
                if refusals > 2:
                    raise  # not even its reject could be stored: run() logs it and goes on
                if refusals == 1:
                    log.warning("MQTT message on %s refused (%r): once more with a fresh catalog", msg.topic, exc)
                    self.pipeline = None
                else:
                    log.error("MQTT message on %s refused again: kept as a rejected reading", msg.topic,
                              exc_info=exc)
                    reason = f"not stored: {type(exc).__name__}: {exc}"
                continue
            if self._stop.wait(delay):
                log.warning("MQTT subscriber stopped: the message on %s stays with the broker", msg.topic)
                return False
            delay = min(delay * 2, RETRY_MAX)

    def _ingest(self, msg) -> IngestResult:
        if self.pipeline is None:
            self.pipeline = Pipeline("mqtt")
        try:
            records = parse_payload(msg.payload)
        except ValueError as exc:
            return self._reject(msg, str(exc))
        return self.pipeline.ingest_records(records, ref=msg.topic)

    @staticmethod
    def _reject(msg, reason: str) -> IngestResult:
        """The whole message as one rejected reading (shown on the rejects page with its reason)."""
        result = IngestResult()
        with transaction.atomic():
            store_rejects("mqtt", [Reject(reason[:200], msg.payload[:2000].decode("utf-8", "replace"), "",
                                          msg.topic)], result)
        return result

    def run(self, stop: threading.Event | None = None) -> None:
        """Connect and process messages until ``stop`` is set (reconnects automatically)."""
        stop = self._stop = stop or threading.Event()
        # the network loop (and so every database write) runs in this thread, which closes its database
        # connection on the way out: no session is left open when the subscriber stops
        watcher = threading.Thread(target=lambda: (stop.wait(), self.client.disconnect()), daemon=True)
        watcher.start()
        self.client.connect_async(self.host, self.port, keepalive=self.keepalive)
        try:
            while not stop.is_set():
                try:
                    self.client.loop_forever(retry_first_connection=True)
                except Exception:  # noqa: BLE001 - the subscriber outlives any one message
                    log.exception("MQTT subscriber: error in the network loop; going on")
                    stop.wait(1)
        finally:
            connection.close()
