"""Progress of one plan indicator: expected trajectory, latest value, gaps, trend forecast and status.

Pure Python/numpy, no Django. `evaluate(spec, history)` is the whole public surface; the ORM glue in
`carbonpeak.tracking.progress` builds the `Spec` from an `Indicator` and the history from approved reports or
project roll-ups.

Conventions (documented once, used everywhere):

* **Time** is a fractional year where the integer ``Y`` means the *end* of calendar year ``Y`` (31 December).
  An annual report for 2023 sits at ``t = 2023``; the 2nd quarter of 2026 ends at ``t = 2025.5``; the plan's
  2020 baseline sits at ``t = 2020`` and a 2025 target is due at ``t = 2025``. `period_t` and `date_t` convert.
* **Level** indicators (a share, an intensity, a PUE) report the level at the end of each period.
* **Cumulative** indicators (``aggregation="cumulative"``, e.g. +29.4万千瓦 PV in 2021–2025) report the running
  total since the start of the period (累计值), not the increment of each period. The trajectory starts from 0 at
  the end of the year before the period starts.
* **reduce-by** indicators (e.g. energy use per unit of GDP −14% vs 2020) report the *percent reduction achieved
  versus the baseline year* (a reported 9.5 means 9.5% below 2020), so the trajectory runs from 0 at the baseline
  year to the target percentage and higher is better. `reduction_percent` converts a level (an intensity) into
  that form for callers that hold levels.
* **Direction** comes from the comparator: ``>=``, ``>``, ``reduce-by`` → higher is better; ``<=``, ``<`` →
  lower is better; ``=`` on a level indicator approaches the target from the side it starts on (a share rising
  to 100%, coal use falling to 0) and is two-sided when it starts at the target; ``=`` on a cumulative
  indicator, ``increase`` and ``maintain`` use the indicator's ``higher_is_better`` flag.

Trajectory (expected value at time t, `carbonpeak.plan.engine.trajectory`): ``linear`` interpolates from the
starting point to the target at the target year and holds the target afterwards; ``geometric`` moves at a constant
rate (for a reduce-by target the underlying level falls by the same share each year); ``step`` expects the target
at every date (the target holds from the start, e.g. PUE ≤ 1.3 for every new data centre from 2022 on). The starting point is the plan's baseline (value and year),
0 for cumulative and reduce-by targets, or — when the plan states no baseline — the first reported value.

Forecast of the target-year value: level indicators fit a least-squares straight line ``v = a + b·t`` through
the reported history and read it at the target year (an actual value for the target year wins; a single value
is paired with the plan's baseline, or else carried flat). Cumulative indicators extrapolate the running total
at its average pace since the start of the period: ``forecast = total · (T − t0) / (t − t0)``.

Status rule (quantitative targets, see `RULES` for the texts shown to users):

* ``no_data``   — no reported value (and no roll-up) yet.
* ``on_track``  — the latest value meets the expected trajectory at its date (once the target year is reached:
  meets the target itself, with the plan's comparator).
* ``at_risk``   — a single value with no plan baseline that does not meet the target yet (no trend to judge);
  or not on track, but either behind the trajectory by no more than the tolerance band (10% of the
  distance from the starting point to the target; 1% of the target when that distance is zero), or — before the
  target year — the trend forecast meets the target.
* ``off_track`` — otherwise.
* ``missed``    — the target year has passed (a value for the target year or later is in) and it misses the target
  (未完成): a status of its own, never "at risk".

Qualitative targets (no target value: ``increase``, ``maintain``, "complete the city's quota") are ``no_data``
unless values are reported; then the latest value is compared with the baseline (or the first reported value):
on track if it improved (``increase``) or did not get worse (others); at risk if unchanged for ``increase``,
worse by at most 10% of the reference, or if there is only one value and nothing to compare; off track otherwise.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from carbonpeak.plan.engine import trajectory as paths
from carbonpeak.plan.engine.trajectory import GEOMETRIC, STEP, date_t, period_t, reduction_path  # noqa: F401

ON_TRACK, AT_RISK, OFF_TRACK, MISSED, NO_DATA = "on_track", "at_risk", "off_track", "missed", "no_data"
STATUSES = (ON_TRACK, AT_RISK, OFF_TRACK, MISSED, NO_DATA)
DEFAULT_TOLERANCE = 0.10

HIGHER = {">=", ">", "reduce-by"}
LOWER = {"<=", "<"}
QUALITATIVE = {"increase", "maintain"}

#: The rule texts shown to users, by rule key (English msgids; the Django layer translates and fills them in).
RULES = {
    "level": (
        "On track if the latest value meets the expected trajectory for its date ({shape} from the starting value "
        "{start} in {start_year} to the target {target} in {target_year}); at risk if it is behind by no more "
        "than the tolerance band of {band} (10% of the distance to the target) or the trend forecast for "
        "{target_year} meets the target; off track otherwise."
    ),
    "step": (
        "On track if the latest value meets the target {target}, which holds from the start; at risk if it "
        "misses by no more than the tolerance band of {band} or the trend forecast for {target_year} meets "
        "the target; off track otherwise."
    ),
    "cumulative": (
        "On track if the running total since {period_start} meets the expected trajectory for its date (linear "
        "from 0 at the end of {origin_year} to {target} at the end of {target_year}); at risk if it is behind by "
        "no more than {band} (10% of the target) or the total extrapolated at its average pace reaches the target "
        "by {target_year}; off track otherwise."
    ),
    "reduce-by": (
        "Values are the percent reduction achieved versus {start_year}. On track if the latest reduction meets "
        "the expected trajectory for its date ({shape} from 0% in {start_year} to {target}% in {target_year}); "
        "at risk if it is behind by no more than {band} percentage points or the trend forecast for "
        "{target_year} reaches {target}%; off track otherwise."
    ),
    "peak": (
        "Decided by the scenario projection, not by a path: on track if the probability of peaking by "
        "{target_year} is at least 50% (the median projected peak year meets the target); at risk if it is at "
        "least 25% (the target year lies between the first quartile and the median); off track otherwise."
    ),
    "qualitative": (
        "No numeric target: on track if the latest reported value {verb} the reference value {start}; at risk if "
        "it is unchanged where an increase is required, worse by at most 10%, or there is only one value; off "
        "track otherwise; no data until a value is reported."
    ),
}


@dataclass(frozen=True)
class Spec:
    """What the plan says about one indicator (a plain mirror of `carbonpeak.plan.models.Indicator`)."""

    comparator: str
    target: float | None
    target_year: int
    baseline: float | None = None
    baseline_year: int | None = None
    aggregation: str = "level"
    trajectory: str = "linear"
    higher_is_better: bool = True
    period: tuple[int, int] | None = None
    tolerance: float = DEFAULT_TOLERANCE

    @property
    def cumulative(self) -> bool:
        return self.aggregation == "cumulative"

    @property
    def quantitative(self) -> bool:
        return self.target is not None and self.comparator not in QUALITATIVE

    @property
    def direction(self) -> int:
        """+1 higher is better, −1 lower is better, 0 two-sided (``=`` on a level)."""
        if self.comparator in HIGHER:
            return 1
        if self.comparator in LOWER:
            return -1
        if self.comparator == "=" and not self.cumulative:
            return 0
        return 1 if self.higher_is_better else -1

    @property
    def target_t(self) -> float:
        if self.cumulative and self.period:
            return float(self.period[1])
        return float(self.target_year)

    @property
    def rule_key(self) -> str:
        if not self.quantitative:
            return "qualitative"
        if self.cumulative:
            return "cumulative"
        if self.comparator == "reduce-by":
            return "reduce-by"
        return "step" if self.trajectory == "step" else "level"


@dataclass
class Evaluation:
    """The progress of one indicator. Times are fractional years (see the module docstring)."""

    status: str
    rule_key: str
    rule: str
    reason: str
    # the branch of the rule that decided: no_data meets band forecast behind single improved unchanged worse
    reason_key: str = "no_data"
    latest_t: float | None = None
    latest_value: float | None = None
    expected_now: float | None = None
    gap_to_trajectory: float | None = None  # latest − expected at the latest date
    gap_to_target: float | None = None  # latest − target
    shortfall: float | None = None  # how far behind the trajectory in the good direction (≤ 0: ahead or on it)
    band: float | None = None
    forecast: float | None = None  # trend forecast of the target-year value
    forecast_meets_target: bool | None = None
    start: tuple[float, float] | None = None  # (t, value) the trajectory starts from
    target_t: float | None = None
    fit: tuple[float, float] | None = None  # (a, b) of the least-squares line v = a + b·t (level indicators)
    probability: float | None = None  # P(peak by the target year), for the peak-year target
    history: list[tuple[float, float]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in (
            "status", "rule_key", "rule", "reason", "reason_key", "latest_t", "latest_value", "expected_now",
            "gap_to_trajectory", "gap_to_target", "shortfall", "band", "forecast", "forecast_meets_target",
            "start", "target_t", "probability",
        )}


def reduction_percent(level: float, baseline_level: float) -> float:
    """Percent reduction of a level versus its baseline, the form reduce-by indicators report (0.86 of 1.0 → 14)."""
    if baseline_level == 0:
        raise ValueError("the baseline level is 0: a percent reduction is undefined")
    return (1 - level / baseline_level) * 100


# -- core ---------------------------------------------------------------------------------------------------

def start_point(spec: Spec, history: Sequence[tuple[float, float]] = ()) -> tuple[float, float] | None:
    """Where the expected trajectory starts: (t, value)."""
    if spec.cumulative:
        if spec.period:
            return float(spec.period[0] - 1), 0.0
        if spec.baseline_year is not None:
            return float(spec.baseline_year), 0.0
        return None
    if spec.comparator == "reduce-by":
        if spec.baseline_year is not None:
            return float(spec.baseline_year), 0.0
        return (history[0][0], 0.0) if history else None
    if spec.baseline is not None and spec.baseline_year is not None:
        return float(spec.baseline_year), float(spec.baseline)
    if history:
        return history[0]
    return None


def expected(spec: Spec, t: float, start: tuple[float, float] | None) -> float | None:
    """The value the trajectory expects at time t (`carbonpeak.plan.engine.trajectory`), or None when it cannot
    be drawn. A reduce-by target's geometric path reduces the underlying level by the same share each year."""
    if not spec.quantitative:
        return None
    target = float(spec.target)  # type: ignore[arg-type]
    if spec.trajectory == STEP:
        return target
    if start is None:
        return None
    if spec.comparator == "reduce-by":
        return reduction_path(spec.trajectory, start[0], spec.target_t, target, t)
    if spec.trajectory == GEOMETRIC and (start[1] <= 0 or target <= 0):
        return paths.expected(paths.LINEAR, start, (spec.target_t, target), t)  # no constant rate through 0
    return paths.expected(spec.trajectory, start, (spec.target_t, target), t)


