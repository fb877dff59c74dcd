"""The meeting deck (python-pptx, 16:9): a title slide, the målområde summary, then one slide per
indicator of the running order with its chart image, assessment, reason, comment and source.

Every text appears once per slide: the chart image carries neither the slide's title nor the
source (the footer line does), and the image ends above the footer. Long reasons and comments
are shortened on the slide; the speaker notes hold them in full. A kommun template (.pptx) gives
the masters, fonts and logo; the layout scales to its slide size."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import plotly.graph_objects as go
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from asn_dash.colours import TABLE_HEADER, TEXT, label
from asn_dash.colours import style as colour_style
from asn_dash.meeting import images
from asn_dash.meeting.material import DEMO_NOTE, Meeting, Slide, area_verdicts, shorten, value_text
from asn_dash.meeting.template_check import TemplateError
from asn_dash.meeting.template_check import check as check_template
from asn_dash.rules.assessment import COLOURS, NA
from asn_dash.rules.periods import MONTHS_SV
from asn_dash.texts import for_export

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
BLACK = RGBColor.from_string(TEXT.lstrip("#"))
CHART_SIZE = (1000, 620)  # CSS px at scale 2, drawn 8.55 in wide: 20 px type ≈ 12 pt
TABLE_GRID_STYLE = "{5940675A-B579-460E-94D1-54222C63F5DA}"  # "No Style, Table Grid": thin rules, no fills
REASON_CHARS, COMMENT_CHARS = 220, 320  # on the slide; the notes have the full text

SUMMARY_HEADERS = ["Målområde", "Rapportens bedömning", "Beräknad bedömning", *(label(c) for c in COLOURS),
                   "Ej bedömda"]
SUMMARY_WIDTHS = [3.0, 2.3, 2.3, 1.15, 1.15, 1.15, 1.25]  # inches at 13.333 in; no header word breaks
SUMMARY_HEADER_PT, SUMMARY_BODY_PT = 16, 18


@dataclass(frozen=True)
class Frame:
    """Positions in inches on the 13.333 × 7.5 in design, scaled to the deck's slide size."""

    width: int
    height: int

    def x(self, inches: float) -> Emu:
        return Emu(int(Inches(inches) * self.width / WIDTH))

    def y(self, inches: float) -> Emu:
        return Emu(int(Inches(inches) * self.height / HEIGHT))


# Indicator slide boxes (inches on the design): title, chart, badge, side text, footer.
TITLE_BOX = (0.5, 0.2, 12.3, 1.1)
CHART_BOX = (0.4, 1.4, 8.6, 5.3)  # the image keeps its aspect ratio inside this box
BADGE_BOX = (9.3, 1.5, 2.6, 0.6)
SIDE_BOX = (9.3, 2.25, 3.7, 4.4)
FOOTER_BOX = (0.5, 6.85, 12.3, 0.5)


def _rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour.lstrip("#").upper())


def _box(f: Frame, box: tuple[float, float, float, float]) -> tuple[Emu, Emu, Emu, Emu]:
    left, top, width, height = box
    return f.x(left), f.y(top), f.x(width), f.y(height)


def _text(slide, f: Frame, box, paragraphs: list[tuple[str, int, bool]]):
    """A text box; paragraphs are (text, points, bold). Text is set as plain runs (never parsed)."""
    shape = slide.shapes.add_textbox(*_box(f, box))
    frame = shape.text_frame
    frame.word_wrap = True
    for n, (text, size, bold) in enumerate(paragraphs):
        p = frame.paragraphs[0] if n == 0 else frame.add_paragraph()
        run = p.add_run()
        run.text = for_export(text)
        run.font.size, run.font.bold = Pt(size), bold
        run.font.color.rgb = BLACK
        p.space_after = Pt(6)
    return shape


