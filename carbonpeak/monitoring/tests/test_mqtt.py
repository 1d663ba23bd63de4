"""The MQTT subscriber against a real Mosquitto broker, including broker restarts.

The test runs its own broker on a free port with persistence in a temporary directory, so the shared
broker on 1883 is never touched.
"""
import getpass
import json
import shutil
import socket
import subprocess
import threading
import time

import paho.mqtt.client as mqtt
import pytest
from django.db import connection, transaction

from carbonpeak.monitoring.models import Meter, MeterReading, RejectedReading, RollupHourly, Site

from .conftest import Q, T0

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Broker:
    def __init__(self, tmp_path):
        self.port = free_port()
        self.conf = tmp_path / "mosquitto.conf"
        (tmp_path / "data").mkdir()
        self.conf.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence true\n"
            f"persistence_location {tmp_path / 'data'}/\nautosave_interval 1\nmax_queued_messages 10000\n"
            # mosquitto started as root drops to user "mosquitto", which cannot write pytest's tmp dir
            f"user {getpass.getuser()}\n")
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen([MOSQUITTO, "-c", str(self.conf)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("mosquitto did not start")

    def stop(self):
        self.proc.terminate()  # SIGTERM: mosquitto writes its persistence file
        self.proc.wait(10)


def publish(port, payloads):
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="test-pub")
    c.connect("127.0.0.1", port)
    c.loop_start()
    for p in payloads:
        c.publish("carbonpeak/readings/gw1", p, qos=1).wait_for_publish(5)
    c.disconnect()
    c.loop_stop()


def wait_for(pred, timeout=20):
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.1)
    return False


def start_subscriber(broker):
    from carbonpeak.monitoring.mqtt import Subscriber

    stop = threading.Event()
    sub = Subscriber("127.0.0.1", broker.port, "carbonpeak/readings/#", "test-sub")
    th = threading.Thread(target=sub.run, args=(stop,), daemon=True)
    th.start()
    assert sub.connected.wait(10)
    return sub, stop, th


def msg(k):
    return json.dumps({"readings": [{"meter": "MQ1", "ts": T0 + Q * k, "value": 100.0 + 5 * k}]})


@pytest.mark.skipif(not shutil.which("mosquitto") and not __import__("os").path.exists(MOSQUITTO),
                    reason="mosquitto not installed")
def test_mqtt_persistent_session_survives_broker_restarts(transactional_db, tmp_path):
    site = Site.objects.create(code="ku-mq", name="MQ", kind="key_unit")
    meter = Meter.objects.create(site=site, code="MQ1", carrier="electricity", unit="kWh")
    broker = Broker(tmp_path)
    broker.start()

    def run_sub():
        return start_subscriber(broker)

    try:
        sub, stop, th = run_sub()
        publish(broker.port, [msg(k) for k in range(10)] + [b"\xff not json", msg(3)])
        # wait on the subscriber's count of stored (acknowledged) messages, then read the database once:
        # polling the table meanwhile would compete with the writer for SQLite's table locks
        assert wait_for(lambda: sub.messages == 12)
        assert MeterReading.objects.filter(meter=meter).count() == 10
        assert RejectedReading.objects.filter(source="mqtt").count() == 1
        stop.set()
        th.join(10)

        # subscriber offline: messages are queued in its persistent session, then the broker restarts
        publish(broker.port, [msg(k) for k in range(10, 20)])
        time.sleep(1.5)
        broker.stop()
        broker.start()
        sub, stop, th = run_sub()
        assert wait_for(lambda: sub.messages == 10), (sub.messages, sub.retries, sub.result.as_dict())
        assert MeterReading.objects.filter(meter=meter).count() == 20

        # broker restart while the subscriber is connected: it reconnects and goes on
        broker.stop()
        broker.start()
        assert wait_for(lambda: sub.connected.is_set(), 15)
        publish(broker.port, [msg(k) for k in range(20, 25)] + [msg(0)])  # plus a duplicate
        assert wait_for(lambda: sub.messages == 16), (sub.messages, sub.retries, sub.result.as_dict())
        assert MeterReading.objects.filter(meter=meter).count() == 25
        stop.set()
        th.join(10)
    finally:
        broker.stop()
    # exact totals: 24 intervals of 5 kWh
    total = float(RollupHourly.rollup([meter.id]).qty.sum())
    assert total == 24 * 5.0


