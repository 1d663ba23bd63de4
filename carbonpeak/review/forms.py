"""The proposal form: labelled fields that become the proposal schema (`engine.proposal`), which validates."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from carbonpeak.accounting.labels import carrier_labels, unit_labels
from carbonpeak.accounting.engine.units import UNITS
from carbonpeak.review.engine import KINDS, Rules

ENERGY_ROWS = 3
KIND_LABELS = {"industrial": _("Industrial"), "building": _("Building"), "data_centre": _("Data centre"),
               "other": _("Other")}


class ProposalForm(forms.Form):
    name = forms.CharField(label=_("Project name"), max_length=200)
    town = forms.ChoiceField(label=_("Town or street"))
    sector = forms.ChoiceField(label=_("Sector"))
    kind = forms.ChoiceField(label=_("Kind"), choices=[(k, KIND_LABELS[k]) for k in KINDS])
    start_year = forms.IntegerField(label=_("Start year"))
    ramp_up_years = forms.IntegerField(label=_("Ramp-up years"), initial=1, min_value=1)
    added_value_10k_yuan = forms.FloatField(label=_("Added value at full operation (10⁴ yuan)"))
    floor_area_m2 = forms.FloatField(label=_("Floor area (m²)"), required=False)
    it_capacity_kw = forms.FloatField(label=_("IT capacity (kW, data centres)"), required=False)
    design_pue = forms.FloatField(label=_("Design PUE (data centres)"), required=False)
    ultra_low_energy = forms.BooleanField(label=_("Built to the ultra-low-energy standard"), required=False)
    exception = forms.ChoiceField(label=_("两高一低 exception"), required=False)
    own_pv_kwh = forms.FloatField(label=_("Own PV supply (kWh/year)"), required=False)
    green_power_kwh = forms.FloatField(label=_("Green power contracts (kWh/year)"), required=False)

    def __init__(self, *args: Any, rules: Rules, towns: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["town"].choices = [(t, t) for t in towns]
        self.fields["sector"].choices = [(k, s.get("name_zh", k)) for k, s in rules.sectors.items()]
        self.fields["exception"].choices = [("", "—"), *rules.exceptions.items()]
        carriers = [("", "—"), *carrier_labels().items()]
        units = list(unit_labels().items())
        parts = (("carrier", _("carrier")), ("quantity", _("quantity per year")), ("unit", _("unit")))
        for prefix, n, label in (("energy", ENERGY_ROWS, _("Energy")), ("feedstock", 1, _("Feedstock"))):
            for i in range(n):
                for key, what in parts:
                    kind = forms.FloatField if key == "quantity" else forms.ChoiceField
                    extra = {} if key == "quantity" else {"choices": carriers if key == "carrier" else units}
                    self.fields[f"{prefix}_{i}_{key}"] = kind(label=f"{label} {i + 1}: {what}", required=False,
                                                              **extra)

    def proposal(self) -> dict[str, Any]:
        """The proposal mapping (the YAML/API schema) from the cleaned fields."""
        d = self.cleaned_data
        rows = lambda prefix, n: [  # noqa: E731
            {"carrier": d[f"{prefix}_{i}_carrier"], "quantity": d[f"{prefix}_{i}_quantity"],
             "unit": d[f"{prefix}_{i}_unit"]} for i in range(n) if d.get(f"{prefix}_{i}_carrier")]
        out = {k: d[k] for k in ("name", "town", "sector", "kind", "start_year", "ramp_up_years",
                                 "added_value_10k_yuan", "floor_area_m2", "it_capacity_kw", "design_pue",
                                 "ultra_low_energy", "green_power_kwh") if d.get(k) not in (None, "")}
        out["ultra_low_energy"] = bool(d.get("ultra_low_energy"))
        if d.get("exception"):
            out["exception"] = d["exception"]
        out["energy"], out["feedstock"] = rows("energy", ENERGY_ROWS), rows("feedstock", 1)
        if d.get("own_pv_kwh"):
            out["own_renewables"] = [{"carrier": "pv_electricity", "quantity": d["own_pv_kwh"], "unit": "kWh"}]
        return out
