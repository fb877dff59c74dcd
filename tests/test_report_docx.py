"""The report section as Word (python-docx reads it back) and as PDF (LibreOffice converts it, pypdf
reads it): title page, contents, page numbers, a table per nämndmål with coloured verdicts,
analysis text, charts, sources, masked small numbers, a kommun template, and the command line."""

import io
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn
from docx.shared import RGBColor
from PIL import Image
from pypdf import PdfReader

from asn_dash import annotations
from asn_dash.auth import ANALYTIKER, User
from asn_dash.meeting import docx as meeting_docx
from asn_dash.meeting import material as meeting
from asn_dash.meeting import pdf as meeting_pdf
from asn_dash.rules.periods import MONTHS_SV_LONG, parse_key
from asn_dash.rules.suppression import OFF, Policy
from asn_dash.store import queries
from asn_dash.store.setup import open_store

from .ingest_helpers import update_values

ROOT = Path(__file__).resolve().parent.parent
T2 = parse_key("2025-T2")
ORDER = ["hushall_ekb", "sjukfranvaro", "plac_lvm", "plac_sis"]
SIS_2025 = [2, 9, 8, 7, 6, 6, 7, 8]  # plac_sis: one small month among large ones (a chart with gaps)
COMMENT = "Fler hushåll söker stöd än förra året.\n\nÅtgärderna i arbetsmarknadsprocessen pågår."
AREAS = ["Trygghet", "Hållbarhet", "Ekonomi", "Kvalitet", "Medarbetare"]


@pytest.fixture(scope="module")
def store_path(seeded_template, tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "asn.duckdb"
    shutil.copy(seeded_template, path)
    store = open_store(path)
    annotations.add_comment(store, User("anna", "Anna Analytiker", ANALYTIKER), "hushall_ekb", "2025-T2", COMMENT)
    for unit in ("aos", "barn_unga"):
        for month, value in enumerate(SIS_2025, start=1):
            update_values(store.con, "value = ?", "v.indicator_id = 'plac_sis' AND v.unit_id = ? AND v.period = ?",
                          [value, unit, f"2025-{month:02d}"])
    store.close()
    return path


@pytest.fixture(scope="module")
def built(store_path):
    """(the material as exported, the rows unmasked, the plan's nämndmål in order)."""
    store = open_store(store_path)
    try:
        return (meeting.build(store, 2025, T2, ORDER, Policy(), font_size=20),
                {r.indicator_id: r for r in meeting.build(store, 2025, T2, ORDER, OFF, with_slides=False).rows},
                list(dict.fromkeys(queries.plan_structure(store, 2025)["goal"])))
    finally:
        store.close()


@pytest.fixture(scope="module")
def material(built):
    return built[0]


@pytest.fixture(scope="module")
def unmasked(built):
    return built[1]


@pytest.fixture(scope="module")
def goals(built):
    return built[2]


@pytest.fixture(scope="module")
def docx_bytes(material):
    return meeting_docx.to_docx(material)


@pytest.fixture(scope="module")
def doc(docx_bytes):
    return Document(io.BytesIO(docx_bytes))


@pytest.fixture(scope="module")
def pdf_text(docx_bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(meeting_pdf.docx_to_pdf(docx_bytes)))
    return [page.extract_text() for page in reader.pages]


def headings(doc, level: int) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style.name == f"Heading {level}"]


def instructions(element) -> str:
    return " ".join(t.text for t in element.iter(qn("w:instrText")))


def fill(cell) -> str | None:
    shd = cell._tc.tcPr.find(qn("w:shd")) if cell._tc.tcPr is not None else None
    return None if shd is None else shd.get(qn("w:fill"))


def goal_table(doc, indicator_name: str):
    return next(t for t in doc.tables if any(row.cells[0].text.startswith(indicator_name) for row in t.rows))


def row_of(table, indicator_name: str):
    return next(row for row in table.rows if row.cells[0].text.startswith(indicator_name))


# --- DOCX ---------------------------------------------------------------------------------------

def test_title_page_names_the_namnd_the_report_and_the_date(doc, material):
    first = [p for p in doc.paragraphs[:6] if p.text]
    assert first[0].style.name == "Title" and first[0].text == "Arbetsmarknads- och socialnämnden (ASN)"
    assert first[1].text == "Tertialrapport T2 2025"
    d = material.created
    assert any(f"Utskrivet {d.day} {MONTHS_SV_LONG[d.month - 1]} {d.year}" in p.text for p in doc.paragraphs[:8])
    assert any("Små tal (1–3)" in p.text for p in doc.paragraphs[:10])


