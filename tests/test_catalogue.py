"""The catalogue loads, covers the reports, and every way of breaking it gives a clear message."""

import re
from pathlib import Path

import pytest

from asn_dash.catalogue import KOLADA_ID, UPLOAD, CatalogueError, load_catalogue
from asn_dash.rules.targets import parse_target

BRIEF_KPIS = {"N31814", "U31402", "U33401", "U31462", "U33400", "U33461", "U35409", "U40455", "U40406",
              "U40409", "U40800", "N00973", "N00919", "N00928", "U30453", "U30450", "U30451", "U30200",
              "U30201", "U30202", "U30203"}


@pytest.fixture(scope="module")
def cat():
    return load_catalogue()


def test_real_catalogue_is_valid_and_complete(cat):
    ids = [i.id for i in cat.indicators]
    assert len(ids) == len(set(ids))
    assert {p.year for p in cat.plans} == {2019, 2020, 2021, 2024, 2025}
    assert BRIEF_KPIS <= set(ids)
    for ind in cat.indicators:
        assert ind.name and ind.unit and ind.frequency and ind.direction
        assert ind.source == UPLOAD or KOLADA_ID.match(ind.source)


def test_every_target_rule_parses(cat):
    rules = cat.target_rules()
    assert len(rules) > 100
    for (_year, _goal, _indicator), rule in rules.items():
        assert parse_target(rule.text) == rule


def test_plans_have_the_reports_structure(cat):
    by_year = {p.year: p for p in cat.plans}
    assert [a.name for a in by_year[2025].goal_areas] == ["Trygghet", "Hållbarhet", "Ekonomi", "Kvalitet", "Medarbetare"]
    assert len(by_year[2024].goal_areas) == 4
    targets = {(y, i): r.text for (y, g, i), r in cat.target_rules().items()}
    assert targets[(2025, "hushall_ekb")] == "minska jämfört med 2024"
    assert targets[(2024, "sjukfranvaro")] == "minska jämfört med 2023"
    assert targets[(2020, "sjukfranvaro_kort")] == "högst 4 %"


SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def _seed(prefix: str) -> str:
    found = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not found:
        pytest.skip(f"the reports are not beside the checkout ({SEEDS})")
    return found[0].read_text(encoding="utf-8")


def _plan_indicators(cat, year: int) -> list[tuple[str, str, str]]:
    plan = next(p for p in cat.plans if p.year == year)
    return [(a.id, g.id, pi.id) for a in plan.goal_areas for g in a.goals for pi in g.indicators]


@pytest.mark.parametrize("year, prefix", [(2020, "003"), (2019, "002")])
def test_plan_kpis_are_the_reports_in_printed_order(cat, year, prefix):
    """Every Kolada KPI the report prints in its goal tables, in the report's order."""
    text = _seed(prefix)
    if prefix == "002":  # the goal tables run from "Grundförutsättningar" to "Särskilda uppdrag"
        text = text[text.index("\nGrundförutsättningar\n\nHållbar ekonomi"):text.index("\nSärskilda uppdrag\n")]
    printed = [m for m in re.findall(r"\(([NU]\d{5})\)", text)]
    ours = [i for _, _, i in _plan_indicators(cat, year) if KOLADA_ID.match(i)]
    assert ours == printed


def test_plan_2020_is_complete(cat):
    # 003: 46 indicators; the nämndmål it adds to 2019's, and the four attraktiv arbetsgivare krav
    rows = _plan_indicators(cat, 2020)
    assert len(rows) == 46
    plan = next(p for p in cat.plans if p.year == 2020)
    goals = {g.id: g for a in plan.goal_areas for g in a.goals}
    assert goals["stod_foraldrar_narstaende"].name.startswith("Stödet till föräldrar och närstående")
    area = next(a for a in plan.goal_areas if a.id == "attraktiv_arbetsgivare")
    assert [len(g.indicators) for g in area.goals] == [1, 2, 1, 2]
    targets = {i: r.text for (y, g, i), r in cat.target_rules().items() if y == 2020}
    assert targets["U37518"] == "ja = 2 (delvis = 1, nej = 0)"
    assert targets["prognossakerhet_augusti"] == "minst 100 %"
    assert targets["rutin_ekb_arbetsmarknad"] == "ja"
    assert goals["valfardsteknik"].municipal_goal == "Tyresö har en tillförlitlig och hållbar infrastruktur för hög livskvalitet"


