"""The meeting material: masked rows and charts, the XLSX table, the PPTX deck, chart images and
saved running orders — against a real seeded store, with real kaleido/Chromium images."""

import io

import pytest
from openpyxl import load_workbook
from PIL import Image
from pptx import Presentation

from asn_dash import agendas, annotations
from asn_dash.auth import ANALYTIKER, LASARE, PermissionDenied, User
from asn_dash.meeting import images
from asn_dash.meeting import material as meeting
from asn_dash.meeting import pptx as meeting_pptx
from asn_dash.meeting import xlsx as meeting_xlsx
from asn_dash.rules.periods import parse_key
from asn_dash.rules.suppression import OFF, SECONDARY, Policy
from asn_dash.services import evaluation

from .ingest_helpers import insert_value, update_values

T2 = parse_key("2025-T2")
ANNA = User("anna", "Anna Analytiker", ANALYTIKER)
# plac_sis 2025 (a sensitive count, mean over the months): one small month among large ones
SIS_2025 = [2, 9, 8, 7, 6, 6, 7, 8]


@pytest.fixture
def sis(s):
    for unit in ("aos", "barn_unga"):
        for month, value in enumerate(SIS_2025, start=1):
            update_values(s.con, "value = ?", "v.indicator_id = 'plac_sis' AND v.unit_id = ? AND v.period = ?",
                          [value, unit, f"2025-{month:02d}"])
    return s


def plotted(fig) -> dict[str, dict[str, float | None]]:
    """Per line, month → value; a masked month is None (a gap)."""
    return {t.name: dict(zip(t.x, t.y)) for t in fig.data}


def shown(fig) -> list[float]:
    return [y for t in fig.data for y in t.y if y is not None]


def test_rows_mask_small_sensitive_values_and_their_reasons(s):
    m = meeting.build(s, 2025, T2, with_slides=False)
    rows = {r.indicator_id: r for r in m.rows}
    lvm = rows["plac_lvm"]  # exempeldata around 2 a month
    assert (lvm.value, lvm.value_label, lvm.masked) == (None, "1–3", True)
    assert not any(ch.isdigit() and ch not in "13" for ch in lvm.reason)
    ekb = rows["hushall_ekb"]  # not sensitive: as on the dashboard
    assert (ekb.value, ekb.masked) == (389, False)
    assert ekb.reason.startswith("389 jan–aug 2025 mot 374")
    assert m.masked_any and m.has_demo
    unmasked = {r.indicator_id: r for r in meeting.build(s, 2025, T2, policy=OFF, with_slides=False).rows}
    assert unmasked["plac_lvm"].value == pytest.approx(s.scalar(
        "SELECT avg(value) FROM observations WHERE indicator_id = 'plac_lvm' AND unit_id = 'aos'"
        " AND period BETWEEN '2025-01' AND '2025-08'"))


def test_table_holds_the_plan_then_the_verksamhetsmatt(s):
    m = meeting.build(s, 2025, T2, with_slides=False)
    areas = list(dict.fromkeys(r.goal_area for r in m.rows))
    assert areas == ["Trygghet", "Hållbarhet", "Ekonomi", "Kvalitet", "Medarbetare", "Verksamhetsmått"]
    assert [a.name for a in m.areas] == areas[:-1]


def test_chart_hides_the_small_month_and_one_more_so_the_mean_cannot_give_it_away(sis):
    m = meeting.build(sis, 2025, T2, order=["plac_sis"])
    slide = m.slides[0]
    this_year = plotted(slide.figure)["Utfall 2025"]
    assert this_year["Jan"] is None and this_year["Maj"] is None  # 2 (small) and the smallest other month, 6
    assert this_year["Feb"] == 9 and this_year["Jun"] == 6
    assert slide.row.value == pytest.approx(sum(SIS_2025) / 8)  # the headline mean stays
    assert not any(0 < y < 3.5 for y in shown(slide.figure))
    assert slide.row.masked and any("Små tal maskeras" in n for n in slide.notes)
    # the exports print title and source beside the image: the chart itself carries neither
    assert not slide.figure.layout.title.text
    assert not any("Källa" in a.text or "Små tal" in a.text for a in slide.figure.layout.annotations)
    result = next(r for r in evaluation.measure_results(sis, 2025, T2) if r.indicator_id == "plac_sis")
    alone = meeting.build_slide(sis, result, meeting.build_rows(sis, [result], 2025, T2, Policy())[0], 2025, T2,
                                Policy(), title="")
    footer = alone.figure.layout.annotations[-1].text  # shown on its own (the projector): the source under it
    assert "Källa: egen uppföljning" in footer and "Små tal maskeras" in footer


