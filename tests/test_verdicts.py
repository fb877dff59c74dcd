"""Official and computed verdicts: the area rules, which verdict is in force, why official and
computed differ, the store's history and audit, roles, the migration of the old tables, the area
rule in plans.yaml, what is not assessed, and the default period."""

import html
import re
from datetime import date

import duckdb
import pytest

from asn_dash import annotations
from asn_dash.app import render
from asn_dash.auth import PermissionDenied, User
from asn_dash.catalogue import CatalogueError, load_catalogue
from asn_dash.colours import label
from asn_dash.rules import verdicts
from asn_dash.rules.assessment import NA
from asn_dash.rules.periods import parse_key
from asn_dash.rules.verdicts import (
    ALL_GREEN,
    AREA,
    GOAL,
    INDICATOR,
    MAJORITY,
    NO_BEDOMNING,
    NO_TARGET,
    NO_VALUE,
    REPORT,
    STANDARD,
    Computed,
    OfficialVerdict,
    area_colour,
    area_verdict,
    explain,
    in_force,
)
from asn_dash.services import evaluation
from asn_dash.store import queries
from asn_dash.store.setup import open_store
from asn_dash.store.store import migrate

from .ingest_helpers import update_values

ANNA = User("anna", "Anna Analytiker", "analytiker")
BO = User("bo", "Bo Bengtsson", "analytiker")
LISA = User("lisa", "Lisa Läsare", "läsare")
T2 = parse_key("2025-T2")


def official(id_, level, target, period, colour, *, text=None, origin=verdicts.ANALYST, withdrawn=False, unit=None):
    return OfficialVerdict(id_, int(period[:4]), level, target, period, colour, text, origin,
                           "004 Tertialrapport T2 2025 · tabell" if origin == REPORT else None,
                           None if origin == REPORT else "Anna Analytiker (anna)", date(2025, 9, 5), unit, withdrawn)


# --- the area rules --------------------------------------------------------------------------------

@pytest.mark.parametrize("rule, colours, expected, reason", [
    (STANDARD, ["Röd", "Grön"], "Gul", "1 av 2 bedömda indikatorer röd, 1 grön: röd hindrar Grön"),
    (STANDARD, ["Röd", "Röd", "Grön", "—"], "Röd", "2 av 3 bedömda indikatorer röda, 1 grön: fler röda än gröna"),
    (STANDARD, ["Grön", "Grön", "Gul"], "Grön", "2 av 3 bedömda indikatorer gröna, 1 gul: minst två tredjedelar"),
    (STANDARD, ["Grön", "Gul", "Gul"], "Gul", "2 av 3 bedömda indikatorer gula, 1 grön: färre än två tredjedelar"),
    (MAJORITY, ["Grön", "Grön", "Röd"], "Grön", "2 av 3 bedömda indikatorer gröna, 1 röd: flest ger färgen"),
    (MAJORITY, ["Grön", "Röd"], "Röd", "1 av 2 bedömda indikatorer röd, 1 grön: lika många; den sämre"),
    (ALL_GREEN, ["Grön", "Grön", "Gul"], "Gul", "1 av 3 bedömda indikatorer gul, 2 gröna: inte alla gröna"),
    (ALL_GREEN, ["Grön", "Röd", "Grön"], "Röd", "1 av 3 bedömda indikatorer röd, 2 gröna: någon röd ger Röd"),
    (ALL_GREEN, ["Grön", "—"], "Grön", "1 av 1 bedömda indikatorer grön: alla gröna ger Grön"),
    (STANDARD, ["—", "—"], "—", "ingen av 2 indikatorer är bedömd"),
])
def test_area_rules_give_colour_and_reason(rule, colours, expected, reason):
    computed = area_verdict(colours, rule)
    assert computed.colour == expected
    assert computed.reason.startswith(reason)


