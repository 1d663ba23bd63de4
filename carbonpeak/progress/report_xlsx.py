"""The progress report as an Excel workbook (openpyxl): summary counts, every indicator, off-track list, projects."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from carbonpeak.core.numbers import for_people, rounded
from carbonpeak.core.xlsx import workbook_bytes
from carbonpeak.plan.selectors import lead_unit_names
from carbonpeak.progress import services as progress

FILLS = {s: PatternFill("solid", fgColor=c.lstrip("#")) for s, c in progress.STATUS_COLORS.items()}


def _header(ws, names: list[str]) -> None:
    ws.append(names)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    ws.freeze_panes = f"A{ws.max_row + 1}"


def _widths(ws, widths: list[int]) -> None:
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w


def _indicator_row(r: progress.IndicatorProgress, leads: dict[int, str]) -> list:
    ind, ev = r.indicator, r.evaluation
    return [
        ind.name, ind.task.code if ind.task_id else "", leads.get(ind.task_id, ""), r.target_display,
        ind.target_year, r.status_label, rounded(ev.latest_value),
        progress.t_label(ev.latest_t) if ev.latest_t is not None else "", rounded(ev.expected_now),
        rounded(ev.gap_to_trajectory), rounded(ev.gap_to_target), rounded(ev.forecast), ind.unit_label,
        f"{r.source} ({r.series_label})" if r.series_label else r.source, r.reason, r.rule,
        "; ".join(f"{d['label']}: {for_people(d['reported'])}" for d in r.differences if d["flagged"]), r.error,
    ]


def progress_workbook(plan, results: list[progress.IndicatorProgress]) -> bytes:
    labels = progress.status_labels()
    wb = Workbook()
    ws = wb.active
    ws.title = _("Summary")[:31]
    ws.append([plan.name_zh, plan.document_number])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([_("Progress report generated"), timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    ws.append([])
    counts = progress.status_counts(results)
    _header(ws, [_("Status"), _("Targets")])
    for s in progress.STATUSES:
        ws.append([labels[s], counts[s]])
        ws.cell(row=ws.max_row, column=1).fill = FILLS[s]
    ws.append([_("Total"), len(results)])
    ws.append([])
    ws.append([_("By action"), *[labels[s] for s in progress.STATUSES]])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for g in progress.counts_by_action(plan, results):
        ws.append([g.label, *[g.counts[s] for s in progress.STATUSES]])
    ws.append([])
    ws.append([_("By responsible unit (all linked targets)"), *[labels[s] for s in progress.STATUSES]])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for g in progress.counts_by_unit(plan, results):
        ws.append([g.label, *[g.counts[s] for s in progress.STATUSES]])
    ws.freeze_panes = None
    _widths(ws, [48, 14, 14, 14, 14])

    leads = lead_unit_names(plan)
    columns = [_("Target name"), _("Task"), _("Lead unit"), _("Target"), _("Target year"), _("Status"),
               _("Latest value"),
               _("As of"), _("Expected now"), _("Gap to trajectory"), _("Gap to target"),
               _("Forecast for the target year"), _("Unit"), _("Source"), _("Why"), _("Rule"),
               _("Reported values that differ from the computed ones"), _("Error")]
    for title, rows in ((_("Targets"), results), (_("Missed or off track"), progress.off_track(results))):
        sheet = wb.create_sheet(title[:31])
        _header(sheet, columns)
        for r in rows:
            sheet.append(_indicator_row(r, leads))
            sheet.cell(row=sheet.max_row, column=6).fill = FILLS[r.status]
        _widths(sheet, [40, 8, 16, 18, 10, 10, 12, 10, 12, 12, 12, 14, 12, 14, 60, 60, 30, 30])

    sheet = wb.create_sheet(_("Projects")[:31])
    _header(sheet, [_("Target"), _("Lead unit"), _("Project"), _("Town"), _("Quantity"), _("Unit"),
                    _("Commissioned on"), _("Counted in the target's unit"), _("Target unit")])
    for r in results:
        if r.rollup is None:
            continue
        counted = {c.id: c.quantity for c in r.rollup.contributions}
        for p in r.projects:
            sheet.append([r.indicator.name, leads.get(r.indicator.task_id, ""), p.name,
                          p.town.name if p.town_id else "", rounded(p.quantity), p.quantity_unit, p.commissioned_on,
                          rounded(counted.get(p.pk)), r.indicator.unit_label])
    _widths(sheet, [36, 16, 40, 14, 12, 8, 14, 16, 12])

    return workbook_bytes(wb)
