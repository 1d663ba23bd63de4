"""Uncertain inputs as plain JSON: distributions and time paths, sampled reproducibly.

A *spec* is either a number (fixed) or a dict naming a distribution:

    0.05
    {"dist": "fixed", "value": 0.05}
    {"dist": "normal", "mean": 0.05, "sd": 0.01}            # optional "min"/"max" clip any dist
    {"dist": "uniform", "low": 0.03, "high": 0.07}
    {"dist": "triangular", "low": 0.03, "mode": 0.05, "high": 0.07}

A *path* is a spec (constant over time) or a mapping year -> spec, optionally wrapped as
``{"interp": "linear" | "step", "points": {...}, "ar1": {"sd": 0.01, "rho": 0.5}}``. Step paths hold
each point's value from its year on; linear paths interpolate between points and hold the end values
flat. ``ar1`` adds year-to-year variation around that trend: a stationary AR(1) deviation
``e[t] = rho e[t-1] + sd sqrt(1 - rho^2) u[t]`` (standard deviation `sd`, lag-1 autocorrelation `rho`,
``e`` starting from its stationary distribution in the first projected year, 0 in the base year).

Correlation: a parameter can be sampled from a given standard-normal *latent* (``sample(..., z=)``):
the value is the spec's quantile at Phi(z) (a Gaussian copula), and an AR(1) path can take its
innovations ``u`` from outside (``sample_path(..., innovations=)``); the model builds correlated
latents from the scenario's ``drivers.correlations``.

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


def normal_cdf(z: np.ndarray) -> np.ndarray:
    """Phi(z), vectorised (Abramowitz & Stegun 7.1.26 for erf, |error| < 1.5e-7: ample for sampling)."""
    x = np.abs(z) / np.sqrt(2.0)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    erf = 1.0 - poly * np.exp(-x * x)
    return 0.5 * (1.0 + np.sign(z) * erf)


def _quantile(spec: Mapping[str, Any], z: np.ndarray) -> np.ndarray:
    """The spec's value at the standard-normal latent z (inverse CDF at Phi(z))."""
    kind = spec["dist"]
    if kind == "fixed":
        return np.full(z.shape, float(spec["value"]))
    if kind == "normal":
        return spec["mean"] + spec["sd"] * z
    u = normal_cdf(z)
    low, high = float(spec["low"]), float(spec["high"])
    if kind == "uniform":
        return low + (high - low) * u
    mode, width = float(spec["mode"]), high - low
    if width == 0:
        return np.full(z.shape, low)
    left = (mode - low) / width
    return np.where(u < left, low + np.sqrt(u * width * (mode - low)), high - np.sqrt((1 - u) * width * (high - mode)))


