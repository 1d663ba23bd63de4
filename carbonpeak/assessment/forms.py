"""The 能源利用状况报告 draft form: a key unit, a year, energy by carrier rows and the report's other fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from carbonpeak.accounting.labels import carrier_labels, unit_labels
from carbonpeak.assessment.models import EnergyUseReport, KeyEnergyUnit

ENERGY_ROWS = 4
"""Carrier rows on the form; empty rows are ignored."""


class EnergyUseReportForm(forms.Form):
    key_unit = forms.ChoiceField(label=_("Key energy-consuming unit"))
    year = forms.IntegerField(label=_("Year"), min_value=1900, max_value=2100)
    output_value_10k_yuan = forms.FloatField(label=_("Output value (10k yuan)"), min_value=0, required=False)
    product = forms.CharField(label=_("Main product"), max_length=100, required=False)
    unit_product_consumption = forms.FloatField(label=_("Unit-product energy consumption"), min_value=0,
                                                required=False)
    unit_product_consumption_unit = forms.CharField(label=_("Unit of the unit-product consumption"), max_length=40,
                                                    required=False)
    savings_measures = forms.CharField(label=_("Energy-saving measures"), widget=forms.Textarea(attrs={"rows": 3}),
                                       required=False)

    def __init__(self, *args: Any, key_units: list[KeyEnergyUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["key_unit"].choices = [(k.code, k.name_zh) for k in key_units]
        carriers = [("", "—"), *carrier_labels().items()]
        units = [("", "—"), *unit_labels().items()]
        for i in range(ENERGY_ROWS):
            row = _("Energy %(n)d") % {"n": i + 1}
            self.fields[f"energy_{i}_carrier"] = forms.ChoiceField(label=f"{row}: {_('carrier')}", choices=carriers,
                                                                   required=False)
            self.fields[f"energy_{i}_quantity"] = forms.FloatField(label=f"{row}: {_('quantity')}", required=False)
            self.fields[f"energy_{i}_unit"] = forms.ChoiceField(label=f"{row}: {_('unit')}", choices=units,
                                                                required=False)

    @classmethod
    def initial_from(cls, report: EnergyUseReport) -> dict[str, Any]:
        """The form's initial values for editing `report`'s draft."""
        initial = {"key_unit": report.key_unit.code, "year": report.period.year,
                   **{name: getattr(report, name) for name in cls.base_fields if name not in ("key_unit", "year")}}
        for i, row in enumerate(report.energy[:ENERGY_ROWS]):
            initial |= {f"energy_{i}_{part}": row.get(part) for part in ("carrier", "quantity", "unit")}
        return initial

    def energy(self) -> list[dict[str, Any]]:
        """The filled carrier rows, as the service takes them."""
        d = self.cleaned_data
        return [{"carrier": d[f"energy_{i}_carrier"], "quantity": d[f"energy_{i}_quantity"],
                 "unit": d[f"energy_{i}_unit"]} for i in range(ENERGY_ROWS)
                if d.get(f"energy_{i}_carrier") or d.get(f"energy_{i}_quantity") is not None]

    def report_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.base_fields if name not in ("key_unit", "year")}