@pytest.mark.skipif(not shutil.which("mosquitto") and not __import__("os").path.exists(MOSQUITTO),
                    reason="mosquitto not installed")
def test_a_locked_database_is_waited_for_and_a_message_not_stored_is_not_acknowledged(transactional_db, tmp_path):
    """The table is locked by another writer: the subscriber keeps trying (its thread does not die), and when it
    is stopped meanwhile the message stays with the broker and reaches the next subscriber, stored once."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite refuses a locked table at once; PostgreSQL's writer waits on the row lock instead")
    site = Site.objects.create(code="ku-lk", name="LK", kind="key_unit")
    meter = Meter.objects.create(site=site, code="MQ1", carrier="electricity", unit="kWh")
    broker = Broker(tmp_path)
    broker.start()
    try:
        sub, stop, th = start_subscriber(broker)
        with transaction.atomic():  # holds the readings table's write lock until the block ends
            with connection.cursor() as c:
                c.execute(f"INSERT INTO {MeterReading._meta.db_table} (meter_id, ts, value) VALUES (%s, %s, %s)",
                          [meter.id, T0 - Q, 1.0])
            publish(broker.port, [msg(0)])
            assert wait_for(lambda: sub.retries >= 3), sub.retries  # past the first tries, still at it
            assert th.is_alive() and sub.messages == 0
            stop.set()
            th.join(5)
            assert not th.is_alive()
            transaction.set_rollback(True)
        assert sub.messages == 0 and not MeterReading.objects.filter(meter=meter).exists()

        sub, stop, th = start_subscriber(broker)  # same client id: the broker hands the message over again
        assert wait_for(lambda: sub.messages == 1), (sub.messages, sub.retries)
        stop.set()
        th.join(5)
    finally:
        broker.stop()
    assert list(MeterReading.objects.filter(meter=meter).values_list("ts", "value")) == [(T0, 100.0)]


@pytest.mark.skipif(not shutil.which("mosquitto") and not __import__("os").path.exists(MOSQUITTO),
                    reason="mosquitto not installed")
def test_a_message_the_database_refuses_is_kept_as_a_reject_and_the_subscriber_goes_on(transactional_db, tmp_path):
    """A meter deleted while the subscriber runs: its next reading fails the foreign key at commit (the
    subscriber's catalog still knows the meter). The message is tried again with a fresh catalog, rejected as an
    unknown meter and acknowledged; the subscriber lives on and stores the next message."""
    site = Site.objects.create(code="ku-del", name="DEL", kind="key_unit")
    kept = Meter.objects.create(site=site, code="MQ1", carrier="electricity", unit="kWh")
    doomed = Meter.objects.create(site=site, code="MQ2", carrier="electricity", unit="kWh")
    broker = Broker(tmp_path)
    broker.start()
    try:
        sub, stop, th = start_subscriber(broker)
        publish(broker.port, [msg(0), json.dumps({"meter": "MQ2", "ts": T0, "value": 1.0})])
        assert wait_for(lambda: sub.messages == 2), (sub.messages, sub.result.as_dict())
        doomed_id = doomed.pk
        doomed.delete()
        publish(broker.port, [json.dumps({"meter": "MQ2", "ts": T0 + Q, "value": 2.0}), msg(1)])
        assert wait_for(lambda: sub.messages == 4), (sub.messages, sub.result.as_dict())
        assert th.is_alive()
        stop.set()
        th.join(10)
    finally:
        broker.stop()
    assert MeterReading.objects.filter(meter=kept).count() == 2
    with connection.cursor() as c:  # no orphan reading of the deleted meter
        c.execute(f"SELECT COUNT(*) FROM {MeterReading._meta.db_table} WHERE meter_id = %s", [doomed_id])
        assert c.fetchone()[0] == 0
    assert list(RejectedReading.objects.values_list("meter_code", "reason")) == [("MQ2", "unknown meter")]
