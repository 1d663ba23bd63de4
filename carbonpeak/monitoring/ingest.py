"""The one ingestion pipeline shared by the HTTP API, the CSV import and the MQTT subscriber.

validate -> dedupe against (meter, ts) -> store readings -> maintain roll-ups, all inside
one transaction per batch, so a batch is either fully stored or not at all.

Two ways of maintaining roll-ups:

* append (the common case): every new reading of a meter is later than its last stored
  reading. Intervals are computed from the batch plus the last stored readings as
  baseline, and added to the hourly/daily/monthly buckets (upsert-add).
* late data: a meter got a reading at or before its last stored one (out-of-order
  delivery). Its affected days are recomputed from the stored readings and replaced.

Re-sending data inserts nothing and therefore changes nothing.
"""
from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass, field
from typing import Any, Iterable

import numpy as np
from django.db import connection, transaction

from carbonpeak.core import dataversion
from carbonpeak.monitoring.engine import registers, rollup as ru
from carbonpeak.monitoring.partitions import PartitionCache
from carbonpeak.monitoring.models import (
    Anomaly, Meter, MeterReading, MeterSwap, RejectedReading, RollupDaily, RollupHourly, RollupMonthly, Site,
)

TS_MIN = 946_684_800  # 2000-01-01
MAX_FUTURE_S = 86_400
CONTEXT = 32  # stored readings loaded as baseline for spike medians when a batch is short
LOCAL_TZ = dt.timezone(dt.timedelta(hours=8))
READING_T = MeterReading._meta.db_table
ROLLUP_T = {ru.DAY: RollupDaily._meta.db_table, ru.MONTH: RollupMonthly._meta.db_table}
HOURLY_T = RollupHourly._meta.db_table  # one row per meter and local day (engine.rollup.pack_days)
ANOMALY_T = Anomaly._meta.db_table


@dataclass
class IngestResult:
    received: int = 0
    inserted: int = 0
    duplicates: int = 0
    rejected: int = 0
    flagged: int = 0
    batches: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    def add(self, other: "IngestResult") -> "IngestResult":
        for k in ("received", "inserted", "duplicates", "rejected", "flagged", "batches"):
            setattr(self, k, getattr(self, k) + getattr(other, k))
        for k, v in other.reasons.items():
            self.reasons[k] = self.reasons.get(k, 0) + v
        return self

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("received", "inserted", "duplicates", "rejected", "flagged", "batches")} \
            | {"reasons": dict(self.reasons)}


@dataclass
class Reject:
    reason: str
    raw: str
    meter_code: str = ""
    ref: str = ""


CATALOG_MAX_AGE_S = 30.0
"""How long a pipeline trusts its meter catalog (see MeterCatalog)."""


def _strictly_sorted(m: np.ndarray, t: np.ndarray) -> bool:
    """(m, t) pairs in strictly increasing order: sorted by meter, then ts, no duplicate."""
    if len(m) < 2:
        return True
    dm = m[1:] - m[:-1]
    return bool((dm >= 0).all() and ((dm > 0) | (t[1:] > t[:-1])).all())


class MeterCatalog:
    """Meter code -> id and per-meter engine parameters, read again when older than ``max_age_s``.

    A pipeline may live for months (the worker's MQTT subscriber): a meter the office deactivates, moves, retunes
    or deletes is seen within ``max_age_s``, not at the next restart. An unknown code reloads at once."""

    def __init__(self, max_age_s: float = CATALOG_MAX_AGE_S) -> None:
        self.max_age_s = max_age_s
        self.reload()

    def fresh(self) -> "MeterCatalog":
        if time.monotonic() - self.loaded_at >= self.max_age_s:
            self.reload()
        return self

    def reload(self) -> None:
        self.loaded_at = time.monotonic()
        rows = list(Meter.objects.values_list("id", "code", "register_kind", "interval_s", "register_max",
                                              "max_per_interval", "active", "site_id"))
        self.by_code = {r[1]: r[0] for r in rows}
        self.info = {r[0]: r for r in rows}

    def params(self, meter_ids: np.ndarray) -> registers.MeterParams:
        info = [self.info[int(m)] for m in meter_ids]
        return registers.MeterParams(
            cumulative=np.array([i[2] == Meter.RegisterKind.CUMULATIVE for i in info], dtype=bool),
            interval_s=np.array([i[3] for i in info], dtype=np.int64),
            register_max=np.array([i[4] or 0.0 for i in info], dtype=np.float64),
            max_per_interval=np.array([np.inf if i[5] is None else i[5] for i in info], dtype=np.float64),
        )