def test_the_default_rule_is_todays_area_colour():
    for colours in (["Röd", "Grön"], ["Grön", "Grön", "Gul"], ["Röd", "Röd", "Grön"], ["—"], []):
        assert area_colour(colours) == area_verdict(colours, STANDARD).colour


def test_an_unknown_area_rule_is_refused():
    with pytest.raises(ValueError, match="okänd områdesregel 'flest'"):
        area_verdict(["Grön"], "flest")


# --- official beside computed ----------------------------------------------------------------------

def test_explain_says_why_official_and_computed_differ():
    report = official(1, AREA, "hallbarhet", "2025-T2", "Grön", origin=REPORT,
                      text="Målet förväntas uppfyllas under året trots att antalet bidragshushåll ökat något. Mer.")
    computed = Computed("Röd", "1 av 2 bedömda indikatorer röd, 1 grön: …")
    assert explain(report, computed) == (
        "Beräknad: Röd – 1 av 2 bedömda indikatorer röd, 1 grön: …; förvaltningens bedömning: Grön – Målet "
        "förväntas uppfyllas under året trots att antalet bidragshushåll ökat något.")
    assert explain(report, Computed("Grön", "…")) is None  # they agree
    assert explain(None, computed) is None  # nothing official
    bare = official(2, AREA, "ekonomi", "2025-T2", "Grön", origin=REPORT)
    assert explain(bare, computed).endswith("förvaltningens bedömning: Grön – enligt 004 Tertialrapport T2 2025")
    assert explain(official(3, AREA, "ekonomi", "2025-T2", None, text="●", origin=REPORT), computed) is None


def test_the_newest_verdict_supersedes_and_a_withdrawn_one_stops_counting():
    rows = [official(1, AREA, "ekonomi", "2025-T2", "Röd", origin=REPORT),
            official(2, AREA, "ekonomi", "2025-T2", "Gul"),
            official(3, AREA, "ekonomi", "2025-T2", "Grön", withdrawn=True),
            official(4, AREA, "ekonomi", "2025-T1", "Grön"),
            official(5, AREA, "ekonomi", "2025-T2", "Grön", unit="cai")]
    assert in_force(rows, T2)[(AREA, "ekonomi")].id == 2
    assert in_force(rows, T2, unit_id="cai")[(AREA, "ekonomi")].id == 5
    assert in_force(rows[:1] + rows[2:3], T2)[(AREA, "ekonomi")].id == 1  # back to the report's
    assert (AREA, "ekonomi") not in in_force(rows, parse_key("2025-08"))  # per period


def test_a_bedomning_of_a_manuell_indicator_stands_until_a_newer_period_gets_one():
    rows = [official(1, INDICATOR, "vald_fragor", "2025-T1", "Gul"),
            official(2, INDICATOR, "vald_fragor", "2025-06", "Grön"),
            official(3, INDICATOR, "hushall_ekb", "2025-T1", "Gul")]
    carried = in_force(rows, T2, carry=["vald_fragor"])
    assert carried[(INDICATOR, "vald_fragor")].id == 2  # the latest period ending by T2's end
    assert (INDICATOR, "hushall_ekb") not in carried  # a rule-based indicator's verdict is per period
    assert (INDICATOR, "vald_fragor") not in in_force(rows, parse_key("2025-03"), carry=["vald_fragor"])
    assert (INDICATOR, "vald_fragor") not in in_force(rows, parse_key("2026-T2"), carry=["vald_fragor"])


def test_an_official_indicator_verdict_keeps_the_computed_one_beside_it():
    from asn_dash.rules.assessment import Assessment

    computed = Assessment("Röd", "389 jan–aug 2025 mot 374 samma period 2024, +4 %; målet är minskning → Röd")
    shown = verdicts.apply(computed, official(7, INDICATOR, "hushall_ekb", "2025-T2", "Gul",
                                              text="Engångshändelse i juni."), manual=False)
    assert (shown.colour, shown.computed_colour, shown.overridden) == ("Gul", "Röd", True)
    assert shown.reason == ("Förvaltningens bedömning (Anna Analytiker (anna) 2025-09-05): Engångshändelse i juni. "
                            "Beräknad: Röd – 389 jan–aug 2025 mot 374 samma period 2024, +4 %; målet är minskning → Röd")
    assert verdicts.apply(computed, None, manual=False) is computed
    text_only = official(8, INDICATOR, "hushall_ekb", "2025-T2", None, text="●", origin=REPORT)
    assert verdicts.apply(computed, text_only, manual=False) is computed