def _badge(slide, f: Frame, colour: str, size: int = 24):
    style = colour_style(colour)
    shape = slide.shapes.add_shape(5, *_box(f, BADGE_BOX))  # 5 = rounded rectangle
    shape.fill.solid()
    shape.fill.fore_color.rgb = _rgb(style.background)
    shape.line.color.rgb = _rgb(style.background)
    run = shape.text_frame.paragraphs[0].add_run()
    run.text = label(colour)
    run.font.size, run.font.bold = Pt(size), True
    run.font.color.rgb = _rgb(style.text)
    return shape


def _notes(slide, lines: list[str]) -> None:
    slide.notes_slide.notes_text_frame.text = for_export("\n\n".join(line for line in lines if line))


def _date_sv(meeting: Meeting) -> str:
    d = meeting.created
    return f"{d.day} {MONTHS_SV[d.month - 1]} {d.year}"


def _blank_layout(deck):
    """The template's empty layout (its master's background and logo stay)."""
    for layout in deck.slide_layouts:
        if layout.name.strip().lower() in ("blank", "tom", "tom bild"):
            return layout
    return min(deck.slide_layouts, key=lambda layout: len(layout.placeholders))


def _title_slide(deck, f: Frame, meeting: Meeting) -> None:
    slide = deck.slides.add_slide(_blank_layout(deck))
    notes = [(text, 14, text == DEMO_NOTE) for text in meeting.notes]
    _text(slide, f, (0.8, 2.0, 11.7, 4.5), [
        (meeting.title, 36, True),
        (meeting.subtitle, 24, False),
        (_date_sv(meeting), 20, False),
        *notes,
    ])


def _cell(cell, text: str, size: int, bold: bool, fill: str) -> None:
    cell.text = for_export(text)
    cell.fill.solid()
    cell.fill.fore_color.rgb = _rgb(fill)
    for p in cell.text_frame.paragraphs:
        for run in p.runs:
            run.font.size, run.font.bold, run.font.color.rgb = Pt(size), bold, BLACK


def _summary_slide(deck, f: Frame, meeting: Meeting) -> None:
    """Per målområde the report's verdict beside the computed one and the counts, in the
    dashboard's palette (grey header, white rows, assessment colours)."""
    slide = deck.slides.add_slide(_blank_layout(deck))
    _text(slide, f, (0.6, 0.3, 12.0, 0.9), [(f"Målområden – {meeting.period.span_label()}", 32, True)])
    rows = len(meeting.areas) + 1
    shape = slide.shapes.add_table(rows, len(SUMMARY_HEADERS), f.x(0.6), f.y(1.4), f.x(sum(SUMMARY_WIDTHS)),
                                   f.y(0.6) * rows)
    shape.table._tbl.tblPr.find(qn("a:tableStyleId")).text = TABLE_GRID_STYLE
    table = shape.table
    table.horz_banding = False
    for col, (text, width) in enumerate(zip(SUMMARY_HEADERS, SUMMARY_WIDTHS)):
        table.columns[col].width = f.x(width)
        _cell(table.cell(0, col), text, SUMMARY_HEADER_PT, True, TABLE_HEADER)
    for n, area in enumerate(meeting.areas, start=1):
        official, computed = area_verdicts(area)
        _cell(table.cell(n, 0), area.name, SUMMARY_BODY_PT, False, "#FFFFFF")
        for col, colour in ((1, official), (2, computed)):
            text = label(colour) if colour else "Ingen bedömning"
            _cell(table.cell(n, col), text, SUMMARY_BODY_PT, bool(colour),
                  colour_style(colour).background if colour else "#FFFFFF")
        for col, colour in enumerate((*COLOURS, NA), start=3):
            _cell(table.cell(n, col), str(area.counts.get(colour, 0)), SUMMARY_BODY_PT, False, "#FFFFFF")
    _text(slide, f, (0.6, 1.6 + 0.6 * rows, 12.0, 0.8), [(
        "Rapportens bedömning: förvaltningens samlade bedömning i rapporten. Beräknad bedömning: panelens "
        "regel (Röd när fler indikatorer är röda än gröna, Grön när minst två tredjedelar är gröna och ingen röd).",
        14, False)])


