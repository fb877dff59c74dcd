"""The meeting deck as PowerPoint opens it: boxes that do not overlap (the chart image ends above
the footer), no text twice on a slide, long texts cut on the slide and whole in the notes, the
summary table in the dashboard's palette with whole header words, and a kommun template."""

import io
import shutil
import subprocess
from itertools import combinations

import pytest
from PIL import ImageFont
from pptx import Presentation
from pptx.oxml.ns import qn
from pptx.util import Inches

from asn_dash import annotations
from asn_dash.auth import ANALYTIKER, User
from asn_dash.colours import STYLES, TABLE_HEADER
from asn_dash.meeting import material as meeting
from asn_dash.meeting import pptx as meeting_pptx
from asn_dash.rules.periods import parse_key
from asn_dash.rules.suppression import Policy
from asn_dash.store.setup import open_store

T2 = parse_key("2025-T2")
ORDER = ["hushall_ekb", "plac_sis", "ekb_aktivitet", "sjukfranvaro"]
LONG_COMMENT = ("Antalet hushåll med ekonomiskt bistånd har ökat något jämfört med samma period förra året. " * 8).strip()


@pytest.fixture(scope="module")
def material(seeded_template, tmp_path_factory):
    path = tmp_path_factory.mktemp("deck") / "asn.duckdb"
    shutil.copy(seeded_template, path)
    store = open_store(path)
    annotations.add_comment(store, User("anna", "Anna Analytiker", ANALYTIKER), "hushall_ekb", "2025-T2", LONG_COMMENT)
    m = meeting.build(store, 2025, T2, ORDER, Policy(), font_size=20)
    store.close()
    return m


@pytest.fixture(scope="module")
def deck(material):
    return Presentation(io.BytesIO(meeting_pptx.to_pptx(material)))


def box(shape) -> tuple[int, int, int, int]:
    return shape.left, shape.top, shape.left + shape.width, shape.top + shape.height


def overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def paragraphs(slide) -> list[str]:
    return [p.text for sh in slide.shapes if sh.has_text_frame for p in sh.text_frame.paragraphs if p.text.strip()]


def footer_of(slide):
    return max((sh for sh in slide.shapes if sh.has_text_frame), key=lambda sh: sh.top)


def test_no_shapes_overlap_and_every_chart_ends_above_the_footer(deck):
    slides = list(deck.slides)
    assert len(slides) == 2 + len(ORDER)
    pictures = 0
    for n, slide in enumerate(slides):
        shapes = list(slide.shapes)
        for sh in shapes:
            left, top, right, bottom = box(sh)
            assert left >= 0 and top >= 0 and right <= deck.slide_width and bottom <= deck.slide_height, (n, sh.name)
        for a, b in combinations(shapes, 2):
            assert not overlap(box(a), box(b)), (n, a.name, b.name)
        picture = [sh for sh in shapes if sh.shape_type == 13]
        if picture:
            pictures += 1
            assert box(picture[0])[3] < footer_of(slide).top
            assert footer_of(slide).text_frame.text.startswith("Källa:")
    assert pictures == 3  # ekb_aktivitet has a single yearly value: no chart


def test_no_text_twice_on_a_slide_and_the_chart_has_no_title_or_source(deck, material):
    for n, slide in enumerate(deck.slides):
        texts = paragraphs(slide)
        assert len(texts) == len(set(texts)), (n, texts)
    for s in material.slides:
        if s.figure is not None:
            assert not s.figure.layout.title.text
            drawn = " ".join(a.text for a in s.figure.layout.annotations)  # reference lines only
            assert "Källa" not in drawn and s.row.name not in drawn and not any(n in drawn for n in s.notes)
    ekb = list(deck.slides)[2]
    assert sum("Källa: egen uppföljning" in t for t in paragraphs(ekb)) == 1


def test_long_texts_are_cut_on_the_slide_and_whole_in_the_notes(deck):
    ekb = list(deck.slides)[2]
    comment = next(t for t in paragraphs(ekb) if t.startswith("Antalet hushåll"))
    assert comment.endswith("…") and len(comment) <= meeting_pptx.COMMENT_CHARS
    notes = ekb.notes_slide.notes_text_frame.text
    assert LONG_COMMENT in notes and "Källa: egen uppföljning" in notes and "389 jan–aug 2025 mot 374" in notes


