"""Excel reporting template per unit and period, and its upload: validate every row first, store all or nothing.

Layout of the sheet 填报 (the same file is downloaded and uploaded):
    A1  title
    A2  填报单位   B2 unit name   C2 unit code
    A3  报告期     B3 period code (2024Q1 / 2024)   C3 period dates
    row 5  headers: 指标代码 指标名称 单位 目标值 目标年份 本期数值 说明, then 牵头单位 (for reference, not read back)
    row 6… one indicator per row; a row whose 本期数值 is blank is skipped.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException

from carbonpeak.core.numbers import rounded
from carbonpeak.core.xlsx import expanded_size, workbook_bytes
from carbonpeak.plan.models import Indicator, ResponsibleUnit
from carbonpeak.plan.selectors import lead_unit_names
from carbonpeak.tracking import permissions, selectors, services
from carbonpeak.tracking.models import ReportingPeriod

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET = "填报"
HEADERS = ["指标代码", "指标名称", "单位", "目标值", "目标年份", "本期数值", "说明"]
HEADER_ROW = 5
FIRST_ROW = 6
COL_CODE, COL_NAME, COL_UNIT, COL_TARGET, COL_YEAR, COL_VALUE, COL_NOTE = range(1, 8)
COL_LEAD, LEAD_HEADER = 8, "牵头单位"
UNIT_CELL, PERIOD_CELL = "C2", "B3"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000
MAX_UNZIPPED_BYTES = 32 * 1024 * 1024
"""A template of MAX_ROWS rows unpacks to well under 1 MB; a 155 KB zip can unpack to gigabytes."""


def template_filename(unit: ResponsibleUnit, period: ReportingPeriod) -> str:
    return f"carbonpeak-{unit.code}-{period.code}.xlsx"


def build_template(unit: ResponsibleUnit, period: ReportingPeriod) -> bytes:
    """The unit's template for the period, pre-filled with its quantitative indicators and current values."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws["A1"] = f"{period.plan.name_zh} · 指标填报表"
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"], ws["B2"], ws[UNIT_CELL] = "填报单位", unit.name_zh, unit.code
    ws["A3"], ws[PERIOD_CELL], ws["C3"] = "报告期", period.code, f"{period.start:%Y-%m-%d} 至 {period.end:%Y-%m-%d}"
    ws["D2"] = "请只填写“本期数值”和“说明”两列；单位须与指标单位一致。"
    header_fill = PatternFill("solid", fgColor="DDEBE5")
    for col, title in enumerate([*HEADERS, LEAD_HEADER], start=1):
        cell = ws.cell(row=HEADER_ROW, column=col, value=title)
        cell.font = Font(bold=True)
        cell.fill = header_fill
    rows = [r for r in selectors.indicator_rows(unit, period) if r.required]
    leads = lead_unit_names(period.plan)
    for offset, row in enumerate(rows):
        i, current = row.subject, row.current
        r = FIRST_ROW + offset
        ws.cell(r, COL_CODE, i.code)
        ws.cell(r, COL_NAME, i.name_zh)
        ws.cell(r, COL_UNIT, i.unit)
        ws.cell(r, COL_TARGET, rounded(i.target_value))
        ws.cell(r, COL_YEAR, i.target_year)
        ws.cell(r, COL_LEAD, leads.get(i.task_id, ""))
        if current is not None:
            ws.cell(r, COL_VALUE, rounded(current.value))
            ws.cell(r, COL_NOTE, current.note)
    for col, width in zip("ABCDEFGH", (26, 36, 12, 10, 10, 14, 40, 16)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = ws.cell(FIRST_ROW, 1)
    for row in ws.iter_rows(min_row=FIRST_ROW, max_col=7):
        row[1].alignment = Alignment(wrap_text=True)
    return workbook_bytes(wb)


@dataclass
class RowError:
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = _("row %(row)s") % {"row": self.row} if self.row else _("file")
        return f"{where}, {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


@dataclass
class ParsedRow:
    row: int
    indicator: Indicator
    value: float
    value_unit: str
    note: str


@dataclass
class UploadResult:
    errors: list[RowError] = field(default_factory=list)
    rows: list[ParsedRow] = field(default_factory=list)
    stored: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _number(value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = _text(value).replace(",", "").replace("，", "")
    try:
        number = float(text)
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


def parse_upload(fileobj, unit: ResponsibleUnit, period: ReportingPeriod) -> UploadResult:
    """Read and check every row; nothing is stored here."""
    result = UploadResult()
    errors = result.errors
    size = getattr(fileobj, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        errors.append(RowError(None, "", _("The file is larger than 5 MB.")))
        return result
    fileobj.seek(0)
    expanded = expanded_size(fileobj)
    if expanded is not None and expanded > MAX_UNZIPPED_BYTES:
        errors.append(RowError(None, "", _("The workbook unpacks to more than %(mb)s MB.")
                               % {"mb": MAX_UNZIPPED_BYTES // 2**20}))
        return result
    try:
        wb = load_workbook(fileobj, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        errors.append(RowError(None, "", _("The file is not an Excel workbook (.xlsx).")))
        return result
    if SHEET not in wb.sheetnames:
        errors.append(RowError(None, "", _("The workbook has no sheet named %(sheet)s; use the downloaded template.")
                               % {"sheet": SHEET}))
        return result
    ws = wb[SHEET]
    grid = [list(r) for r in ws.iter_rows(min_row=1, max_row=MAX_ROWS + FIRST_ROW, max_col=7, values_only=True)]
    wb.close()

    def cell(row: int, col: int):
        line = grid[row - 1] if row - 1 < len(grid) else []
        return line[col - 1] if col - 1 < len(line) else None

    headers = [_text(cell(HEADER_ROW, c)) for c in range(1, 8)]
    if headers != HEADERS:
        errors.append(RowError(HEADER_ROW, "", _("The header row must be: %(headers)s.")
                               % {"headers": " | ".join(HEADERS)}))
        return result
    if _text(cell(3, 2)).upper() != period.code:
        errors.append(RowError(3, "报告期", _("The file is for period %(found)s, not %(expected)s.")
                               % {"found": _text(cell(3, 2)) or "∅", "expected": period.code}))
    if _text(cell(2, 3)) != unit.code:
        errors.append(RowError(2, "填报单位", _("The file is for unit %(found)s, not %(expected)s.")
                               % {"found": _text(cell(2, 3)) or "∅", "expected": unit.code}))

    owned = {i.code: i for i in permissions.unit_indicators(unit).filter(plan=period.plan_id)}
    seen: dict[str, int] = {}
    for r in range(FIRST_ROW, len(grid) + 1):
        code, raw_value = _text(cell(r, COL_CODE)), cell(r, COL_VALUE)
        if not code and raw_value in (None, ""):
            continue
        if raw_value is None or _text(raw_value) == "":
            continue  # not reported this time
        indicator = owned.get(code)
        if indicator is None:
            errors.append(RowError(r, "指标代码", _("Unknown indicator %(code)s, or not one your unit reports.")
                                   % {"code": code or "∅"}))
            continue
        if code in seen:
            errors.append(RowError(r, "指标代码", _("Indicator %(code)s is already on row %(row)s.")
                                   % {"code": code, "row": seen[code]}))
            continue
        seen[code] = r
        value = _number(raw_value)
        if value is None:
            errors.append(RowError(r, "本期数值", _("%(value)s is not a number.") % {"value": _text(raw_value)}))
        value_unit = _text(cell(r, COL_UNIT))
        if value_unit != (indicator.unit or ""):
            errors.append(RowError(r, "单位", _("Unit %(given)s does not match the indicator's unit %(unit)s.")
                                   % {"given": value_unit or "∅", "unit": indicator.unit or "∅"}))
        if value is not None and value_unit == (indicator.unit or ""):
            result.rows.append(ParsedRow(r, indicator, value, value_unit, _text(cell(r, COL_NOTE))[:2000]))
    if not result.rows and not errors:
        errors.append(RowError(None, "本期数值", _("No values were filled in.")))
    return result


def import_upload(actor, fileobj, unit: ResponsibleUnit, period: ReportingPeriod,
                  submit: bool = False) -> UploadResult:
    """Parse, then store every row as a draft (and submit them) in one transaction — or store nothing."""
    result = parse_upload(fileobj, unit, period)
    if result.errors:
        return result
    try:
        with transaction.atomic():
            for row in result.rows:
                try:
                    report = services.save_indicator_report(actor, indicator=row.indicator, unit=unit,
                                                            period=period, value=row.value,
                                                            value_unit=row.value_unit, note=row.note)
                    if submit:
                        report = services.submit(actor, report)
                except (ValidationError, PermissionDenied) as exc:
                    message = "; ".join(getattr(exc, "messages", [str(exc)]))
                    result.errors.append(RowError(row.row, "本期数值", message))
                    continue
                result.stored.append(report)
            if result.errors:
                raise _Rollback
    except _Rollback:
        result.stored = []
    return result


class _Rollback(Exception):
    pass
