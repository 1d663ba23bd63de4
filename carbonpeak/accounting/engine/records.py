"""Energy consumption records from CSV/Excel: parsed and validated column-wise, errors row by row.

Columns: `entity,sector,carrier,quantity,unit,year` (required; sector and carrier by code or Chinese name) and `town`, `month`, `entity_kind`, `use`
(optional; an empty month means an annual figure; `use` is `energy`, the default, or `feedstock` for
原料用能, which 发改环资〔2022〕803号 keeps out of energy consumption control: fuels only). Every bad cell is reported as a `RowError` (file, row number as a
spreadsheet shows it — the header is row 1 — field, message); `RecordsError` carries all of them, so a
user fixes a file in one pass. Nothing is guessed: an unknown carrier, an unknown unit or one of the
wrong kind for the carrier, a negative quantity, text in a number or a missing field is an error.

Validation is vectorised: a CSV is read with every text column as a categorical (the C parser hashes
the raw bytes, so no Python string is made per row) and the quantity as float64, so each check runs once per
distinct value and is broadcast back by code. Only when that fast read fails (text in a number, an empty
quantity) is the quantity column re-read as text to name the bad cells; rows are looked at one by one only
to word error messages.
"""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd

from carbonpeak.core.textfile import csv_text_problem
from carbonpeak.core.xlsx import expanded_size

from .carriers import CARRIERS, SECTORS
from .units import UNITS, accepted_units, normalise_units

REQUIRED = ("entity", "sector", "carrier", "quantity", "unit", "year")
OPTIONAL = ("town", "month", "entity_kind", "use")
ENTITY_KINDS = ("key_enterprise", "building", "town", "sector", "other")
USES = ("energy", "feedstock")
"""What a record's energy is used for: `feedstock` (原料用能) is kept out of energy consumption control."""
_USE_ALIASES = {"": "energy", "energy": "energy", "能源": "energy", "燃料": "energy", "feedstock": "feedstock",
                "原料": "feedstock", "原料用能": "feedstock"}
YEAR_RANGE = (1990, 2100)


@dataclass(frozen=True)
class RowError:
    file: str
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}: {self.field}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Limits:
    file_bytes: int
    """Largest file (a CSV, or an .xlsx as stored)."""
    rows: int


UPLOAD = Limits(file_bytes=20 * 1024 * 1024, rows=200_000)
"""What the web and the API take from anyone with write access."""
LOCAL_FILE = Limits(file_bytes=1024 * 1024 * 1024, rows=10_000_000)
"""A file the operator names on the command line (`accounting compute --input`, `import`): a district's whole
year of records may have millions of rows."""
MAX_XLSX_UNCOMPRESSED_BYTES = 64 * 1024 * 1024
"""Largest total size of an .xlsx's parts once unzipped (a small zip can expand to gigabytes)."""
MAX_COLUMNS = 30
MAX_REPORTED_ERRORS = 200
"""A file with more bad cells reports the first ones and the count of all of them."""


class RecordsError(ValueError):
    """One or more bad rows; `.errors` lists the first `MAX_REPORTED_ERRORS`, `.total` counts them all."""

    def __init__(self, errors: list[RowError]) -> None:
        self.total = len(errors)
        self.errors = errors[:MAX_REPORTED_ERRORS]
        head = "; ".join(str(e) for e in errors[:5])
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        super().__init__(f"{len(errors)} error(s): {head}{more}")


def _file_error(name: str, message: str, row: int = 0) -> RecordsError:
    return RecordsError([RowError(name, row, "file", message)])


def _read_table(source: Any, name: str, limits: Limits = UPLOAD) -> tuple[pd.DataFrame, str]:
    """Read CSV text, bytes (CSV or .xlsx), a `Path`, a file object or a DataFrame into an all-string DataFrame.

    Text is always content, never a file name: only a `pathlib.Path` (the command line's) is opened, with the
    command line's `LOCAL_FILE` limits. Sizes, rows and columns are capped before anything is parsed into memory.
    """
    if isinstance(source, pd.DataFrame):
        return source.astype(object).where(source.notna(), ""), name
    if isinstance(source, Path):
        name = name if name != "input" else source.name
        if source.stat().st_size > LOCAL_FILE.file_bytes:
            raise _file_error(name, f"file is larger than {LOCAL_FILE.file_bytes // 2**20} MB")
        return _read_table(source.read_bytes(), name, LOCAL_FILE)
    if isinstance(source, str):
        return _read_table(source.encode("utf-8"), name, limits)
    if not isinstance(source, bytes):
        data = source.read(limits.file_bytes + 1)
        return _read_table(data if isinstance(data, bytes) else data.encode("utf-8"), name, limits)
    if len(source) > limits.file_bytes:
        raise _file_error(name, f"file is larger than {limits.file_bytes // 2**20} MB")
    if source[:2] == b"PK":  # an xlsx is a zip
        return _read_xlsx(source, name, limits), name
    return _capped(_read_csv(source, name, limits), name, limits), name