def test_contents_is_a_word_toc_field_listing_the_headings(doc):
    body = doc.element.body
    assert 'TOC \\o "1-2" \\h \\z \\u' in instructions(body)
    assert doc.settings.element.find(qn("w:updateFields")).get(qn("w:val")) == "true"
    toc_heading = next(n for n, p in enumerate(doc.paragraphs) if p.text == "Innehållsförteckning")
    cached = [p.text for p in doc.paragraphs[toc_heading + 1:toc_heading + 1 + len(headings(doc, 1)) + 7]]
    assert "Målområde: Hållbarhet" in cached and "Bilaga: Verksamhetsmått" in cached


def test_headings_follow_the_plan(doc, goals):
    assert headings(doc, 1) == ["Sammanfattande bedömning", *(f"Målområde: {a}" for a in AREAS),
                                "Bilaga: Verksamhetsmått"]
    assert headings(doc, 2) == [f"Nämndmål: {g}" for g in goals]
    analysed = headings(doc, 3)  # indicators with a comment or a chart
    assert {"Antal hushåll med ekonomiskt bistånd", "Sjukfrånvaro (R12)"} <= set(analysed)
    assert analysed[-1] == "Placeringar SiS (barn och unga)"  # the appendix comes last
    assert "Placeringar LVM" not in analysed  # every month masked: no chart, and no comment


def test_each_goal_has_the_report_table_with_coloured_verdicts(doc):
    table = goal_table(doc, "Antal hushåll med ekonomiskt bistånd")
    assert [c.text for c in table.rows[0].cells] == ["Indikator", "Beskrivning", "Resultat", "Bedömning"]
    assert {fill(c) for c in table.rows[0].cells} == {"D9D9D9"}
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on every page
    ekb = row_of(table, "Antal hushåll med ekonomiskt bistånd")
    assert ekb.cells[1].text == "Målnivå: minska jämfört med 2024"
    assert ekb.cells[2].text.startswith("Utfall 389\n389 jan–aug 2025 mot 374")
    assert (ekb.cells[3].text, fill(ekb.cells[3])) == ("✖ Röd", "D55E00")
    kids = row_of(table, "Antal barnfamiljer med ekonomiskt bistånd")
    assert (kids.cells[3].text, fill(kids.cells[3])) == ("✔ Grön", "009E73")
    sick = row_of(goal_table(doc, "Sjukfrånvaro (R12)"), "Sjukfrånvaro (R12)")
    assert sick.cells[1].text.startswith("Sjukfrånvaro i procent av tillgänglig tid")  # the catalogue's description


def test_summary_gives_the_reports_verdict_beside_the_computed_one(doc):
    summary = doc.tables[0]
    assert [c.text for c in summary.rows[0].cells][:3] == ["Målområde", "Rapportens bedömning", "Beräknad bedömning"]
    hallbarhet = row_of(summary, "Hållbarhet")
    assert [(c.text, fill(c)) for c in hallbarhet.cells[1:3]] == [("✔ Grön", "009E73"), ("▲ Gul", "F0E442")]
    paragraph = next(p.text for p in doc.paragraphs if p.text.startswith("Sammanfattande bedömning: rapportens")
                     and "▲ Gul" in p.text)
    assert "✔ Grön" in paragraph and "(2 gröna, 0 gula, 1 röd, 6 ej bedömda)" in paragraph


def test_sources_follow_every_table_and_chart(doc):
    texts = [p.text for p in doc.paragraphs]
    assert texts.count("Källa: egen uppföljning") >= len(AREAS)
    captions = [n for n, t in enumerate(texts) if t.startswith("Figur ")]
    assert captions and all(texts[n + 1].startswith("Källa: egen uppföljning") for n in captions)


def test_the_periods_comment_is_the_analysis_under_its_indicator(doc):
    texts = [p.text for p in doc.paragraphs]
    at = texts.index("Antal hushåll med ekonomiskt bistånd")  # its heading 3
    assert texts[at + 1].startswith("Kommentar (") and "Anna Analytiker" in texts[at + 1]
    assert texts[at + 2:at + 4] == ["Fler hushåll söker stöd än förra året.", "Åtgärderna i arbetsmarknadsprocessen pågår."]


def test_charts_are_embedded_with_alt_text(doc, material):
    charts = [s for s in material.slides if s.figure is not None]
    shapes = doc.inline_shapes
    assert len(shapes) == len(charts) == 3
    for shape, slide in zip(shapes, charts):
        assert shape._inline.docPr.get("descr").startswith(f"Diagram: {slide.row.name}")
        blob = doc.part.related_parts[shape._inline.graphic.graphicData.pic.blipFill.blip.embed].blob
        assert Image.open(io.BytesIO(blob)).size == (2000, 1120)


