"""`carbonpeak bench --only monitoring` runs through (the overview is members-only: the bench logs in) and leaves
nothing behind. Its figures are not asserted against budgets here (speed lives in the bench, not in tests)."""

import pytest
from django.contrib.auth import get_user_model

from carbonpeak.monitoring.bench import figures
from carbonpeak.monitoring.models import Site


@pytest.mark.django_db(transaction=True)
def test_quick_bench_runs_and_cleans_up():
    out = figures(quick=True)
    assert out["monitoring_overview_page_p95_ms_quick_140m_30d_pipeline"] > 0
    assert out["monitoring_ingest_vs_raw_insert_ratio"] > 0
    assert not Site.objects.filter(code__startswith="bench-").exists()
    assert not get_user_model().objects.filter(username__startswith="bench-").exists()
