"""A proposal as an Excel workbook: the template to fill in and the reader of a filled one (pure Python).

The workbook is another spelling of the proposal schema (`proposal.FIELDS`), not a second one: the reader turns
it into the same mapping a YAML file gives and `parse_proposal` validates it, so every rule and message is the
schema's. Sheet 项目 holds one field per row (column A the field, B the value); sheet 能源 one quantity per row
(list = energy | feedstock | own_renewables, carrier, quantity, unit). Errors name the sheet and cell or row.
Formulas are refused (a cell is data, never evaluated); the template is written with `core.xlsx` so no text it
holds is taken for a formula either.
"""

from __future__ import annotations

import io
from typing import Any

from carbonpeak.core.xlsx import expanded_size, workbook_bytes

from .proposal import FIELDS, FieldError, ProposalError

FIELD_SHEET, QUANTITY_SHEET = "项目", "能源"
LISTS = ("energy", "feedstock", "own_renewables")
SCALARS = tuple(f for f in FIELDS if f not in LISTS)
HELP = {"name": "项目名称", "town": "所在镇/街道（全称）", "sector": "行业代码（见规则表）",
        "kind": "industrial / building / data_centre / other", "start_year": "投产年份",
        "ramp_up_years": "达产年数（默认 1）", "added_value_10k_yuan": "达产后年增加值（万元）",
        "green_power_kwh": "绿电交易合同电量（kWh/年）", "floor_area_m2": "建筑面积（m²）",
        "it_capacity_kw": "IT 设备容量（kW，数据中心必填）", "design_pue": "设计 PUE（数据中心必填）",
        "ultra_low_energy": "是否按超低能耗标准建设（是/否）", "exception": "两高一低例外清单代码（如有）"}
MAX_EXPANDED_BYTES = 20 * 2**20
BOOLEANS = {"是": True, "否": False, "true": True, "false": False, "yes": True, "no": False}


def template(example: dict[str, Any] | None = None) -> bytes:
    """The blank template (or one filled with `example`, a proposal mapping) as .xlsx bytes."""
    from openpyxl import Workbook

    example = example or {}
    wb = Workbook()
    ws = wb.active
    ws.title = FIELD_SHEET
    ws.append(["字段 field", "值 value", "说明"])
    for name in SCALARS:
        value = example.get(name)
        ws.append([name, ("是" if value else "否") if name == "ultra_low_energy" else value, HELP.get(name, "")])
    qs = wb.create_sheet(QUANTITY_SHEET)
    qs.append(["list", "carrier", "quantity", "unit"])
    for name in LISTS:
        for row in example.get(name) or []:
            qs.append([name, row["carrier"], row["quantity"], row["unit"]])
    return workbook_bytes(wb)


def _value(cell, where: str, errors: list[FieldError], file: str) -> Any:
    if cell.data_type == "f":
        errors.append(FieldError(file, where, "a formula is not accepted: type the value"))
        return None
    value = cell.value
    return value.strip() if isinstance(value, str) else value


def read(data: bytes, file: str = "proposal.xlsx") -> tuple[dict[str, Any], dict[str, str]]:
    """The proposal mapping of a filled template and where each field came from ({"name": "项目!B2",
    "energy[0]": "能源!row 2"}); `ProposalError` for a workbook that is not one (every problem named by sheet and
    cell). Field values are validated by `parse_proposal` (see `located`), not here."""
    from openpyxl import load_workbook

    size = expanded_size(data)
    if size is None or size > MAX_EXPANDED_BYTES:
        raise ProposalError([FieldError(file, "(file)", "not an .xlsx workbook" if size is None else
                                        f"expands to more than {MAX_EXPANDED_BYTES // 2**20} MB")])
    try:
        wb = load_workbook(io.BytesIO(data), data_only=False, read_only=False)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the uploader's error, named
        raise ProposalError([FieldError(file, "(file)", f"cannot read the workbook: {exc}")]) from exc
    errors: list[FieldError] = []
    missing = [s for s in (FIELD_SHEET, QUANTITY_SHEET) if s not in wb.sheetnames]
    if missing:
        raise ProposalError([FieldError(file, "(file)", f"sheet {s!r} is missing; download the template")
                             for s in missing])
    out: dict[str, Any] = {}
    where: dict[str, str] = {}
    for row in wb[FIELD_SHEET].iter_rows(min_row=2, max_col=2):
        name = _value(row[0], f"{FIELD_SHEET}!A{row[0].row}", errors, file)
        if name in (None, ""):
            continue
        value = _value(row[1], f"{FIELD_SHEET}!B{row[1].row} ({name})", errors, file)
        if name == "ultra_low_energy" and isinstance(value, str):
            value = BOOLEANS.get(value.lower(), value)
        if value not in (None, ""):
            out[str(name)] = value
            where[str(name)] = f"{FIELD_SHEET}!B{row[1].row}"
    for row in wb[QUANTITY_SHEET].iter_rows(min_row=2, max_col=4):
        cells = [_value(c, f"{QUANTITY_SHEET}!{c.coordinate}", errors, file) for c in row]
        if all(c in (None, "") for c in cells):
            continue
        kind, carrier, quantity, unit = cells
        if kind not in LISTS:
            errors.append(FieldError(file, f"{QUANTITY_SHEET}!A{row[0].row}",
                                     f"{kind!r} is not one of {', '.join(LISTS)}"))
            continue
        rows = out.setdefault(kind, [])
        where[f"{kind}[{len(rows)}]"] = f"{QUANTITY_SHEET}!row {row[0].row}"
        rows.append({"carrier": carrier, "quantity": quantity, "unit": unit})
    if errors:
        raise ProposalError(errors)
    return out, where


def located(exc: ProposalError, where: dict[str, str]) -> ProposalError:
    """The schema's errors with the sheet and cell (or row) of each field, e.g. "能源!row 3: energy[1].unit"."""
    def place(field: str) -> str:
        key = field.split(".")[0]
        return f"{where[key]}: {field}" if key in where else field

    return ProposalError([FieldError(e.file, place(e.field), e.message) for e in exc.errors])