# --- on the seeded store: T2 2025 as 004 prints it ---------------------------------------------------

def test_t2_2025_official_verdicts_are_the_reports_with_the_computed_ones_beside_them(s):
    _, areas = evaluation.plan_results(s, 2025, T2)
    assert [a.name for a in areas] == ["Trygghet", "Hållbarhet", "Ekonomi", "Kvalitet", "Medarbetare"]
    assert [a.verdict for a in areas] == ["Grön", "Grön", "Röd", "Grön", "Grön"]  # 004: GRÖN GRÖN RÖD GRÖN GRÖN
    assert [a.colour for a in areas] == ["—", "Gul", "—", "—", "Gul"]  # the rule
    by_name = {a.name: a for a in areas}
    assert by_name["Hållbarhet"].explanation.startswith(
        "Beräknad: Gul – 1 av 3 bedömda indikatorer röd, 2 gröna: röd hindrar Grön")
    assert "förvaltningens bedömning: Grön" in by_name["Hållbarhet"].explanation
    assert by_name["Ekonomi"].explanation.startswith(
        "Beräknad: Ej bedömd – ingen av 4 indikatorer är bedömd; förvaltningens bedömning: Röd – Förvaltningen "
        "prognostiserar ett betydande underskott")  # "why is Ekonomi red": the report's own reason
    assert by_name["Medarbetare"].official.text.startswith("Det systematiska arbetsmiljöarbetet")  # 004, verbatim
    assert by_name["Trygghet"].official.by == "004 Tertialrapport T2 2025"
    assert [g.name for g in by_name["Hållbarhet"].goals] == [
        "Nämnden ska verka för att fler ska vara självförsörjande",
        "Nämnden ska verka för hållbara lösningar för att minska klimatpåverkan"]
    assert [g.colour for g in by_name["Hållbarhet"].goals] == ["Gul", "—"]


def test_what_is_not_assessed_is_grouped_by_cause(s):
    results, _ = evaluation.plan_results(s, 2025, T2)
    causes = {}
    for r in results:
        causes.setdefault(r.cause, []).append(r.indicator_id)
    assert len(results) - len(causes[None]) == 30  # of 35
    assert {"vald_fragor", "samverkan_civilsamhalle", "kkik_ifo"} <= set(causes[NO_BEDOMNING])
    assert {"brukar_svarsfrekvens", "egen_forsorjning", "frisktal"} <= set(causes[NO_VALUE])
    assert {"enheter_mal_trygghet", "ekb_aktivitet", "ej_verkstallda"} <= set(causes[NO_TARGET])
    assert set(causes[None]) == {"hushall_ekb", "barnfamiljer_ekb", "hushall_ekb_10man", "sjukfranvaro",
                                 "personalomsattning"}