def _picture_box(f: Frame, image: bytes) -> tuple[Emu, Emu, Emu, Emu]:
    """The largest box of the image's aspect ratio inside CHART_BOX."""
    from PIL import Image

    width_px, height_px = Image.open(io.BytesIO(image)).size
    left, top, width, height = _box(f, CHART_BOX)
    if width * height_px > height * width_px:  # the box is wider than the image
        width = Emu(int(height * width_px / height_px))
    else:
        height = Emu(int(width * height_px / width_px))
    return left, top, width, height


def _indicator_slide(deck, f: Frame, meeting: Meeting, s: Slide, image: bytes | None) -> None:
    slide = deck.slides.add_slide(_blank_layout(deck))
    row = s.row
    _text(slide, f, TITLE_BOX, [(row.name, 28 if len(row.name) <= 60 else 22, True),
                                (f"{row.goal_area} · {meeting.period.span_label()}", 16, False)])
    if image is not None:
        left, top, width, height = _picture_box(f, image)
        slide.shapes.add_picture(io.BytesIO(image), left, top, width, height)
    else:
        _text(slide, f, (0.5, 2.0, 8.4, 1.0), [("Inga värden att visa i diagram.", 18, False)])
    _badge(slide, f, row.colour)
    side = [(f"Utfall: {value_text(row)}", 22, True), (f"Målnivå: {row.target}", 16, False),
            (shorten(row.reason, REASON_CHARS), 14, False)]
    side += [(row.forecast, 14, False)] if row.forecast else []  # Prognos helår (issue 16)
    if row.comment:
        side += [(row.comment_label, 14, True), (shorten(row.comment, COMMENT_CHARS), 14, False)]
    _text(slide, f, SIDE_BOX, side)
    footer = " · ".join([s.source, *s.notes])
    _text(slide, f, FOOTER_BOX, [(footer, 11, False)])
    _notes(slide, [row.name, f"Utfall: {value_text(row)}. Målnivå: {row.target}.", f"Bedömning: {row.reason}",
                   f"{row.comment_label}: {row.comment}" if row.comment else "", footer])


def _open(template: Path | None):
    if template is None:
        deck = Presentation()
        deck.slide_width, deck.slide_height = Emu(WIDTH), Emu(HEIGHT)
        return deck
    check_template(template, ".pptx")
    try:
        deck = Presentation(str(template))
    except Exception as exc:  # python-pptx raises zipfile/KeyError/lxml errors for non-decks
        raise TemplateError(f"Mallen {template.name} går inte att öppna som PowerPoint-fil (.pptx): {exc}",
                            f"Template {template} is not a usable .pptx: {exc}") from exc
    ids = deck.slides._sldIdLst  # the template's own example slides are not part of the deck
    for sld in list(ids):
        deck.part.drop_rel(sld.rId)
        ids.remove(sld)
    return deck


def to_pptx(meeting: Meeting, render: Callable[[go.Figure], bytes] | None = None,
            template: Path | None = None) -> bytes:
    """The deck; ``render`` turns a figure into PNG bytes (default: kaleido); ``template`` is an
    optional kommun .pptx whose masters and slide size are used."""
    render = render or (lambda fig: images.render(fig, "png", CHART_SIZE, scale=2))
    deck = _open(template)
    f = Frame(deck.slide_width, deck.slide_height)
    deck.core_properties.title = f"{meeting.title} – {meeting.subtitle}"
    deck.core_properties.author = "ASN-panelen"
    _title_slide(deck, f, meeting)
    _summary_slide(deck, f, meeting)
    for s in meeting.slides:
        _indicator_slide(deck, f, meeting, s, render(s.figure) if s.figure is not None else None)
    buf = io.BytesIO()
    deck.save(buf)
    return buf.getvalue()
