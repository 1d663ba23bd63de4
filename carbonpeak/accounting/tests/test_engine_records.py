"""Bad files get row-level errors naming file, row and field; good files parse exactly."""

import io

import numpy as np
import pandas as pd
import pytest

from carbonpeak.accounting.engine.records import RecordsError, parse_records, records_from_dicts

HEADER = "entity,sector,carrier,quantity,unit,year\n"


def errors_of(text, name="bad.csv"):
    with pytest.raises(RecordsError) as exc:
        parse_records(text, name)
    return [(e.row, e.field, e.message) for e in exc.value.errors], exc.value


def test_good_file_parses():
    df = parse_records(HEADER + "A,industry,Diesel,1.5,t,2022\nB,residential,electricity,1e3,kWh,2021\n")
    assert list(df["carrier"]) == ["diesel", "electricity"]
    assert df["quantity"].tolist() == [1.5, 1000.0]
    assert df["year"].tolist() == [2022, 2021] and df["month"].tolist() == [0, 0]
    assert df["row"].tolist() == [2, 3]


def test_every_kind_of_bad_row_reported_with_file_row_field():
    text = HEADER + "\n".join([
        "A,industry,coal,1,t,2022",            # 2 unknown carrier
        "B,industry,diesel,-1,t,2022",          # 3 negative
        "C,industry,diesel,12 t,t,2022",        # 4 text in number
        "D,industry,electricity,5,t,2022",      # 5 unit of the wrong kind
        "E,industry,diesel,5,barrel,2022",      # 6 unknown unit
        ",industry,diesel,1,t,2022",            # 7 missing entity
        "G,industry,diesel,,t,2022",            # 8 missing quantity
        "H,mining,diesel,1,t,2022",             # 9 unknown sector
        "I,industry,diesel,1,t,twenty",         # 10 text year
        "J,industry,natural_gas,1,t,2022",      # 11 natural gas by mass
        "K,industry,electricity,1,tce,2022",    # 12 electricity in tce: ambiguous
        "L,industry,diesel,1,t,2022",           # 13 fine
    ]) + "\n"
    errs, exc = errors_of(text)
    rows = {(r, f) for r, f, _ in errs}
    assert rows == {(2, "carrier"), (3, "quantity"), (4, "quantity"), (5, "unit"), (6, "unit"), (7, "entity"),
                    (8, "quantity"), (9, "sector"), (10, "year"), (11, "unit"), (12, "unit")}
    msg = dict(((r, f), m) for r, f, m in errs)
    assert "unknown carrier 'coal'" in msg[(2, "carrier")] and "raw_coal" in msg[(2, "carrier")]
    assert "negative" in msg[(3, "quantity")]
    assert "not a number: '12 t'" in msg[(4, "quantity")]
    assert "unit 't' does not measure electricity" in msg[(5, "unit")] and "kWh" in msg[(5, "unit")]
    assert "unknown unit 'barrel'" in msg[(6, "unit")]
    assert msg[(8, "quantity")] == "missing value"
    assert "万m3" in msg[(11, "unit")]
    assert all(e.file == "bad.csv" for e in exc.errors)
    assert "bad.csv:2: carrier" in str(exc)


def test_missing_column():
    errs, _ = errors_of("entity,sector,carrier,quantity,year\nA,industry,diesel,1,2022\n")
    assert errs == [(1, "unit", errs[0][2])] and "missing column" in errs[0][2]


def test_month_and_town_optional_columns():
    df = parse_records(HEADER.strip() + ",month,town\nA,industry,diesel,1,t,2022,3,赵巷镇\nA,industry,diesel,1,t,2022,4,\n")
    assert df["month"].tolist() == [3, 4] and df["town"].tolist() == ["赵巷镇", ""]
    errs, _ = errors_of(HEADER.strip() + ",month\nA,industry,diesel,1,t,2022,13\n")
    assert errs[0][:2] == (2, "month")


def test_annual_plus_monthly_for_same_entity_is_rejected():
    errs, _ = errors_of(HEADER.strip() + ",month\nA,industry,diesel,12,t,2022,\nA,industry,diesel,1,t,2022,1\n"
                        "B,industry,diesel,12,t,2022,\n")
    assert [(r, f) for r, f, _ in errs] == [(2, "month")]
    assert "double count" in errs[0][2]


def test_nan_inf_and_non_integer_year_rejected():
    errs, _ = errors_of(HEADER + "A,industry,diesel,nan,t,2022\nA,industry,diesel,inf,t,2022\n"
                        "A,industry,diesel,1,t,2022.5\n")
    assert [(r, f) for r, f, _ in errs] == [(2, "quantity"), (3, "quantity"), (4, "year")]


