"""Uncertain inputs as plain JSON: distributions and time paths, sampled reproducibly.

A *spec* is either a number (fixed) or a dict naming a distribution:

    0.05
    {"dist": "fixed", "value": 0.05}
    {"dist": "normal", "mean": 0.05, "sd": 0.01}            # optional "min"/"max" clip any dist
    {"dist": "uniform", "low": 0.03, "high": 0.07}
    {"dist": "triangular", "low": 0.03, "mode": 0.05, "high": 0.07}

A *path* is a spec (constant over time) or a mapping year -> spec, optionally wrapped as
``{"interp": "linear" | "step", "points": {...}}``. Step paths hold each point's value from its year
on; linear paths interpolate between points and hold the end values flat.

Reproducibility and common random numbers: every named parameter draws from its own generator,
seeded with ``(seed, crc32(name))``. The same parameter with the same spec and seed therefore gets
the same draws in every scenario, whatever else the scenario contains; that is what makes the
baseline-vs-plan gap (and the wedges) free of sampling noise between scenarios.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from typing import Any

import numpy as np

DISTS = {
    "fixed": ("value",),
    "normal": ("mean", "sd"),
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
}
INTERPS = ("linear", "step")


class ScenarioError(ValueError):
    """Bad scenario input; the message names the parameter and the field."""


def _num(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ScenarioError(f"{where}: expected a number, got {value!r}")
    if not np.isfinite(value):
        raise ScenarioError(f"{where}: expected a finite number, got {value!r}")
    return float(value)


def validate_spec(spec: Any, where: str) -> None:
    """Raise ScenarioError naming `where` if `spec` is not a valid distribution spec."""
    if isinstance(spec, Mapping):
        kind = spec.get("dist")
        if kind not in DISTS:
            raise ScenarioError(f"{where}: field 'dist' must be one of {sorted(DISTS)}, got {kind!r}")
        allowed = set(DISTS[kind]) | {"dist", "min", "max"}
        extra = set(spec) - allowed
        if extra:
            raise ScenarioError(f"{where}: unknown field(s) {sorted(extra)} for dist {kind!r}")
        for field in DISTS[kind]:
            if field not in spec:
                raise ScenarioError(f"{where}: dist {kind!r} needs field {field!r}")
            _num(spec[field], f"{where}.{field}")
        for field in ("min", "max"):
            if field in spec:
                _num(spec[field], f"{where}.{field}")
        if kind == "normal" and spec["sd"] < 0:
            raise ScenarioError(f"{where}.sd: must be >= 0, got {spec['sd']}")
        if kind == "uniform" and spec["low"] > spec["high"]:
            raise ScenarioError(f"{where}: uniform needs low <= high")
        if kind == "triangular" and not spec["low"] <= spec["mode"] <= spec["high"]:
            raise ScenarioError(f"{where}: triangular needs low <= mode <= high")
        if "min" in spec and "max" in spec and spec["min"] > spec["max"]:
            raise ScenarioError(f"{where}: min must be <= max")
    else:
        _num(spec, where)


def central(spec: Any) -> float:
    """The central value of a spec (mean; mode for triangular): what a deterministic run uses."""
    if not isinstance(spec, Mapping):
        return float(spec)
    kind = spec["dist"]
    if kind == "fixed":
        value = spec["value"]
    elif kind == "normal":
        value = spec["mean"]
    elif kind == "uniform":
        value = (spec["low"] + spec["high"]) / 2
    else:
        value = spec["mode"]
    return float(np.clip(value, spec.get("min", -np.inf), spec.get("max", np.inf)))


def rng_for(seed: int, name: str) -> np.random.Generator:
    """The generator of one named parameter (see module docstring)."""
    return np.random.default_rng([int(seed) & 0xFFFFFFFF, zlib.crc32(name.encode("utf-8"))])


def sample(spec: Any, draws: int, seed: int, name: str) -> np.ndarray:
    """`draws` samples of `spec`, shape (draws,); `name` selects the parameter's own stream."""
    validate_spec(spec, name)
    if not isinstance(spec, Mapping):
        return np.full(draws, float(spec))
    kind = spec["dist"]
    if kind == "fixed":
        out = np.full(draws, float(spec["value"]))
    else:
        rng = rng_for(seed, name)
        if kind == "normal":
            out = rng.normal(spec["mean"], spec["sd"], draws) if spec["sd"] > 0 else np.full(draws, float(spec["mean"]))
        elif kind == "uniform":
            out = rng.uniform(spec["low"], spec["high"], draws)
        elif spec["low"] == spec["high"]:
            out = np.full(draws, float(spec["low"]))
        else:
            out = rng.triangular(spec["low"], spec["mode"], spec["high"], draws)
    if "min" in spec or "max" in spec:
        out = np.clip(out, spec.get("min", -np.inf), spec.get("max", np.inf))
    return out