def test_an_analytikers_bedomning_is_an_official_verdict_with_author_date_audit_and_history(s):
    first = annotations.set_verdict(s, ANNA, 2025, INDICATOR, "vald_fragor", "2025-T2", "Gul",
                                    "Frågor ställs i de flesta ärenden.")
    second = annotations.set_verdict(s, BO, 2025, INDICATOR, "vald_fragor", "2025-T2", "Grön", "Frågor ställs i alla ärenden.")
    results, areas = evaluation.plan_results(s, 2025, T2)
    vald = next(r for r in results if r.indicator_id == "vald_fragor")
    assert (vald.assessment.colour, vald.verdict_id, vald.cause) == ("Grön", second, None)
    assert vald.official.author == "Bo Bengtsson (bo)" and vald.official.decided_on == date.today()
    assert vald.assessment.reason.startswith("Förvaltningens bedömning (Bo Bengtsson (bo) ")
    assert next(a for a in areas if a.name == "Trygghet").counts["Grön"] == 1  # it counts for the målområde
    log = annotations.audit_log(s)
    assert log[["user_name", "action", "target"]].values.tolist()[:2] == [
        ["bo", "bedömning", "indikator vald_fragor 2025-T2 (2025)"],
        ["anna", "bedömning", "indikator vald_fragor 2025-T2 (2025)"]]
    history = annotations.verdict_history(s, 2025, INDICATOR, "vald_fragor")
    assert history[["Bedömning", "Motivering", "Av", "Status"]].values.tolist() == [
        ["Grön", "Frågor ställs i alla ärenden.", f"Bo Bengtsson (bo) {date.today():%Y-%m-%d}", "gäller"],
        ["Gul", "Frågor ställs i de flesta ärenden.", f"Anna Analytiker (anna) {date.today():%Y-%m-%d}", "ersatt"],
        ["–", "●", "004 Tertialrapport T2 2025", "ersatt"]]  # the report printed ● without a colour
    annotations.withdraw_verdict(s, ANNA, second)
    history = annotations.verdict_history(s, 2025, INDICATOR, "vald_fragor")
    assert history["Status"].tolist() == ["återtagen av Anna Analytiker (anna)", "gäller", "ersatt"]
    assert history["id"].tolist()[:2] == [second, first]
    assert s.scalar("SELECT count(*) FROM verdicts WHERE target_id = 'vald_fragor'") == 3  # nothing deleted


def test_an_analytiker_sets_a_malomrade_verdict_and_withdrawing_it_restores_the_reports(s):
    new = annotations.set_verdict(s, ANNA, 2025, AREA, "ekonomi", "2025-T2", "Gul",
                                  "Åtgärdsplanen ger effekt under hösten.")
    _, areas = evaluation.plan_results(s, 2025, T2)
    ekonomi = next(a for a in areas if a.name == "Ekonomi")
    assert (ekonomi.verdict, ekonomi.official.by) == ("Gul", f"Anna Analytiker (anna) {date.today():%Y-%m-%d}")
    assert ekonomi.explanation.startswith("Beräknad: Ej bedömd – ingen av 4 indikatorer är bedömd; förvaltningens "
                                          "bedömning: Gul – Åtgärdsplanen ger effekt under hösten.")
    annotations.withdraw_verdict(s, ANNA, new)
    _, areas = evaluation.plan_results(s, 2025, T2)
    assert next(a for a in areas if a.name == "Ekonomi").official.origin == REPORT
    report_id = s.scalar("SELECT id FROM verdicts WHERE origin = 'rapport' AND target_id = 'ekonomi'"
                         " AND period = '2025-T2'")
    with pytest.raises(annotations.AnnotationError, match="kommer från en publicerad rapport"):
        annotations.withdraw_verdict(s, ANNA, report_id)


def dump(s) -> list:
    return s.query("SELECT * FROM verdicts ORDER BY id").values.tolist() + \
        s.query("SELECT * FROM audit_log ORDER BY id").values.tolist()