def trajectory(spec: Spec, start: tuple[float, float] | None, t_from: float | None = None,
               t_to: float | None = None) -> list[tuple[float, float]]:
    """The expected trajectory at every year end from the start (or t_from) to the target year (or t_to)."""
    if not spec.quantitative:
        return []
    lo = t_from if t_from is not None else (start[0] if start else spec.target_t - 5)
    hi = t_to if t_to is not None else spec.target_t
    years = range(math.ceil(lo - 1e-9), math.floor(hi + 1e-9) + 1)
    return [(float(y), float(expected(spec, float(y), start))) for y in years if expected(spec, y, start) is not None]


def direction(spec: Spec, start: tuple[float, float] | None) -> int:
    """+1 higher is better, −1 lower is better, 0 two-sided.

    ``=`` on a level indicator approaches the target from its starting side (a share rising to 100%, coal use
    falling to 0), and is two-sided only when it starts at the target (keep 100%, keep 0).
    """
    if spec.comparator == "=" and not spec.cumulative and spec.target is not None and start is not None:
        gap = spec.target - start[1]
        return 0 if abs(gap) <= 1e-9 * max(1.0, abs(spec.target)) else (1 if gap > 0 else -1)
    return spec.direction


def meets_target(spec: Spec, value: float) -> bool:
    """Whether a value satisfies the target with the plan's own comparator."""
    target = float(spec.target)  # type: ignore[arg-type]
    eps = 1e-9 * max(1.0, abs(target))
    c = spec.comparator
    if c in (">=", "reduce-by"):
        return value >= target - eps
    if c == ">":
        return value > target
    if c == "<=":
        return value <= target + eps
    if c == "<":
        return value < target
    if c == "=":
        if spec.cumulative:
            return value >= target - eps if spec.higher_is_better else value <= target + eps
        return abs(value - target) <= eps
    raise ValueError(f"comparator {c!r} has no numeric target")


