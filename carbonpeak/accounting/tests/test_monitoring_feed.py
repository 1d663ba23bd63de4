"""Monthly energy per monitored site flows into accounting as records, idempotently."""

from io import StringIO

import pytest
from django.core.management import call_command

from carbonpeak.accounting.models import EnergyRecord
from carbonpeak.accounting.services import inventory


@pytest.mark.django_db
def test_monitoring_feeds_accounting_and_reimport_replaces(qingpu_plan):
    from carbonpeak.monitoring.services import data_now, feed_accounting, local_date, simulate

    simulate(4, 3, plan=qingpu_plan, prefix="acc-")
    year = local_date(data_now()).year
    rows = feed_accounting(year)
    out = StringIO()
    call_command("accounting", "import-monitoring", "--year", str(year), stdout=out)
    stored = EnergyRecord.objects.filter(plan=qingpu_plan, source=EnergyRecord.Source.MONITORING, year=year)
    assert stored.count() == len(rows) and f"imported {len(rows)} monitoring record(s)" in out.getvalue()
    electricity_kwh = sum(r["quantity"] for r in rows if r["carrier"] == "electricity" and r["unit"] == "kWh")
    assert electricity_kwh > 0
    assert sum(stored.filter(carrier="electricity", unit="kWh").values_list("quantity", flat=True)) == \
        pytest.approx(electricity_kwh)
    run = inventory(qingpu_plan)
    assert run.result["energy_tce"] > 0

    call_command("accounting", "import-monitoring", "--year", str(year), stdout=StringIO())
    assert stored.count() == len(rows)