# ---------------------------------------------------------------------------
# parsing of individual records (API, MQTT, CSV)
# ---------------------------------------------------------------------------
TS_LIMIT = 2**62
"""Epoch seconds beyond this do not fit the int64 columns: such a reading is rejected on its own."""


def _epoch(value: float | int) -> int:
    if not -TS_LIMIT < value < TS_LIMIT:  # also false for nan
        raise ValueError("timestamp out of range")
    return int(value)


def parse_ts(raw: Any) -> int:
    """Epoch seconds or ISO 8601; a naive ISO time is local (Asia/Shanghai). Raises ValueError."""
    if isinstance(raw, bool) or raw is None:
        raise ValueError("missing timestamp")
    if isinstance(raw, float) and not np.isfinite(raw):
        raise ValueError("timestamp is not finite")
    if isinstance(raw, (int, float)):
        return _epoch(raw)
    s = str(raw).strip()
    if not s:
        raise ValueError("missing timestamp")
    try:
        return _epoch(int(s) if s.lstrip("+-").isdigit() else float(s))
    except ValueError as exc:
        if "range" in str(exc):
            raise
    except OverflowError:
        raise ValueError("timestamp out of range") from None
    t = dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
    if t.tzinfo is None:
        t = t.replace(tzinfo=LOCAL_TZ)
    return int(t.timestamp())


def parse_value(raw: Any) -> float:
    if isinstance(raw, bool) or raw is None:
        raise ValueError("missing value")
    v = float(raw)
    if not np.isfinite(v):
        raise ValueError("value is not a finite number")
    return v


def parse_records(records: Iterable[Any], ref: str = "") -> tuple[list[str], list[int], list[float], list[Reject],
                                                                   list[str]]:
    """Records are dicts {"meter", "ts", "value"} (or 3-sequences). Bad ones become Rejects; the last list holds
    each kept record's reference (``ref#index``) so a later reject still names its row."""
    codes: list[str] = []
    tss: list[int] = []
    vals: list[float] = []
    rejects: list[Reject] = []
    refs: list[str] = []
    for i, rec in enumerate(records):
        try:
            if isinstance(rec, dict):
                code, t, v = rec.get("meter"), rec.get("ts"), rec.get("value")
            elif isinstance(rec, (list, tuple)) and len(rec) == 3:
                code, t, v = rec
            else:
                raise ValueError("record must be an object with meter, ts, value")
            if not isinstance(code, str) or not code.strip():
                raise ValueError("missing meter code")
            tss.append(parse_ts(t))
            try:
                vals.append(parse_value(v))
            except (TypeError, ValueError) as exc:
                tss.pop()
                raise ValueError(str(exc) if "finite" in str(exc) or "missing" in str(exc)
                                 else "value is not a number") from None
            codes.append(code.strip())
            refs.append(f"{ref}#{i}" if ref else str(i))
        except (TypeError, ValueError) as exc:
            rejects.append(Reject(str(exc)[:200], _dump(rec), str(rec.get("meter", ""))[:64]
                                  if isinstance(rec, dict) else "", f"{ref}#{i}" if ref else str(i)))
    return codes, tss, vals, rejects, refs


def parse_payload(payload: bytes | str) -> Any:
    """JSON: a single record, a list of records, or {"readings": [...]}. Raises ValueError."""
    try:
        data = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"payload is not JSON: {exc}") from None
    if isinstance(data, dict) and "readings" in data:
        data = data["readings"]
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise ValueError("payload must be a reading, a list of readings or {\"readings\": [...]}")
    return data


def store_rejects(source: str, rejects: list[Reject], result: IngestResult) -> None:
    """Keep ``rejects`` for the rejects page (inside the caller's transaction) and count them in ``result``."""
    if not rejects:
        return
    RejectedReading.objects.bulk_create(
        [RejectedReading(source=source, ref=_storable(r.ref)[:200], meter_code=_storable(r.meter_code)[:64],
                         raw=_storable(r.raw), reason=_storable(r.reason)[:200]) for r in rejects],
        batch_size=2000)
    result.rejected += len(rejects)
    for r in rejects:
        result.reasons[r.reason] = result.reasons.get(r.reason, 0) + 1


def _storable(text: str) -> str:
    """Text as a rejects page can keep it: a NUL character (which PostgreSQL cannot store) shown as ``\\x00``."""
    return text.replace("\x00", "\\x00")


def _dump(rec: Any) -> str:
    try:
        return json.dumps(rec, ensure_ascii=False, default=str)[:2000]
    except (TypeError, ValueError):
        return repr(rec)[:2000]


