"""A run's notes and assumptions as people read them, in the active language.

The engine (no Django) writes each note as one English line of a fixed shape, and stored runs keep them so;
this module recognises each shape and says it again through gettext, with the inputs named by their labels
(`input_label`), indicators by name and factor sets by name. A line of an unknown shape is shown as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carbonpeak.scenarios.labels import input_label

BASE_STATE_SOURCES = {
    "illustrative default (Shanghai fleet, 2021 order of magnitude)":
        gettext_lazy("illustrative default (Shanghai fleet, 2021 order of magnitude)"),
    "illustrative default (Shanghai new private cars 2021, ~20% BEV)":
        gettext_lazy("illustrative default (Shanghai new private cars 2021, ~20% BEV)"),
    "illustrative default (plan's 2025 target 75% minus 5 points)":
        gettext_lazy("illustrative default (plan's 2025 target 75% minus 5 points)"),
    "illustrative default (older Shanghai data-centre fleet)":
        gettext_lazy("illustrative default (older Shanghai data-centre fleet)"),
}
"""The defaults of carbonpeak.scenarios.engine.scenario.BASE_STATE, translated."""

ASSUMPTIONS = {
    "levers.pv.additions_mw.2026": (
        gettext_lazy("PV added per year after the plan period"),
        gettext_lazy("assumption: the plan names no number after 2025 (triangular 0-40-80 MW/yr)")),
    "drivers.grid_factor_change": (
        gettext_lazy("Grid emission factor change per year (grid lever off)"),
        gettext_lazy("assumption around Shanghai's published 0.42 tCO2/MWh (沪环气〔2022〕34号): -1 %/yr, sd 0.6 %")),
    "levers.grid.factor": (
        gettext_lazy("Grid emission factor path (grid lever on)"),
        gettext_lazy("assumption: 0.39 (2025), 0.34 (2030), 0.30 (2035) tCO2/MWh")),
    "drivers.structure_drift.data_centres": (
        gettext_lazy("Data-centre growth (value-added share drift)"),
        gettext_lazy("assumption: +8 %/yr relative to GDP, sd 3 % (new computing capacity in the Yangtze Delta "
                     "demo zone)")),
    "drivers.gdp_growth": (
        gettext_lazy("GDP growth path"),
        gettext_lazy("illustrative: 5.5 % (2023) easing to 2 % (2055), sd 1-1.2 pts, AR(1) sd 1.2 pts, rho 0.5")),
}
"""carbonpeak.scenarios.engine.scenario.ASSUMPTIONS by path: (label, source), translated."""


def _source(text: str, names: Mapping[str, str]) -> str:
    """Where an observed base-year value comes from."""
    m = re.fullmatch(r"approved (\d{4}) report of indicator ([\w-]+)", text)
    if m:
        return _("approved %(year)s report of “%(indicator)s”") % {"year": m[1], "indicator": names.get(m[2], m[2])}
    m = re.fullmatch(r"progress of indicator ([\w-]+) \((.*)\) as at (\S+)", text)
    if m:
        return _("progress of “%(indicator)s” (%(series)s) as of %(date)s") % {
            "indicator": names.get(m[1], m[1]), "series": m[2], "date": m[3]}
    return str(BASE_STATE_SOURCES.get(text, text))


_Rule = tuple[re.Pattern[str], Callable[[re.Match[str], Mapping[str, str]], str]]

RULES: list[_Rule] = [
    (re.compile(r"base year (\d{4}) from the accounting inventory \(factor set ([\w-]+), (\d+) records\)"),
     lambda m, n: _("base year %(year)s from the energy inventory (factor set %(factor_set)s, %(records)s records)")
     % {"year": m[1], "factor_set": n.get(m[2], m[2]), "records": m[3]}),
    (re.compile(r"base year (\d{4}): the plan's base-data file \(no usable accounting inventory\)"),
     lambda m, n: _("base year %(year)s from the plan's base-data file (no usable energy inventory)") % {"year": m[1]}),
    (re.compile(r"value-added shares: defaults \(no sector GDP in the accounting app\)"),
     lambda m, n: _("value-added shares of the sectors: defaults (no GDP by sector in the energy accounts)")),
    (re.compile(r"population: default base value \(the accounting app keeps no population\)"),
     lambda m, n: _("population: default base value (the energy accounts keep no population)")),
    (re.compile(r"data centres: (\d+)% of buildings' grid electricity split off \(assumption; the inventory has no "
                r"data-centre sector\)"),
     lambda m, n: _("data centres: %(share)s%% of the buildings' grid electricity counted as data centres (an "
                    "assumption: the inventory has no data-centre sector)") % {"share": m[1]}),
    (re.compile(r"(drivers\.\w+): no observed value for (\d{4}); fallback (\S+) \(the scenario's value; default: "
                r"(.*), a (\d{4}) value\)"),
     lambda m, n: _("%(input)s: no observed value for %(year)s; %(value)s is used (the scenario's value; default: "
                    "%(default)s, a %(default_year)s value)") % {
         "input": input_label(m[1]), "year": m[2], "value": m[3], "default": _source(m[4], n), "default_year": m[5]}),
    (re.compile(r"(drivers\.\w+) = (\S+) in (\d{4}): (.*)"),
     lambda m, n: _("%(input)s = %(value)s in %(year)s: %(source)s") % {
         "input": input_label(m[1]), "value": m[2], "year": m[3], "source": _source(m[4], n)}),
    (re.compile(r"(levers\.[\w.]+): target for (\d{4}) is at or before the base year (\d{4}); applied as "
                r"(a floor|a ceiling|the state) from (\d{4})"),
     lambda m, n: {"a floor": _("%(input)s: the %(year)s target is due by the base year %(base)s; from %(start)s it "
                                "is a floor"),
                   "a ceiling": _("%(input)s: the %(year)s target is due by the base year %(base)s; from %(start)s "
                                  "it is a ceiling"),
                   "the state": _("%(input)s: the %(year)s target is due by the base year %(base)s; from %(start)s "
                                  "it is the value")}[m[4]]
     % {"input": input_label(m[1]), "year": m[2], "base": m[3], "start": m[5]}),
    (re.compile(r"(levers\.[\w.]+): points up to (\d{4}) are at or before the base year (\d{4}); the base year's "
                r"observed value replaces them"),
     lambda m, n: _("%(input)s: the points up to %(year)s are due by the base year %(base)s; the observed base-year "
                    "value replaces them") % {"input": input_label(m[1]), "year": m[2], "base": m[3]}),
]


def readable(note: str, names: Mapping[str, str]) -> str:
    """One note in the active language; `names` maps indicator and factor-set codes to their names."""
    for pattern, say in RULES:
        m = pattern.fullmatch(note)
        if m:
            return say(m, names)
    return note


def readable_notes(notes: list[str], names: Mapping[str, str]) -> list[str]:
    return [readable(note, names) for note in notes]


def readable_assumptions(assumptions: list[Mapping[str, Any]]) -> list[dict[str, str]]:
    """A run's assumptions with their label, input and source in the active language."""
    rows = []
    for a in assumptions:
        label, source = ASSUMPTIONS.get(a["path"], (a["label"], a["source"]))
        rows.append({"label": str(label), "input": input_label(a["path"]), "source": str(source), "path": a["path"]})
    return rows


def code_names(plan: Any) -> dict[str, str]:
    """Indicator and factor-set codes → their names in the active language, for `readable`."""
    from carbonpeak.accounting.models import FactorSet

    names = {fs.code: fs.name or fs.code for fs in FactorSet.objects.all()}
    if plan is not None:
        names |= {i.code: i.name for i in plan.indicators.all()}
    return names
