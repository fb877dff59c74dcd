"""The indicator section of a tertial or annual report as a Word document (python-docx), laid out
as the committee's own reports (004 Tertialrapport T2 2025, 001 Verksamhetsberättelse 2021).

Title page (nämnd, report, date), a contents list (a real Word TOC field: Word updates it on
opening, LibreOffice in ``pdf.py``), page numbers in the footer, the sammanfattande bedömning
of every målområde (the report's verdict beside the computed one), per nämndmål the table
*Indikator | Beskrivning | Resultat | Bedömning* with a "Källa" line, per indicator its analysis
(the period's comment) and chart, and an appendix with the verksamhetsmått. Small numbers come
masked from ``material``. A kommun template (.docx) supplies styles, header, footer and logo.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import plotly.graph_objects as go
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from asn_dash.colours import TABLE_HEADER, TEXT, label
from asn_dash.colours import style as colour_style
from asn_dash.meeting import images
from asn_dash.meeting.material import NAMND, Meeting, Row, Slide, area_verdicts, value_text
from asn_dash.meeting.template_check import TemplateError
from asn_dash.meeting.template_check import check as check_template
from asn_dash.rules.assessment import COLOURS, NA
from asn_dash.rules.evaluation import MEASURES
from asn_dash.rules.periods import MONTHS_SV_LONG
from asn_dash.texts import for_export

HEADERS = ["Indikator", "Beskrivning", "Resultat", "Bedömning"]
WIDTHS = [4.4, 4.8, 4.4, 3.0]  # cm, 16,6 cm between A4 margins
MEASURE_HEADERS = ["Indikator", "Resultat", "Källa"]
MEASURE_WIDTHS = [7.6, 3.4, 5.6]
SUMMARY_HEADERS = ["Målområde", "Rapportens bedömning", "Beräknad bedömning", *(label(c) for c in COLOURS),
                   "Ej bedömda"]
SUMMARY_WIDTHS = [3.0, 2.9, 2.9, 1.8, 1.7, 1.7, 2.4]
CHART_SIZE = (1000, 560)  # CSS px at scale 2
CHART_WIDTH = Cm(15.5)
TOC_LEVELS = "1-2"
TABLE_STYLES = ("Rapporttabell", "Table Grid")  # a template's own table style wins
TOC_PLACEHOLDER = "Innehållsförteckningen uppdateras när dokumentet öppnas (högerklicka → Uppdatera fält)."


def clean(text: str) -> str:
    """Text as Word can store it: control characters (from pasted comments) removed."""
    return for_export(str(text))


@dataclass
class _Report:
    doc: Document
    meeting: Meeting
    render: Callable[[go.Figure], bytes]
    headings: list[tuple[int, str]] = field(default_factory=list)
    figures: int = 0

    def style(self, *names: str) -> str | None:
        for name in names:
            try:
                self.doc.styles[name]
                return name
            except KeyError:
                continue
        return None

    def heading(self, text: str, level: int) -> None:
        name = self.style(f"Heading {level}")
        p = self.doc.add_paragraph(clean(text), style=name)
        if name is None:  # a template without heading styles: still an outline level for the TOC
            _outline(p, level)
            for run in p.runs:
                run.bold, run.font.size = True, Pt({1: 16, 2: 13, 3: 11}[level])
        if level <= 2:
            self.headings.append((level, text))

    def paragraph(self, text: str = "", *, italic: bool = False, bold: bool = False, size: float | None = None,
                  style: str | None = None):
        p = self.doc.add_paragraph(style=self.style(style) if style else None)
        if text:
            run = p.add_run(clean(text))
            run.italic, run.bold = italic, bold
            if size:
                run.font.size = Pt(size)
        return p

    def source_line(self, sources: list[str]) -> None:
        """ "Källa: a; b" under a table or chart, as the reports do."""
        parts = list(dict.fromkeys(s.removeprefix("Källa: ") for s in sources if s))
        if parts:
            self.paragraph("Källa: " + "; ".join(parts), italic=True, size=9)

    def table(self, headers: list[str], widths: list[float]):
        table = self.doc.add_table(rows=1, cols=len(headers))
        style = self.style(*TABLE_STYLES)
        if style:
            table.style = style
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        table.autofit = False
        for cell, text in zip(table.rows[0].cells, headers):
            _set_cell(cell, text, bold=True, fill=TABLE_HEADER)
        _repeat_header(table.rows[0])
        _widths(table, widths)
        return table

    def add_row(self, table, cells: list[tuple[str, str | None, bool]], widths: list[float]):
        """cells: (text, fill or None, bold). Extra lines after a newline get small type."""
        row = table.add_row()
        _no_split(row)
        for cell, (text, fill, bold) in zip(row.cells, cells):
            _set_cell(cell, text, bold=bold, fill=fill)
        _widths(table, widths)
        return row

    def chart(self, slide: Slide) -> None:
        if slide.figure is None:
            return
        self.figures += 1
        caption = f"Figur {self.figures}. {slide.row.name}, {self.meeting.period.span_label()}."
        p = self.doc.add_paragraph()
        p.paragraph_format.keep_with_next = True
        inline = p.add_run().add_picture(io.BytesIO(self.render(slide.figure)), width=CHART_WIDTH)
        inline._inline.docPr.set("descr", clean(f"Diagram: {slide.row.name}, månad för månad. {slide.source}"))
        self.paragraph(caption, italic=True, size=9, style="Caption")
        self.source_line([slide.source, *slide.notes])


# --- low-level OOXML helpers ----------------------------------------------------------------------

def _el(tag: str, **attrs: str):
    el = OxmlElement(tag)
    for key, value in attrs.items():
        el.set(qn(f"w:{key}"), value)
    return el


def _outline(paragraph, level: int) -> None:
    paragraph._p.get_or_add_pPr().append(_el("w:outlineLvl", val=str(level - 1)))


def _shade(cell, hex_colour: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    for old in tc_pr.findall(qn("w:shd")):
        tc_pr.remove(old)
    tc_pr.append(_el("w:shd", val="clear", color="auto", fill=hex_colour.lstrip("#").upper()))


def _set_cell(cell, text: str, *, bold: bool = False, fill: str | None = None) -> None:
    first, *rest = clean(text).split("\n")
    p = cell.paragraphs[0]
    run = p.add_run(first)
    run.bold = bold
    run.font.color.rgb = RGBColor.from_string(TEXT.lstrip("#"))
    for line in rest:
        extra = cell.add_paragraph().add_run(line)
        extra.font.size = Pt(8.5)
    if fill:
        _shade(cell, fill)


def _widths(table, widths: list[float]) -> None:
    """Word reads the cells' widths, LibreOffice the table grid: both are set."""
    for column, width in zip(table.columns, widths):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = Cm(width)


