"""Model-level rules: approved rows are immutable, revisions, effective values, period bounds, tokens."""

import datetime as dt

import pytest

from carbonpeak.tracking.models import (
    ApiToken, ImmutableRecordError, IndicatorReport, ReportingPeriod, ReviewStatus,
)

pytestmark = pytest.mark.django_db


def test_period_bounds():
    assert ReportingPeriod.bounds("quarterly", 2024, 4) == (dt.date(2024, 10, 1), dt.date(2024, 12, 31))
    assert ReportingPeriod.bounds("quarterly", 2024, 1) == (dt.date(2024, 1, 1), dt.date(2024, 3, 31))
    assert ReportingPeriod.bounds("annual", 2023) == (dt.date(2023, 1, 1), dt.date(2023, 12, 31))


def test_approved_row_cannot_be_saved_updated_or_deleted(period, units, indicators):
    report = IndicatorReport.objects.create(indicator=indicators["pv-capacity-added"], unit=units["zhujiajiao"],
                                            period=period, value=1.5, value_unit="万千瓦",
                                            status=ReviewStatus.APPROVED)
    report.value = 2.0
    with pytest.raises(ImmutableRecordError):
        report.save()
    with pytest.raises(ImmutableRecordError):
        report.delete()
    with pytest.raises(ImmutableRecordError):
        IndicatorReport.objects.filter(pk=report.pk).update(value=3.0)
    with pytest.raises(ImmutableRecordError):
        IndicatorReport.objects.all().delete()
    assert IndicatorReport.objects.get(pk=report.pk).value == 1.5


def test_effective_is_latest_approved_revision(period, units, indicators):
    common = {"indicator": indicators["pv-capacity-added"], "unit": units["zhujiajiao"], "period": period,
              "value_unit": "万千瓦"}
    first = IndicatorReport.objects.create(value=1, status=ReviewStatus.APPROVED, **common)
    second = IndicatorReport.objects.create(value=2, revision=2, supersedes=first, **common)
    assert list(IndicatorReport.objects.effective()) == [first]
    assert list(IndicatorReport.objects.current()) == [second]
    second.status = ReviewStatus.APPROVED
    second.save()
    assert list(IndicatorReport.objects.effective()) == [second]


def test_token_is_stored_hashed(units):
    token, raw = ApiToken.generate(unit=units["zhujiajiao"], name="scada")
    assert raw not in token.token_hash and token.prefix == raw[:8]
    assert ApiToken.authenticate(raw) == token
    assert ApiToken.authenticate(raw + "x") is None
    token.revoked_at = token.created_at
    token.save()
    assert ApiToken.authenticate(raw) is None