# ---------------------------------------------------------------------------
# the pipeline
# ---------------------------------------------------------------------------
class Pipeline:
    def __init__(self, source: str, *, allowed_site_ids: set[int] | None = None,
                 refusal: str = "gateway is not allowed to write this meter", batch_size: int = 100_000) -> None:
        """`allowed_site_ids`: the only sites whose meters are written (None: any); other meters' readings are
        rejected with the reason `refusal`."""
        self.source = source
        self.allowed = allowed_site_ids
        self.refusal = refusal
        self.batch_size = batch_size
        self.catalog = MeterCatalog()
        self.vendor = connection.vendor
        self.partitions = PartitionCache()
        self._tuned: object | None = None

    def _prepare(self, ts: np.ndarray) -> None:
        """Before a batch's transaction: PostgreSQL partitions for its months; SQLite connection pragmas."""
        if self.vendor == "postgresql":
            self.partitions.ensure(ts)
        elif self.vendor == "sqlite":
            connection.ensure_connection()
            if self._tuned is not connection.connection:
                tune_sqlite(connection.connection)
                self._tuned = connection.connection

    # -- entry points -------------------------------------------------------
    def ingest_records(self, records: Iterable[Any], ref: str = "") -> IngestResult:
        codes, tss, vals, rejects, refs = parse_records(records, ref)
        return self.ingest_columns(codes, tss, vals, rejects=rejects, ref=ref, refs=refs)

    def ingest_columns(self, codes: list[str] | np.ndarray, ts: Any, values: Any, *,
                       rejects: list[Reject] | None = None, ref: str = "",
                       refs: list[str] | None = None) -> IngestResult:
        """Parsed columns -> validated arrays -> stored in batches (one transaction each)."""
        rejects = list(rejects or [])
        received = len(rejects) + len(codes)
        ts = np.asarray(ts, dtype=np.int64)
        values = np.asarray(values, dtype=np.float64)
        by_code = self.catalog.fresh().by_code
        ids = np.fromiter((by_code.get(c, -1) for c in codes), dtype=np.int64, count=len(ts))
        if (ids < 0).any() and any(c not in by_code for c in set(np.asarray(codes)[ids < 0].tolist())):
            self.catalog.reload()
            by_code = self.catalog.by_code
            ids = np.fromiter((by_code.get(c, -1) for c in codes), dtype=np.int64, count=len(ts))
        now = int(time.time())
        reason = np.full(len(ts), "", dtype=object)
        reason[ids < 0] = "unknown meter"
        bad = reason == ""
        reason[bad & ~np.isfinite(values)] = "value is not a finite number"
        reason[(reason == "") & (np.abs(values) > 1e13)] = "value out of range"
        reason[(reason == "") & ((ts < TS_MIN) | (ts > now + MAX_FUTURE_S))] = "timestamp out of range"
        known = ids >= 0
        if known.any():
            info = self.catalog.info
            inactive = np.zeros(len(ts), dtype=bool)
            for m in np.unique(ids[known]).tolist():
                i = info[m]
                if not i[6]:
                    inactive |= ids == m
                    continue
                if self.allowed is not None and i[7] not in self.allowed:
                    reason[(reason == "") & (ids == m)] = self.refusal
            reason[(reason == "") & inactive] = "meter is inactive"
        ok = reason == ""
        for i in np.nonzero(~ok)[0].tolist():
            rejects.append(Reject(reason[i], json.dumps({"meter": str(codes[i]), "ts": int(ts[i]),
                                                         "value": float(values[i])}),
                                  str(codes[i])[:64], refs[i] if refs else ref))
        result = IngestResult(received=received)
        ids, ts, values = ids[ok], ts[ok], values[ok]
        if len(ts) == 0:
            with transaction.atomic():
                store_rejects(self.source, rejects, result)
            return result
        for s in range(0, len(ts), self.batch_size):
            e = s + self.batch_size
            self._prepare(ts[s:e])
            with transaction.atomic():
                r = self.store(ids[s:e], ts[s:e], values[s:e])
                if s == 0:
                    store_rejects(self.source, rejects, r)
            result.add(r)
        return result

    def ingest_ids(self, meter_ids: np.ndarray, ts: np.ndarray, values: np.ndarray) -> IngestResult:
        """Trusted columns with meter ids (simulation, benchmarks): range checks, then the same batches."""
        ok = np.isfinite(values) & (ts >= TS_MIN)
        result = IngestResult(received=len(ts))
        if not ok.all():
            meter_ids, ts, values = meter_ids[ok], ts[ok], values[ok]
        result.rejected = int((~ok).sum())
        for s in range(0, len(ts), self.batch_size):
            e = s + self.batch_size
            self._prepare(ts[s:e])
            with transaction.atomic():
                result.add(self.store(meter_ids[s:e], ts[s:e], values[s:e]))
        return result

    # -- one batch, inside a transaction ----------------------------------------
    def store(self, meter_ids: np.ndarray, ts: np.ndarray, values: np.ndarray) -> IngestResult:
        res = IngestResult(batches=1)
        m, t, v = np.asarray(meter_ids, dtype=np.int64), np.asarray(ts, dtype=np.int64), values
        if not _strictly_sorted(m, t):  # gateways and files often send (meter, ts) order already: no sort then
            order = np.lexsort((t, m))
            m, t, v = m[order], t[order], v[order]
            keep = registers.dedupe_sorted(m, t)
            if not keep.all():
                res.duplicates += int((~keep).sum())
                m, t, v = m[keep], t[keep], v[keep]
        starts = np.flatnonzero(np.r_[True, m[1:] != m[:-1]])
        ums = m[starts]
        ends = np.append(starts[1:], len(m))
        limits = np.where(ends - starts >= 16, 1, CONTEXT)
        if self.vendor == "postgresql":
            with connection.cursor() as c:  # concurrent ingests of the same meters take turns
                c.execute(f"SELECT id FROM {Meter._meta.db_table} WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
                          [ums.tolist()])
        stored = self._last_readings(ums, limits)
        cur = connection.cursor()
        fast_ctx: list[tuple[int, int, float]] = []
        fast_sel = np.zeros(len(m), dtype=bool)
        late_meters: list[tuple[int, int, int]] = []
        new_mask = np.ones(len(m), dtype=bool)
        for mid, s, e in zip(ums.tolist(), starts.tolist(), ends.tolist()):
            ctx = stored.get(mid, ())
            last = ctx[0][0] if ctx else None
            if last is None or t[s] > last:
                fast_sel[s:e] = True
                fast_ctx.extend((mid, c[0], c[1]) for c in ctx)
                continue
            # late data: drop what is already stored
            cur.execute(f"SELECT ts FROM {READING_T} WHERE meter_id = %s AND ts BETWEEN %s AND %s",
                        [mid, int(t[s]), int(min(t[e - 1], last))])
            existing = np.fromiter((r[0] for r in cur.fetchall()), dtype=np.int64)
            if len(existing):
                dup = np.isin(t[s:e], existing)
                new_mask[s:e] = ~dup
                res.duplicates += int(dup.sum())
            if new_mask[s:e].any():
                late_meters.append((mid, int(t[s:e][new_mask[s:e]].min()), int(t[s:e][new_mask[s:e]].max())))
        all_new = bool(new_mask.all())
        m_new, t_new, v_new = (m, t, v) if all_new else (m[new_mask], t[new_mask], v[new_mask])
        res.inserted = len(t_new)
        if res.inserted == 0:
            return res
        self._insert_readings(m_new, t_new, v_new, checked=not late_meters)
        dataversion.written()  # COPY and the raw connection's statements pass no execute wrapper

        # append path
        if fast_sel.any():
            fm, ft, fv = (m, t, v) if fast_sel.all() else (m[fast_sel], t[fast_sel], v[fast_sel])
            if fast_ctx:
                # stored readings go in front of their meter's new ones (all earlier): still (meter, ts) order
                fast_ctx.sort()
                cm = np.array([c[0] for c in fast_ctx], dtype=np.int64)
                ct = np.array([c[1] for c in fast_ctx], dtype=np.int64)
                cv = np.array([c[2] for c in fast_ctx], dtype=np.float64)
                at = np.searchsorted(fm, cm, "left")
                fm, ft, fv = np.insert(fm, at, cm), np.insert(ft, at, ct), np.insert(fv, at, cv)
                base = np.insert(np.zeros(len(ft) - len(cm), bool), at, True)
            else:
                base = np.zeros(len(ft), bool)
            iv = self._intervals(fm, ft, fv, base, presorted=True)
            res.flagged += int((iv.flags & ~np.uint8(registers.FLAG_ROLLOVER | registers.FLAG_SWAP) > 0).sum())
            hourly = ru.rollup(iv.meter, iv.ts, iv.qty, iv.excluded, ru.HOUR)
            daily = ru.coarsen(hourly, ru.DAY)
            write_hours(ru.to_days(hourly), add=True)
            for kind, r in ((ru.DAY, daily), (ru.MONTH, ru.coarsen(daily, ru.MONTH))):
                self._upsert_rollup(kind, r, add=True)
            self._insert_anomalies(iv)

        # late path: recompute affected days from stored readings
        for mid, lo, hi in late_meters:
            res.flagged += self._recompute(cur, mid, lo, hi)

        self._touch(ums, m_new, t_new)
        return res

    def _last_readings(self, ums: np.ndarray, limits: np.ndarray) -> dict[int, list[tuple[int, float]]]:
        """The latest stored readings per meter, newest first (``limits`` of them: 1, or CONTEXT for short runs)."""
        out: dict[int, list[tuple[int, float]]] = {}
        if self.vendor == "postgresql":
            with connection.cursor() as c:
                c.execute(f"SELECT q.id, r.ts, r.value FROM unnest(%s::bigint[], %s::int[]) AS q(id, lim) "
                          f"CROSS JOIN LATERAL (SELECT ts, value FROM {READING_T} WHERE meter_id = q.id "
                          f"ORDER BY ts DESC LIMIT q.lim) r ORDER BY q.id, r.ts DESC",
                          [ums.tolist(), limits.tolist()])
                for mid, ts_, val in c.fetchall():
                    out.setdefault(mid, []).append((ts_, val))
            return out
        raw = connection.connection  # SQLite: an index seek each, without the ORM cursor's per-call overhead
        q1 = f"SELECT ts, value FROM {READING_T} WHERE meter_id = ? ORDER BY ts DESC LIMIT 1"
        qn = f"SELECT ts, value FROM {READING_T} WHERE meter_id = ? ORDER BY ts DESC LIMIT {CONTEXT}"
        for mid, lim in zip(ums.tolist(), limits.tolist()):
            rows = raw.execute(q1 if lim == 1 else qn, (mid,)).fetchall()
            if rows:
                out[mid] = rows
        return out

    # -- helpers ---------------------------------------------------------------
    def _intervals(self, m: np.ndarray, t: np.ndarray, v: np.ndarray, base: np.ndarray,
                   presorted: bool = False) -> registers.Intervals:
        """``presorted``: (m, t) is in strictly increasing (meter, ts) order."""
        if presorted:
            new = np.r_[True, m[1:] != m[:-1]]
            ums, local = m[new], np.cumsum(new) - 1
        else:
            ums, local = np.unique(m, return_inverse=True)
        params = self.catalog.params(ums)
        swaps = self._swaps(ums)
        iv = registers.intervals(local, t, v, params, swaps=swaps, baseline=base, presorted=presorted)
        iv.meter = ums[iv.meter]
        return iv

    def _swaps(self, ums: np.ndarray) -> registers.Swaps | None:
        rows = list(MeterSwap.objects.filter(meter_id__in=ums.tolist()).values_list(
            "meter_id", "ts", "old_final", "new_initial"))
        if not rows:
            return None
        pos = {int(mid): i for i, mid in enumerate(ums.tolist())}
        return registers.Swaps(np.array([pos[r[0]] for r in rows], dtype=np.int64),
                               np.array([r[1] for r in rows], dtype=np.int64),
                               np.array([r[2] for r in rows], dtype=np.float64),
                               np.array([r[3] for r in rows], dtype=np.float64))

    def _insert_readings(self, m: np.ndarray, t: np.ndarray, v: np.ndarray, checked: bool) -> None:
        """``checked``: every row is known to be new (later than its meter's last stored reading)."""
        if self.vendor == "postgresql":
            if checked:  # straight COPY into the partitioned table; the meters are locked, so no one raced us
                copy_binary(READING_T, ("meter_id", "ts", "value"), (m, t, v))
            else:
                copy_rows(READING_T, ("meter_id", "ts", "value"), m, t, v, on_conflict="(meter_id, ts) DO NOTHING")
        else:
            sqlite_insert(READING_T, ("meter_id", "ts", "value"), (m, t, v), verb="INSERT OR IGNORE")

    def _upsert_rollup(self, kind: str, r: ru.Rollup, add: bool) -> None:
        if len(r) == 0:
            return
        table = ROLLUP_T[kind]
        cols = ("meter_id", "bucket", "consumption", "flagged_consumption", "n", "n_flagged")
        if add:
            conflict = (f"(meter_id, bucket) DO UPDATE SET consumption = {table}.consumption + EXCLUDED.consumption, "
                        f"flagged_consumption = {table}.flagged_consumption + EXCLUDED.flagged_consumption, "
                        f"n = {table}.n + EXCLUDED.n, n_flagged = {table}.n_flagged + EXCLUDED.n_flagged")
        else:
            conflict = ("(meter_id, bucket) DO UPDATE SET consumption = EXCLUDED.consumption, "
                        "flagged_consumption = EXCLUDED.flagged_consumption, n = EXCLUDED.n, "
                        "n_flagged = EXCLUDED.n_flagged")
        arrays = (r.meter, r.bucket, r.qty, r.flagged_qty, r.n, r.n_flagged)
        if self.vendor == "postgresql":
            if len(r) > 500:
                copy_rows(table, cols, *arrays, on_conflict=conflict)
                return
            sql = (f"INSERT INTO {table} ({', '.join(cols)}) SELECT * FROM unnest(%s::bigint[], %s::bigint[], "
                   f"%s::float8[], %s::float8[], %s::int[], %s::int[]) ON CONFLICT {conflict}")
            with connection.cursor() as c:
                c.execute(sql, [a.tolist() for a in arrays])
            return
        sqlite_insert(table, cols, arrays, suffix=f" ON CONFLICT {conflict}")

    def _insert_anomalies(self, iv: registers.Intervals) -> None:
        sel = iv.flags > 0
        if not sel.any():
            return
        with connection.cursor() as c:
            c.executemany(
                f"INSERT INTO {ANOMALY_T} (meter_id, ts, flags, quantity, excluded) VALUES (%s, %s, %s, %s, %s) "
                f"ON CONFLICT (meter_id, ts) DO UPDATE SET flags = EXCLUDED.flags, quantity = EXCLUDED.quantity, "
                f"excluded = EXCLUDED.excluded",
                list(zip(iv.meter[sel].tolist(), iv.ts[sel].tolist(), iv.flags[sel].astype(int).tolist(),
                         iv.qty[sel].tolist(), iv.excluded[sel].tolist())))

    def _recompute(self, cur, mid: int, lo: int, hi: int) -> int:
        """Replace hourly/daily buckets of the days touched by new readings in [lo, hi], then months."""
        cur.execute(f"SELECT ts FROM {READING_T} WHERE meter_id = %s AND ts > %s ORDER BY ts LIMIT 1", [mid, hi])
        nxt = cur.fetchone()
        d0 = int(ru.bucket_start(np.array([lo]), ru.DAY)[0])
        d1 = int(ru.next_bucket(ru.bucket_start(np.array([max(hi, nxt[0] if nxt else hi)]), ru.DAY), ru.DAY)[0])
        # readings closing intervals in (d0, d1], plus baseline/context before
        cur.execute(f"SELECT ts, value FROM {READING_T} WHERE meter_id = %s AND ts <= %s "
                    f"ORDER BY ts DESC LIMIT {CONTEXT}", [mid, d0])
        ctx = cur.fetchall()[::-1]
        cur.execute(f"SELECT ts, value FROM {READING_T} WHERE meter_id = %s AND ts > %s AND ts <= %s ORDER BY ts",
                    [mid, d0, d1])
        rows = cur.fetchall()
        t = np.array([r[0] for r in ctx] + [r[0] for r in rows], dtype=np.int64)
        v = np.array([r[1] for r in ctx] + [r[1] for r in rows], dtype=np.float64)
        base = np.r_[np.ones(len(ctx), bool), np.zeros(len(rows), bool)]
        iv = self._intervals(np.full(len(t), mid, dtype=np.int64), t, v, base)
        hourly = ru.rollup(iv.meter, iv.ts, iv.qty, iv.excluded, ru.HOUR)
        days = list(range(d0, d1, 86400))
        cur.execute(f"DELETE FROM {HOURLY_T} WHERE meter_id = %s AND day IN ({','.join(map(str, days))})", [mid])
        write_hours(ru.to_days(hourly), add=False)  # whole days: (d0, d1] holds every interval of them
        cur.execute(f"DELETE FROM {ROLLUP_T[ru.DAY]} WHERE meter_id = %s AND bucket >= %s AND bucket < %s",
                    [mid, d0, d1])
        self._upsert_rollup(ru.DAY, ru.rollup(iv.meter, iv.ts, iv.qty, iv.excluded, ru.DAY), add=False)
        cur.execute(f"DELETE FROM {ANOMALY_T} WHERE meter_id = %s AND ts > %s AND ts <= %s", [mid, d0, d1])
        self._insert_anomalies(iv)
        # months from days
        m0 = int(ru.bucket_start(np.array([d0]), ru.MONTH, closing=False)[0])
        m1 = int(ru.next_bucket(ru.bucket_start(np.array([d1 - 1]), ru.MONTH, closing=False), ru.MONTH)[0])
        cur.execute(f"SELECT bucket, consumption, flagged_consumption, n, n_flagged FROM {ROLLUP_T[ru.DAY]} "
                    f"WHERE meter_id = %s AND bucket >= %s AND bucket < %s", [mid, m0, m1])
        days = cur.fetchall()
        cur.execute(f"DELETE FROM {ROLLUP_T[ru.MONTH]} WHERE meter_id = %s AND bucket >= %s AND bucket < %s",
                    [mid, m0, m1])
        if days:
            b = ru.bucket_start(np.array([d[0] for d in days], dtype=np.int64), ru.MONTH, closing=False)
            ub, inv = np.unique(b, return_inverse=True)
            col = lambda i: np.bincount(inv, weights=np.array([d[i] for d in days], dtype=np.float64))  # noqa: E731
            self._upsert_rollup(ru.MONTH, ru.Rollup(np.full(len(ub), mid, dtype=np.int64), ub, col(1), col(2),
                                                    col(3).astype(np.int64), col(4).astype(np.int64)), add=False)
        return int((iv.flags & ~np.uint8(registers.FLAG_ROLLOVER | registers.FLAG_SWAP) > 0).sum())

    def _touch(self, ums: np.ndarray, m_new: np.ndarray, t_new: np.ndarray) -> None:
        if len(t_new) == 0:
            return
        um, idx = np.unique(m_new, return_index=True)
        last = np.maximum.reduceat(t_new, idx)  # m_new is sorted by meter: each meter's max ts
        site_last: dict[int, int] = {}
        for t, mid in zip(last.tolist(), um.tolist()):
            s = self.catalog.info[mid][7]
            site_last[s] = max(site_last.get(s, 0), t)
        mt, st = Meter._meta.db_table, Site._meta.db_table
        if self.vendor == "postgresql":
            with connection.cursor() as c:
                c.execute(f"UPDATE {mt} x SET last_ts = v.t FROM unnest(%s::bigint[], %s::bigint[]) AS v(id, t) "
                          f"WHERE x.id = v.id AND (x.last_ts IS NULL OR x.last_ts < v.t)", [um.tolist(), last.tolist()])
                c.execute(f"UPDATE {st} x SET last_seen_ts = v.t FROM unnest(%s::bigint[], %s::bigint[]) AS v(id, t) "
                          f"WHERE x.id = v.id AND (x.last_seen_ts IS NULL OR x.last_seen_ts < v.t)",
                          [list(site_last), list(site_last.values())])
            return
        raw = connection.connection
        raw.executemany(f"UPDATE {mt} SET last_ts = ?1 WHERE id = ?2 AND (last_ts IS NULL OR last_ts < ?1)",
                        zip(last.tolist(), um.tolist()))
        raw.executemany(f"UPDATE {st} SET last_seen_ts = ?1 WHERE id = ?2 AND (last_seen_ts IS NULL OR "
                        f"last_seen_ts < ?1)", [(t, sid) for sid, t in site_last.items()])