def _repeat_header(row) -> None:
    row._tr.get_or_add_trPr().append(_el("w:tblHeader", val="true"))


def _no_split(row) -> None:
    row._tr.get_or_add_trPr().append(_el("w:cantSplit", val="true"))


def _field(paragraph, instruction: str, placeholder: str = "") -> None:
    """A complex field (PAGE, NUMPAGES …) in one paragraph."""
    _field_begin(paragraph, instruction)
    if placeholder:
        paragraph.add_run(placeholder)
    paragraph.add_run()._r.append(_el("w:fldChar", fldCharType="end"))


def _field_begin(paragraph, instruction: str) -> None:
    paragraph.add_run()._r.append(_el("w:fldChar", fldCharType="begin"))
    instr = _el("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    paragraph.add_run()._r.append(instr)
    paragraph.add_run()._r.append(_el("w:fldChar", fldCharType="separate"))


def _has_field(part_element, name: str) -> bool:
    return any(name in (t.text or "") for t in part_element.iter(qn("w:instrText"))) or any(
        name in (f.get(qn("w:instr")) or "") for f in part_element.iter(qn("w:fldSimple")))


# --- the document -------------------------------------------------------------------------------

def _open(template: Path | None) -> Document:
    if template is None:
        doc = Document()
        section = doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        section.left_margin = section.right_margin = Cm(2.2)
        section.top_margin, section.bottom_margin = Cm(2.2), Cm(2.0)
        _language(doc, "sv-SE")
        _house_style(doc)
        return doc
    check_template(template, ".docx")
    try:
        doc = Document(str(template))
    except Exception as exc:  # python-docx raises zipfile/KeyError/ValueError for non-documents
        raise TemplateError(f"Mallen {template.name} går inte att öppna som Word-dokument (.docx): {exc}",
                            f"Template {template} is not a usable .docx: {exc}") from exc
    body = doc.element.body
    for child in list(body):  # the template's own text goes; its last section (page, header, footer) stays
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    return doc


def _house_style(doc: Document) -> None:
    """Without a template: Arial (Liberation Sans in LibreOffice) and black headings, which keep
    WCAG contrast (the library's default blue headings do not)."""
    black = RGBColor.from_string(TEXT.lstrip("#"))
    for name in ("Normal", "Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "TOC Heading", "Caption"):
        try:
            font = doc.styles[name].font
        except KeyError:
            continue
        font.name = "Arial"
        font.color.rgb = black
        r_fonts = doc.styles[name].element.rPr.find(qn("w:rFonts"))
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            r_fonts.attrib.pop(qn(attr), None)  # a theme font would win over the name
    doc.styles["Normal"].font.size = Pt(10.5)


def _language(doc: Document, lang: str) -> None:
    """Swedish as the document language (spelling, hyphenation, the PDF's /Lang)."""
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        return
    r_pr = defaults.find(qn("w:rPrDefault"))
    r_pr = r_pr.find(qn("w:rPr")) if r_pr is not None else None
    if r_pr is None:
        return
    for old in r_pr.findall(qn("w:lang")):
        r_pr.remove(old)
    r_pr.append(_el("w:lang", val=lang, eastAsia=lang, bidi="ar-SA"))


def _date_sv(meeting: Meeting) -> str:
    d = meeting.created
    return f"{d.day} {MONTHS_SV_LONG[d.month - 1]} {d.year}"


def _title_page(r: _Report) -> None:
    m = r.meeting
    r.paragraph(f"{NAMND} (ASN)", style="Title")
    r.paragraph(m.report_title, style="Subtitle", size=20)
    r.paragraph("Uppföljning av nämndens mål och indikatorer", size=14)
    r.paragraph(f"Tyresö kommun · {m.plan_title}")
    r.paragraph(f"Period: {m.period.span_label()} · Utskrivet {_date_sv(m)}")
    for note in m.notes:
        r.paragraph(note, italic=True, size=10)
    r.paragraph("Underlaget är framtaget ur ASN-panelen.", size=10)
    r.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _contents(r: _Report):
    """The contents heading and an anchor paragraph; the TOC field is filled in at the end."""
    r.paragraph("Innehållsförteckning", style="TOC Heading", bold=r.style("TOC Heading") is None, size=16)
    anchor = r.doc.add_paragraph()
    r.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    return anchor


def _fill_contents(r: _Report, anchor) -> None:
    """A TOC field whose cached result lists the headings (without page numbers): Word and
    LibreOffice replace it when they update the field."""
    entries = r.headings or [(1, TOC_PLACEHOLDER)]
    _field_begin(anchor, f'TOC \\o "{TOC_LEVELS}" \\h \\z \\u')
    paragraphs = [anchor]
    for n, (level, text) in enumerate(entries):
        p = anchor if n == 0 else r.doc.add_paragraph(style=r.style(f"TOC {level}"))
        if n:
            paragraphs[-1]._p.addnext(p._p)
            paragraphs.append(p)
        if level > 1 and r.style(f"TOC {level}") is None:
            p.paragraph_format.left_indent = Cm(0.6 * (level - 1))
        p.add_run(clean(text))
    paragraphs[-1].add_run()._r.append(_el("w:fldChar", fldCharType="end"))
    settings = r.doc.settings.element  # Word asks to update the fields (page numbers) on opening
    if settings.find(qn("w:updateFields")) is None:
        settings.append(_el("w:updateFields", val="true"))


def _footer(r: _Report) -> None:
    section = r.doc.sections[-1]
    section.different_first_page_header_footer = True  # no page number on the title page
    footer = section.footer
    if _has_field(footer._element, "PAGE"):  # the template numbers its pages itself
        return
    p = footer.add_paragraph() if footer.paragraphs[0].text.strip() else footer.paragraphs[0]
    p.add_run(f"{r.meeting.report_title} · {NAMND}\t")
    p.add_run("Sida ")
    _field(p, "PAGE", "1")
    p.add_run(" av ")
    _field(p, "NUMPAGES", "1")
    for run in p.runs:
        run.font.size = Pt(9)


def _summary(r: _Report) -> None:
    m = r.meeting
    r.heading("Sammanfattande bedömning", 1)
    r.paragraph(f"Den samlade bedömningen av målområdena för {m.period.label()} ({m.period.span_label()}).")
    table = r.table(SUMMARY_HEADERS, SUMMARY_WIDTHS)
    for area in m.areas:
        official, computed = area_verdicts(area)
        r.add_row(table, [
            (area.name, None, True),
            (label(official) if official else "Ingen bedömning", colour_style(official).background if official
             else None, bool(official)),
            (label(computed), colour_style(computed).background, True),
            *((str(area.counts.get(c, 0)), None, False) for c in (*COLOURS, NA)),
        ], SUMMARY_WIDTHS)
    r.paragraph("Rapportens bedömning är förvaltningens samlade bedömning i den publicerade rapporten. Beräknad "
                "bedömning följer panelens regel: Röd när fler indikatorer är röda än gröna, Grön när minst två "
                "tredjedelar är gröna och ingen är röd, annars Gul.", size=9)
    r.source_line([f"Källa: rapportens bedömning: {m.plan_title}", "beräknad bedömning: egen uppföljning"])


def _counts_text(counts: dict[str, int]) -> str:
    words = (("Grön", "grön", "gröna"), ("Gul", "gul", "gula"), ("Röd", "röd", "röda"), (NA, "ej bedömd", "ej bedömda"))
    return ", ".join(f"{counts.get(c, 0)} {one if counts.get(c, 0) == 1 else many}" for c, one, many in words)


def _verdict_paragraph(r: _Report, area) -> None:
    official, computed = area_verdicts(area)
    p = r.paragraph()
    p.add_run("Sammanfattande bedömning: ").bold = True
    if official:
        p.add_run("rapportens bedömning ")
        _label_run(p, official)
        p.add_run(", beräknad ")
    else:
        p.add_run("ingen bedömning i rapporten för perioden; beräknad ")
    _label_run(p, computed)
    p.add_run(f" ({_counts_text(area.counts)}).")


def _label_run(p, colour: str) -> None:
    run = p.add_run(label(colour))
    run.bold = True
    r_pr = run._r.get_or_add_rPr()
    r_pr.append(_el("w:shd", val="clear", color="auto", fill=colour_style(colour).background.lstrip("#")))


def _row_cells(row: Row) -> list[tuple[str, str | None, bool]]:
    name = row.name + (" (⚠ exempeldata)" if row.is_demo else "")
    description = "\n".join(x for x in (row.description, f"Målnivå: {row.target}" if row.target != "—" else "") if x)
    result = value_text(row) if row.value is not None else row.value_label
    result = f"Utfall {result}" if row.value is not None or row.masked else result
    outcome = "\n".join(x for x in (result, row.reason, row.forecast) if x)  # the forecast sentence: issue 16
    return [(name, None, False), (description, None, False), (outcome, None, False),
            (label(row.colour), colour_style(row.colour).background, True)]


def _analysis(r: _Report, row: Row, slide: Slide | None) -> None:
    if not row.comment and (slide is None or slide.figure is None):
        return
    r.heading(row.name, 3)
    if row.comment:
        r.paragraph(row.comment_label, italic=True, size=9)
        for part in re.split(r"\n\s*\n", row.comment.strip()):
            r.paragraph(part)
    if slide is not None:
        r.chart(slide)


def _area(r: _Report, area, rows: list[Row], slides: dict[str, Slide]) -> None:
    r.heading(f"Målområde: {area.name}", 1)
    goal = r.meeting.municipal_goals.get(area.name)
    if goal:
        r.paragraph(f"Kommunövergripande mål: {goal}", italic=True)
    _verdict_paragraph(r, area)
    for goal_name in dict.fromkeys(row.goal for row in rows):
        goal_rows = [row for row in rows if row.goal == goal_name]
        r.heading(f"Nämndmål: {goal_name}", 2)
        table = r.table(HEADERS, WIDTHS)
        for row in goal_rows:
            r.add_row(table, _row_cells(row), WIDTHS)
        r.source_line([row.source for row in goal_rows])
        for row in goal_rows:
            _analysis(r, row, slides.get(row.indicator_id))


def _measures(r: _Report, rows: list[Row], slides: dict[str, Slide]) -> None:
    if not rows:
        return
    r.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    r.heading(f"Bilaga: {MEASURES}", 1)
    r.paragraph("Verksamhetsmått som nämnden följer utan målnivå.")
    table = r.table(MEASURE_HEADERS, MEASURE_WIDTHS)
    for row in rows:
        r.add_row(table, [(row.name + (" (⚠ exempeldata)" if row.is_demo else ""), None, False),
                          (value_text(row), None, False), (row.source.removeprefix("Källa: "), None, False)],
                  MEASURE_WIDTHS)
    if r.meeting.policy.active and any(row.masked for row in rows):
        r.paragraph(r.meeting.policy.note, italic=True, size=9)
    for row in rows:
        _analysis(r, row, slides.get(row.indicator_id))


def to_docx(meeting: Meeting, render: Callable[[go.Figure], bytes] | None = None,
            template: Path | None = None) -> bytes:
    """The report section as .docx bytes; ``render`` turns a chart into PNG (default: kaleido)."""
    render = render or (lambda fig: images.render(fig, "png", CHART_SIZE, scale=2))
    r = _Report(_open(template), meeting, render)
    r.doc.core_properties.title = f"{meeting.report_title} – {NAMND}"
    r.doc.core_properties.author = "ASN-panelen"
    r.doc.core_properties.language = "sv-SE"
    _title_page(r)
    anchor = _contents(r)
    _summary(r)
    # a slide may mask more than the table row (its chart's months): the report uses the slide's row
    slides = {s.row.indicator_id: s for s in meeting.slides}
    rows = [slides[row.indicator_id].row if row.indicator_id in slides else row for row in meeting.rows]
    for area in meeting.areas:
        _area(r, area, [row for row in rows if row.goal_area == area.name], slides)
    _measures(r, [row for row in rows if row.goal_area == MEASURES], slides)
    _fill_contents(r, anchor)
    _footer(r)
    buf = io.BytesIO()
    r.doc.save(buf)
    return buf.getvalue()