def test_masked_slide_says_so_in_its_footer_once(deck):
    sis = list(deck.slides)[3]
    assert footer_of(sis).text_frame.text.count("Små tal") == 1
    assert sum("Små tal" in t for t in paragraphs(sis)) == 1


def fill_of(cell) -> str:
    return str(cell.fill.fore_color.rgb)


def test_summary_table_is_in_the_dashboard_palette_with_both_verdicts(deck, material):
    shape = next(sh for sh in list(deck.slides)[1].shapes if sh.has_table)
    style_id = shape.table._tbl.tblPr.find(qn("a:tableStyleId")).text
    assert style_id == meeting_pptx.TABLE_GRID_STYLE  # not the library's blue banded default
    table = shape.table
    assert [table.cell(0, c).text for c in range(len(table.columns))] == meeting_pptx.SUMMARY_HEADERS
    assert {fill_of(table.cell(0, c)) for c in range(len(table.columns))} == {TABLE_HEADER.lstrip("#")}
    for r, area in enumerate(material.areas, start=1):
        official, computed = meeting.area_verdicts(area)
        assert fill_of(table.cell(r, 1)) == STYLES[official].background.lstrip("#")
        assert fill_of(table.cell(r, 2)) == STYLES.get(computed, STYLES["—"]).background.lstrip("#")
        assert fill_of(table.cell(r, 0)) == "FFFFFF"


def _font(bold: bool) -> str:
    name = "Liberation Sans:bold" if bold else "Liberation Sans"
    found = subprocess.run(["fc-match", "-f", "%{file}", name], capture_output=True, text=True, check=True).stdout
    # fc-match falls back silently (to DejaVu Sans): measuring in another font proves nothing
    assert "Liberation" in found, ("Liberation Sans is not installed (scripts/setup.sh installs fonts-liberation); "
                                   f"fc-match gave {found}")
    return found


def test_header_words_fit_their_columns_so_none_is_broken(deck):
    """Measured in Liberation Sans (Arial's metrics, wider than the deck's Calibri): the longest
    word of each header plus the cell margins fits the column."""
    table = next(sh for sh in list(deck.slides)[1].shapes if sh.has_table).table
    font = ImageFont.truetype(_font(True), meeting_pptx.SUMMARY_HEADER_PT * 10)  # 10× for precision
    margins = 2 * Inches(0.1)
    for c, column in enumerate(table.columns):
        widest = max(font.getlength(word) / 10 for word in table.cell(0, c).text.split())  # points
        assert widest * 12700 + margins <= column.width, table.cell(0, c).text


def test_kommun_template_gives_slide_size_and_layouts_and_loses_its_example_slides(material, tmp_path):
    template = Presentation()
    template.slide_width, template.slide_height = Inches(10), Inches(7.5)  # 4:3
    example = template.slides.add_slide(template.slide_layouts[1])
    example.shapes.title.text = "Mallens exempelbild"
    path = tmp_path / "kommun.pptx"
    template.save(path)
    deck = Presentation(io.BytesIO(meeting_pptx.to_pptx(material, template=path)))
    assert deck.slide_width == Inches(10) and len(deck.slides) == 2 + len(ORDER)
    assert not any("Mallens exempelbild" in t for slide in deck.slides for t in paragraphs(slide))
    for slide in deck.slides:
        assert slide.slide_layout.name == "Blank"
        shapes = list(slide.shapes)
        for sh in shapes:
            assert box(sh)[2] <= deck.slide_width and box(sh)[3] <= deck.slide_height
        for a, b in combinations(shapes, 2):
            assert not overlap(box(a), box(b))


def test_a_template_that_is_not_a_deck_is_refused_in_swedish(material, tmp_path):
    bad = tmp_path / "mall.pptx"
    bad.write_text("inte en presentation")
    with pytest.raises(meeting_pptx.TemplateError, match="Mallen mall.pptx går inte att öppna som PowerPoint-fil"):
        meeting_pptx.to_pptx(material, template=bad)
