"""The reports' official verdicts as seed data: the file validates against the catalogue, holds
what the reports print, and a bad row is refused with file, row, column and reason."""

import csv
import re
from pathlib import Path

import pytest

from asn_dash.catalogue import load_catalogue
from asn_dash.store.seed_csv import SEED_DIR, SeedError
from asn_dash.store.verdict_seed import COLUMNS, VERDICTS_FILE, read_verdicts

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


@pytest.fixture(scope="module")
def cat():
    return load_catalogue()


@pytest.fixture(scope="module")
def verdicts(cat):
    return read_verdicts(VERDICTS_FILE, cat)


def _pick(verdicts, year, level, period):
    return {v.target: v for v in verdicts if (v.plan_year, v.level, v.period) == (year, level, period)}


def test_the_whole_file_validates_against_the_catalogue(verdicts):
    assert len(verdicts) > 100
    assert {v.source_doc[:3] for v in verdicts} == {"001", "002", "003", "004"}


def test_t2_2025_summary_is_the_reports(verdicts):
    # 004: "T2 GRÖN GRÖN RÖD GRÖN GRÖN" for Trygghet, Hållbarhet, Ekonomi, Kvalitet, Medarbetare
    areas = _pick(verdicts, 2025, "målområde", "2025-T2")
    assert [(a, areas[a].colour) for a in areas] == [
        ("trygghet", "Grön"), ("hallbarhet", "Grön"), ("ekonomi", "Röd"), ("kvalitet", "Grön"), ("medarbetare", "Grön")]
    assert areas["ekonomi"].text.startswith("Förvaltningen prognostiserar ett betydande underskott där barnavdelningen")
    # Hållbarhet holds both nämndmål's texts; its colour is Grön with one indicator worse than 2024
    assert "Målet förväntas uppfyllas under året" in areas["hallbarhet"].text
    assert "Den höga medvetenheten hos personalen" in areas["hallbarhet"].text
    goals = _pick(verdicts, 2025, "nämndmål", "2025-T2")
    assert goals["god_kvalitet"].colour is None
    assert goals["god_kvalitet"].text.startswith("Målet bedöms uppnås under året trots ökad arbetsbelastning")


def test_t2_2025_indicator_marks(verdicts):
    # 004 prints ● (assessed, colour not in the text) and — (not yet) in the Bedömning column
    marks = _pick(verdicts, 2025, "indikator", "2025-T2")
    assert (marks["vald_fragor"].colour, marks["vald_fragor"].text) == (None, "●")
    assert marks["kkik_ifo"].text == "—" and marks["medarbetarundersokning"].text == "—"
    assert marks["enheter_mal_ekonomi"].text == (
        "6 av 11 enheter har bedömt grönt för perioden och 5 rött.\n"
        "6 av 11 enheter bedöms ha förutsättningar att uppnå målet under året.")


def test_vb_2021_grids_are_the_reports(verdicts):
    # 001: VB Gul Grön Gul Gul; Delår 2 Gul Grön Grön Röd; Delår 1 Gul Röd Gul Röd
    for period, colours in [("2021", ["Gul", "Grön", "Gul", "Gul"]), ("2021-T2", ["Gul", "Grön", "Grön", "Röd"]),
                            ("2021-T1", ["Gul", "Röd", "Gul", "Röd"])]:
        areas = _pick(verdicts, 2021, "målområde", period)
        assert [areas[a].colour for a in ("medarbetare", "kvalitet", "leverans", "ekonomi")] == colours
    ekonomi = [v.colour for v in verdicts if v.target == "ekonomi" and v.plan_year == 2021
               and re.fullmatch(r"2021-\d\d", v.period)]
    assert ekonomi == ["Grön", "Gul"] + ["Röd"] * 7 + ["Gul"] * 3
    goals = _pick(verdicts, 2021, "nämndmål", "2021")
    assert {g: v.colour for g, v in goals.items()} == {
        "motiverade_kompetenta": "Gul", "standiga_forbattringar": "Grön", "forbattrad_livssituation": "Gul",
        "effektiva_resurser": "Gul"}
    kkik = _pick(verdicts, 2021, "indikator", "2021")
    assert (kkik["U31402"].colour, kkik["N30101"].colour, kkik["U30453"].colour) == ("Grön", "Gul", None)
    assert "bland de 50 procent mittersta" in kkik["N30101"].text