def _path_points(spec: Any, where: str) -> tuple[str | None, dict[int, Any]]:
    """Split a path spec into (interp or None, {year: spec}); a bare spec gives {}: constant."""
    interp = None
    if isinstance(spec, Mapping) and "points" in spec:
        interp = spec.get("interp")
        if interp is not None and interp not in INTERPS:
            raise ScenarioError(f"{where}.interp: must be one of {list(INTERPS)}, got {interp!r}")
        extra = set(spec) - {"interp", "points"}
        if extra:
            raise ScenarioError(f"{where}: unknown field(s) {sorted(extra)}")
        spec = spec["points"]
        if not isinstance(spec, Mapping) or not spec:
            raise ScenarioError(f"{where}.points: expected a non-empty mapping year -> value")
    if isinstance(spec, Mapping) and "dist" not in spec:
        points: dict[int, Any] = {}
        for key, value in spec.items():
            try:
                year = int(key)
            except (TypeError, ValueError):
                raise ScenarioError(f"{where}: path keys must be years, got {key!r}") from None
            if not 1900 <= year <= 2200:
                raise ScenarioError(f"{where}: year {year} out of range")
            validate_spec(value, f"{where}.{key}")
            points[year] = value
        if not points:
            raise ScenarioError(f"{where}: empty path")
        return interp, dict(sorted(points.items()))
    validate_spec(spec, where)
    return interp, {}


def validate_path(spec: Any, where: str) -> None:
    _path_points(spec, where)


def path_weights(point_years: list[int], years: np.ndarray, interp: str) -> np.ndarray:
    """Matrix W (T, K) with value(t) = W[t] @ point_values: the same for every draw."""
    T, K = len(years), len(point_years)
    W = np.zeros((T, K))
    py = np.asarray(point_years, dtype=float)
    for t, year in enumerate(years):
        if interp == "step":
            j = int(np.searchsorted(py, year, side="right")) - 1
            W[t, max(j, 0)] = 1.0
        else:
            if year <= py[0]:
                W[t, 0] = 1.0
            elif year >= py[-1]:
                W[t, K - 1] = 1.0
            else:
                j = int(np.searchsorted(py, year, side="right")) - 1
                w = (year - py[j]) / (py[j + 1] - py[j])
                W[t, j], W[t, j + 1] = 1.0 - w, w
    return W


def sample_path(
    spec: Any,
    years: np.ndarray,
    draws: int,
    seed: int,
    name: str,
    interp: str = "linear",
    anchor: np.ndarray | float | None = None,
) -> np.ndarray:
    """Samples of a path over `years`, shape (draws, T).

    With `anchor` (the base-year value, per draw or scalar), the path starts from it at years[0]:
    points at or before the base year are ignored for linear paths, and the base-year column is
    the anchor exactly, so a lever never changes the calibrated base year.
    """
    years = np.asarray(years)
    chosen, points = _path_points(spec, name)
    interp = chosen or interp
    if not points:
        out = np.repeat(sample(spec, draws, seed, name)[:, None], len(years), axis=1)
    else:
        base_year = int(years[0])
        if anchor is not None and interp == "linear":
            points = {y: s for y, s in points.items() if y > base_year}
        cols = [sample(s, draws, seed, f"{name}[{y}]") for y, s in points.items()]
        pyears = list(points)
        if anchor is not None and interp == "linear":
            cols.insert(0, np.broadcast_to(np.asarray(anchor, dtype=float), (draws,)))
            pyears.insert(0, base_year)
        if not cols:  # every point was at/before the base year: hold the anchor
            cols, pyears = [np.broadcast_to(np.asarray(anchor, dtype=float), (draws,))], [base_year]
        values = np.stack(cols, axis=1)  # (D, K)
        out = values @ path_weights(pyears, years, interp).T
    if anchor is not None:
        out = np.array(out, dtype=float)
        out[:, 0] = np.broadcast_to(np.asarray(anchor, dtype=float), (draws,))
    return out


def path_central(spec: Any, years: np.ndarray, interp: str = "linear", anchor: float | None = None) -> np.ndarray:
    """The central path (each point at its central value), shape (T,): for display."""
    chosen, points = _path_points(spec, "path")
    if not points:
        central_spec: Any = central(spec)
    else:
        central_spec = {"interp": chosen or interp, "points": {str(y): central(s) for y, s in points.items()}}
    return sample_path(central_spec, years, 1, 0, "central", interp, anchor)[0]
