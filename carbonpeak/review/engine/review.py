"""The review of one proposal: energy and CO2 with the accounting engine, effect on the district's intensity,
cap headroom, the scenario pair with and without the project (common random numbers), rule checks and the
recommendation. Pure: the caller (services) reads the plan, the inventory and the approved projects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from carbonpeak.accounting.engine.carriers import CARRIERS
from carbonpeak.accounting.engine.factors import FactorError, FactorSet
from carbonpeak.accounting.engine.inventory import (
    METHOD_LABELS, RENEWABLE_BASE_YEAR, by_method, compute_inventory,
)
from carbonpeak.scenarios.engine import BaseYear, Scenario, project_pair

from .proposal import FieldError, Proposal, ProposalError
from .rules import Rules, RulesError

ASSESSMENT_YEARS = (2025, 2030)
ZERO_EMISSION_CARRIER = "pv_electricity"
INTENSITY_METHOD = METHOD_LABELS["equivalent"]
"""Intensities (project, district, impact) are 当量值: the unit of the scenario projection they are set against;
cap headroom is in the cap's own method."""
APPROVE, CONDITIONAL, REJECT = "通过", "有条件通过", "不予通过"


@dataclass(frozen=True)
class Budget:
    """The district's energy cap and what is already using it (from accounting, assessment, approved projects)."""

    method: str = "equivalent"
    cap_tce: float | None = None
    cap_year: int | None = None
    district_energy_tce: float = 0.0  # energy counted for dual control, latest accounted year
    district_energy_year: int | None = None
    approved_tce: float = 0.0  # approved projects' control energy in the cap year
    town_allocated_tce: float | None = None
    town_energy_tce: float = 0.0
    town_approved_tce: float = 0.0
    notes: tuple[str, ...] = field(default_factory=tuple)


def _records(p: Proposal, rules: Rules, years: list[int]) -> pd.DataFrame:
    """The proposal as accounting records, one set per year at that year's ramp-up share.

    A zero renewable record in the renewable base year (2020) says the project consumed no renewable power then:
    all of its renewable electricity is new and deducted from control (发改运行〔2022〕1258号)."""
    sector = rules.sectors[p.sector]["accounting_sector"]
    rows = [("pv_electricity", 0.0, "kWh", RENEWABLE_BASE_YEAR, "energy")]
    for y in years:
        s = p.ramp_share(y)
        rows.append(("pv_electricity", 0.0, "kWh", y, "energy"))
        rows += [(q.carrier, q.quantity * s, q.unit, y, "energy") for q in (*p.energy, *p.own_renewables)]
        rows += [(q.carrier, q.quantity * s, q.unit, y, "feedstock") for q in p.feedstock]
        if p.green_power_kwh:
            rows.append(("green_electricity", p.green_power_kwh * s, "kWh", y, "energy"))
    df = pd.DataFrame(rows, columns=["carrier", "quantity", "unit", "year", "use"])
    df["sector"], df["town"] = sector, p.town
    return df


def account_proposal(p: Proposal, rules: Rules, fs: FactorSet, years: list[int]) -> dict[int, dict[str, Any]]:
    """Per year: energy (当量值, 等价值), CO2, energy counted for control per method, energy by carrier
    (feedstock excluded), all computed by the accounting engine."""
    try:
        inv = compute_inventory(_records(p, rules, years), fs, check_periods=False)
    except FactorError as exc:
        raise ProposalError([FieldError("proposal", "start_year", str(exc))]) from exc
    methods = by_method(inv.by_year)
    out = {}
    for y in years:
        row = inv.by_year[y]
        out[y] = {"energy_tce": row["energy_tce"], "energy_tce_reporting": row["energy_tce_reporting"],
                  "co2_t": row["co2_t"], "feedstock_tce": row["feedstock_tce"],
                  "control_tce": {label: methods[label]["by_year"][y]["dual_control_energy_tce"]
                                  for label in METHOD_LABELS.values()},
                  "by_carrier": {c: r["energy_tce"] - r["feedstock_tce"]
                                 for c, r in inv.by_year_carrier.get(y, {}).items()}}
    return out