def _capped(df: pd.DataFrame, name: str, limits: Limits) -> pd.DataFrame:
    if len(df.columns) > MAX_COLUMNS:
        raise _file_error(name, f"{len(df.columns)} columns; at most {MAX_COLUMNS} are read", row=1)
    if len(df) > limits.rows:
        raise _file_error(name, f"more than {limits.rows} rows; split the file")
    return df


def _read_xlsx(data: bytes, name: str, limits: Limits) -> pd.DataFrame:
    expanded = expanded_size(data)
    if expanded is None:
        raise _file_error(name, "not a readable .xlsx file (a damaged zip)")
    if expanded > MAX_XLSX_UNCOMPRESSED_BYTES:
        raise _file_error(name, f"the workbook unpacks to {expanded // 2**20} MB; at most "
                                f"{MAX_XLSX_UNCOMPRESSED_BYTES // 2**20} MB are read")
    try:
        df = pd.read_excel(io.BytesIO(data), dtype=object, engine="openpyxl", nrows=limits.rows + 1)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a zip that is not a workbook
        raise _file_error(name, f"not a readable .xlsx file ({type(exc).__name__})") from None
    return _stringify(_capped(df, name, limits))


def _read_csv(data: bytes, name: str, limits: Limits) -> pd.DataFrame:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if problem := csv_text_problem(data):
        raise _file_error(name, problem[1], row=problem[0])
    if data.count(b"\n") > limits.rows + 1:
        raise _file_error(name, f"more than {limits.rows} rows; split the file")
    typed = _read_csv_typed(data)
    if typed is not None:
        return typed
    try:
        return pd.read_csv(io.BytesIO(data), dtype=object, keep_default_na=False, skipinitialspace=True,
                           encoding="utf-8")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise _file_error(name, f"not a well-formed CSV: {exc}".strip()) from None


def _read_csv_typed(data: bytes) -> pd.DataFrame | None:
    """The same table as the all-text read, but text columns categorical and, if it parses, quantity float64.

    Same C parser and options as the text read (every column is read, so a malformed row fails the same way),
    and `float_precision="round_trip"` parses numbers with Python's own `float` routine, so quantities are
    bit-for-bit those of the text read. Quantity falls back to text when any cell is not a plain number
    (pandas raises ValueError: text, empty, out of range) so the validation can quote it; None (use the text
    read) when the header is odd or the parser fails otherwise.
    """
    opts = dict(keep_default_na=False, na_filter=False, skipinitialspace=True, encoding="utf-8")
    try:
        header = list(pd.read_csv(io.BytesIO(data), nrows=0, **opts).columns)
    except Exception:  # noqa: BLE001 - the text read reports it
        return None
    norm = [str(c).strip().lower() for c in header]
    if len(set(norm)) != len(norm) or "quantity" not in norm:
        return None
    qty_col = header[norm.index("quantity")]
    for qty_dtype in (np.float64, object):
        dtype = {c: "category" for c in header} | {qty_col: qty_dtype}
        try:
            df = pd.read_csv(io.BytesIO(data), dtype=dtype, float_precision="round_trip", **opts)
        except ValueError:
            if qty_dtype is object:
                return None
            continue
        except Exception:  # noqa: BLE001 - the text read reports it
            return None
        if list(df.columns) != header or not isinstance(df.index, pd.RangeIndex):
            return None  # pandas took a column as the index (ragged rows): leave it to the text read
        if qty_dtype is object:
            return df
        q = df[qty_col].to_numpy()
        if np.isfinite(q).all() and (q >= 0).all():
            return df
        # nan, inf or a negative number: re-read as text so the message quotes the cell as written
    return None


