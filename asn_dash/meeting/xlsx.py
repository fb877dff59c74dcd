"""The period's indicator table as an Excel workbook for the meeting papers.

Sheet "Indikatorer": Målområde | Indikator | Utfall | Målnivå | Bedömning | Motivering | Kommentar,
values as numbers with Swedish-readable number formats (Excel shows the reader's decimal comma),
the assessment as colour fill + symbol + word. Sheet "Målområden": the summary per målområde.
Masked values are the text "1–3"; every text cell goes through ``export.safe_text``.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from asn_dash.colours import TABLE_HEADER, TABLE_RULE, label
from asn_dash.colours import style as colour_style
from asn_dash.formatting import default_decimals
from asn_dash.meeting.material import DEMO_NOTE, Meeting, Row
from asn_dash.rules.assessment import COLOURS, NA
from asn_dash.uploads.export import safe_text

HEADERS = ["Målområde", "Indikator", "Utfall", "Målnivå", "Bedömning", "Motivering", "Kommentar"]
WIDTHS = [26, 48, 14, 30, 16, 60, 60]
SUMMARY_HEADERS = ["Målområde", "Bedömning", *(label(c) for c in COLOURS), "Ej bedömda"]

_UNIT_FORMAT = {"procent": '" %"', "tkr": '" tkr"', "kr": '" kr"', "dagar": '" dagar"'}
_THIN = Side(style="thin", color=TABLE_RULE.lstrip("#"))
_BORDER = Border(bottom=_THIN)
_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")


def number_format(unit: str, value: float) -> str:
    """``#,##0`` / ``0.00" %"`` …: Excel writes them as ``1 234`` / ``5,69 %`` in a Swedish locale."""
    decimals = default_decimals(unit, value)
    base = "#,##0" + ("." + "0" * decimals if decimals else "")
    return base + _UNIT_FORMAT.get(unit, "")


def fill(colour: str) -> PatternFill:
    return PatternFill("solid", fgColor=colour_style(colour).background.lstrip("#"))


def _title(sheet, meeting: Meeting, columns: int) -> int:
    """Title, subtitle and notes; returns the header row number."""
    lines = [(meeting.title, Font(bold=True, size=14)), (meeting.subtitle, Font(size=12)),
             (f"Utskrivet {meeting.created:%Y-%m-%d}", Font(size=10))]
    lines += [(text, Font(size=10, bold=text == DEMO_NOTE, italic=text != DEMO_NOTE)) for text in meeting.notes]
    for n, (text, font) in enumerate(lines, start=1):
        cell = sheet.cell(row=n, column=1, value=safe_text(text))
        cell.font = font
        sheet.merge_cells(start_row=n, start_column=1, end_row=n, end_column=columns)
    return len(lines) + 2


def _header(sheet, row: int, headers: list[str], widths: list[int]) -> None:
    for col, (text, width) in enumerate(zip(headers, widths), start=1):
        cell = sheet.cell(row=row, column=col, value=text)
        cell.font = _BOLD
        cell.fill = PatternFill("solid", fgColor=TABLE_HEADER.lstrip("#"))
        cell.alignment = _WRAP
        sheet.column_dimensions[get_column_letter(col)].width = width


def _indicator_row(sheet, n: int, r: Row) -> None:
    value_cell = sheet.cell(row=n, column=3)
    if r.value is not None:
        value_cell.value = float(r.value)
        value_cell.number_format = number_format(r.unit, r.value)
    else:
        value_cell.value = safe_text(r.value_label)
        value_cell.alignment = Alignment(horizontal="right", vertical="top")
    texts = {1: r.goal_area, 2: r.name + (" (⚠ exempeldata)" if r.is_demo else ""), 4: r.target,
             6: r.reason + (f"\n{r.forecast}" if r.forecast else ""),  # Prognos helår (issue 16)
             7: (f"{r.comment_label}: {r.comment}" if r.comment else "")}
    for col, text in texts.items():
        cell = sheet.cell(row=n, column=col, value=safe_text(text))
        cell.alignment = _WRAP
    verdict = sheet.cell(row=n, column=5, value=label(r.colour))
    verdict.fill = fill(r.colour)
    verdict.font = _BOLD
    verdict.alignment = Alignment(vertical="top")
    for col in range(1, len(HEADERS) + 1):
        sheet.cell(row=n, column=col).border = _BORDER


def to_xlsx(meeting: Meeting) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Indikatorer"
    head = _title(sheet, meeting, len(HEADERS))
    _header(sheet, head, HEADERS, WIDTHS)
    for n, r in enumerate(meeting.rows, start=head + 1):
        _indicator_row(sheet, n, r)
    sheet.freeze_panes = sheet.cell(row=head + 1, column=3)
    sheet.auto_filter.ref = f"A{head}:{get_column_letter(len(HEADERS))}{head + len(meeting.rows)}"
    sheet.print_title_rows = f"{head}:{head}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True

    summary = book.create_sheet("Målområden")
    head = _title(summary, meeting, len(SUMMARY_HEADERS))
    _header(summary, head, SUMMARY_HEADERS, [34, 16, 10, 10, 10, 12])
    for n, area in enumerate(meeting.areas, start=head + 1):
        summary.cell(row=n, column=1, value=safe_text(area.name)).alignment = _WRAP
        verdict = summary.cell(row=n, column=2, value=label(area.colour))
        verdict.fill, verdict.font = fill(area.colour), _BOLD
        for col, colour in enumerate((*COLOURS, NA), start=3):
            summary.cell(row=n, column=col, value=int(area.counts.get(colour, 0)))
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
