"""Crafted reading streams -> exact interval totals and flags."""
import numpy as np
import pytest

from carbonpeak.monitoring.engine.registers import (
    FLAG_GAP, FLAG_NEGATIVE, FLAG_ROLLOVER, FLAG_SPIKE, FLAG_SWAP, MeterParams, Swaps, intervals,
)

T0 = 1_704_038_400  # 2024-01-01 00:00 +08:00
Q = 900


def run(values, ts=None, meter=None, **kw):
    values = np.asarray(values, dtype=float)
    ts = np.asarray(ts if ts is not None else T0 + Q * np.arange(len(values)), dtype=np.int64)
    meter = np.asarray(meter if meter is not None else np.zeros(len(values)), dtype=np.int64)
    params = kw.pop("params", None) or MeterParams.uniform(int(meter.max(initial=0)) + 1, **{
        k: kw.pop(k) for k in list(kw) if k in ("cumulative", "interval_s", "register_max", "max_per_interval")})
    return intervals(meter, ts, values, params, **kw)


def test_plain_cumulative_totals():
    iv = run([100, 110, 125, 125, 140])
    assert iv.qty.tolist() == [10, 15, 0, 15]
    assert iv.valid_qty.sum() == 40
    assert not iv.flags.any()


def test_duplicates_and_out_of_order_give_same_result():
    vals = [100, 110, 125, 125, 140]
    ts = T0 + Q * np.arange(5)
    ref = run(vals)
    perm = [3, 0, 4, 1, 2, 3, 0]  # shuffled with duplicates
    iv = run(np.array(vals)[perm], ts=ts[perm])
    assert iv.qty.tolist() == ref.qty.tolist()
    assert iv.ts.tolist() == ref.ts.tolist()


def test_rollover_is_corrected_and_flagged():
    iv = run([99999990, 99999998, 3, 10], register_max=99999999)
    assert iv.qty.tolist() == [8, 5, 7]
    assert iv.valid_qty.sum() == 20
    assert iv.flags[1] == FLAG_ROLLOVER
    assert not iv.excluded.any()


def test_negative_delta_without_rollover_is_flagged_not_summed():
    # no register max: a drop is a negative delta, the recovery is a spike-sized jump
    iv = run([100, 110, 50, 120, 130])
    assert iv.qty.tolist() == [10, -60, 70, 10]
    assert iv.flags[1] & FLAG_NEGATIVE
    assert iv.excluded.tolist() == [False, True, False, False]
    assert iv.valid_qty.sum() == 90


def test_big_drop_is_not_taken_for_a_rollover():
    # register max 999999, drop of 500000 -> rolled delta 500000 > 10 % of range: negative
    iv = run([600000, 600010, 100010, 100020], register_max=999999)
    assert iv.flags[1] & FLAG_NEGATIVE and not iv.flags[1] & FLAG_ROLLOVER
    assert iv.valid_qty.sum() == 20


def test_meter_swap_with_old_final_and_new_initial():
    # old meter read 1000, 1010, final 1015 at removal; new meter installed at 5, reads 5+3, 5+10
    ts = T0 + Q * np.arange(5)
    swaps = Swaps(np.array([0]), np.array([ts[3]]), np.array([1015.0]), np.array([5.0]))
    iv = run([1000, 1010, 1020, 8, 15], ts=ts, swaps=swaps)
    # 1010->1020: 10 ; 1020->(final 1015)=-5?? -> the explicit final is authoritative
    assert iv.qty.tolist() == [10, 10, 1015 - 1020 + 3, 7]
    assert iv.flags[2] & FLAG_SWAP


def test_meter_swap_exact_total():
    ts = T0 + Q * np.arange(6)
    swaps = Swaps(np.array([0]), np.array([ts[3]]), np.array([1030.0]), np.array([0.0]))
    iv = run([1000, 1010, 1020, 4, 9, 20], ts=ts, swaps=swaps)
    assert iv.qty.tolist() == [10, 10, 14, 5, 11]
    assert iv.valid_qty.sum() == (1030 - 1000) + (20 - 0)
    assert iv.flags[2] == FLAG_SWAP


def test_gap_on_cumulative_register_is_held_back():
    ts = T0 + Q * np.array([0, 1, 2, 6, 7])
    iv = run([0, 10, 20, 60, 70], ts=ts)
    assert iv.flags.tolist() == [0, 0, FLAG_GAP, 0]
    assert iv.valid_qty.sum() == 30
    assert iv.qty[iv.excluded].sum() == 40  # held back, not lost


def test_gap_on_interval_meter_flags_but_keeps_value():
    ts = T0 + Q * np.array([0, 1, 2, 6, 7])
    iv = run([5, 5, 5, 5, 5], ts=ts, cumulative=False)
    assert len(iv) == 5
    assert iv.flags.tolist() == [0, 0, 0, FLAG_GAP, 0]
    assert iv.valid_qty.sum() == 25


def test_spike_relative_to_median():
    vals = np.cumsum([0] + [10] * 20 + [500] + [10] * 5).astype(float)
    iv = run(vals, spike_k=10, spike_min_samples=16)
    assert int((iv.flags & FLAG_SPIKE > 0).sum()) == 1
    assert iv.valid_qty.sum() == 250


def test_spike_physical_max():
    iv = run([0, 10, 20, 80, 90], max_per_interval=50.0)
    assert iv.flags.tolist() == [0, 0, FLAG_SPIKE, 0]
    assert iv.valid_qty.sum() == 30


def test_interval_meter_negative_and_garbage_free_totals():
    iv = run([1.5, 2.5, -1.0, 3.0], cumulative=False)
    assert iv.flags[2] == FLAG_NEGATIVE
    assert iv.valid_qty.sum() == 7.0


def test_baseline_reading_anchors_but_produces_nothing():
    # last stored reading (baseline) prepended by the caller
    iv = run([100, 110, 120, 130], baseline=[True, False, False, False])
    assert iv.qty.tolist() == [10, 10, 10]
    iv2 = run([7, 1, 2], cumulative=False, baseline=[True, False, False])
    assert iv2.qty.tolist() == [1, 2]
    assert iv2.dt.tolist() == [Q, Q]


def test_multiple_meters_are_independent():
    meter = [1, 0, 1, 0, 1, 0]
    ts = T0 + Q * np.array([0, 0, 1, 1, 2, 2])
    iv = run([500, 100, 505, 101, 515, 103], ts=ts, meter=meter)
    tot = np.bincount(iv.meter, weights=iv.valid_qty)
    assert tot.tolist() == [3, 15]


def test_empty():
    iv = run([])
    assert len(iv) == 0