def _stringify(df: pd.DataFrame) -> pd.DataFrame:
    """Excel cells arrive as numbers, dates or text: keep numbers' text exact, empty cells empty."""
    out = {}
    for col in df.columns:
        s = df[col]
        out[str(col)] = s.map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v))
                              else (repr(v) if isinstance(v, float) else str(v)))
    return pd.DataFrame(out)


class _Column:
    """A text column as codes into its distinct stripped values: string work is done once per value."""

    def __init__(self, values: np.ndarray | pd.Categorical | None, n: int) -> None:
        if values is None:
            self.codes = np.zeros(n, dtype=np.intp)
            self.uniques = np.array([""], dtype=object)
        elif isinstance(values, pd.Categorical):  # codes are already there; a missing cell (-1) is ""
            cats = values.categories
            self.codes = np.asarray(values.codes, dtype=np.intp)
            self.codes[self.codes < 0] = len(cats)
            self.uniques = np.array([str(v).strip() for v in cats] + [""], dtype=object)
        else:
            codes, uniq = pd.factorize(values, use_na_sentinel=False)
            self.codes = codes
            self.uniques = np.array(["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip()
                                     for v in uniq], dtype=object)

    def text(self, i: int) -> str:
        return str(self.uniques[self.codes[i]])

    def values(self) -> np.ndarray:
        return self.uniques[self.codes]

    def per_row(self, per_unique: np.ndarray) -> np.ndarray:
        return np.asarray(per_unique)[self.codes]


def _numbers(col: _Column) -> np.ndarray:
    """Float per row; NaN where the text is not a number. Parsed once per distinct text."""
    out = pd.to_numeric(pd.Series(col.uniques, dtype=object), errors="coerce").to_numpy(dtype=float)
    return out[col.codes]


