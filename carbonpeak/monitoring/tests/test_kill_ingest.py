"""kill -9 in the middle of a CSV ingest leaves no half batch; re-running completes with exact totals."""
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from carbonpeak.monitoring.engine.rollup import unpack_days

REPO = Path(__file__).resolve().parents[3]
T0 = 1_577_808_000  # 2020-01-01 00:00 +08:00
N_METERS, N_PER_METER, BATCH = 5, 40_000, 10_000


def run(env, *args, **kw):
    return subprocess.run([sys.executable, "-m", "carbonpeak", *args], env=env, cwd=REPO, check=True,
                          capture_output=True, text=True, **kw)


def counts(db):
    con = sqlite3.connect(db, timeout=30)
    try:
        n = con.execute("SELECT COUNT(*) FROM monitoring_meterreading").fetchone()[0]
        rows = con.execute("SELECT meter_id, day, hours FROM monitoring_rolluphourly").fetchall()
        h = unpack_days([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]).to_rollup()
        hn, hc = int(h.n.sum()), float(h.qty.sum())
        m = con.execute("SELECT COUNT(DISTINCT meter_id) FROM monitoring_meterreading").fetchone()[0]
        return n, hn, hc, m
    finally:
        con.close()


def test_sigkill_mid_ingest(tmp_path):
    env = dict(os.environ, CARBONPEAK_HOME=str(tmp_path), DJANGO_SETTINGS_MODULE="carbonpeak.settings")
    env.pop("DATABASE_URL", None)
    db = tmp_path / "carbonpeak.sqlite3"
    run(env, "migrate", "-v0")
    run(env, "shell", "-c",
        "from carbonpeak.monitoring.models import Site, Meter\n"
        "s = Site.objects.create(code='k', name='K', kind='key_unit')\n"
        f"[Meter.objects.create(site=s, code=f'K{{i}}', carrier='electricity', unit='kWh') for i in range({N_METERS})]")
    csv = tmp_path / "big.csv"
    with csv.open("w") as fh:
        fh.write("meter,ts,value\n")
        for k in range(N_PER_METER):
            for i in range(N_METERS):
                fh.write(f"K{i},{T0 + 900 * k},{1000 + 2 * k}\n")
    proc = subprocess.Popen([sys.executable, "-m", "carbonpeak", "meters", "ingest", str(csv),
                             "--batch-size", str(BATCH)], env=env, cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if counts(db)[0] >= 2 * BATCH:
                break
        except sqlite3.OperationalError:
            pass
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    n, hn, hc, m = counts(db)
    total = N_METERS * N_PER_METER
    assert 0 < n < total, "kill came too late to test anything"
    assert n % BATCH == 0  # whole batches only
    assert hn == n - m and hc == 2.0 * (n - m)  # roll-ups match the stored readings exactly
    run(env, "meters", "ingest", str(csv), "--batch-size", str(BATCH))  # resend: finishes the job
    n, hn, hc, m = counts(db)
    assert (n, hn, hc) == (total, total - N_METERS, 2.0 * (total - N_METERS))
