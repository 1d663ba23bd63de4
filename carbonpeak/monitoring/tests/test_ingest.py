"""The shared pipeline on crafted streams: exact stored readings, roll-ups and rejects."""
import json

import numpy as np
import pytest
from django.db.models import Sum

from carbonpeak.monitoring.csvimport import ingest_csv
from carbonpeak.monitoring.ingest import Pipeline
from carbonpeak.monitoring.models import (
    Anomaly, Meter, MeterReading, MeterSwap, RejectedReading, RollupDaily, RollupHourly, RollupMonthly,
)

from .conftest import Q, T0


def rec(code, k, value):
    return {"meter": code, "ts": T0 + Q * k, "value": value}


def hourly(meter):
    return RollupHourly.rollup([meter.id])


def totals(meter):
    h = hourly(meter)
    out = {"RollupHourly": (float(h.qty.sum()), float(h.flagged_qty.sum()), int(h.n.sum()), int(h.n_flagged.sum()))}
    for model in (RollupDaily, RollupMonthly):
        agg = model.objects.filter(meter=meter).aggregate(c=Sum("consumption"), f=Sum("flagged_consumption"),
                                                          n=Sum("n"), nf=Sum("n_flagged"))
        out[model.__name__] = (agg["c"] or 0.0, agg["f"] or 0.0, agg["n"] or 0, agg["nf"] or 0)
    assert len(set(out.values())) == 1, out  # all three levels agree
    return out["RollupHourly"]


def test_duplicates_and_resend_change_nothing(meters):
    p = Pipeline("api")
    stream = [rec("M1", k, 1000 + 10 * k) for k in range(200)]
    r1 = p.ingest_records(stream)
    assert (r1.inserted, r1.duplicates, r1.rejected) == (200, 0, 0)
    assert totals(meters["main"]) == (1990.0, 0.0, 199, 0)
    r2 = p.ingest_records(stream + stream[:50])
    assert (r2.inserted, r2.duplicates) == (0, 250)
    assert totals(meters["main"]) == (1990.0, 0.0, 199, 0)
    assert MeterReading.objects.count() == 200


def test_out_of_order_equals_in_order(meters):
    stream = [rec("M1", k, 1000 + 10 * k + (k % 7)) for k in range(300)]
    Pipeline("api").ingest_records(stream)
    ref = totals(meters["main"])
    ref_hourly = hourly(meters["main"])
    for model in (MeterReading, RollupHourly, RollupDaily, RollupMonthly):
        model.objects.all().delete()
    rng = np.random.default_rng(1)
    parts = np.array_split(rng.permutation(300), 7)  # seven shuffled batches
    p = Pipeline("api")
    for part in parts:
        p.ingest_records([stream[i] for i in part])
    assert totals(meters["main"]) == ref
    again = hourly(meters["main"])
    for f in ("bucket", "qty", "flagged_qty", "n", "n_flagged"):
        assert getattr(again, f).tolist() == getattr(ref_hourly, f).tolist(), f


def test_rollover_swap_gap_spike_exact(meters):
    p = Pipeline("api")
    # small register (max 9999) rolls over; then a gap of 3 readings; then a glitch spike
    vals = [9950, 9980, 10, 40, 70]          # +30, +30(roll), +30, +30
    vals += [None, None, None, 190]          # gap: 70 -> 190 held back (120)
    vals += [220, 250, 280, 310, 340, 370, 400, 430, 460, 490, 520, 550, 580, 610, 640, 670, 700, 730]
    vals += [5000, 760, 790]                 # glitch reading 5000: +4270 spike, -4240 negative
    stream = [rec("M2", k, v) for k, v in enumerate(vals) if v is not None]
    p.ingest_records(stream)
    c, f, n, nf = totals(meters["small"])
    # valid: 4 intervals x 30 before the gap, 18 after, and 760->790 = 30
    assert c == 30 * 4 + 30 * 18 + 30
    assert nf == 3  # gap, spike, negative
    assert f == 120 + 4270 + (760 - 5000)
    kinds = sorted(a.reasons[0] for a in Anomaly.objects.filter(meter=meters["small"]))
    assert kinds == ["gap", "negative", "rollover", "spike"]

    # meter swap on the main meter: old final 1035, new meter starts at 0
    MeterSwap.objects.create(meter=meters["main"], ts=T0 + Q * 4, old_final=1035, new_initial=0)
    p.ingest_records([rec("M1", 0, 1000), rec("M1", 1, 1010), rec("M1", 2, 1020), rec("M1", 3, 1030),
                      rec("M1", 4, 6), rec("M1", 5, 16)])
    assert totals(meters["main"])[0] == (1035 - 1000) + 16


def test_garbage_payloads_are_rejected_with_reason(meters):
    p = Pipeline("api")
    r = p.ingest_records([
        rec("M1", 0, 1), rec("M1", 1, 2),
        {"meter": "NOPE", "ts": T0, "value": 1},
        {"meter": "M1", "ts": "yesterday", "value": 1},
        {"meter": "M1", "ts": T0 + 2 * Q, "value": "abc"},
        {"meter": "M1", "ts": T0 + 3 * Q, "value": float("nan")},
        {"meter": "M1", "ts": 12, "value": 1},
        {"ts": T0, "value": 1},
        "garbage",
        {"meter": "I1", "ts": "2024-01-01T00:15:00", "value": 4.5},
        {"meter": "I1", "ts": "2024-01-01T00:30:00+08:00", "value": None},
    ])
    assert (r.received, r.inserted, r.rejected) == (11, 3, 8)
    reasons = sorted(RejectedReading.objects.values_list("reason", flat=True))
    assert "unknown meter" in reasons and "timestamp out of range" in reasons
    assert "value is not a finite number" in reasons and "value is not a number" in reasons
    assert "missing meter code" in reasons and "missing value" in reasons
    assert MeterReading.objects.get(meter=meters["int"]).ts == T0 + Q
    assert totals(meters["int"])[0] == 4.5