@pytest.mark.parametrize("args, message", [
    ((2025, AREA, "okant", "2025-T2", "Grön", "x"), "Målområdet 'okant' finns inte i planen för 2025."),
    ((2025, GOAL, "klimat", "2024-T2", "Grön", "x"), "Perioden T2 2024 hör inte till planåret 2025."),
    ((2025, INDICATOR, "nope", "2025-T2", "Grön", "x"), "Okänd indikator 'nope'."),
    ((2025, INDICATOR, "plac_hvb_unga", "2025-T2", "Grön", "x"), "Indikatorn 'plac_hvb_unga' finns inte i planen"),
    ((2025, AREA, "ekonomi", "2025-T2", "Blå", "x"), "Ogiltig färg 'Blå'"),
    ((2025, AREA, "ekonomi", "2025-T2", "Grön", "  "), "Motiveringen saknas."),
    ((2025, "enhet", "cai", "2025-T2", "Grön", "x"), "Okänd nivå 'enhet'"),
    ((2025, AREA, "ekonomi", "2025-T7", "Grön", "x"), "Ogiltig period '2025-T7'"),
])
def test_bad_verdicts_are_refused_with_a_clear_message_and_nothing_written(s, args, message):
    before = dump(s)
    with pytest.raises(annotations.AnnotationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        annotations.set_verdict(s, ANNA, *args)
    assert dump(s) == before


def test_a_lasare_cannot_set_or_withdraw_verdicts(s):
    before = dump(s)
    with pytest.raises(PermissionDenied, match="Lisa Läsare har rollen läsare"):
        annotations.set_verdict(s, LISA, 2025, AREA, "ekonomi", "2025-T2", "Grön", "Det går bra.")
    verdict = annotations.set_verdict(s, ANNA, 2025, AREA, "ekonomi", "2025-T2", "Gul", "Åtgärder pågår.")
    with pytest.raises(PermissionDenied):
        annotations.withdraw_verdict(s, LISA, verdict)
    assert len(dump(s)) == len(before) + 2  # Anna's verdict and its audit row only


def test_unit_verdicts_give_the_share_of_units_reaching_their_goals(s):
    units = annotations.unit_verdicts(s, 2021, parse_key("2021"))
    medarbetare = units[units["goal_area_id"] == "medarbetare"]
    assert len(medarbetare) == 10 and (medarbetare["colour"] == "Grön").sum() == 4  # 001: 40 %
    assert annotations.unit_verdicts(s, 2025, T2).empty


# --- the migration of the old tables ------------------------------------------------------------------

def test_version_7_statuses_overrides_and_published_colours_move_into_verdicts_keeping_their_meaning(tmp_path):
    path = tmp_path / "v7.duckdb"
    con = duckdb.connect(str(path))
    migrate(con, path, target=7)
    con.execute("INSERT INTO units VALUES ('aos', true), ('cai', false)")
    con.executemany("INSERT INTO published_assessments VALUES (?,?,?,?,?,?)", [
        [2025, "ekonomi", "aos", "2025-T2", "Röd", "004 Tertialrapport T2 2025"],
        [2021, "medarbetare", "cai", "2021", "Gul", "001 Verksamhetsberättelse 2021"]])
    con.execute("INSERT INTO manual_statuses (indicator_id, period, colour, text, author, created_at)"
                " VALUES ('vald_fragor', '2025-T1', 'Gul', 'Delvis.', 'anna', TIMESTAMP '2025-05-02 10:00')")
    con.execute("INSERT INTO assessment_overrides (plan_year, indicator_id, period, colour, comment, author,"
                " created_at, withdrawn_at, withdrawn_by) VALUES"
                " (2025, 'hushall_ekb', '2025-T2', 'Gul', 'Engångshändelse i juni.', 'bo', TIMESTAMP '2025-09-03 09:00',"
                "  NULL, NULL),"
                " (2025, 'sjukfranvaro', '2025-T2', 'Röd', 'Fel i underlaget.', 'bo', TIMESTAMP '2025-09-04 09:00',"
                "  TIMESTAMP '2025-09-05 09:00', 'ada')")
    con.close()

    s = open_store(path)  # migration 8 runs, then the catalogue is synced
    try:
        assert s.scalar("SELECT max(version) FROM schema_version") == 8
        tables = set(s.query("SELECT table_name FROM information_schema.tables")["table_name"])
        assert not {"published_assessments", "manual_statuses", "assessment_overrides"} & tables
        rows = s.query("SELECT plan_year, level, target_id, unit_id, period, colour, text, origin, author,"
                       " withdrawn_by FROM verdicts ORDER BY id").fillna("").values.tolist()
        assert rows == [
            [2021, "målområde", "medarbetare", "cai", "2021", "Gul", "", "rapport", "", ""],
            [2025, "målområde", "ekonomi", "", "2025-T2", "Röd", "", "rapport", "", ""],
            [2025, "indikator", "vald_fragor", "", "2025-T1", "Gul", "Delvis.", "analytiker", "anna", ""],
            [2025, "indikator", "hushall_ekb", "", "2025-T2", "Gul", "Engångshändelse i juni.", "analytiker", "bo", ""],
            [2025, "indikator", "sjukfranvaro", "", "2025-T2", "Röd", "Fel i underlaget.", "analytiker", "bo", "ada"]]
        results, areas = evaluation.plan_results(s, 2025, T2)
        r = {x.indicator_id: x for x in results}
        assert r["vald_fragor"].assessment.colour == "Gul"  # the T1 status still stands at T2, as before
        assert (r["hushall_ekb"].assessment.colour, r["hushall_ekb"].verdict_id) == ("Gul", 4)  # an override
        assert r["sjukfranvaro"].official is None  # withdrawn stays withdrawn
        assert next(a for a in areas if a.goal_area_id == "ekonomi").published_colour == "Röd"
        aug = {x.indicator_id: x for x in evaluation.plan_results(s, 2025, parse_key("2025-08"))[0]}
        assert aug["hushall_ekb"].official is None  # an override holds for its period only
        assert annotations.unit_verdicts(s, 2021, parse_key("2021"))["unit_id"].tolist() == ["cai"]
        assert set(s.query("SELECT area_rule FROM plan_years")["area_rule"]) == {STANDARD}
    finally:
        s.close()


# --- the area rule in plans.yaml ---------------------------------------------------------------------

def test_the_area_rule_is_read_from_plans_yaml_and_used_for_the_computed_suggestion(catalogue_copy, tmp_path,
                                                                                    monkeypatch):
    plans = catalogue_copy / "plans.yaml"
    plans.write_text(plans.read_text(encoding="utf-8").replace("area_rule: standard", "area_rule: all_green", 1),
                     encoding="utf-8")
    monkeypatch.setenv("ASN_CATALOGUE", str(catalogue_copy))
    s = open_store(tmp_path / "rule.duckdb")
    try:
        assert s.scalar("SELECT area_rule FROM plan_years WHERE year = 2025") == ALL_GREEN
        assert s.scalar("SELECT area_rule FROM plan_years WHERE year = 2024") == STANDARD  # not given: default
        _, areas = evaluation.plan_results(s, 2025, T2)
        hallbarhet = next(a for a in areas if a.name == "Hållbarhet")
        assert (hallbarhet.colour, hallbarhet.verdict) == ("Röd", "Grön")  # 2 gröna, 1 röd: någon röd ger Röd
        assert hallbarhet.reason.endswith("någon röd ger Röd")
    finally:
        s.close()


def test_a_bad_area_rule_names_file_line_and_the_allowed_rules(catalogue_copy):
    plans = catalogue_copy / "plans.yaml"
    text = plans.read_text(encoding="utf-8").replace("area_rule: standard", "area_rule: flest_gröna", 1)
    plans.write_text(text, encoding="utf-8")
    line = text.splitlines().index("    area_rule: flest_gröna") + 1
    with pytest.raises(CatalogueError) as err:
        load_catalogue(catalogue_copy)
    assert f"plans.yaml, rad {line}: plans[1].area_rule: okänd områdesregel 'flest_gröna'; använd standard, " \
           f"majority, all_green" in str(err.value)


# --- the default period -------------------------------------------------------------------------------

def test_the_latest_reported_period_is_t2_2025_and_exempeldata_never_moves_it(s):
    reported = queries.latest_reported(s)
    assert reported[2025].key == "2025-T2"  # demo months run to dec 2025, the sommarjobb figure is "2025"
    assert reported[2021].key == "2021"
    assert s.scalar("SELECT max(period_end) FROM observations WHERE source = 'exempeldata'") == date(2025, 12, 31)


def test_an_upload_for_a_later_month_becomes_the_default(s):
    update_values(s.con, "source = 'uppladdning', value = 401", "v.indicator_id = 'hushall_ekb' AND v.period = '2025-09'")
    assert queries.latest_reported(s)[2025].key == "2025-09"


# --- how the verdicts are drawn (asn_dash/app/render.py) ------------------------------------------

def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def test_the_projector_shows_each_verdict_and_its_computed_colour_without_the_texts(s):
    _, areas = evaluation.plan_results(s, 2025, T2)
    full, brief = _text(render.area_cards(areas)), _text(render.area_cards(areas, brief=True))
    assert "Förvaltningen prognostiserar ett betydande underskott" in full
    assert "prognostiserar" not in brief and "004 Tertialrapport" not in brief
    assert f"Hållbarhet {label('Grön')} Beräknad: {label('Gul')} {label('Grön')} 2" in brief
    assert f"Ekonomi {label('Röd')} Beräknad: {label(NA)} {label('Grön')} 0" in brief


def test_the_month_grid_marks_computed_months_only_where_official_ones_are_beside_them(s):
    grid = evaluation.month_grid(s, evaluation.load_plan(s, 2025, *evaluation.month_periods(2025, 8)), 8)
    assert not grid.official.to_numpy().any()  # 2025: no monthly verdicts in the reports
    shown = render.month_grid(grid)
    assert 'title="beräknad"' not in shown
    assert "Alla månader är beräknade enligt regeln" in _text(shown)
    grid.official.iloc[0, 0] = True  # one official month: the others are marked
    shown = render.month_grid(grid)
    assert shown.count('title="beräknad"') == grid.official.size - 1 and "* beräknad enligt regeln" in shown
    assert 'title="beräknad"' not in render.month_grid(grid, brief=True)
    assert "beräknad enligt regeln" not in render.month_grid(grid, brief=True)
    official = evaluation.month_grid(s, evaluation.load_plan(s, 2021, *evaluation.month_periods(2021, 12)), 12)
    assert official.official.to_numpy().all()  # 2021: 001's grid, every month
    assert "beräknad" not in render.month_grid(official)


def test_overviews_html_escapes_every_text_and_links_in_app(s):
    """Översikt's view (asn_dash/app/overview.py): names and texts from outside stay text, each
    indicator is an in-app link carrying the view, and there is no script in any fragment."""
    from dataclasses import replace

    from asn_dash.app import overview

    results, areas = evaluation.plan_results(s, 2025, T2)
    hostile = '<img src=x onerror="alert(1)"> & "Hushåll"'
    results = [replace(r, name=hostile) if r.indicator_id == "hushall_ekb" else r for r in results]
    view = overview.build(results, areas, queries.plan(s, 2025), {}, annotations.unit_verdicts(s, 2025, T2),
                          evaluation.month_grid(s, evaluation.load_plan(s, 2025, *evaluation.month_periods(2025, 8)),
                                                8), 2025, T2)
    fragments = [view["cards"], view["grid"], *(a["html"] for a in view["areas"])]
    assert not any("<img" in f or "<script" in f.lower() for f in fragments)
    hallbarhet = next(a for a in view["areas"] if a["id"] == "hallbarhet")
    assert (f'<a class="asn-nav" href="indikator?indikator=hushall_ekb&amp;planar=2025&amp;period=2025-T2">'
            f'{html.escape(hostile)}</a>') in hallbarhet["html"]
    trygghet = next(a for a in view["areas"] if a["id"] == "trygghet")
    assert ("vald_fragor", "Frågor om våld ställs i alla ärenden") in trygghet["no_verdict"]
    assert "Ej bedömda i Trygghet: 7 av 7 indikatorer" in _text(trygghet["html"])