def test_the_whole_administrations_area_colours_come_from_verdicts_csv_alone(verdicts):
    """assessments.csv keeps only the units' own colours ("Andelen enheter som når sina mål"); the
    whole administration's målområde rows moved from it to verdicts.csv unchanged (65 rows), so there
    is one source that cannot drift."""
    with (SEED_DIR / "assessments.csv").open(encoding="utf-8") as fh:
        units = list(csv.DictReader(fh))
    assert units and all(r["unit"] != "aos" for r in units)
    ours = {(v.plan_year, v.target, v.period) for v in verdicts if v.level == "målområde" and v.colour}
    assert {(int(r["plan_year"]), r["goal_area"], r["period"]) for r in units} <= ours  # units: same periods


def _normal(text: str) -> str:
    text = text.replace("**", "").replace("\uf0b7", " ").replace("•", " ").replace("\x0c", " ")
    return " ".join(text.split())


def test_texts_are_verbatim_from_their_report(verdicts):
    seeds = {p.name[:3]: _normal(p.read_text(encoding="utf-8")) for p in SEEDS.glob("*.txt")}
    if not seeds:
        pytest.skip(f"the reports are not beside the checkout ({SEEDS})")
    for v in verdicts:
        for paragraph in (v.text or "").split("\n"):
            if paragraph not in ("●", "—"):
                assert _normal(paragraph) in seeds[v.source_doc[:3]], (v.line, paragraph[:60])


HEADER = ",".join(COLUMNS) + "\n"


@pytest.mark.parametrize("row, column, reason", [
    ("2025,målområde,ekonomy,2025-T2,Röd,,004,x", "target", "målområde finns inte i planen för 2025"),
    ("2025,nämndmål,trygghet,2025-T2,,Text,004,x", "target", "nämndmål finns inte i planen för 2025"),
    ("2025,indikator,budgetavvikelse_pct,2025-T2,Röd,,004,x", "target", "indikator finns inte i planen för 2025"),
    ("2025,område,ekonomi,2025-T2,Röd,,004,x", "level", "måste vara målområde, nämndmål eller indikator"),
    ("2023,målområde,ekonomi,2023,Röd,,004,x", "plan_year", "det finns ingen plan för året"),
    ("2025,målområde,ekonomi,2025-T4,Röd,,004,x", "period", ""),
    ("2025,målområde,ekonomi,2024-T2,Röd,,004,x", "period", "perioden ligger inte i planåret 2025"),
    ("2025,målområde,ekonomi,2025-T2,Rött,,004,x", "colour", "måste vara Grön, Gul, Röd eller tom"),
    ("2025,målområde,ekonomi,2025-T2,,,004,x", "text", "varken färg eller text är ifylld"),
    ("2025,målområde,ekonomi,2025-T2,Röd,,,x", "source_doc", "ange rapporten"),
])
def test_a_bad_row_names_file_row_column_and_reason(tmp_path, cat, row, column, reason):
    path = tmp_path / "verdicts.csv"
    path.write_text(HEADER + "2025,målområde,trygghet,2025-T2,Grön,,004,x\n" + row + "\n", encoding="utf-8")
    with pytest.raises(SeedError) as info:
        read_verdicts(path, cat)
    assert info.value.sv.startswith(f"Seedfilen {path}, rad 3, kolumn '{column}'")
    assert reason in info.value.sv


def test_duplicates_and_missing_columns_are_refused(tmp_path, cat):
    path = tmp_path / "verdicts.csv"
    path.write_text(HEADER + "2025,målområde,ekonomi,2025-T2,Röd,,004,x\n2025,målområde,ekonomi,2025-T2,Gul,,004,y\n",
                    encoding="utf-8")
    with pytest.raises(SeedError, match="rad 3, kolumn 'period'.*redan på rad 2"):
        read_verdicts(path, cat)
    path.write_text("plan_year,level,target,period,colour\n", encoding="utf-8")
    with pytest.raises(SeedError, match="kolumn\\(er\\) saknas: text, source_doc, source_table"):
        read_verdicts(path, cat)