def test_pages_are_numbered_except_the_title_page(doc):
    section = doc.sections[0]
    assert section.different_first_page_header_footer
    fields = instructions(section.footer._element)
    assert "PAGE" in fields and "NUMPAGES" in fields
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7  # A4


def test_small_numbers_are_masked_as_in_the_other_exports(doc, unmasked):
    lvm = row_of(next(t for t in doc.tables if t.rows[0].cells[0].text == "Indikator"
                      and len(t.columns) == 3), "Placeringar LVM")
    assert lvm.cells[1].text == "1–3"
    assert meeting.value_text(unmasked["plac_lvm"]) != "1–3"  # there is something to hide
    everything = "\n".join(p.text for p in doc.paragraphs) + "\n".join(
        c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "Små tal (1–3) för känsliga indikatorer visas inte" in everything


def test_control_characters_in_a_comment_do_not_break_the_document(material):
    import dataclasses

    slides = [dataclasses.replace(s, row=dataclasses.replace(s.row, comment="Tab\there\x01 och\x0b slut"))
              for s in material.slides]
    data = meeting_docx.to_docx(dataclasses.replace(material, slides=slides), render=lambda fig: _png())
    assert any(p.text == "Tab\there och slut" for p in Document(io.BytesIO(data)).paragraphs)


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (200, 112), "white").save(buf, "PNG")
    return buf.getvalue()


def test_a_kommun_template_gives_styles_header_logo_and_table_style(material, tmp_path):
    template = Document()
    template.styles["Heading 1"].font.name = "Georgia"
    template.styles["Heading 1"].font.color.rgb = RGBColor(0x00, 0x33, 0x66)
    template.styles.add_style("Rapporttabell", WD_STYLE_TYPE.TABLE)
    header = template.sections[0].header.paragraphs[0]
    header.add_run("Tyresö kommun – mall ")
    header.add_run().add_picture(io.BytesIO(_png()))
    template.add_paragraph("Mallens exempeltext")
    path = tmp_path / "kommun.docx"
    template.save(path)

    doc = Document(io.BytesIO(meeting_docx.to_docx(material, render=lambda fig: _png(), template=path)))
    assert "Mallens exempeltext" not in [p.text for p in doc.paragraphs]
    head = doc.sections[0].header
    assert "Tyresö kommun – mall" in head.paragraphs[0].text
    assert any(rel.reltype.endswith("/image") for rel in head.part.rels.values())  # the logo stays
    assert doc.styles["Heading 1"].font.name == "Georgia"
    assert headings(doc, 1)[0] == "Sammanfattande bedömning"
    assert {t.style.name for t in doc.tables} == {"Rapporttabell"}
    assert "PAGE" in instructions(doc.sections[0].footer._element)


def test_a_template_that_is_not_a_word_file_is_refused_in_swedish(material, tmp_path):
    bad = tmp_path / "mall.docx"
    bad.write_text("inte ett dokument")
    with pytest.raises(meeting_docx.TemplateError, match="Mallen mall.docx går inte att öppna som Word-dokument"):
        meeting_docx.to_docx(material, template=bad)


# --- PDF (LibreOffice) ----------------------------------------------------------------------------

def test_pdf_has_the_pages_the_areas_and_the_indicators(pdf_text):
    assert len(pdf_text) >= 6
    text = "\n".join(pdf_text)
    for name in [*AREAS, "Antal hushåll med ekonomiskt bistånd", "Sjukfrånvaro (R12)", "Placeringar LVM"]:
        assert name in text
    assert f"Sida 3 av {len(pdf_text)}" in pdf_text[2] and "Sida" not in pdf_text[0]


def test_pdf_contents_list_was_updated_with_the_right_page_numbers(pdf_text):
    contents = pdf_text[1]
    assert "Innehållsförteckning" in contents
    for area in AREAS:
        found = re.search(rf"Målområde: {area}\W*?(\d+)\s*$", contents, re.MULTILINE)
        assert found, (area, contents)
        page = int(found.group(1))
        assert f"Målområde: {area}" in pdf_text[page - 1]
        assert not any(f"Målområde: {area}" in t for t in pdf_text[2:page - 1])