def test_xlsx_input(tmp_path):
    path = tmp_path / "energy.xlsx"
    pd.DataFrame({"entity": ["A", "B"], "sector": ["industry", "industry"], "carrier": ["diesel", "heat"],
                  "quantity": [2.5, "lots"], "unit": ["t", "GJ"], "year": [2022, 2022]}).to_excel(path, index=False)
    errs, _ = errors_of(path, "input")
    assert errs == [(3, "quantity", "not a number: 'lots'")]
    good = tmp_path / "good.xlsx"
    pd.DataFrame({"entity": ["A"], "sector": ["industry"], "carrier": ["diesel"], "quantity": [2.5],
                  "unit": ["t"], "year": [2022]}).to_excel(good, index=False)
    df = parse_records(good)
    assert df["quantity"].tolist() == [2.5] and df["year"].tolist() == [2022]
    df2 = parse_records(good.read_bytes())
    assert df2["quantity"].tolist() == [2.5]


def test_bom_and_file_object_and_dicts():
    df = parse_records(io.BytesIO(("\ufeff" + HEADER + "A,industry,diesel,1,t,2022\n").encode()))
    assert len(df) == 1
    df = records_from_dicts([{"entity": "A", "sector": "industry", "carrier": "diesel", "quantity": 2,
                              "unit": "t", "year": 2022}])
    assert df["quantity"].tolist() == [2.0]
    with pytest.raises(RecordsError) as exc:
        records_from_dicts([{"entity": "A", "sector": "industry", "carrier": "diesel", "quantity": -2,
                             "unit": "t", "year": 2022}])
    assert exc.value.errors[0].field == "quantity"


def test_many_rows_vectorised():
    n = 20000
    rng = np.random.default_rng(0)
    q = rng.random(n)
    body = "".join(f"E{i},industry,diesel,{float(q[i])!r},t,2022\n" for i in range(n))
    body = body.replace(f"E77,industry,diesel,{float(q[77])!r}", "E77,industry,diesel,x")
    errs, _ = errors_of(HEADER + body)
    assert errs == [(79, "quantity", "not a number: 'x'")]


def test_quantities_bit_exact_as_python_float():
    # The typed CSV read must give exactly float(text), also for 17-digit and extreme values, where
    # pandas' default ("high") converter is off by one unit in the last place.
    rng = np.random.default_rng(1)
    texts = [repr(float(v)) for v in rng.random(2000) * 10.0 ** rng.integers(-12, 12, 2000)]
    texts += ["0.1234567890123456789", "543.393820115858", "9007199254740993", "1e-300", "1.7976931348623157e308",
              "+3", "-0", ".5", "5."]
    df = parse_records(HEADER + "".join(f"E,industry,diesel,{t},t,2022\n" for t in texts))
    got = df["quantity"].to_numpy()
    want = np.array([float(t) for t in texts])
    assert np.array_equal(got.view(np.int64), want.view(np.int64))


def test_bad_numbers_quoted_as_written():
    errs, _ = errors_of(HEADER + "A,industry,diesel,-0.50,t,2022\nA,industry,diesel,1e400,t,2022\n"
                        "A,industry,diesel, 2 ,t,2022\n")
    assert errs == [(2, "quantity", "negative quantity '-0.50'"), (3, "quantity", "not a number: '1e400'")]



def test_a_nul_character_or_a_non_utf8_byte_is_a_file_error_naming_its_row():
    """Neither can be stored (PostgreSQL refuses NUL in text): the file is refused with the row to look at."""
    errs, _ = errors_of(HEADER + "A,industry,diesel,1,t,2022\nB\x00,industry,diesel,1,t,2022\n")
    assert errs == [(3, "file", "contains a NUL character (a binary file, not CSV text)")]
    errs, _ = errors_of((HEADER + "A,industry,diesel,1,t,2022\n").encode() + "镇".encode("gb18030") + b",x\n")
    assert errs == [(3, "file", "not UTF-8 text: save the file as CSV (UTF-8)")]


def test_an_upload_is_capped_but_a_command_line_file_may_hold_a_districts_year(tmp_path):
    """Uploads (text, bytes, file objects: the web and the API) stop at UPLOAD's rows and bytes, with the reason;
    a file named on the command line (a Path) is read up to LOCAL_FILE's, e.g. a million records."""
    from pathlib import Path

    from carbonpeak.accounting.engine.records import LOCAL_FILE, UPLOAD

    rows = UPLOAD.rows + 1
    body = HEADER + "E,industry,diesel,1.5,t,2022\n" * rows
    errs, _ = errors_of(body, "big.csv")
    assert errs == [(0, "file", f"more than {UPLOAD.rows} rows; split the file")]
    errs, _ = errors_of(io.BytesIO(b"x" * (UPLOAD.file_bytes + 1)), "huge.csv")
    assert errs == [(0, "file", f"file is larger than {UPLOAD.file_bytes // 2**20} MB")]

    path = Path(tmp_path) / "district-year.csv"
    path.write_text(body)
    df = parse_records(path)
    assert len(df) == rows and df["quantity"].sum() == pytest.approx(1.5 * rows)
    assert LOCAL_FILE.rows > rows and LOCAL_FILE.file_bytes > UPLOAD.file_bytes