def committed_loads(p: Proposal, rules: Rules, base: BaseYear, full: dict[str, float]) -> list[dict[str, Any]]:
    """The proposal as the scenario engine's committed loads: 当量值 tce per carrier (feedstock is not burnt
    and stays out), ramped up from the start year, full from the last ramp-up year on. Renewable electricity
    the scenario base has no cell for (traded green power, own wind) goes with its zero-emission local
    renewable electricity (`ZERO_EMISSION_CARRIER`)."""
    sector = rules.sectors[p.sector]["scenario_sector"]
    if sector not in base.sectors:
        sector = rules.sectors[p.sector]["accounting_sector"]
    by_carrier: dict[str, float] = {}
    for carrier, tce in full.items():
        if carrier not in base.carriers and CARRIERS[carrier].renewable:
            carrier = ZERO_EMISSION_CARRIER
        by_carrier[carrier] = by_carrier.get(carrier, 0.0) + tce
    loads = []
    for carrier, tce in sorted((c, t) for c, t in by_carrier.items() if t):
        for k in range(p.ramp_up_years):
            year = p.start_year + k
            row = {"sector": sector, "carrier": carrier, "energy_tce": tce * p.ramp_share(year), "year": year}
            if k < p.ramp_up_years - 1:
                row["until"] = year
            loads.append(row)
    return loads


def _check(rule: str, spec: dict[str, Any], passed: bool, detail: str, applicable: bool = True,
           source: str | None = None) -> dict[str, Any]:
    return {"rule": rule, "passed": passed, "applicable": applicable, "detail": detail,
            "source": source or spec["source"], "on_fail": spec["on_fail"]}


def _indicator(indicators: dict[str, dict[str, Any]], spec: dict[str, Any]) -> dict[str, Any]:
    code = spec["indicator"]
    ind = indicators.get(code)
    if ind is None or ind.get("target_value") is None:
        raise RulesError(f"rules: the plan has no indicator {code!r} with a target value")
    return ind | {"code": code}


def checks(p: Proposal, rules: Rules, indicators: dict[str, dict[str, Any]], intensity: float | None,
           threshold: float, headroom: tuple[float | None, float | None]) -> list[dict[str, Any]]:
    """The rule checks, each with its plan source; a check that does not apply passes and says so."""
    c = rules.checks
    out = []
    spec = c["data_centre_pue"]
    ind = _indicator(indicators, spec)
    limit = float(ind["target_value"])
    if p.kind == "data_centre":
        out.append(_check("data_centre_pue", spec, p.design_pue <= limit,
                          f"design PUE {p.design_pue:g} vs limit {limit:g} ({ind['code']})"))
    else:
        out.append(_check("data_centre_pue", spec, True, "not a data centre", applicable=False))
    spec = c["two_high_one_low"]
    sector = rules.sectors[p.sector]
    if sector["two_high_one_low"]:
        ok = p.exception is not None
        out.append(_check("two_high_one_low", spec, ok, f"sector {sector.get('name_zh', p.sector)} is 两高一低; "
                          + (f"exception: {rules.exceptions[p.exception]}" if ok else "no listed exception")))
    else:
        out.append(_check("two_high_one_low", spec, True, f"sector {sector.get('name_zh', p.sector)} is not 两高一低",
                          applicable=False))
    spec = c["added_value_intensity"]
    if intensity is None:
        out.append(_check("added_value_intensity", spec, False, "no added value: intensity undefined"))
    else:
        out.append(_check("added_value_intensity", spec, intensity <= threshold,
                          f"{intensity:.4f} tce/万元 vs threshold {threshold:.4f} tce/万元"))
    spec = c["ultra_low_energy"]
    ind = _indicator(indicators, spec)
    required = (p.kind in spec.get("kinds", ()) and p.sector in spec.get("sectors", ())
                and p.town in rules.new_city_towns and p.start_year >= int(ind["target_year"]))
    if required:
        out.append(_check("ultra_low_energy", spec, p.ultra_low_energy,
                          f"new civil building in the new city ({p.town}) from {ind['target_year']}: "
                          + ("built to the ultra-low-energy standard" if p.ultra_low_energy
                             else "not built to the ultra-low-energy standard")))
    else:
        out.append(_check("ultra_low_energy", spec, True, "not a new civil building in the new city from "
                          f"{ind['target_year']}", applicable=False))
    for rule, (before, after), what in (("district_cap", headroom[:2], "district cap"),
                                        ("town_share", headroom[2:], "town's allocated share")):
        spec = c[rule]
        if before is None:
            out.append(_check(rule, spec, True, f"no {what} recorded: not checked", applicable=False))
        else:
            out.append(_check(rule, spec, after >= 0,
                              f"headroom of the {what}: {before:,.0f} tce before, {after:,.0f} tce after"))
    return out


def recommendation(checks: list[dict[str, Any]]) -> tuple[str, list[str]]:
    failed = [c for c in checks if not c["passed"]]
    reasons = [f"{c['rule']}: {c['detail']}" for c in failed]
    if any(c["on_fail"] == "reject" for c in failed):
        return REJECT, reasons
    return (CONDITIONAL, reasons) if failed else (APPROVE, ["all checks passed"])


def _peak(proj: Any) -> dict[str, Any]:
    pk = proj.peak()
    return {"p_peak_by": pk["p_peak_by"], "p50": pk["peak_year_quantiles"]["p50"], "histogram": pk["histogram"]}