def parse_records(source: Any, name: str = "input") -> pd.DataFrame:
    """Parse and validate records; return a DataFrame or raise `RecordsError` listing every bad cell.

    `source`: CSV text, bytes (CSV or .xlsx), a path (.csv/.xlsx), a file object or a DataFrame.
    Result columns: entity, sector, carrier (categorical), quantity (float, as given), unit (canonical
    code, categorical), year (int), month (int, 0 = annual), town (str, '' if none), entity_kind (str,
    'other' if none), use (categorical energy | feedstock), row (file row).
    """
    df, name = _read_table(source, name)
    df.columns = [str(c).strip().lower() for c in df.columns]
    missing_cols = [c for c in REQUIRED if c not in df.columns]
    if missing_cols:
        raise RecordsError([RowError(name, 1, c, f"missing column; expected columns: {', '.join(REQUIRED)}"
                                     f" (optional: {', '.join(OPTIONAL)})") for c in missing_cols])
    errors: list[tuple[np.ndarray, str, Any]] = []  # (row positions, field, message or per-row messages)
    n = len(df)
    rows = np.arange(n) + 2  # header is row 1
    # Fast path for the quantity column: nearly every value is distinct, so when the whole column parses as
    # clean numbers it is not factorised (the text is kept only when a message needs it).
    if df["quantity"].dtype == np.float64:  # the typed CSV read parsed every cell as a number
        fast_qty = df["quantity"].to_numpy()
    else:
        try:
            fast_qty = np.asarray(df["quantity"], dtype=object).astype(np.float64)
        except (TypeError, ValueError):
            fast_qty = None
    clean_qty = fast_qty is not None and bool(np.isfinite(fast_qty).all() and (fast_qty >= 0).all())

    def column(c: str) -> _Column:
        if c not in df.columns or (c == "quantity" and clean_qty):
            return _Column(None, n)
        s = df[c]
        return _Column(s.array if isinstance(s.dtype, pd.CategoricalDtype) else s.to_numpy(dtype=object), n)

    cols = {c: column(c) for c in (*REQUIRED, *OPTIONAL)}
    present = {c: col.per_row(col.uniques != "") for c, col in cols.items()}
    if clean_qty:
        present["quantity"] = np.ones(n, dtype=bool)
    for c in REQUIRED:
        if not present[c].all():
            errors.append((np.flatnonzero(~present[c]), c, "missing value"))

    # carrier / sector: a fixed vocabulary
    car = cols["carrier"]
    # a code or the Chinese name (天然气): an office's own spreadsheet may use either
    car_index = {k: i for i, (c, spec) in enumerate(CARRIERS.items()) for k in (c, spec.name_zh)}
    car_codes_u = np.array([car_index.get(u.lower(), -1) for u in car.uniques], dtype=np.intp)
    carrier_code = car.per_row(car_codes_u)
    bad = present["carrier"] & (carrier_code < 0)
    if bad.any():
        errors.append((np.flatnonzero(bad), "carrier",
                       lambda i: f"unknown carrier {car.text(i)!r}; accepted: {', '.join(CARRIERS)}"))
    sec = cols["sector"]
    sec_index = {k: i for i, (c, names) in enumerate(SECTORS.items()) for k in (c, names[0])}
    sector_code = sec.per_row(np.array([sec_index.get(u.lower(), -1) for u in sec.uniques], dtype=np.intp))
    bad = present["sector"] & (sector_code < 0)
    if bad.any():
        errors.append((np.flatnonzero(bad), "sector",
                       lambda i: f"unknown sector {sec.text(i)!r}; accepted: {', '.join(SECTORS)}"))

    # unit: known spelling, and of the carrier's dimension
    un = cols["unit"]
    unit_list = list(UNITS)
    unit_canon_u = normalise_units(un.uniques) if len(un.uniques) else np.array([], dtype=object)
    unit_code = un.per_row(np.array([unit_list.index(u) if u else -1 for u in unit_canon_u], dtype=np.intp))
    unknown_unit = present["unit"] & (unit_code < 0)
    if unknown_unit.any():
        errors.append((np.flatnonzero(unknown_unit), "unit",
                       lambda i: f"unknown unit {un.text(i)!r}; accepted: {', '.join(accepted_units())}"))
    # fits[carrier, unit]: the unit measures the carrier's dimension; tce fits every carrier but electricity,
    # whose coal equivalent depends on the method.
    fits = np.array([[u.dimension == c.dimension or (u.dimension == "tce" and c.dimension != "electricity")
                      for u in UNITS.values()] for c in CARRIERS.values()])
    both = (carrier_code >= 0) & (unit_code >= 0)
    wrong = both.copy()
    wrong[both] = ~fits[carrier_code[both], unit_code[both]]
    if wrong.any():
        def wrong_msg(i: int) -> str:
            c = list(CARRIERS.values())[carrier_code[i]]
            acc = accepted_units(c.dimension) + ([] if c.dimension == "electricity" else accepted_units("tce"))
            return (f"unit {un.text(i)!r} does not measure {c.dimension}, as {c.code} needs; "
                    f"accepted: {', '.join(acc)}")
        errors.append((np.flatnonzero(wrong), "unit", wrong_msg))

    # quantity: a finite, non-negative number
    qcol = cols["quantity"]
    qty = fast_qty if fast_qty is not None else _numbers(qcol)
    notnum = present["quantity"] & ~np.isfinite(qty)
    if notnum.any():
        errors.append((np.flatnonzero(notnum), "quantity", lambda i: f"not a number: {qcol.text(i)!r}"))
    neg = np.isfinite(qty) & (qty < 0)
    if neg.any():
        errors.append((np.flatnonzero(neg), "quantity", lambda i: f"negative quantity {qcol.text(i)!r}"))

    # year, month: integers in range
    ycol, mcol = cols["year"], cols["month"]
    year_f = _numbers(ycol)
    bad_year = present["year"] & ~(np.isfinite(year_f) & (year_f == np.round(year_f))
                                   & (year_f >= YEAR_RANGE[0]) & (year_f <= YEAR_RANGE[1]))
    if bad_year.any():
        errors.append((np.flatnonzero(bad_year), "year",
                       lambda i: f"not a year in {YEAR_RANGE[0]}-{YEAR_RANGE[1]}: {ycol.text(i)!r}"))
    month_f = _numbers(mcol)
    bad_month = present["month"] & ~(np.isfinite(month_f) & (month_f == np.round(month_f))
                                     & (month_f >= 1) & (month_f <= 12))
    if bad_month.any():
        errors.append((np.flatnonzero(bad_month), "month", lambda i: f"not a month 1-12: {mcol.text(i)!r}"))
    kcol = cols["entity_kind"]
    kind_u = np.array([u.lower() if u else "other" for u in kcol.uniques], dtype=object)
    bad_kind = kcol.per_row(~np.isin(kind_u, ENTITY_KINDS))
    if bad_kind.any():
        errors.append((np.flatnonzero(bad_kind), "entity_kind",
                       lambda i: f"unknown entity kind {kcol.text(i)!r}; accepted: {', '.join(ENTITY_KINDS)}"))

    ucol = cols["use"]
    use_u = np.array([USES.index(_USE_ALIASES[u.lower()]) if u.lower() in _USE_ALIASES else -1
                      for u in ucol.uniques], dtype=np.intp)
    use_code = ucol.per_row(use_u)
    if (use_code < 0).any():
        errors.append((np.flatnonzero(use_code < 0), "use",
                       lambda i: f"unknown use {ucol.text(i)!r}; accepted: {', '.join(USES)}"))
    feedstock = use_code == 1
    not_fuel = feedstock & (carrier_code >= 0) if feedstock.any() else feedstock
    not_fuel[not_fuel] = ~np.array([c.scope == 1 for c in CARRIERS.values()])[carrier_code[not_fuel]]
    if not_fuel.any():
        errors.append((np.flatnonzero(not_fuel), "use",
                       lambda i: f"feedstock use applies to fuels only, not {car.text(i)!r}"))

    if errors:
        out: list[RowError] = []
        for idx, fld, msg in errors:
            for i in idx.tolist():
                out.append(RowError(name, int(rows[i]), fld, msg(i) if callable(msg) else msg))
        field_order = {f: k for k, f in enumerate((*REQUIRED, *OPTIONAL))}
        out.sort(key=lambda e: (e.row, field_order.get(e.field, 99)))
        raise RecordsError(out)

    out_df = pd.DataFrame({
        "entity": cols["entity"].values(),
        "sector": pd.Categorical.from_codes(sector_code, categories=list(SECTORS)),
        "carrier": pd.Categorical.from_codes(carrier_code, categories=list(CARRIERS)),
        "quantity": qty,
        "unit": pd.Categorical.from_codes(unit_code, categories=unit_list),
        "year": year_f.astype(np.int64),
        "month": np.where(np.isfinite(month_f), month_f, 0).astype(np.int64),
        "town": cols["town"].values(),
        "entity_kind": kcol.per_row(kind_u),
        "use": pd.Categorical.from_codes(use_code, categories=list(USES)),
        "row": rows,
    })
    mixed = mixed_periods(out_df, rows_only=True)
    if len(mixed):
        raise RecordsError([RowError(name, int(r), "month", "annual record for an entity, carrier and year that "
                                     "also has monthly records: summing both would double count")
                            for r in mixed])
    return out_df