def _shortfall(direction: int, value: float, reference: float) -> float:
    """How far `value` is behind `reference` in the good direction (positive: behind)."""
    if direction > 0:
        return reference - value
    if direction < 0:
        return value - reference
    return abs(value - reference)


def _clean(history: Iterable[tuple[float, float]], as_of: float | None) -> list[tuple[float, float]]:
    points: dict[float, float] = {}
    for t, v in history:
        if v is None or t is None:
            continue
        t, v = float(t), float(v)
        if not (math.isfinite(t) and math.isfinite(v)):
            raise ValueError(f"history point ({t}, {v}) is not a finite number")
        if as_of is not None and t > as_of + 1e-9:
            continue
        points[round(t, 6)] = v  # a later duplicate for the same date replaces the earlier one
    return sorted(points.items())


def forecast(spec: Spec, history: Sequence[tuple[float, float]], start: tuple[float, float] | None
             ) -> tuple[float | None, tuple[float, float] | None]:
    """Trend forecast of the target-year value and, for level indicators, the fitted line (a, b)."""
    if not history:
        return None, None
    T = spec.target_t
    if spec.cumulative:
        t_l, c_l = history[-1]
        t0 = start[0] if start else None
        if t_l >= T - 1e-9 or t0 is None or t_l <= t0:
            return c_l, None
        return c_l * (T - t0) / (t_l - t0), None
    for t, v in history:
        if abs(t - T) < 1e-6:
            return v, None
    points = list(history)
    if len(points) == 1 and start is not None and abs(start[0] - points[0][0]) > 1e-6:
        points = [start, *points]
    ts = np.array([p[0] for p in points])
    vs = np.array([p[1] for p in points])
    if len(points) == 1 or np.ptp(ts) == 0:
        return float(vs[-1]), (float(vs[-1]), 0.0)
    b, a = np.polyfit(ts, vs, 1)
    return float(a + b * T), (float(a), float(b))


