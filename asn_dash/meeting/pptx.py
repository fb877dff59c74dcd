"""The meeting deck (python-pptx, 16:9): a title slide, the målområde summary, then one slide per
indicator of the running order with its chart image, assessment, reason, comment and source."""

from __future__ import annotations

import io
from collections.abc import Callable

import plotly.graph_objects as go
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Emu, Inches, Pt

from asn_dash.colours import label
from asn_dash.colours import style as colour_style
from asn_dash.meeting import images
from asn_dash.meeting.material import DEMO_NOTE, Meeting, Slide, value_text
from asn_dash.rules.assessment import COLOURS, NA
from asn_dash.rules.periods import MONTHS_SV

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
BLACK = RGBColor(0, 0, 0)
CHART_SIZE = (1000, 660)  # CSS px at scale 2, drawn 8.6 in wide: 20 px type ≈ 12 pt


def _rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour.lstrip("#").upper())


def _text(slide, left, top, width, height, paragraphs: list[tuple[str, int, bool]]):
    """A text box; paragraphs are (text, points, bold). Text is set as plain runs (never parsed)."""
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    for n, (text, size, bold) in enumerate(paragraphs):
        p = frame.paragraphs[0] if n == 0 else frame.add_paragraph()
        run = p.add_run()
        run.text = text
        run.font.size, run.font.bold = Pt(size), bold
        run.font.color.rgb = BLACK
        p.space_after = Pt(6)
    return box


def _badge(slide, left, top, colour: str, size: int = 24):
    style = colour_style(colour)
    shape = slide.shapes.add_shape(5, left, top, Inches(2.6), Inches(0.6))  # 5 = rounded rectangle
    shape.fill.solid()
    shape.fill.fore_color.rgb = _rgb(style.background)
    shape.line.color.rgb = _rgb(style.background)
    run = shape.text_frame.paragraphs[0].add_run()
    run.text = label(colour)
    run.font.size, run.font.bold = Pt(size), True
    run.font.color.rgb = _rgb(style.text)
    return shape


def _date_sv(meeting: Meeting) -> str:
    d = meeting.created
    return f"{d.day} {MONTHS_SV[d.month - 1]} {d.year}"


def _title_slide(deck, meeting: Meeting) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[6])
    notes = [(text, 14, text == DEMO_NOTE) for text in meeting.notes]
    _text(slide, Inches(0.8), Inches(2.0), Inches(11.7), Inches(4.5), [
        (meeting.title, 36, True),
        (meeting.subtitle, 24, False),
        (_date_sv(meeting), 20, False),
        *notes,
    ])


def _summary_slide(deck, meeting: Meeting) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[6])
    _text(slide, Inches(0.6), Inches(0.3), Inches(12), Inches(0.9),
          [(f"Målområden – {meeting.period.span_label()}", 32, True)])
    headers = ["Målområde", "Bedömning", *(label(c) for c in COLOURS), "Ej bedömda"]
    rows = len(meeting.areas) + 1
    table = slide.shapes.add_table(rows, len(headers), Inches(0.6), Inches(1.4), Inches(12.1),
                                   Inches(0.6) * rows).table
    widths = [4.3, 2.6, 1.3, 1.3, 1.3, 1.3]
    for col, (text, width) in enumerate(zip(headers, widths)):
        table.columns[col].width = Inches(width)
        cell = table.cell(0, col)
        cell.text = text
    for n, area in enumerate(meeting.areas, start=1):
        values = [area.name, label(area.colour), *(str(area.counts.get(c, 0)) for c in (*COLOURS, NA))]
        for col, text in enumerate(values):
            cell = table.cell(n, col)
            cell.text = text
            if col == 1:
                cell.fill.solid()
                cell.fill.fore_color.rgb = _rgb(colour_style(area.colour).background)
    for r in range(rows):
        for c in range(len(headers)):
            for p in table.cell(r, c).text_frame.paragraphs:
                for run in p.runs:
                    run.font.size, run.font.color.rgb = Pt(18), BLACK
                    run.font.bold = r == 0 or c == 1


def _indicator_slide(deck, meeting: Meeting, s: Slide, image: bytes | None) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[6])
    row = s.row
    _text(slide, Inches(0.5), Inches(0.2), Inches(12.3), Inches(1.0), [
        (row.name, 28, True), (f"{row.goal_area} · {meeting.period.span_label()}", 16, False)])
    if image is not None:
        slide.shapes.add_picture(io.BytesIO(image), Inches(0.4), Inches(1.45), width=Inches(8.6))
    else:
        _text(slide, Inches(0.5), Inches(2.0), Inches(8.4), Inches(1), [("Inga värden att visa i diagram.", 18, False)])
    _badge(slide, Inches(9.3), Inches(1.5), row.colour)
    side = [(f"Utfall: {value_text(row)}", 22, True), (f"Målnivå: {row.target}", 16, False), (row.reason, 14, False)]
    side += [(row.forecast, 14, False)] if row.forecast else []  # Prognos helår (issue 16)
    if row.comment:
        side += [(row.comment_label, 14, True), (row.comment, 14, False)]
    _text(slide, Inches(9.3), Inches(2.25), Inches(3.7), Inches(4.6), side)
    footer = " · ".join([s.source, *s.notes])
    _text(slide, Inches(0.5), Inches(6.85), Inches(12.3), Inches(0.5), [(footer, 11, False)])


def to_pptx(meeting: Meeting, render: Callable[[go.Figure], bytes] | None = None) -> bytes:
    """The deck; ``render`` turns a figure into PNG bytes (default: kaleido)."""
    render = render or (lambda fig: images.render(fig, "png", CHART_SIZE, scale=2))
    deck = Presentation()
    deck.slide_width, deck.slide_height = Emu(WIDTH), Emu(HEIGHT)
    deck.core_properties.title = f"{meeting.title} – {meeting.subtitle}"
    deck.core_properties.author = "ASN-panelen"
    _title_slide(deck, meeting)
    _summary_slide(deck, meeting)
    for s in meeting.slides:
        _indicator_slide(deck, meeting, s, render(s.figure) if s.figure is not None else None)
    buf = io.BytesIO()
    deck.save(buf)
    return buf.getvalue()
