"""Computed sources of an indicator's actual values: metrics of accounting, monitoring and scenarios.

An indicator whose plan-file `source` names one of these is evaluated on the computed series, never on reported
values (those are shown beside it, see `carbonpeak.progress.services`). Each family is computed once per plan
evaluation (`Metrics` caches it), through the owning app's public service functions, with a fixed number of
queries whatever the size of the data.

Series are lists of (t, value) in the indicator's unit, with t in the time convention of
`carbonpeak.plan.engine.trajectory` (integer Y = end of year Y). A metric that cannot be computed raises
`MetricError` with the reason; the caller shows it as the indicator's error, never a silent "no data".
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from functools import cached_property

from carbonpeak.plan.engine.trajectory import date_t
from carbonpeak.plan.models import Indicator, Plan

logger = logging.getLogger(__name__)

#: tce → the indicator's unit, for the energy metrics.
TCE_UNITS = {"吨标准煤": 1.0, "tce": 1.0, "万吨标准煤": 1e-4, "10^4 tce": 1e-4}
#: t → the indicator's unit, for CO2 and physical coal.
MASS_UNITS = {"吨": 1.0, "t": 1.0, "万吨": 1e-4, "10^4 t": 1e-4}


class MetricError(ValueError):
    """A computed metric that cannot be computed (no data, an unknown unit...)."""


@dataclass(frozen=True)
class PeakSummary:
    """The scenarios app's answer to "when does the district peak": P50 year and P(peak by `by`)."""

    p_peak_by: float
    by: int
    peak_year_p50: float | None
    scenario: str
    url: str


def _convert(value: float, unit: str, table: dict[str, float], metric: str) -> float:
    if unit not in table:
        raise MetricError(f"{metric} is computed in {next(iter(table))}; the indicator's unit {unit!r} is not one "
                          f"of {', '.join(table)}")
    return value * table[unit]


class Metrics:
    """The computed metrics of one plan, each family computed on first use (one evaluation of the plan)."""

    def __init__(self, plan: Plan, as_of: dt.date) -> None:
        self.plan = plan
        self.as_of = as_of

    # -- accounting --------------------------------------------------------------------------------------

    @cached_property
    def _dual_control(self) -> tuple[list[dict], str]:
        from carbonpeak.accounting import services

        run = services.inventory(self.plan)
        years = run.result["dual_control"]["years"]
        if not years:
            raise MetricError("accounting has no energy records for this plan")
        return [r for r in years if r["year"] <= self.as_of.year], run.result["factor_set"]

    def _accounting(self, key: str, scale=lambda v: v) -> list[tuple[float, float]]:
        return [(float(r["year"]), scale(r[key])) for r in self._dual_control[0] if r.get(key) is not None]

    def _raw_coal_t_per_tce(self) -> float:
        from carbonpeak.accounting import services

        fs = services.engine_factor_set(self._dual_control[1])
        return 1.0 / float(fs.coal_equivalent[fs.carriers.index("raw_coal")])

    def accounting(self, name: str, indicator: Indicator) -> list[tuple[float, float]]:
        unit = indicator.unit
        if name == "energy_total":
            return self._accounting("energy_tce", lambda v: _convert(v, unit, TCE_UNITS, name))
        if name == "co2_total":
            return self._accounting("co2_t", lambda v: _convert(v, unit, MASS_UNITS, name))
        if name == "energy_intensity_change":
            return self._accounting("energy_intensity_change_vs_base", lambda v: -100.0 * v)
        if name == "co2_intensity_change":
            return self._accounting("co2_intensity_change_vs_base", lambda v: -100.0 * v)
        if name == "non_fossil_share":
            return self._accounting("non_fossil_share", lambda v: 100.0 * v)
        if name == "coal_consumption":
            if unit in TCE_UNITS:
                return self._accounting("coal_tce", lambda v: _convert(v, unit, TCE_UNITS, name))
            per_tce = self._raw_coal_t_per_tce()  # standard coal → raw coal (GB/T 2589 via the factor set)
            return self._accounting("coal_tce", lambda v: _convert(v * per_tce, unit, MASS_UNITS, name))
        raise MetricError(f"unknown accounting metric {name!r}")

    # -- monitoring --------------------------------------------------------------------------------------

    @cached_property
    def _pue(self) -> dict[str, dict[int, float]]:
        from carbonpeak.monitoring import services

        return services.pue_by_generation(self.plan)

    def monitoring(self, name: str, indicator: Indicator) -> list[tuple[float, float]]:
        from carbonpeak.monitoring import services

        now = services.data_now()
        t_now = date_t(min(services.local_date(now), self.as_of))
        if name == "key_unit_coverage":
            value = services.key_unit_coverage(now, self.plan)
            return [] if value is None else [(t_now, value)]
        if name in ("dc_pue_new", "dc_pue_existing"):
            by_year = self._pue.get(name.removeprefix("dc_pue_"), {})
            # A past year counts at its end; the current year's PUE so far at today.
            return [(float(y) if y < self.as_of.year else date_t(self.as_of), v)
                    for y, v in sorted(by_year.items()) if y <= self.as_of.year]
        if name == "public_building_eui":
            value = services.public_building_eui(now, self.plan)
            return [] if value is None else [(t_now, value)]
        raise MetricError(f"unknown monitoring metric {name!r}")

    # -- scenarios ---------------------------------------------------------------------------------------

    @cached_property
    def peak(self) -> PeakSummary | None:
        """The plan scenario's P(peak) summary; None when the plan has no base data for projections."""
        from carbonpeak.scenarios import summary

        s = summary.peak_probability(self.plan)
        if s is None:
            return None
        return PeakSummary(p_peak_by=float(s["p_peak_by"]), by=int(s["by"]), peak_year_p50=s.get("peak_year_p50"),
                           scenario=s.get("scenario", ""), url=s.get("url", ""))

    def scenarios(self, name: str, indicator: Indicator) -> list[tuple[float, float]]:
        t_now = date_t(self.as_of)
        if self.peak is None:
            return []  # no base data: no data, never another district's projection
        if name == "peak_year":
            return [] if self.peak.peak_year_p50 is None else [(t_now, float(self.peak.peak_year_p50))]
        if name == "peak_probability":
            return [(t_now, 100.0 * self.peak.p_peak_by)]
        raise MetricError(f"unknown scenarios metric {name!r}")

    # -- dispatch ----------------------------------------------------------------------------------------

    def series(self, indicator: Indicator) -> list[tuple[float, float]]:
        """The computed series of an indicator whose source is `<app>.<metric>`."""
        app, _sep, name = indicator.source.partition(".")
        if app not in ("accounting", "monitoring", "scenarios"):
            raise MetricError(f"{indicator.source!r} is not a computed source")
        try:
            return getattr(self, app)(name, indicator)
        except MetricError:
            raise
        except Exception as exc:  # noqa: BLE001 - another app failing is this indicator's visible error, logged
            logger.exception("%s could not be computed for %s", indicator.source, indicator.code)
            raise MetricError(f"{indicator.source} could not be computed: {type(exc).__name__}: {exc}") from exc