def evaluate(spec: Spec, history: Iterable[tuple[float, float]], as_of: float | None = None) -> Evaluation:
    """Evaluate one indicator from its history of (t, value); points after `as_of` are ignored."""
    points = _clean(history, as_of)
    if spec.cumulative:
        t0 = spec.period[0] - 1 if spec.period else None
        points = [(t, v) for t, v in points if t <= spec.target_t + 1e-9 and (t0 is None or t > t0 - 1e-9)]
    if not spec.quantitative:
        return _evaluate_qualitative(spec, points)

    start = start_point(spec, points)
    target = float(spec.target)  # type: ignore[arg-type]
    T = spec.target_t
    distance = abs(target - start[1]) if start else 0.0
    band = spec.tolerance * (distance if distance > 0 else 0.1 * abs(target))
    fc, fit = forecast(spec, points, start)
    ev = Evaluation(status=NO_DATA, rule_key=spec.rule_key, rule="", reason="", band=band, start=start,
                    target_t=T, forecast=fc, fit=fit, history=points)
    ev.rule = rule_text(spec, ev)
    if not points:
        ev.reason = "No value has been reported yet."
        return ev

    t_l, v_l = points[-1]
    exp_now = expected(spec, t_l, start)
    ev.latest_t, ev.latest_value, ev.expected_now = t_l, v_l, exp_now
    ev.gap_to_target = v_l - target
    ev.gap_to_trajectory = None if exp_now is None else v_l - exp_now
    ev.forecast_meets_target = None if fc is None else meets_target(spec, fc)
    eps = 1e-9 * max(1.0, abs(target))
    ref = exp_now if exp_now is not None else target
    ev.shortfall = _shortfall(direction(spec, start), v_l, ref)
    from_history = start is not None and spec.trajectory != "step" and start == points[0]
    if from_history and len(points) == 1 and t_l < T - 1e-9:
        # No plan baseline and a single value: it is its own starting point, so there is no progress to judge yet.
        ev.status, ev.reason_key = (ON_TRACK, "meets") if meets_target(spec, v_l) else (AT_RISK, "single")
        ev.reason = "Only one value is reported and the plan states no baseline: no trend yet."
        return ev
    if t_l >= T - 1e-9:
        on = meets_target(spec, v_l)
    else:
        on = ev.shortfall <= eps
    if on:
        ev.status, ev.reason_key = ON_TRACK, "meets"
        ev.reason = f"The latest value {v_l:g} meets the expected {ref:g} for its date."
    elif t_l >= T - 1e-9:
        ev.status, ev.reason_key = MISSED, "missed"
        ev.reason = f"The target year has passed and the value {v_l:g} misses the target {target:g}."
    elif ev.shortfall <= band + eps:
        ev.status, ev.reason_key = AT_RISK, "band"
        ev.reason = f"The latest value {v_l:g} is behind the expected {ref:g} by {ev.shortfall:g}, within the band {band:g}."
    elif t_l < T - 1e-9 and ev.forecast_meets_target:
        ev.status, ev.reason_key = AT_RISK, "forecast"
        ev.reason = f"Behind the trajectory by {ev.shortfall:g}, but the trend forecast {fc:g} meets the target."
    else:
        ev.status, ev.reason_key = OFF_TRACK, "behind"
        ev.reason = (f"The latest value {v_l:g} is behind the expected {ref:g} by {ev.shortfall:g} (band {band:g}) "
                     f"and the forecast {fc:g} for {T:g} misses the target {target:g}.")
    return ev


