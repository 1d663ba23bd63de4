"""The district office's form for a value issued by the city."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class IssuedTargetForm(forms.Form):
    value = forms.FloatField(label=_("Issued value"))
    document = forms.CharField(label=_("Issuing document"), max_length=300,
                               help_text=_("the document the value comes from, e.g. its number and title"))
    issued_on = forms.DateField(label=_("Issued on"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