def write_hours(days: ru.DayHours, *, add: bool) -> None:
    """Store hourly roll-ups, one packed row per (meter, local day).

    ``add``: add to the hours already stored for those days (the append path: a batch usually continues the
    day its meter's previous batch ended in). The stored days are read back with one range query and summed
    in numpy as ``stored + new``, as the SQL upsert of the other roll-ups does. Otherwise the rows replace
    whatever is stored (the caller recomputed whole days).
    """
    if len(days) == 0:
        return
    if add:
        stored = read_hours(np.unique(days.meter), int(days.day.min()), int(days.day.max()))
        if len(stored):
            d0 = min(int(days.day.min()), int(stored.day.min()))
            span = (max(int(days.day.max()), int(stored.day.max())) - d0) // 86400 + 1
            key = lambda d: d.meter * span + (d.day - d0) // 86400  # noqa: E731
            stored = stored.select(np.isin(key(stored), key(days)))
            if len(stored):
                days = ru.add_days(stored, days)
    cols = ("meter_id", "day", "hours")
    blobs = ru.pack_days(days)
    if connection.vendor == "postgresql":
        import psycopg

        connection.ensure_connection()
        # server-side binary parameters: Django's client-side binding would escape every blob into the SQL text
        with psycopg.Cursor(connection.connection) as c:
            c.execute(f"INSERT INTO {HOURLY_T} ({', '.join(cols)}) SELECT * FROM unnest(%b::bigint[], %b::bigint[], "
                      f"%b::bytea[]) ON CONFLICT (meter_id, day) DO UPDATE SET hours = EXCLUDED.hours",
                      [days.meter.tolist(), days.day.tolist(), blobs])
        return
    arr = np.empty(len(blobs), dtype=object)
    arr[:] = blobs
    sqlite_insert(HOURLY_T, cols, (days.meter, days.day, arr),
                  suffix=" ON CONFLICT (meter_id, day) DO UPDATE SET hours = excluded.hours")