#: P(peak by the target year) at or above which the peak-year target is on track (the median meets it) / at risk.
PEAK_ON_TRACK, PEAK_AT_RISK = 0.5, 0.25


def evaluate_peak(spec: Spec, p_peak_by: float, by: int, history: Sequence[tuple[float, float]]) -> Evaluation:
    """The peak-year target's status from the scenario metric P(peak by `by`); history is the P50 peak year."""
    if by != int(spec.target_t):
        raise ValueError(f"the scenario gives P(peak by {by}), the target is the year {spec.target_t:g}")
    points = _clean(history, None)
    ev = Evaluation(status=NO_DATA, rule_key="peak", rule=RULES["peak"].format(**rule_params(spec, Evaluation(
        status=NO_DATA, rule_key="peak", rule="", reason=""))), reason="", target_t=spec.target_t, history=points,
        forecast=points[-1][1] if points else None)
    if points:
        ev.latest_t, ev.latest_value = points[-1]
        ev.gap_to_target = ev.latest_value - float(spec.target) if spec.target is not None else None
        ev.forecast_meets_target = spec.target is not None and meets_target(spec, ev.latest_value)
    ev.probability = p_peak_by
    if p_peak_by >= PEAK_ON_TRACK:
        ev.status, ev.reason_key = ON_TRACK, "peak_likely"
    elif p_peak_by >= PEAK_AT_RISK:
        ev.status, ev.reason_key = AT_RISK, "peak_possible"
    else:
        ev.status, ev.reason_key = OFF_TRACK, "peak_unlikely"
    ev.reason = f"P(peak by {by}) = {100 * p_peak_by:.1f}%."
    return ev


def _evaluate_qualitative(spec: Spec, points: list[tuple[float, float]]) -> Evaluation:
    direction = spec.direction or 1
    reference = None
    if spec.baseline is not None:
        reference = (float(spec.baseline_year or (points[0][0] if points else spec.target_t)), float(spec.baseline))
    elif points:
        reference = points[0]
    ev = Evaluation(status=NO_DATA, rule_key="qualitative", rule="", reason="", start=reference,
                    target_t=spec.target_t, history=points)
    ev.rule = rule_text(spec, ev)
    if not points:
        ev.reason = "No value has been reported yet."
        return ev
    t_l, v_l = points[-1]
    ev.latest_t, ev.latest_value = t_l, v_l
    if reference is None or (spec.baseline is None and len(points) == 1):
        ev.reason_key = "single"
        ev.status, ev.reason = AT_RISK, "Only one value is reported: there is nothing to compare it with yet."
        return ev
    r = reference[1]
    behind = _shortfall(direction, v_l, r)
    ev.shortfall = behind
    ev.gap_to_trajectory = v_l - r
    eps = 1e-9 * max(1.0, abs(r))
    if spec.comparator == "increase":
        ok, unchanged = behind < -eps, abs(behind) <= eps
    else:
        ok, unchanged = behind <= eps, False
    if ok:
        ev.reason_key = "improved"
        ev.status, ev.reason = ON_TRACK, f"The latest value {v_l:g} is no worse than the reference {r:g}."
    elif unchanged or behind <= 0.1 * abs(r) + eps:
        ev.reason_key = "unchanged"
        ev.status, ev.reason = AT_RISK, f"The latest value {v_l:g} has not improved on the reference {r:g}."
    else:
        ev.reason_key = "worse"
        ev.status, ev.reason = OFF_TRACK, f"The latest value {v_l:g} is worse than the reference {r:g}."
    return ev


def rule_params(spec: Spec, ev: Evaluation) -> dict[str, str]:
    """The numbers the rule text of `RULES[spec.rule_key]` is filled in with."""
    start = ev.start
    return {
        "start": "—" if start is None else f"{start[1]:g}",
        "start_year": "—" if start is None else f"{start[0]:g}",
        "origin_year": "—" if start is None else f"{start[0]:g}",
        "period_start": str(spec.period[0]) if spec.period else "—",
        "target": "—" if spec.target is None else f"{spec.target:g}",
        "target_year": f"{spec.target_t:g}",
        "band": "—" if ev.band is None else f"{ev.band:.4g}",
        "verb": "is above" if spec.comparator == "increase" else "is not worse than",
        "shape": spec.trajectory,
    }


def rule_text(spec: Spec, ev: Evaluation) -> str:
    return RULES[spec.rule_key].format(**rule_params(spec, ev))