def mixed_periods(records: pd.DataFrame, rows_only: bool = False) -> Any:
    """(entity, carrier, year) groups with both an annual (month 0) and monthly records: summing them
    would double count, so they are reported instead of guessed at. With `rows_only`, the file rows of
    the annual records in such groups."""
    empty = np.array([], dtype=np.int64) if rows_only else pd.DataFrame(columns=["entity", "carrier", "year"])
    if "month" not in records or not (np.asarray(records["month"]) > 0).any() or not (np.asarray(records["month"]) == 0).any():
        return empty
    g = pd.DataFrame({"entity": np.asarray(records["entity"], dtype=object),
                      "carrier": np.asarray(records["carrier"], dtype=object),
                      "year": np.asarray(records["year"]),
                      "monthly": np.asarray(records["month"]) > 0})
    agg = g.groupby(["entity", "carrier", "year"], sort=True)["monthly"].agg(["min", "max"])
    bad = agg[(~agg["min"]) & agg["max"]].reset_index()[["entity", "carrier", "year"]]
    if not rows_only:
        return bad
    if not len(bad):
        return empty
    hit = g.reset_index().merge(bad, on=["entity", "carrier", "year"])
    hit = hit[~hit["monthly"]]
    return np.asarray(records["row"])[hit["index"].to_numpy()] if "row" in records else hit["index"].to_numpy() + 2


def records_from_dicts(items: Iterable[dict[str, Any]], name: str = "records") -> pd.DataFrame:
    """Validate JSON-like records (API input) with the same rules as a file."""
    items = list(items)
    cols = list(dict.fromkeys([*REQUIRED, *OPTIONAL, *(k for it in items for k in it)]))
    frame = pd.DataFrame([{c: ("" if it.get(c) is None else str(it.get(c))) for c in cols} for it in items],
                         columns=cols, dtype=object)
    return parse_records(frame, name)
