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
from django.db import OperationalError

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
        try:
            if pred():
                return True
        except OperationalError:  # shared-cache in-memory test database: table briefly locked by the writer
            pass
        time.sleep(0.1)
    return False


def msg(k):
    return json.dumps({"readings": [{"meter": "MQ1", "ts": T0 + Q * k, "value": 100.0 + 5 * k}]})


@pytest.mark.skipif(not shutil.which("mosquitto") and not __import__("os").path.exists(MOSQUITTO),
                    reason="mosquitto not installed")
def test_mqtt_persistent_session_survives_broker_restarts(transactional_db, tmp_path):
    from carbonpeak.monitoring.mqtt import Subscriber

    site = Site.objects.create(code="ku-mq", name="MQ", kind="key_unit")
    meter = Meter.objects.create(site=site, code="MQ1", carrier="electricity", unit="kWh")
    broker = Broker(tmp_path)
    broker.start()

    def run_sub():
        stop = threading.Event()
        sub = Subscriber("127.0.0.1", broker.port, "carbonpeak/readings/#", "test-sub")
        th = threading.Thread(target=sub.run, args=(stop,), daemon=True)
        th.start()
        assert sub.connected.wait(10)
        return sub, stop, th

    try:
        sub, stop, th = run_sub()
        publish(broker.port, [msg(k) for k in range(10)] + [b"\xff not json", msg(3)])
        assert wait_for(lambda: MeterReading.objects.filter(meter=meter).count() == 10)
        assert wait_for(lambda: RejectedReading.objects.filter(source="mqtt").count() == 1)
        stop.set()
        th.join(10)

        # subscriber offline: messages are queued in its persistent session, then the broker restarts
        publish(broker.port, [msg(k) for k in range(10, 20)])
        time.sleep(1.5)
        broker.stop()
        broker.start()
        sub, stop, th = run_sub()
        ok = wait_for(lambda: MeterReading.objects.filter(meter=meter).count() == 20)
        assert ok, (MeterReading.objects.filter(meter=meter).count(), sub.messages, sub.result.as_dict())

        # broker restart while the subscriber is connected: it reconnects and goes on
        broker.stop()
        broker.start()
        assert wait_for(lambda: sub.connected.is_set(), 15)
        publish(broker.port, [msg(k) for k in range(20, 25)] + [msg(0)])  # plus a duplicate
        assert wait_for(lambda: MeterReading.objects.filter(meter=meter).count() == 25)
        stop.set()
        th.join(10)
    finally:
        broker.stop()
    # exact totals: 24 intervals of 5 kWh
    total = float(RollupHourly.rollup([meter.id]).qty.sum())
    assert total == 24 * 5.0