def test_plan_2024_lists_the_plans_indicators(cat):
    # 000: 6 + 4 + 10 + 9 indicators; "Resultat brukarundersökningar" is a redovisning without target
    by_area = {}
    for area, _, ind in _plan_indicators(cat, 2024):
        by_area.setdefault(area, []).append(ind)
    assert {a: len(v) for a, v in by_area.items()} == {"medarbetare": 6, "kvalitet": 4, "leverans": 10, "ekonomi": 9}
    assert {"brukarundersokningar", "ovriga_resultat_leverans"} <= set(by_area["leverans"])
    assert "avtalsuppfoljningar_kontroller" in by_area["ekonomi"]


def test_plan_2025_has_only_the_reports_indicators(cat):
    # 004's Ekonomi table: four indicators, no budget-deviation percentage
    assert [i for a, _, i in _plan_indicators(cat, 2025) if a == "ekonomi"] == [
        "ekonomiskt_resultat", "kkik_jamforelse", "enheter_mal_ekonomi", "egenkontroller_valfardsbrott"]


def test_retired_kolada_kpis_are_flagged(cat):
    retired = {i.id for i in cat.indicators if i.kolada_retired}
    assert {"U33400", "U33461", "U35409", "N00919", "N00928", "U31462"} <= retired


def test_units_keep_history_and_grouping(cat):
    rel = next(u for u in cat.units if u.id == "relationsvald")
    assert [h.name for h in rel.history][:2] == [
        "Enheten för relationsvåld och mottagning våld och unga",
        "Enheten för relationsvåld och mottagning barn och unga",
    ]
    assert rel.history[-1].avdelning == "Avdelning barn och unga"
    assert cat.whole_administration_unit == "aos"


# --- broken catalogues --------------------------------------------------------------------

def _edit(folder: Path, name: str, old: str, new: str, count: int = 1) -> int:
    """Replace text in a catalogue file; return the 1-based line where the edit starts."""
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return line


def _error(folder: Path) -> str:
    with pytest.raises(CatalogueError) as info:
        load_catalogue(folder)
    return info.value.sv


def test_duplicate_indicator_id(catalogue_copy):
    line = _edit(catalogue_copy, "indicators.yaml", "- {id: plac_sis,", "- {id: plac_hvb_unga,")
    msg = _error(catalogue_copy)
    assert f"indicators.yaml, rad {line}: indicators[2] (id: plac_hvb_unga)" in msg
    assert "förekommer mer än en gång" in msg


def test_missing_required_field(catalogue_copy):
    line = _edit(catalogue_copy, "indicators.yaml", 'name: "Placeringar LVM", unit: antal, ', 'name: "Placeringar LVM", ')
    msg = _error(catalogue_copy)
    assert "(id: plac_lvm).unit: obligatoriskt fält saknas" in msg
    assert f"rad {line}" in msg


def test_bad_kolada_id(catalogue_copy):
    _edit(catalogue_copy, "indicators.yaml", "source: U31402}", "source: X31402}")
    msg = _error(catalogue_copy)
    assert "(id: U31402).source: source måste vara 'uppladdning' eller ett Kolada-id" in msg
    assert "'X31402'" in msg


def test_kolada_like_id_must_match_its_source(catalogue_copy):
    _edit(catalogue_copy, "indicators.yaml", "source: U33401}", "source: U33402}")
    assert "måste vara samma som source (U33402)" in _error(catalogue_copy)


