"""Excel/CSV imports of the office's tables: key energy-consuming units and unit series. All rows or none;
every bad row is reported with file, row and field."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from carbonpeak.assessment.models import KeyEnergyUnit, UnitSeries
from carbonpeak.core.textfile import csv_text_problem
from carbonpeak.plan.models import Plan, ResponsibleUnit

KEY_UNIT_COLUMNS = ("code", "name_zh", "town", "industry", "site")
SERIES_COLUMNS = ("series", "year", "unit", "value")


def read_table(source, filename: str) -> list[dict[str, str]]:
    """Rows of an .xlsx or .csv file as dicts keyed by the (lower-cased) header row."""
    name = str(filename).lower()
    if isinstance(source, (str, Path)):
        source = Path(source).read_bytes()
    if name.endswith(".xlsx"):
        import openpyxl

        try:
            sheet = openpyxl.load_workbook(io.BytesIO(source), read_only=True, data_only=True).active
        except Exception as exc:  # openpyxl raises several types for a file that is not a workbook
            raise ValidationError(f"{filename}: not a readable Excel workbook ({exc.__class__.__name__})") from None
        rows = [["" if c is None else str(c).strip() for c in r] for r in sheet.iter_rows(values_only=True)]
    elif name.endswith(".csv"):
        if problem := csv_text_problem(source):
            raise ValidationError(f"{filename}, row {problem[0]}: {problem[1]}")
        rows = [[c.strip() for c in r] for r in csv.reader(io.StringIO(source.decode("utf-8-sig")))]
    else:
        raise ValidationError(f"{filename}: expected a .xlsx or .csv file")
    if not rows:
        raise ValidationError(f"{filename}: the file is empty")
    header = [h.lower() for h in rows[0]]
    return [dict(zip(header, r)) for r in rows[1:] if any(r)]


def _units(plan: Plan) -> dict[str, ResponsibleUnit]:
    out = {}
    for u in ResponsibleUnit.objects.filter(plan=plan):
        for name in (u.code, u.name_zh, *(u.aliases or [])):
            out[str(name).strip()] = u
    return out


def _check_columns(rows: list[dict], needed: tuple[str, ...], filename: str) -> None:
    if rows and (missing := [c for c in needed if c not in rows[0]]):
        raise ValidationError(f"{filename}: missing column(s) {', '.join(missing)}")


def import_key_units(plan: Plan, source, filename: str | None = None) -> int:
    """Create or update key energy-consuming units from columns code, name_zh, town, industry, site (site code)."""
    from carbonpeak.monitoring.models import Site

    filename = filename or str(source)
    rows = read_table(source, filename)
    _check_columns(rows, KEY_UNIT_COLUMNS[:3], filename)
    towns, sites = _units(plan), {s.code: s for s in Site.objects.all()}
    errors, clean = [], []
    for i, r in enumerate(rows, start=2):
        town = towns.get(r.get("town", "")) if r.get("town") else None
        site = sites.get(r.get("site", "")) if r.get("site") else None
        if not r.get("code") or not r.get("name_zh"):
            errors.append(f"{filename}, row {i}, code/name_zh: required")
        elif r.get("town") and (town is None or town.kind not in ("town", "street")):
            errors.append(f"{filename}, row {i}, town: {r['town']!r} is not a town or street of plan {plan.code}")
        elif r.get("site") and site is None:
            errors.append(f"{filename}, row {i}, site: no monitoring site {r['site']!r}")
        else:
            clean.append((r, town, site))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        for r, town, site in clean:
            KeyEnergyUnit.objects.update_or_create(plan=plan, code=r["code"], defaults={
                "name_zh": r["name_zh"], "town": town, "industry": r.get("industry", ""), "site": site})
    return len(clean)


def import_series(plan: Plan, source, filename: str | None = None) -> int:
    """Create or update series values from columns series, year, unit (unit or key unit code/name), value."""
    filename = filename or str(source)
    rows = read_table(source, filename)
    _check_columns(rows, SERIES_COLUMNS, filename)
    units = _units(plan)
    keys = {k.code: k for k in KeyEnergyUnit.objects.filter(plan=plan)}
    errors, clean = [], []
    for i, r in enumerate(rows, start=2):
        unit, key = units.get(r["unit"]), keys.get(r["unit"])
        try:
            year, value = int(r["year"]), float(r["value"])
        except ValueError:
            errors.append(f"{filename}, row {i}, year/value: not a number ({r['year']!r}, {r['value']!r})")
            continue
        if unit is None and key is None:
            errors.append(f"{filename}, row {i}, unit: {r['unit']!r} is neither a unit nor a key unit of {plan.code}")
        elif not r["series"]:
            errors.append(f"{filename}, row {i}, series: required")
        else:
            clean.append((r["series"], year, unit, key, value))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        for code, year, unit, key, value in clean:
            UnitSeries.objects.update_or_create(plan=plan, code=code, year=year, unit=unit, key_unit=key,
                                                defaults={"value": value, "source": filename})
    return len(clean)
