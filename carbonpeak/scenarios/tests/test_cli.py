"""The `carbonpeak scenario` command."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("scenario", *args, stdout=out)
    return out.getvalue()


def test_run_json(qingpu_plan):
    data = json.loads(run("run", "plan", "--draws", "300", "--seed", "4", "--format", "json"))
    assert data["draws"] == 300 and data["seed"] == 4 and data["scenario"] == "plan"
    hist = data["histogram"]
    assert data["peak"]["p_peak_by"] == sum(n for y, n in zip(hist["years"], hist["counts"]) if y <= 2030) / 300
    assert len(data["bands"]["co2"]["p50"]) == len(data["years"]) == data["horizon"] - data["base_year"] + 1
    assert set(data["wedges"]["order"]) >= {"pv", "ev", "dc_pue"}
    # same seed, same numbers (a second run recomputes with --no-cache)
    again = json.loads(run("run", "plan", "--draws", "300", "--seed", "4", "--format", "json", "--no-cache"))
    assert again["bands"] == data["bands"]


def test_run_table_list_and_copy(qingpu_plan):
    table = run("run", "baseline", "--draws", "200")
    assert "P(peak <= 2030)" in table and "2035" in table
    assert run("copy", "plan", "Plan bis").strip().endswith("(v1)")
    listing = run("list")
    assert "plan-bis\tcustom\tv1" in listing and "baseline\tbaseline" in listing


def test_unknown_scenario_is_a_clear_error(qingpu_plan):
    with pytest.raises(CommandError, match="no scenario 'nope'.*baseline"):
        run("run", "nope")
    with pytest.raises(CommandError, match="draws"):
        run("run", "plan", "--draws", "0")


def test_backtest_reports_mape(db):
    from carbonpeak.scenarios.engine.base import DEFAULT_HISTORY_FILE

    data = json.loads(run("backtest", "--draws", "200"))
    shipped = json.loads(DEFAULT_HISTORY_FILE.read_text(encoding="utf-8"))["actuals"]
    assert data["base_year"] == 2016 and data["co2_t"]["years"] == [2017, 2018, 2019, 2020, 2021]
    assert data["co2_t"]["actual"] == [shipped[str(y)]["co2_t"] for y in data["co2_t"]["years"]]
    errors = [(p - a) / a * 100 for p, a in zip(data["co2_t"]["p50"], data["co2_t"]["actual"])]
    assert data["co2_t"]["mape_pct"] == pytest.approx(sum(map(abs, errors)) / 5)