def read_hours(meter_ids: np.ndarray, day_lo: int, day_hi: int) -> ru.DayHours:
    """Stored hourly roll-ups of ``meter_ids`` for local days in [day_lo, day_hi] (one range of the (day, meter)
    key: after an append only the day the last batch ended in has rows)."""
    sql = (f"SELECT meter_id, day, hours FROM {HOURLY_T} WHERE day >= %s AND day <= %s AND "
           f"meter_id IN ({','.join(map(str, meter_ids.tolist()))}) ORDER BY meter_id, day")
    with connection.cursor() as c:
        c.execute(sql, [day_lo, day_hi])
        rows = c.fetchall()
    return ru.unpack_days([r[0] for r in rows], [r[1] for r in rows], [bytes(r[2]) for r in rows])


# ---------------------------------------------------------------------------
# bulk writers (also the yardstick of the benchmark: the same fastest plain insert per database)
# ---------------------------------------------------------------------------
SQLITE_ROWS_PER_STATEMENT = 400


def tune_sqlite(raw) -> None:
    """Per-connection settings of an ingesting SQLite connection (WAL and synchronous=NORMAL come from settings)."""
    raw.execute("PRAGMA cache_size = -131072")  # 128 MiB page cache: the B-tree pages being appended stay hot
    if not raw.in_transaction:  # not allowed inside one (e.g. a test's transaction)
        raw.execute("PRAGMA temp_store = MEMORY")


