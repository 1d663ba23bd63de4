"""`carbonpeak review assess FILE.yaml` against the loaded plan (real database)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from carbonpeak.review.engine.rules import EXAMPLES_DIR

EXAMPLES = EXAMPLES_DIR
KEYS = {"energy_tce", "co2_t", "intensity_impact_pct_points", "headroom_tce_before", "headroom_tce_after",
        "p_peak_by_2030_before", "p_peak_by_2030_after", "peak_year_p50_before", "peak_year_p50_after", "checks",
        "recommendation"}


def assess(*args: str) -> str:
    out = io.StringIO()
    call_command("review", "assess", *args, "--draws", "200", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_assess_json(qingpu_plan):
    data = json.loads(assess(str(EXAMPLES / "data-centre-pue-1.35.yaml"), "--format", "json"))
    assert set(data) == KEYS
    assert data["recommendation"] == "有条件通过"
    pue = next(c for c in data["checks"] if c["rule"] == "data_centre_pue")
    assert pue["passed"] is False and set(pue) >= {"rule", "passed", "detail", "source"}
    assert data["headroom_tce_before"] is None  # no cap recorded in accounting
    assert data["p_peak_by_2030_after"] <= data["p_peak_by_2030_before"]


@pytest.mark.django_db
def test_assess_table(qingpu_plan):
    out = assess(str(EXAMPLES / "two-high-one-low-plant.yaml"))
    assert "不予通过" in out and "two_high_one_low" in out


@pytest.mark.django_db
def test_bad_file_names_file_and_field(qingpu_plan, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ntown: 不存在镇\nsector: office\nkind: building\nstart_year: 2026\n"
                   "added_value_10k_yuan: -5\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"bad.yaml: added_value_10k_yuan: must be >= 0"):
        assess(str(bad))
    bad.write_text("name: x\ntown: 不存在镇\nsector: office\nkind: building\nstart_year: 2026\n"
                   "added_value_10k_yuan: 5\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"bad.yaml: town: '不存在镇' is not a town or street"):
        assess(str(bad))
    with pytest.raises(CommandError, match=r"missing.yaml: \(file\): cannot read"):
        assess(str(tmp_path / "missing.yaml"))
