"""CSV bulk import: `meter,ts,value` rows (header required) fed to the shared pipeline in atomic batches."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from carbonpeak.monitoring.ingest import IngestResult, Pipeline, Reject

REQUIRED = ("meter", "ts", "value")


def _to_epoch(ts_raw: list[str]) -> np.ndarray:
    """Epoch seconds or ISO 8601 (naive = local UTC+8); unparseable -> -1."""
    s = pd.Series(ts_raw, dtype="string").str.strip()
    num = pd.to_numeric(s, errors="coerce")
    out = num.to_numpy(dtype="float64", na_value=np.nan)
    iso = np.isnan(out)
    if iso.any():
        sub = s[iso]
        naive = ~sub.str.contains(r"(?:Z|[+-]\d\d:?\d\d)$", regex=True, na=False)
        sub = sub.where(~naive, sub + "+08:00")
        parsed = pd.to_datetime(sub, utc=True, errors="coerce", format="ISO8601")
        secs = (parsed - pd.Timestamp(0, tz="UTC")).dt.total_seconds()
        out[iso] = secs.to_numpy(dtype="float64", na_value=np.nan)
    res = np.where(np.isfinite(out), np.floor(np.nan_to_num(out, nan=-1)), -1)
    return res.astype(np.int64)


def ingest_csv(path: str | Path, *, batch_size: int = 100_000, pipeline: Pipeline | None = None,
               progress: Callable[[int], None] | None = None) -> IngestResult:
    """Each batch of ``batch_size`` lines is parsed, validated and stored in one transaction."""
    path = Path(path)
    pipe = pipeline or Pipeline("csv", batch_size=batch_size)
    pipe.batch_size = max(pipe.batch_size, batch_size)
    total = IngestResult()
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        try:
            header = [h.strip().lower() for h in next(reader)]
        except StopIteration:
            raise ValueError(f"{path.name}: empty file, expected a header meter,ts,value") from None
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise ValueError(f"{path.name}: line 1: missing column(s) {', '.join(missing)}")
        ci, ti, vi = (header.index(c) for c in REQUIRED)
        width = len(header)
        line = 1
        while True:
            codes: list[str] = []
            tss: list[str] = []
            vals: list[str] = []
            refs: list[str] = []
            rejects: list[Reject] = []
            n = 0
            for row in reader:
                line += 1
                n += 1
                if len(row) != width:
                    rejects.append(Reject(f"expected {width} fields, got {len(row)}", json.dumps(row)[:2000],
                                          row[ci][:64] if len(row) > ci else "", f"{path.name}:{line}"))
                else:
                    codes.append(row[ci].strip())
                    tss.append(row[ti])
                    vals.append(row[vi])
                    refs.append(f"{path.name}:{line}")
                if n >= batch_size:
                    break
            if n == 0:
                break
            ts = _to_epoch(tss)
            values = pd.to_numeric(pd.Series(vals, dtype="string").str.strip(), errors="coerce") \
                .to_numpy(dtype="float64", na_value=np.nan)
            bad_ts = ts < 0
            bad_v = np.isnan(values) & ~bad_ts
            keep = ~(bad_ts | bad_v)
            for i in np.nonzero(~keep)[0].tolist():
                rejects.append(Reject("timestamp is not a valid time" if bad_ts[i] else "value is not a number",
                                      json.dumps({"meter": codes[i], "ts": tss[i], "value": vals[i]},
                                                 ensure_ascii=False), codes[i][:64], refs[i]))
            kept = np.nonzero(keep)[0]
            r = pipe.ingest_columns([codes[i] for i in kept], ts[kept], values[kept], rejects=rejects,
                                    refs=[refs[i] for i in kept])
            total.add(r)
            if progress:
                progress(n)
    return total