def latent(seed: int, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """Standard-normal latents of one named parameter (its own stream, see module docstring)."""
    return rng_for(seed, name).standard_normal(shape)


def sample(spec: Any, draws: int, seed: int, name: str, z: np.ndarray | None = None) -> np.ndarray:
    """`draws` samples of `spec`, shape (draws,); `name` selects the parameter's own stream.

    With `z` (standard normals, shape (draws,)), the samples are the spec's quantiles at Phi(z) instead:
    how correlated parameters are drawn."""
    validate_spec(spec, name)
    if not isinstance(spec, Mapping):
        return np.full(draws, float(spec))
    kind = spec["dist"]
    if z is not None:
        out = _quantile(spec, np.asarray(z, dtype=float))
    elif kind == "fixed":
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


def ar1_deviation(innovations: np.ndarray, sd: float, rho: float) -> np.ndarray:
    """Stationary AR(1) deviations (D, T-1) from standard-normal innovations (D, T-1)."""
    out = np.empty_like(innovations)
    scale = sd * np.sqrt(1.0 - rho * rho)
    out[:, 0] = sd * innovations[:, 0]
    for t in range(1, innovations.shape[1]):
        out[:, t] = rho * out[:, t - 1] + scale * innovations[:, t]
    return out


def path_ar1(spec: Any) -> tuple[float, float] | None:
    """(sd, rho) of a path's AR(1) variation, None if it has none (validate the path first)."""
    if isinstance(spec, Mapping) and isinstance(spec.get("ar1"), Mapping):
        return float(spec["ar1"]["sd"]), float(spec["ar1"]["rho"])
    return None


def _validate_ar1(ar1: Any, where: str) -> None:
    if not isinstance(ar1, Mapping) or set(ar1) != {"sd", "rho"}:
        raise ScenarioError(f"{where}.ar1: expected {{\"sd\": number, \"rho\": number}}, got {ar1!r}")
    if _num(ar1["sd"], f"{where}.ar1.sd") < 0:
        raise ScenarioError(f"{where}.ar1.sd: must be >= 0")
    if not 0 <= _num(ar1["rho"], f"{where}.ar1.rho") < 1:
        raise ScenarioError(f"{where}.ar1.rho: must be in [0, 1)")


def _path_points(spec: Any, where: str) -> tuple[str | None, dict[int, Any]]:
    """Split a path spec into (interp or None, {year: spec}); a bare spec gives {}: constant."""
    interp = None
    if isinstance(spec, Mapping) and "points" in spec:
        interp = spec.get("interp")
        if interp is not None and interp not in INTERPS:
            raise ScenarioError(f"{where}.interp: must be one of {list(INTERPS)}, got {interp!r}")
        extra = set(spec) - {"interp", "points", "ar1"}
        if extra:
            raise ScenarioError(f"{where}: unknown field(s) {sorted(extra)}")
        if "ar1" in spec:
            _validate_ar1(spec["ar1"], where)
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


def _overdue(points: dict[int, Any], base_year: int, draws: int, seed: int, name: str, anchor: np.ndarray,
             goal: str, notes: list[str] | None) -> tuple[list[int], list[np.ndarray]]:
    """Anchored linear path: the base year is the anchor; the latest point dated at or before it (a target
    already due) is applied from the next year on: as a floor (goal "up": the state is raised to it, never
    lowered), a ceiling (goal "down") or, without a goal, as the state itself. Only an assumed path (goal
    "observed", e.g. the grid factor) gives way to the observed base-year value; either way it is noted."""
    pyears, cols = [base_year], [anchor]
    due = [y for y in points if y <= base_year]
    if due and goal == "observed":  # an assumed path, not a target: the base year's observed value supersedes it
        if notes is not None:
            notes.append(f"{name}: points up to {due[-1]} are at or before the base year {base_year}; the base "
                         "year's observed value replaces them")
    elif due and base_year + 1 not in points:
        y = due[-1]
        value = sample(points[y], draws, seed, f"{name}[{y}]")
        col = np.maximum(anchor, value) if goal == "up" else np.minimum(anchor, value) if goal == "down" else value
        pyears.append(base_year + 1)
        cols.append(col)
        if notes is not None:
            how = {"up": "a floor", "down": "a ceiling"}.get(goal, "the state")
            notes.append(f"{name}: target for {y} is at or before the base year {base_year}; "
                         f"applied as {how} from {base_year + 1}")
    for y, s in points.items():
        if y > base_year:
            pyears.append(y)
            cols.append(sample(s, draws, seed, f"{name}[{y}]"))
    return pyears, cols


def sample_path(
    spec: Any,
    years: np.ndarray,
    draws: int,
    seed: int,
    name: str,
    interp: str = "linear",
    anchor: np.ndarray | float | None = None,
    goal: str = "",
    notes: list[str] | None = None,
    innovations: np.ndarray | None = None,
) -> np.ndarray:
    """Samples of a path over `years`, shape (draws, T).

    With `anchor` (the base-year value, per draw or scalar), the base-year column is the anchor exactly,
    so a lever never changes the calibrated base year; a linear path runs from it to the later points,
    and a point at or before the base year is applied as a state, floor or ceiling (see `_overdue`,
    which adds a line to `notes`). An ``ar1`` variation takes its innovations (D, T-1) from
    `innovations` if given, else from the stream ``name + ".ar1"``.
    """
    years = np.asarray(years)
    chosen, points = _path_points(spec, name)
    interp = chosen or interp
    if not points:
        out = np.repeat(sample(spec, draws, seed, name)[:, None], len(years), axis=1)
    elif anchor is not None and interp == "linear":
        anchor_col = np.broadcast_to(np.asarray(anchor, dtype=float), (draws,))
        pyears, cols = _overdue(points, int(years[0]), draws, seed, name, anchor_col, goal, notes)
        out = np.stack(cols, axis=1) @ path_weights(pyears, years, interp).T
    else:
        cols = [sample(s, draws, seed, f"{name}[{y}]") for y, s in points.items()]
        out = np.stack(cols, axis=1) @ path_weights(list(points), years, interp).T
    ar1 = path_ar1(spec)
    if ar1 is not None and len(years) > 1:
        u = innovations if innovations is not None else latent(seed, f"{name}.ar1", (draws, len(years) - 1))
        out = np.array(out, dtype=float)
        out[:, 1:] += ar1_deviation(u, *ar1)
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