def test_masked_months_are_gaps_in_the_line_never_interpolated(sis):
    trace = next(t for t in meeting.build(sis, 2025, T2, order=["plac_sis"]).slides[0].figure.data
                 if t.name == "Utfall 2025")
    assert list(trace.x[:5]) == ["Jan", "Feb", "Mar", "Apr", "Maj"]  # the masked months keep their place
    assert trace.y[0] is None and trace.y[4] is None and trace.connectgaps is False


def test_counts_get_whole_number_ticks_in_the_drawn_chart(sis):
    """Rendered by kaleido: a count chart from 0 to 9 labels its y axis 0, 1, 2 … never 2,5."""
    import re

    from asn_dash.meeting.charts import count_step

    fig = meeting.build(sis, 2025, T2, order=["plac_sis"], policy=OFF).slides[0].figure
    svg = images.render(fig, "svg", (800, 450)).decode()
    ticks = re.findall(r'class="ytick"><text[^>]*>([^<]*)</text>', svg)
    assert len(ticks) >= 4 and all(t.replace("\u2009", "").replace(" ", "").isdigit() for t in ticks), ticks
    assert [count_step(v) for v in (0, 3, 9, 10, 17, 389, 1609)] == [1, 1, 2, 2, 5, 50, 500]


def test_a_small_unit_value_is_masked_in_the_unit_chart_only(s):
    """Two units, one with 2 in February: the unit chart hides it and its complement; the trend
    chart of the whole administration (22) has nothing to hide and says nothing about masking."""
    update_values(s.con, "value = 20", "v.indicator_id = 'plac_sis' AND v.unit_id = 'barn_unga' AND v.period >= '2024-01'")
    update_values(s.con, "value = 22", "v.indicator_id = 'plac_sis' AND v.unit_id = 'aos' AND v.period >= '2024-01'")
    for month in range(1, 13):
        if s.scalar("SELECT count(*) FROM observations WHERE indicator_id = 'plac_sis' AND unit_id = 'aos'"
                    " AND period = ?", [f"2025-{month:02d}"]):
            insert_value(s.con, "plac_sis", "vuxenenheten", f"2025-{month:02d}", 2)
    m = meeting.build(s, 2025, T2, order=["plac_sis"])
    slide = m.slides[0]
    assert not slide.row.masked and not any("Små tal" in n for n in slide.notes)
    assert plotted(slide.figure)["Utfall 2025"]["Feb"] == 22
    result = next(r for r in evaluation.measure_results(s, 2025, T2) if r.indicator_id == "plac_sis")
    units = meeting.units_figure(s, result, 2025, T2, Policy())
    assert not any(0 < y < 3.5 for y in shown(units))
    # jan–aug: 8 small values of vuxenenheten and their 8 complements in barn_unga
    assert "Små tal maskeras: 16 enhetsvärden visas inte" in units.layout.annotations[-1].text


def test_unmasked_chart_shows_every_month(sis):
    slide = meeting.build(sis, 2025, T2, order=["plac_sis"], policy=OFF).slides[0]
    assert list(plotted(slide.figure)["Utfall 2025"].values()) == SIS_2025