def review(p: Proposal, rules: Rules, indicators: dict[str, dict[str, Any]], fs: FactorSet, scenario: Scenario,
           base: BaseYear, budget: Budget, approved_loads: list[dict[str, Any]] | None = None, draws: int = 10_000,
           seed: int = 0, state: dict[str, tuple[float, str]] | None = None) -> dict[str, Any]:
    """The full review of `p` (see the module docstring); JSON-ready."""
    approved = list(approved_loads or [])
    full_year = p.start_year + p.ramp_up_years - 1
    eval_years = sorted({p.start_year, full_year, *ASSESSMENT_YEARS, *([budget.cap_year] if budget.cap_year else [])}
                        & set(range(fs.valid_from_year, fs.valid_to_year + 1)) | {full_year})
    acc = account_proposal(p, rules, fs, eval_years)
    label = METHOD_LABELS[budget.method]
    full = acc[full_year]
    loads = committed_loads(p, rules, base, full["by_carrier"])
    before, after = project_pair(scenario, base, approved, approved + loads, draws=draws, seed=seed, state=state)
    energy, gdp = before.total_energy.mean(axis=0), before.gdp.mean(axis=0) * 1e4  # tce, 万元
    co2_b, co2_a = before.total_co2.mean(axis=0), after.total_co2.mean(axis=0)
    ref = float(energy[0] / gdp[0])
    years = [int(y) for y in before.years]
    impacts = []
    for y in eval_years:
        if y not in years:
            continue
        t = years.index(y)
        e, va = acc[y]["control_tce"][INTENSITY_METHOD], p.added_value_10k_yuan * p.ramp_share(y)
        i_b, i_a = float(energy[t] / gdp[t]), float((energy[t] + e) / (gdp[t] + va))
        impacts.append({"year": y, "project_energy_tce": e, "project_co2_t": acc[y]["co2_t"],
                        "district_energy_tce": float(energy[t]), "intensity_before": i_b, "intensity_after": i_a,
                        "pct_points": (i_a - i_b) / ref * 100.0, "co2_before_t": float(co2_b[t]),
                        "co2_after_t": float(co2_a[t])})
    headline = next((r for r in impacts if r["year"] in ASSESSMENT_YEARS and r["year"] >= p.start_year),
                    impacts[-1] if impacts else None)
    intensity = (full["control_tce"][INTENSITY_METHOD] / p.added_value_10k_yuan
                 if p.added_value_10k_yuan else None)
    threshold = rules.checks["added_value_intensity"].get("threshold_tce_per_10k_yuan") or ref
    cap_use = acc[budget.cap_year]["control_tce"][label] if budget.cap_year in acc else full["control_tce"][label]
    head_b = (budget.cap_tce - budget.district_energy_tce - budget.approved_tce) if budget.cap_tce is not None else None
    town_b = (budget.town_allocated_tce - budget.town_energy_tce - budget.town_approved_tce
              if budget.town_allocated_tce is not None else None)
    head = (head_b, head_b - cap_use if head_b is not None else None,
            town_b, town_b - cap_use if town_b is not None else None)
    result = checks(p, rules, indicators, intensity, threshold, head)
    rec, reasons = recommendation(result)
    pb, pa = _peak(before), _peak(after)
    return {
        "proposal": p.to_dict(), "method": label, "intensity_method": INTENSITY_METHOD, "full_operation_year": full_year,
        "energy_tce": full["energy_tce"], "energy_tce_reporting": full["energy_tce_reporting"],
        "dual_control_energy_tce": full["control_tce"], "feedstock_tce": full["feedstock_tce"], "co2_t": full["co2_t"],
        "intensity_tce_per_10k_yuan": intensity, "district_intensity_tce_per_10k_yuan": ref,
        "intensity_threshold_tce_per_10k_yuan": threshold,
        "intensity_impact_pct_points": headline["pct_points"] if headline else None,
        "intensity_impact_year": headline["year"] if headline else None, "impact_by_year": impacts,
        "headroom_tce_before": head[0], "headroom_tce_after": head[1], "cap_year": budget.cap_year,
        "cap_year_control_tce": cap_use,
        "town_headroom_tce_before": head[2], "town_headroom_tce_after": head[3],
        "p_peak_by_2030_before": pb["p_peak_by"], "p_peak_by_2030_after": pa["p_peak_by"],
        "peak_year_p50_before": pb["p50"], "peak_year_p50_after": pa["p50"],
        "histogram_before": pb["histogram"], "histogram_after": pa["histogram"],
        "committed_loads": loads, "draws": draws, "seed": seed,
        "checks": result, "recommendation": rec, "reasons": reasons,
        "notes": list(budget.notes) + after.notes[len(before.notes):],
    }
