"""A panel that cannot compute shows an explicit error state; the rest of the dashboard still shows."""

from __future__ import annotations

import pytest

from carbonpeak.accounting import demo as accounting_demo
from carbonpeak.accounting.models import EnergyRecord

pytestmark = pytest.mark.django_db


def test_a_failing_source_is_an_error_state_not_a_missing_panel(client, qingpu_plan):
    accounting_demo.load_demo(qingpu_plan)
    html = client.get("/").content.decode()
    assert 'id="accounting-panel"' in html and 'id="target-energy-intensity-gdp"' in html
    assert "panel-error" not in html
    # A record the accounting engine cannot account (an unknown carrier stored behind the importer's back).
    EnergyRecord.objects.create(plan=qingpu_plan, entity_name="broken", sector="industry", carrier="unobtainium",
                                quantity=1.0, unit="t", year=2023)
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="accounting-panel-error"' in html and "unobtainium" in html  # the panel says why
    assert 'id="progress-panel"' in html  # the other panels still show
    card = html[html.index('id="target-energy-intensity-gdp"'):]
    card = card[:card.index("</div>\n  </div>")]
    assert 'data-status="no_data"' in card and "accounting.energy_intensity_change could not be computed" in card