def test_kolada_slide_names_source_and_fetch_date(s):
    fetched = s.scalar("SELECT max(fetched_at) FROM kolada_values WHERE kpi = 'N00973'")
    m = meeting.build(s, 2020, parse_key("2020-T2"), order=["N00973"])
    assert m.slides[0].source == f"Källa: Kolada (N00973), hämtad {fetched:%Y-%m-%d}; medelvärden: egen bearbetning"
    assert m.slides[0].figure is not None


def test_running_order_is_kept_and_unknown_ids_are_skipped(s):
    m = meeting.build(s, 2025, T2, order=["sjukfranvaro", "nope", "hushall_ekb"])
    assert [sl.row.indicator_id for sl in m.slides] == ["sjukfranvaro", "hushall_ekb"]


# --- XLSX ------------------------------------------------------------------------------------

def workbook(m):
    return load_workbook(io.BytesIO(meeting_xlsx.to_xlsx(m)))


def header_row(sheet) -> int:
    return next(r for r in range(1, 20) if sheet.cell(r, 1).value == "Målområde")


def test_xlsx_has_headers_number_formats_fills_and_masks(s):
    annotations.add_comment(s, ANNA, "hushall_ekb", "2025-T2", "=HYPERLINK(\"http://x\",\"klicka\")")
    book = workbook(meeting.build(s, 2025, T2, with_slides=False))
    assert book.sheetnames == ["Indikatorer", "Målområden"]
    sheet = book["Indikatorer"]
    head = header_row(sheet)
    assert [c.value for c in sheet[head]] == ["Målområde", "Indikator", "Utfall", "Målnivå", "Bedömning",
                                              "Motivering", "Kommentar"]
    rows = {sheet.cell(r, 2).value.replace(" (⚠ exempeldata)", ""): r for r in range(head + 1, sheet.max_row + 1)}
    ekb = rows["Antal hushåll med ekonomiskt bistånd"]
    assert sheet.cell(ekb, 3).value == 389 and sheet.cell(ekb, 3).number_format == "#,##0"
    assert sheet.cell(ekb, 5).value == "✖ Röd" and sheet.cell(ekb, 5).fill.fgColor.rgb.endswith("D55E00")
    assert sheet.cell(ekb, 7).value.startswith("'Kommentar (") is False  # label first, then the text
    assert "=HYPERLINK" in sheet.cell(ekb, 7).value and not sheet.cell(ekb, 7).value.startswith("=")
    sick = rows["Sjukfrånvaro (R12)"]
    assert sheet.cell(sick, 3).value == pytest.approx(5.69) and sheet.cell(sick, 3).number_format == '#,##0.00" %"'
    assert sheet.cell(sick, 5).fill.fgColor.rgb.endswith("009E73")
    lvm = rows["Placeringar LVM"]
    assert sheet.cell(lvm, 3).value == "1–3" and sheet.cell(lvm, 1).value == "Verksamhetsmått"
    assert any("Små tal (1–3)" in str(sheet.cell(r, 1).value) for r in range(1, head))
    summary = book["Målområden"]
    shead = next(r for r in range(1, 20) if summary.cell(r, 1).value == "Målområde")
    assert [summary.cell(shead, c).value for c in range(1, 4)] == ["Målområde", "Bedömning", "Beräknad bedömning"]
    # 004 T2 2025: GRÖN GRÖN RÖD GRÖN GRÖN as the verdict; plan 2025's Ekonomi indicators are all the
    # förvaltning's own judgements, so the computed one has nothing to go on
    assert [summary.cell(shead + i, 2).value for i in range(1, 6)] == ["✔ Grön", "✔ Grön", "✖ Röd", "✔ Grön",
                                                                      "✔ Grön"]
    assert summary.cell(shead + 3, 1).value == "Ekonomi" and summary.cell(shead + 3, 3).value == "– Ej bedömd"


