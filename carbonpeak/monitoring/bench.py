"""Monitoring benchmark figures (collected by `carbonpeak bench`).

* ingest_vs_raw_insert_ratio: the full pipeline (validate, dedupe, store, roll up) against a plain bulk insert
  of the same rows into the same reading table of the same database, chunk by chunk, side by side.
* ingest_readings_per_s_<vendor>: the pipeline's absolute throughput in the same run.
* overview_p95_ms / overview_p95_budget_ratio: the overview page and API over N meters x D days of 15-minute data
  (full run: ~2,000 meters x 365 days = 38M readings; quick: a scaled-down fleet); the ratio is the 100 ms budget
  over the slower of the two p95s (above 1: within budget, as every `*_budget_ratio` of the bench).
"""
from __future__ import annotations

import time

import numpy as np
from django.db import connection, transaction
from django.contrib.auth import get_user_model
from django.test import Client

from carbonpeak.monitoring.engine.simulate import generate, make_fleet
from carbonpeak.monitoring.ingest import READING_T, Pipeline, copy_binary, sqlite_insert, write_hours
from carbonpeak.monitoring.models import Site
from carbonpeak.monitoring.services import create_fleet, evaluate_alerts

PREFIX = "bench-"


def _raw_insert(m: np.ndarray, t: np.ndarray, v: np.ndarray) -> None:
    """The yardstick: the fastest plain bulk insert we know per database, the same writer the pipeline uses
    (binary COPY on PostgreSQL, multi-row INSERT statements on SQLite), with none of the pipeline's work."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            copy_binary(READING_T, ("meter_id", "ts", "value"), (m, t, v))
        else:
            sqlite_insert(READING_T, ("meter_id", "ts", "value"), (m, t, v))


def _cleanup() -> None:
    ids = list(Site.objects.filter(code__startswith=PREFIX).values_list("id", flat=True))
    if not ids:
        return
    with connection.cursor() as c:
        from carbonpeak.monitoring.models import Meter
        mids = list(Meter.objects.filter(site_id__in=ids).values_list("id", flat=True))
        for i in range(0, len(mids), 500):
            part = ",".join(map(str, mids[i:i + 500]))
            for table in (READING_T, "monitoring_rolluphourly", "monitoring_rollupdaily", "monitoring_rollupmonthly",
                          "monitoring_anomaly"):
                c.execute(f"DELETE FROM {table} WHERE meter_id IN ({part})")
    Site.objects.filter(id__in=ids).delete()


def _direct_rollups(fleet, meter_ids: np.ndarray, start: int, days: int) -> int:
    """Roll-ups of ``days`` of simulated 15-minute energy written straight into the hourly/daily/monthly tables
    (the readings themselves are never generated as rows): the overview's data at full scale in seconds.
    Returns the number of hourly rows."""
    from carbonpeak.monitoring.engine import rollup as ru
    from carbonpeak.monitoring.engine.simulate import _load_matrix

    per_day = 96
    n_hourly = 0
    daily_parts: list[ru.Rollup] = []
    for d0 in range(0, days, 7):
        k = np.arange(d0 * per_day + 1, min(days, d0 + 7) * per_day + 1)
        ts = start + k * 900
        e = _load_matrix(fleet, ts, np.random.default_rng([fleet.seed, d0]))
        n_m, n_t = e.shape
        meter = np.repeat(meter_ids, n_t)
        hourly = ru.rollup(meter, np.tile(ts, n_m), e.ravel(), np.zeros(n_m * n_t, dtype=bool), ru.HOUR)
        daily_parts.append(ru.coarsen(hourly, ru.DAY))
        with transaction.atomic():
            write_hours(ru.to_days(hourly), add=False)  # whole local days: the chunks start at a day0 midnight
        n_hourly += len(hourly)
    days_all = ru.Rollup(*(np.concatenate([getattr(r, f) for r in daily_parts]) for f in
                           ("meter", "bucket", "qty", "flagged_qty", "n", "n_flagged")))
    daily = ru.coarsen(days_all, ru.DAY)  # a day cut by the weekly chunks is summed back together
    with transaction.atomic():
        _write(ru.DAY, daily)
        _write(ru.MONTH, ru.coarsen(daily, ru.MONTH))
    return n_hourly


def _write(kind: str, r) -> None:
    from carbonpeak.monitoring.ingest import ROLLUP_T

    cols = ("meter_id", "bucket", "consumption", "flagged_consumption", "n", "n_flagged")
    arrays = (r.meter, r.bucket, r.qty, r.flagged_qty, r.n, r.n_flagged)
    if connection.vendor == "postgresql":
        copy_binary(ROLLUP_T[kind], cols, arrays, int4=(4, 5))
    else:
        sqlite_insert(ROLLUP_T[kind], cols, arrays)


def _p95(client: Client, url: str, n: int) -> float:
    client.get(url)  # warm up
    lat = []
    for _ in range(n):
        t0 = time.perf_counter()
        r = client.get(url)
        lat.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, (url, r.status_code)
    return float(np.percentile(lat, 95))


def _settle_wal() -> None:
    """On SQLite, checkpoint the write-ahead log (untimed) before each timed step.

    SQLite flushes the log to the database file once ~1000 pages have built up, inside whichever commit crosses
    that mark; without this, the pipeline's commits would pay for flushing the raw insert's pages too. Each side
    then starts from an empty log and neither is charged for the other's writes.
    """
    if connection.vendor == "sqlite":
        with connection.cursor() as c:
            c.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def figures(quick: bool) -> dict[str, float]:
    """Quick: 40 sites x 30 days through the pipeline, the overview over those readings' roll-ups.
    Full: the same ingest ratio on 286 sites (~1,000 meters) x 30 days, then the overview over roll-ups of
    1,000+ meters x 365 days of 15-minute data (35M readings' worth) generated directly as roll-ups."""
    _cleanup()
    vendor = connection.vendor
    n_sites, ratio_days = (40, 30) if quick else (286, 30)
    fleet = make_fleet(n_sites, seed=42)
    twin = make_fleet(n_sites, seed=42)
    now = int(time.time())
    end = now - now % 900
    start = end - ratio_days * 86400
    try:
        with transaction.atomic():
            ids = np.array(create_fleet(fleet, prefix=PREFIX), dtype=np.int64)
            raw_ids = np.array(create_fleet(twin, prefix=PREFIX + "raw-"), dtype=np.int64)
        pipe = Pipeline("sim", batch_size=200_000)
        t_pipe = t_raw = 0.0
        n_ratio = 0
        for m, t, v in generate(fleet, start, ratio_days, chunk_days=5):
            _settle_wal()
            t0 = time.perf_counter()
            pipe.ingest_ids(ids[m], t, v)
            t_pipe += time.perf_counter() - t0
            _settle_wal()
            t0 = time.perf_counter()
            for s in range(0, len(t), 200_000):
                _raw_insert(raw_ids[m[s:s + 200_000]], t[s:s + 200_000], v[s:s + 200_000])
            t_raw += time.perf_counter() - t0
            n_ratio += len(t)
        # the raw twin is only a yardstick: remove it before measuring pages
        with connection.cursor() as c:
            part = ",".join(map(str, raw_ids.tolist()))
            c.execute(f"DELETE FROM {READING_T} WHERE meter_id IN ({part})")
        Site.objects.filter(code__startswith=PREFIX + "raw-").delete()
        out = {
            "monitoring_ingest_vs_raw_insert_ratio": t_raw / t_pipe,
            f"monitoring_ingest_readings_per_s_{vendor}": n_ratio / t_pipe,
            f"monitoring_raw_insert_readings_per_s_{vendor}": n_ratio / t_raw,
        }
        if quick:
            scale = "quick_%dm_%dd_pipeline" % (len(ids), ratio_days)
            equiv = n_ratio
        else:
            big = make_fleet(286, seed=43)
            with transaction.atomic():
                big_ids = np.array(create_fleet(big, prefix=PREFIX + "ov-"), dtype=np.int64)
                Site.objects.filter(code__startswith=PREFIX + "ov-").update(last_seen_ts=end)
            from carbonpeak.monitoring.engine.rollup import DAY, bucket_start

            day0 = int(bucket_start(np.array([end - 365 * 86400]), DAY, closing=False)[0])  # chunks never cut an hour
            n_hourly = _direct_rollups(big, big_ids, day0, 365)
            out["monitoring_overview_hourly_rollup_values"] = float(n_hourly)
            scale = "%dm_365d_rollups_generated_directly" % (len(ids) + len(big_ids))
            equiv = len(big_ids) * 365 * 96 + n_ratio
        evaluate_alerts()
        client = Client()  # the overview is enterprise data: members only (a superuser sees every plan's sites)
        client.force_login(get_user_model().objects.get_or_create(
            username=PREFIX + "monitoring", defaults={"is_superuser": True})[0])
        n = 15 if quick else 40
        page = _p95(client, "/monitoring/", n)
        api = _p95(client, "/api/monitoring/overview", n)
        out |= {
            f"monitoring_overview_readings_equivalent_{scale}": float(equiv),
            f"monitoring_overview_page_p95_ms_{scale}": page,
            f"monitoring_overview_api_p95_ms_{scale}": api,
            "monitoring_overview_p95_budget_ratio": 100.0 / max(page, api),
        }
    finally:
        _cleanup()
        get_user_model().objects.filter(username=PREFIX + "monitoring").delete()
    return out