def sqlite_insert(table: str, cols: tuple[str, ...], arrays: tuple[np.ndarray, ...], *, verb: str = "INSERT",
                  suffix: str = "") -> None:
    """Multi-row ``INSERT ... VALUES (...), (...)`` statements of SQLITE_ROWS_PER_STATEMENT rows each.

    About twice as fast as ``executemany`` of one-row statements: the per-statement cost of the sqlite3
    module is paid once per few hundred rows.
    """
    n, w = len(arrays[0]), len(cols)
    if n == 0:
        return
    connection.ensure_connection()
    raw = connection.connection
    flat = np.empty(n * w, dtype=object)
    for i, a in enumerate(arrays):
        flat[i::w] = a.tolist()
    k = SQLITE_ROWS_PER_STATEMENT
    head = f"{verb} INTO {table} ({', '.join(cols)}) VALUES "
    row = "(" + ",".join("?" * w) + ")"
    full = n // k * k
    if full:
        raw.executemany(head + ",".join([row] * k) + suffix, flat[: full * w].reshape(-1, k * w).tolist())
    if full < n:
        raw.execute(head + ",".join([row] * (n - full)) + suffix, flat[full * w:].tolist())


_PG_TYPES = {"i": (">i8", 8), "u": (">i8", 8), "f": (">f8", 8), "b": ("u1", 1)}
_PGCOPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")