def test_xlsx_text_cells_starting_with_formula_characters_are_text(s):
    for text in ("=1+1", "+46 8 123", "-2", "@SUM(A1)"):
        annotations.add_comment(s, ANNA, "sjukfranvaro", "2025-T2", text)
        sheet = workbook(meeting.build(s, 2025, T2, with_slides=False))["Indikatorer"]
        cells = [sheet.cell(r, 7).value for r in range(1, sheet.max_row + 1)]
        assert not any(isinstance(c, str) and c.startswith(("=", "+", "-", "@")) for c in cells), text
        assert any(isinstance(c, str) and c.endswith(text) for c in cells)


def test_xlsx_injection_in_the_value_column_is_text_too(s):
    from asn_dash.meeting.xlsx import to_xlsx

    m = meeting.build(s, 2025, T2, with_slides=False)
    m.rows[0].value, m.rows[0].value_label = None, "=cmd|' /C calc'!A0"
    sheet = load_workbook(io.BytesIO(to_xlsx(m)))["Indikatorer"]
    assert sheet.cell(header_row(sheet) + 1, 3).value == "'=cmd|' /C calc'!A0"


# --- images and PPTX ---------------------------------------------------------------------------

def test_png_and_svg_have_the_asked_size(s):
    result = next(r for r in evaluation.plan_results(s, 2025, T2)[0] if r.indicator_id == "hushall_ekb")
    row = meeting.build_rows(s, [result], 2025, T2, Policy())[0]
    fig = meeting.build_slide(s, result, row, 2025, T2, Policy()).figure  # a chart on its own: title and source
    png = Image.open(io.BytesIO(images.render(fig, "png", (1280, 720))))
    assert png.size == (1280, 720) and png.format == "PNG"
    assert Image.open(io.BytesIO(images.render(fig, "png", (800, 450), scale=2))).size == (1600, 900)
    svg = images.render(fig, "svg", (1280, 720)).decode()
    assert svg.startswith("<svg") and 'width="1280"' in svg and "Antal hushåll med ekonomiskt bistånd" in svg
    with pytest.raises(images.ImageError, match="Okänt bildformat"):
        images.render(fig, "gif")


def texts(slide) -> str:
    return "\n".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame)


def test_pptx_deck_has_title_summary_and_one_slide_per_indicator(sis):
    annotations.add_comment(sis, ANNA, "hushall_ekb", "2025-T2", "Fler hushåll med långvarigt bistånd.")
    m = meeting.build(sis, 2025, T2, order=["hushall_ekb", "plac_sis", "sjukfranvaro"], font_size=20)
    deck = Presentation(io.BytesIO(meeting_pptx.to_pptx(m)))
    slides = list(deck.slides)
    assert len(slides) == 2 + 3
    assert deck.slide_width / deck.slide_height == pytest.approx(16 / 9, abs=0.01)
    title = texts(slides[0])
    assert "Arbetsmarknads- och socialnämnden, Tyresö kommun" in title and "Uppföljning jan–aug 2025" in title
    assert "Små tal (1–3)" in title and "exempeldata" in title
    table = next(sh for sh in slides[1].shapes if sh.has_table).table
    assert [table.cell(r, 0).text for r in range(1, len(table.rows))] == [a.name for a in m.areas]
    assert (table.cell(0, 1).text, table.cell(0, 2).text) == ("Rapportens bedömning", "Beräknad bedömning")
    assert (table.cell(2, 1).text, table.cell(2, 2).text) == ("✔ Grön", "▲ Gul")  # Hållbarhet: report vs rule
    # Ekonomi: the report says Röd; plan 2025's Ekonomi indicators are all the förvaltning's own judgements
    assert (table.cell(3, 1).text, table.cell(3, 2).text) == ("✖ Röd", "– Ej bedömd")
    ekb = texts(slides[2])
    assert "Antal hushåll med ekonomiskt bistånd" in ekb and "✖ Röd" in ekb and "Utfall: 389" in ekb
    assert "389 jan–aug 2025 mot 374" in ekb and "Fler hushåll med långvarigt bistånd." in ekb
    assert "Källa: egen uppföljning" in ekb
    picture = next(sh for sh in slides[2].shapes if sh.shape_type == 13)
    assert Image.open(io.BytesIO(picture.image.blob)).size == (2000, 1240)
    sis_text = texts(slides[3])
    assert "Små tal maskeras" in sis_text and f"Utfall: {meeting.value_text(m.slides[1].row)}" in sis_text