def test_nul_characters_from_mqtt_or_a_file_are_kept_as_visible_rejects(meters, tmp_path):
    """MQTT payloads and CSV files reach the pipeline without the HTTP layer's NUL refusal: the readings are
    rejected row by row and kept with the NUL shown as \\x00 (PostgreSQL cannot store the character itself)."""
    r = Pipeline("mqtt").ingest_records([rec("M1", 0, 1), {"meter": "M\x001", "ts": T0 + Q, "value": 1},
                                         {"meter": "M1", "ts": T0 + 2 * Q, "value": "1\x00"}], ref="site/pb-1")
    assert (r.received, r.inserted, r.rejected) == (3, 1, 2)
    csv = tmp_path / "nul.csv"
    csv.write_text(f"meter,ts,value\nM\x002,{T0 + 3 * Q},1\nM1,{T0 + 4 * Q},2\n")
    assert (ingest_csv(csv).rejected, MeterReading.objects.filter(meter=meters["main"]).count()) == (1, 2)
    kept = sorted(RejectedReading.objects.values_list("meter_code", "reason", "ref"))
    assert kept == [("M1", "value is not a number", "site/pb-1#2"), ("M\\x001", "unknown meter", "site/pb-1#1"),
                    ("M\\x002", "unknown meter", "nul.csv:2")]
    assert "\x00" not in "".join(RejectedReading.objects.values_list("raw", flat=True))


def test_interval_meter_late_data_exact(meters):
    p = Pipeline("api")
    p.ingest_records([rec("I1", k, 2.0) for k in range(1, 97) if k % 5])
    p.ingest_records([rec("I1", k, 2.0) for k in range(1, 97) if not k % 5])
    assert totals(meters["int"]) == (192.0, 0.0, 96, 0)
    assert RollupDaily.objects.get(meter=meters["int"]).consumption == 192.0
    assert len(hourly(meters["int"])) == 24 and RollupHourly.objects.filter(meter=meters["int"]).count() == 1


def test_gateway_scope(meters, site):
    from carbonpeak.monitoring.models import Site

    other = Site.objects.create(code="ku-2", name="Factory", kind="key_unit")
    Meter.objects.create(site=other, code="F1", carrier="electricity", unit="kWh")
    p = Pipeline("api", allowed_site_ids={site.id})
    r = p.ingest_records([rec("M1", 0, 1), rec("F1", 0, 1)])
    assert (r.inserted, r.rejected) == (1, 1)
    assert RejectedReading.objects.get().reason == "gateway is not allowed to write this meter"


def test_site_page_and_api_show_the_hourly_curve_from_rollups(meters, site, admin_client):
    client = admin_client  # enterprise-level data: members only
    from carbonpeak.monitoring.models import Site

    Pipeline("api").ingest_records([rec("M1", k, 1000 + 10 * k) for k in range(200)])
    # the page reads roll-ups only: remove the readings and the curve is still there
    MeterReading.objects.all().delete()
    site = Site.objects.get(pk=site.pk)
    assert client.get(f"/monitoring/sites/{site.code}/").status_code == 200
    r = client.get(f"/api/monitoring/sites/{site.code}")
    assert r.status_code == 200 and r.json()["code"] == site.code
    from carbonpeak.monitoring.services import site_detail

    curve = next(v for k, v in site_detail(site)["curve"].items() if k.startswith("M1 "))
    h = hourly(meters["main"])
    start = site.last_seen_ts - 14 * 86400
    assert curve == [[b * 1000, round(c, 3)] for b, c in zip(h.bucket.tolist(), h.qty.tolist()) if b >= start]
    assert sum(c for _, c in curve) == 1990.0 and len(curve) == 50


def test_an_ingest_changes_the_data_version(meters):
    """COPY and the raw connection's statements pass no execute wrapper: the pipeline says it wrote
    (core.dataversion), so the dashboard's figures are computed again."""
    from carbonpeak.core import dataversion

    before = dataversion.current()
    Pipeline("api").ingest_records([rec("M1", k, 1000 + 10 * k) for k in range(20)])
    assert dataversion.current() != before


def test_a_long_lived_pipeline_sees_a_meter_deactivated_once_its_catalog_is_old(meters):
    """The worker's subscriber keeps one pipeline for months: its meter catalog is read again after
    `max_age_s`, so a meter the office deactivates stops taking readings then, not at the next restart."""
    p = Pipeline("mqtt")
    assert p.ingest_records([rec("M1", 0, 1)]).inserted == 1
    Meter.objects.filter(pk=meters["main"].pk).update(active=False)
    assert p.ingest_records([rec("M1", 1, 2)]).inserted == 1  # within max_age_s: the catalog read at start
    p.catalog.max_age_s = 0  # as if max_age_s had passed
    r = p.ingest_records([rec("M1", 2, 3)])
    assert (r.inserted, r.reasons) == (0, {"meter is inactive": 1})
