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
    for (year, goal, indicator), rule in rules.items():
        assert parse_target(rule.text) == rule


def test_plans_have_the_reports_structure(cat):
    by_year = {p.year: p for p in cat.plans}
    assert [a.name for a in by_year[2025].goal_areas] == ["Trygghet", "Hållbarhet", "Ekonomi", "Kvalitet", "Medarbetare"]
    assert len(by_year[2024].goal_areas) == 4
    targets = {(y, i): r.text for (y, g, i), r in cat.target_rules().items()}
    assert targets[(2025, "hushall_ekb")] == "minska jämfört med 2024"
    assert targets[(2024, "sjukfranvaro")] == "minska jämfört med 2023"
    assert targets[(2020, "sjukfranvaro_kort")] == "högst 4 %"


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


def test_error_message_has_english_too(catalogue_copy):
    _edit(catalogue_copy, "indicators.yaml", "- {id: plac_sis,", "- {id: plac_hvb_unga,")
    with pytest.raises(CatalogueError) as info:
        load_catalogue(catalogue_copy)
    assert info.value.en.startswith("Catalogue file ")