# --- saved running orders --------------------------------------------------------------------

def test_agenda_save_load_replace_and_audit(s):
    agendas.save(s, ANNA, " Nämnden oktober ", ["sjukfranvaro", "hushall_ekb"])
    assert agendas.load(s, "Nämnden oktober") == ["sjukfranvaro", "hushall_ekb"]
    agendas.save(s, ANNA, "Nämnden oktober", ["plac_sis"])
    assert agendas.load(s, "Nämnden oktober") == ["plac_sis"]
    assert agendas.names(s) == ["Nämnden oktober"]
    log = annotations.audit_log(s)
    assert (log["action"] == "dagordning").sum() == 2


@pytest.mark.parametrize("name, ids, message", [
    ("", ["hushall_ekb"], "Ge dagordningen ett namn"),
    ("x" * 81, ["hushall_ekb"], "Namnet är för långt"),
    ("a", [], "Välj minst en indikator"),
    ("a", ["hushall_ekb", "hushall_ekb"], "Samma indikator finns två gånger"),
    ("a", ["hushall_ekb", "finns_inte"], "Okända indikatorer: finns_inte"),
])
def test_agenda_refuses_bad_input_and_writes_nothing(s, name, ids, message):
    with pytest.raises(agendas.AgendaError, match=message):
        agendas.save(s, ANNA, name, ids)
    assert agendas.names(s) == []


def test_agenda_needs_analytiker_and_unknown_name_is_explained(s):
    with pytest.raises(PermissionDenied):
        agendas.save(s, User("l", "Lisa", LASARE), "a", ["hushall_ekb"])
    with pytest.raises(agendas.AgendaError, match="Sparade: inga"):
        agendas.load(s, "saknas")


def test_secondary_marker_is_the_documented_one():
    assert SECONDARY == "×" and Policy().label == "1–3"


# --- names, verdicts, shortening ----------------------------------------------------------------

@pytest.mark.parametrize("key, stem, title", [
    ("2025-T2", "ASN-tertialrapport-T2-2025", "Tertialrapport T2 2025"),
    ("2025-T1", "ASN-tertialrapport-T1-2025", "Tertialrapport T1 2025"),
    ("2025-08", "ASN-manadsrapport-2025-08", "Månadsrapport augusti 2025"),
    ("2025", "ASN-verksamhetsberattelse-2025", "Verksamhetsberättelse 2025"),
    ("2025-08-R12", "ASN-R12-2025-08", "Uppföljning R12 t.o.m. aug 2025"),
])
def test_file_names_say_what_the_report_is_in_ascii(key, stem, title):
    period = parse_key(key)
    assert meeting.file_stem(period) == stem and stem.isascii()
    assert meeting.report_title(period) == title


def test_area_verdicts_give_the_reports_verdict_beside_the_computed_one(s):
    areas = {a.name: a for a in meeting.build(s, 2025, T2, with_slides=False).areas}
    assert meeting.area_verdicts(areas["Hållbarhet"]) == ("Grön", "Gul")
    assert meeting.area_verdicts(areas["Ekonomi"]) == ("Röd", "—")  # plan 2025's Ekonomi: judgements only
    no_report = {a.name: a for a in meeting.build(s, 2025, parse_key("2025-06"), with_slides=False).areas}
    assert meeting.area_verdicts(no_report["Hållbarhet"])[0] is None


def test_shorten_cuts_at_a_word_and_marks_it():
    text = "Antalet hushåll ökade under våren och minskade sedan under sommaren."
    assert meeting.shorten(text, 200) == text
    cut = meeting.shorten(text, 30)
    assert cut == "Antalet hushåll ökade under…" and len(cut) <= 30
    assert meeting.shorten("a  b\n\nc", 10) == "a b c"
