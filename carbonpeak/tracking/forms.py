"""Forms of the tracking pages, and the rate-limited login form."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from carbonpeak.plan.models import ResponsibleUnit
from carbonpeak.tracking.models import Membership, Project, TaskReport

LOGIN_MAX_FAILURES = 5
LOGIN_LOCKOUT_SECONDS = 15 * 60


def _lockout_key(username: str, ip: str | None) -> str:
    import hashlib

    raw = f"{(username or '').strip().lower()}|{ip or '-'}"
    return "tracking:login-failures:" + hashlib.sha256(raw.encode()).hexdigest()


class RateLimitedAuthenticationForm(AuthenticationForm):
    """Django's login form; after 5 failures for one username from one IP, refuses for 15 minutes."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked_out": _("Too many failed login attempts. Try again in 15 minutes."),
    }

    def clean(self):
        username = self.data.get("username", "")
        ip = self.request.META.get("REMOTE_ADDR") if self.request else None
        key = _lockout_key(username, ip)
        if cache.get(key, 0) >= LOGIN_MAX_FAILURES:
            raise forms.ValidationError(self.error_messages["locked_out"], code="locked_out")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if cache.add(key, 1, LOGIN_LOCKOUT_SECONDS) is False:
                try:
                    cache.incr(key)
                except ValueError:
                    cache.set(key, 1, LOGIN_LOCKOUT_SECONDS)
            raise
        cache.delete(key)
        return cleaned


class IndicatorValueForm(forms.Form):
    value = forms.FloatField(label=_("Value"))
    value_unit = forms.CharField(label=_("Unit"), required=False, max_length=40)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class TaskProgressForm(forms.Form):
    narrative = forms.CharField(label=_("Progress narrative"), required=False,
                                widget=forms.Textarea(attrs={"rows": 3}))
    progress_status = forms.ChoiceField(label=_("Status"), choices=TaskReport.Progress.choices)
    percent_complete = forms.IntegerField(label=_("Percent complete"), required=False, min_value=0, max_value=100)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("return", _("Return"))])
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "return" and not (cleaned.get("comment") or "").strip():
            self.add_error("comment", _("Say why the record is returned."))
        return cleaned


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("Evidence file (PDF, XLSX, DOCX, PNG, JPG; at most 10 MB)"))


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Filled-in reporting template (.xlsx)"))
    submit = forms.BooleanField(label=_("Submit for review after import"), required=False)


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=ResponsibleUnit.objects.none())
    read_only = forms.BooleanField(label=_("Read-only"), required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else ResponsibleUnit.objects.none()


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = ["kind", "name", "town", "responsible_unit", "quantity", "quantity_unit", "saving_rate",
                  "commissioned_on", "indicator", "note"]
        widgets = {"commissioned_on": forms.DateInput(attrs={"type": "date"}),
                   "note": forms.Textarea(attrs={"rows": 2})}
        labels = {"kind": _("Kind"), "name": _("Project name"), "town": _("Town"),
                  "responsible_unit": _("Responsible unit"), "quantity": _("Quantity"),
                  "quantity_unit": _("Unit"), "saving_rate": _("Energy saving rate"),
                  "commissioned_on": _("Commissioned on"), "indicator": _("Target"), "note": _("Note")}
        help_texts = {"saving_rate": _("As a fraction (0.15 = 15%), for retrofits.")}

    def __init__(self, *args, plan=None, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = plan.units.filter(
            kind__in=[ResponsibleUnit.Kind.TOWN, ResponsibleUnit.Kind.STREET])
        self.fields["responsible_unit"].queryset = units
        self.fields["indicator"].queryset = plan.indicators.filter(aggregation="cumulative")
        self.fields["indicator"].label_from_instance = lambda indicator: indicator.name
        self.fields["quantity_unit"].required = False
        if units is not None and units.count() == 1:
            self.fields["responsible_unit"].initial = units.first()


class AccountForm(forms.Form):
    """The office adds an account: user name, e-mail (for reminders), unit, role and a first password."""

    username = forms.CharField(label=_("User name"), max_length=150)
    email = forms.EmailField(label=_("E-mail (for reminders)"), required=False)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=ResponsibleUnit.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("Password again"), widget=forms.PasswordInput, strip=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else ResponsibleUnit.objects.none()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return cleaned


class RoleForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=ResponsibleUnit.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else ResponsibleUnit.objects.none()


class OpenPeriodsForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    quarterly = forms.BooleanField(label=_("With its four quarters"), required=False, initial=True)
