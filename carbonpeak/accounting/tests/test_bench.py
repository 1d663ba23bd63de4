"""The benchmark's per-row baseline does the same work as the vectorised path: same totals, same rejects."""

import pytest

from carbonpeak.accounting.bench import _check_same, loop_csv_inventory, write_csv
from carbonpeak.accounting.engine.factors import get_factor_set
from carbonpeak.accounting.engine.inventory import compute_inventory
from carbonpeak.accounting.engine.records import RecordsError, parse_records

HEADER = "entity,sector,carrier,quantity,unit,year,month,town,entity_kind\n"
BAD = HEADER + "\n".join([
    "A,industry,coal,1,t,2022,,,",
    "B,industry,diesel,-1,t,2022,,,",
    "C,industry,diesel,12 t,t,2022,,,",
    "D,industry,electricity,5,t,2022,,,",
    "E,industry,diesel,5,barrel,2022,,,",
    ",industry,diesel,1,t,2022,,,",
    "G,industry,diesel,,t,2022,,,",
    "H,mining,diesel,1,t,2022,,,",
    "I,industry,diesel,1,t,twenty,,,",
    "J,industry,natural_gas,1,t,2022,,,",
    "K,industry,electricity,1,tce,2022,,,",
    "L,industry,diesel,nan,t,2022,13,,",
    "M,industry,diesel,inf,t,2022.5,,,robot",
    "N,industry,diesel,1,t,2022,,,",
]) + "\n"
MIXED = HEADER + "A,industry,diesel,12,t,2022,,,\nA,industry,diesel,1,t,2022,1,,\nB,industry,diesel,12,t,2022,,,\n"


def rejects(fn, path):
    with pytest.raises(RecordsError) as exc:
        fn(path)
    return [(e.row, e.field) for e in exc.value.errors]


@pytest.mark.parametrize("text", [BAD, MIXED])
def test_loop_rejects_the_same_cells(tmp_path, text):
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    fs = get_factor_set("cn-mee-2024")
    assert rejects(lambda p: loop_csv_inventory(p, fs), path) == rejects(parse_records, path)


def test_loop_totals_equal_vectorised(tmp_path):
    path = tmp_path / "records.csv"
    write_csv(path, 5000)
    fs = get_factor_set("cn-mee-2024")
    inv = compute_inventory(parse_records(path), fs)
    ref = loop_csv_inventory(path, fs)
    _check_same(inv, ref, "test")  # raises if any total or breakdown differs
    ref["by_sector"]["industry"][1] *= 1.001
    with pytest.raises(AssertionError):
        _check_same(inv, ref, "test")