def pg_binary(arrays: tuple[np.ndarray, ...], int4: tuple[int, ...] = ()) -> bytes:
    """COPY BINARY payload built by numpy in one pass: int64 -> bigint, float64 -> float8, bool -> boolean;
    columns listed in ``int4`` as integer."""
    n = len(arrays[0])
    fields: list[tuple[str, str]] = [("nf", ">i2")]
    for i, a in enumerate(arrays):
        code, size = (">i4", 4) if i in int4 else _PG_TYPES[np.asarray(a).dtype.kind]
        fields += [(f"l{i}", ">i4"), (f"v{i}", code)]
    rec = np.empty(n, dtype=np.dtype(fields))
    rec["nf"] = len(arrays)
    for i, a in enumerate(arrays):
        rec[f"l{i}"] = 4 if i in int4 else _PG_TYPES[np.asarray(a).dtype.kind][1]
        rec[f"v{i}"] = a
    return _PGCOPY_HEADER + rec.tobytes() + b"\xff\xff"


def copy_binary(table: str, cols: tuple[str, ...], arrays: tuple[np.ndarray, ...], int4: tuple[int, ...] = ()) -> None:
    connection.ensure_connection()
    with connection.connection.cursor() as c:
        with c.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN WITH (FORMAT BINARY)") as cp:
            cp.write(pg_binary(arrays, int4))


def copy_rows(table: str, cols: tuple[str, ...], *arrays: np.ndarray, on_conflict: str | None = None) -> None:
    """PostgreSQL: COPY rows into a temporary staging table, then INSERT ... ON CONFLICT into ``table``."""
    raw = connection.connection
    stage = f"_stage_{table}"
    int4 = tuple(i for i, c in enumerate(cols) if c in ("n", "n_flagged"))
    with raw.cursor() as c:
        c.execute(f"CREATE TEMP TABLE IF NOT EXISTS {stage} ON COMMIT DELETE ROWS AS "
                  f"SELECT {', '.join(cols)} FROM {table} WITH NO DATA")
        c.execute(f"TRUNCATE {stage}")
        with c.copy(f"COPY {stage} ({', '.join(cols)}) FROM STDIN WITH (FORMAT BINARY)") as cp:
            cp.write(pg_binary(tuple(np.asarray(a) for a in arrays), int4))
        c.execute(f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(cols)} FROM {stage} "
                  f"ON CONFLICT {on_conflict or 'DO NOTHING'}")
