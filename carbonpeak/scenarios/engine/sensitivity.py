"""Which uncertain inputs move P(peak by 2030) most: a tornado from the Monte Carlo draws themselves.

For each input, every draw is summarised by one number (a spec: its value; a path: its mean over the
projected years; a per-sector spec: one input per sector). P(peak by 2030) is then recomputed among the
draws in the input's lowest and highest fifth (Monte Carlo filtering, no extra runs). A wide bar means
knowing that input better would move the headline most: what the office should measure first. With
2,000 draws each fifth holds 400 draws, so a bar's ends carry about ±2.5 points of sampling error.
"""

from __future__ import annotations

from typing import Any

import numpy as np

SHARE = 0.2
TOP = 10


def input_summaries(p: dict[str, np.ndarray], sectors: tuple[str, ...], skip: frozenset[str] = frozenset()
                    ) -> dict[str, np.ndarray]:
    """One number per draw for every input that varies across draws, by JSON path."""
    out: dict[str, np.ndarray] = {}
    for name, value in p.items():
        if any(name.startswith(prefix) for prefix in skip):
            continue
        if value.ndim == 1:
            cols = {name: value}
        elif name.startswith("drivers.") and value.shape[1] == len(sectors) and name.endswith(
                ("structure_drift", "intensity_change", "electrification")):
            cols = {f"{name}.{s}": value[:, i] for i, s in enumerate(sectors)}
        else:
            cols = {name: value[:, 1:].mean(axis=1)}
        out.update({k: v for k, v in cols.items() if np.ptp(v) > 0})
    return out


def tornado(inputs: dict[str, np.ndarray], hit: np.ndarray, share: float = SHARE, top: int = TOP
            ) -> list[dict[str, Any]]:
    """P(hit) among the draws with the lowest and highest `share` of each input, widest swing first."""
    D = len(hit)
    n = max(1, int(D * share))
    rows = []
    for name, x in inputs.items():
        order = np.argsort(x, kind="stable")
        low, high = float(hit[order[:n]].mean()), float(hit[order[-n:]].mean())
        rows.append({"input": name, "low": low, "high": high, "swing": abs(high - low),
                     "low_value": float(x[order[n - 1]]), "high_value": float(x[order[-n]])})
    rows.sort(key=lambda r: (-r["swing"], r["input"]))
    return rows[:top]