def test_pdf_never_shows_a_masked_value_and_keeps_header_words_whole(pdf_text, unmasked):
    text = "\n".join(pdf_text)
    line = next(line for line in text.splitlines() if line.startswith("Placeringar LVM"))
    assert "1–3" in line
    assert meeting.value_text(unmasked["plac_lvm"]) not in line.removeprefix("Placeringar LVM")
    for word in ("Indikator", "Beskrivning", "Resultat", "Bedömning", "Rapportens", "Beräknad", "Målområde"):
        assert re.search(rf"\b{word}\b", text), word
    assert not re.search(r"\bBedömnin\b|\bMålområ\b", text)


def test_without_libreoffice_the_pdf_is_refused_with_a_swedish_message(docx_bytes, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("ASN_SOFFICE", raising=False)
    with pytest.raises(meeting_pdf.PdfError, match="PDF kräver LibreOffice"):
        meeting_pdf.docx_to_pdf(docx_bytes)


def _converters() -> list[str]:
    found = []
    for pid in os.listdir("/proc"):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if "asn-pdf-" in cmdline and str(os.getpid()) != pid:
            found.append(cmdline)
    return found


def test_a_conversion_over_its_time_limit_is_stopped_with_all_its_processes(docx_bytes, tmp_path, monkeypatch):
    # A converter that is certainly over the limit, whatever the machine's speed: the real
    # LibreOffice started in the background, and a process that outlives the limit (both carry
    # the conversion's private folder in their command line, so _converters() sees them).
    real = meeting_pdf.soffice()
    slow = tmp_path / "slow-soffice"
    slow.write_text(f'#!/bin/sh\n"{real}" "$@" &\nexec sh -c \'sleep 60; : "$@"\' slow "$@"\n')
    slow.chmod(0o755)
    monkeypatch.setenv("ASN_SOFFICE", str(slow))
    with pytest.raises(meeting_pdf.PdfError, match="tog mer än 1 s och avbröts"):
        meeting_pdf.docx_to_pdf(docx_bytes, timeout=1, update_contents=False)
    time.sleep(0.5)  # killed processes leave /proc once reaped
    assert _converters() == []


def test_two_conversions_at_once_do_not_share_a_profile(docx_bytes):
    out: list = [None, None]

    def convert(n: int) -> None:
        out[n] = meeting_pdf.docx_to_pdf(docx_bytes)

    threads = [threading.Thread(target=convert, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert all(pdf is not None and pdf.startswith(b"%PDF") for pdf in out)
    assert len(PdfReader(io.BytesIO(out[0])).pages) == len(PdfReader(io.BytesIO(out[1])).pages)


def test_plain_conversion_without_the_bridge_still_lists_the_headings(docx_bytes):
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(
        meeting_pdf.docx_to_pdf(docx_bytes, update_contents=False))).pages]
    assert "Innehållsförteckning" in pages[1] and "Målområde: Hållbarhet" in pages[1]


# --- command line ---------------------------------------------------------------------------------

def run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "asn_dash", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def test_cli_writes_docx_and_pdf_named_after_the_report(store_path, tmp_path):
    db = tmp_path / "asn.duckdb"
    shutil.copy(store_path, db)
    docx = run(tmp_path, "report", "--db", str(db), "--period", "2025-T2", "--format", "docx",
               "--indicator", "hushall_ekb")
    assert docx.returncode == 0, docx.stderr
    assert "Skrev ASN-tertialrapport-T2-2025.docx (Tertialrapport T2 2025, 1 diagram" in docx.stderr
    assert headings(Document(str(tmp_path / "ASN-tertialrapport-T2-2025.docx")), 1)[0] == "Sammanfattande bedömning"
    pdf = run(tmp_path, "report", "--db", str(db), "--period", "2025-08", "--format", "pdf", "--indicator",
              "hushall_ekb")
    assert pdf.returncode == 0, pdf.stderr
    reader = PdfReader(str(tmp_path / "ASN-manadsrapport-2025-08.pdf"))
    assert "Månadsrapport augusti 2025" in reader.pages[0].extract_text()


def test_cli_refuses_a_template_of_the_wrong_kind_and_writes_nothing(store_path, tmp_path):
    (tmp_path / "mall.pptx").write_bytes(b"x")
    for fmt, template in (("docx", "mall.pptx"), ("xlsx", "mall.pptx"), ("pdf", "saknas.docx")):
        out = run(tmp_path, "report", "--db", str(store_path), "--period", "2025-T2", "--format", fmt,
                  "--template", template, "-o", "ut.bin")
        assert out.returncode == 2 and f"Fel: mallen {template} kan inte användas" in out.stderr, out.stderr
        assert "Traceback" not in out.stderr
    assert not (tmp_path / "ut.bin").exists()
