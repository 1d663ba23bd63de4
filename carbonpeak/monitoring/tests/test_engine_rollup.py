import numpy as np

from carbonpeak.monitoring.engine import rollup as ru
from carbonpeak.monitoring.engine.rollup import DAY, HOUR, MONTH, bucket_start, next_bucket, rollup

T0 = 1_704_038_400  # 2024-01-01 00:00 +08:00


def test_bucket_boundaries_local_time():
    # reading at 01:00 local closes 00:45-01:00 -> hour 00
    assert bucket_start(np.array([T0 + 3600]), HOUR).tolist() == [T0]
    assert bucket_start(np.array([T0 + 3601]), HOUR).tolist() == [T0 + 3600]
    # midnight reading belongs to the previous day / month
    assert bucket_start(np.array([T0]), DAY).tolist() == [T0 - 86400]
    assert bucket_start(np.array([T0]), MONTH).tolist() == [T0 - 31 * 86400]
    feb = T0 + 31 * 86400
    assert bucket_start(np.array([feb + 900]), MONTH).tolist() == [feb]
    assert next_bucket(np.array([T0]), MONTH).tolist() == [feb]
    assert next_bucket(np.array([feb]), MONTH).tolist() == [feb + 29 * 86400]  # 2024 leap year


def test_rollup_exact_sums_and_flag_counts():
    ts = T0 + 900 * np.arange(1, 9)  # two hours of 15-min intervals
    meter = np.array([0, 0, 0, 0, 0, 0, 0, 0])
    qty = np.array([1, 2, 3, 4, 5, 6, 7, 8], dtype=float)
    excl = np.array([0, 0, 1, 0, 0, 0, 0, 0], dtype=bool)
    r = rollup(meter, ts, qty, excl, HOUR)
    assert r.bucket.tolist() == [T0, T0 + 3600]
    assert r.qty.tolist() == [7, 26]
    assert r.flagged_qty.tolist() == [3, 0]
    assert r.n.tolist() == [4, 4] and r.n_flagged.tolist() == [1, 0]
    d = rollup(np.r_[meter, [3]], np.r_[ts, [T0 + 86400 * 40]], np.r_[qty, [9.0]], np.r_[excl, [False]], MONTH)
    assert d.meter.tolist() == [0, 3]
    assert d.qty.tolist() == [33, 9]


def test_days_pack_unpack_and_add_are_exact():
    from carbonpeak.monitoring.engine.rollup import add_days, pack_days, to_days, unpack_days

    rng = np.random.default_rng(3)
    t0 = 1_704_038_400  # local midnight
    ts = t0 + 900 * np.arange(1, 3 * 96 + 1)
    meter = np.r_[np.full(len(ts), 7), np.full(len(ts), 9)]
    ts2 = np.r_[ts, ts]
    qty = rng.random(len(ts2)) * 10
    excl = np.zeros(len(ts2), bool)
    excl[[5, 400]] = True
    hourly = ru.rollup(meter, ts2, qty, excl, ru.HOUR)
    days = to_days(hourly)
    assert len(days) == 6 and days.meter.tolist() == [7, 7, 7, 9, 9, 9]
    back = days.to_rollup()
    for f in ("meter", "bucket", "qty", "flagged_qty", "n", "n_flagged"):
        assert np.array_equal(getattr(back, f), getattr(hourly, f)), f
    blobs = pack_days(days)
    assert sorted({len(b) for b in blobs}) == [240, 480]
    again = unpack_days(days.meter, days.day, blobs).to_rollup()
    for f in ("meter", "bucket", "qty", "flagged_qty", "n", "n_flagged"):
        assert np.array_equal(getattr(again, f), getattr(hourly, f)), f
    # split a stream in the middle of an hour: stored + new equals the whole
    cut = 130
    a = to_days(ru.rollup(meter[:cut], ts2[:cut], qty[:cut], excl[:cut], ru.HOUR))
    b = to_days(ru.rollup(meter[cut:], ts2[cut:], qty[cut:], excl[cut:], ru.HOUR))
    both = add_days(a, b).to_rollup()
    assert np.array_equal(both.bucket, hourly.bucket) and np.array_equal(both.n, hourly.n)
    assert np.allclose(both.qty, hourly.qty)