def test_unknown_unit_value(catalogue_copy):
    _edit(catalogue_copy, "indicators.yaml", 'name: "Placeringar LVM", unit: antal', 'name: "Placeringar LVM", unit: stycken')
    msg = _error(catalogue_copy)
    assert "(id: plac_lvm).unit: ogiltigt värde 'stycken'" in msg


def test_unknown_field_is_a_typo(catalogue_copy):
    _edit(catalogue_copy, "indicators.yaml", "sensitive: true,\n     budget_volume: {2019: 1}",
          "sensitve: true,\n     budget_volume: {2019: 1}")
    assert "(id: plac_lvm).sensitve: okänt fält (stavfel?)" in _error(catalogue_copy)


def test_unparseable_target_rule_names_plan_and_line(catalogue_copy):
    line = _edit(catalogue_copy, "plans.yaml", "{id: hushall_ekb, target: minska jämfört med 2024}",
                 "{id: hushall_ekb, target: minska lite}")
    msg = _error(catalogue_copy)
    assert f"plans.yaml, rad {line}" in msg
    assert "(id: hushall_ekb).target: Målregeln 'minska lite' går inte att tolka" in msg


def test_target_contradicting_direction(catalogue_copy):
    _edit(catalogue_copy, "plans.yaml", "{id: hushall_ekb, target: minska jämfört med 2024}",
          "{id: hushall_ekb, target: minst 300}")
    assert "men indikatorn 'hushall_ekb' har direction: lägre" in _error(catalogue_copy)


def test_plan_names_unknown_indicator(catalogue_copy):
    _edit(catalogue_copy, "plans.yaml", "{id: hushall_ekb, target: minska jämfört med 2024}",
          "{id: hushal_ekb, target: minska jämfört med 2024}")
    assert "okänd indikator 'hushal_ekb'; lägg till den i indicators.yaml först" in _error(catalogue_copy)


def test_yaml_syntax_error_names_line(catalogue_copy):
    line = _edit(catalogue_copy, "units.yaml", "  - id: cai\n", "  - id: [cai\n")
    msg = _error(catalogue_copy)
    assert re.search(r"units\.yaml, rad \d+: YAML-syntax", msg)
    assert int(re.search(r"rad (\d+)", msg)[1]) >= line


def test_missing_file(catalogue_copy):
    (catalogue_copy / "plans.yaml").unlink()
    assert "plans.yaml saknas" in _error(catalogue_copy)


def test_unit_history_out_of_order(catalogue_copy):
    _edit(catalogue_copy, "units.yaml", "avdelning: Avdelning vuxen, valid_from: 2025-01}\n\n  - id: vuxenenheten",
          "avdelning: Avdelning vuxen, valid_from: 2018-01}\n\n  - id: vuxenenheten")
    assert "(id: socialpsykiatri).history: historiken måste stå i tidsordning" in _error(catalogue_copy)


def test_scale_rule_needs_an_index_indicator(catalogue_copy):
    # A 0/1/2 KPI stored as ja/nej would show Delvis (1) as "Ja"
    _edit(catalogue_copy, "indicators.yaml", "(Ja=2, Delvis=1, Nej=0)\",\n     unit: index",
          "(Ja=2, Delvis=1, Nej=0)\",\n     unit: ja/nej")
    msg = _error(catalogue_copy)
    assert "(id: U37518).target: målregeln 'ja = 2 (delvis = 1, nej = 0)' (skala 0–2) kräver unit: index" in msg


def test_error_message_has_english_too(catalogue_copy):
    _edit(catalogue_copy, "indicators.yaml", "- {id: plac_sis,", "- {id: plac_hvb_unga,")
    with pytest.raises(CatalogueError) as info:
        load_catalogue(catalogue_copy)
    assert info.value.en.startswith("Catalogue file ")
