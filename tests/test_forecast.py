"""The forecast engine on series whose year outcome is known from the maths; the forecast on the
pages and in the meeting papers."""

import io
import json
import math
import re

import numpy as np
import pandas as pd
import pytest

from asn_dash.rules import forecast as fc
from asn_dash.rules import outlook
from asn_dash.rules.periods import parse_key
from asn_dash.rules.targets import parse_target
from asn_dash.services import outlook as outlook_reads

from .apptest import new_app


def months(first: str, last: str) -> pd.PeriodIndex:
    return pd.period_range(first, last, freq="M")


def linear(first="2021-01", last="2025-04", start=100.0, step=2.0) -> pd.Series:
    idx = months(first, last)
    return pd.Series(start + step * np.arange(len(idx)), index=idx)


def seasonal(first="2021-01", last="2025-04") -> pd.Series:
    idx = months(first, last)
    return pd.Series([50 + 10 * math.sin(2 * math.pi * p.month / 12) for p in idx], index=idx)


def test_drift_continues_a_line_exactly_with_no_spread():
    # 2021-01 = 100, +2 a month: 2025-m is 100 + 2 * (47 + m); the 2025 mean is 207, December 218.
    f = fc.forecast_year(linear(), 2025, method=fc.DRIFT)
    assert f.recorded_months == 4 and f.method == fc.DRIFT
    mean = f.outcome("mean")
    assert mean.value == pytest.approx(207.0) and mean.low == pytest.approx(207.0) and mean.high == pytest.approx(207.0)
    assert f.outcome("last").value == pytest.approx(218.0)
    assert f.outcome("sum").value == pytest.approx(12 * 207.0)
    assert [m for m, *_ in f.months()] == list(range(5, 13))


def test_recorded_months_are_kept_and_only_the_rest_forecast():
    rng = np.random.default_rng(7)
    history = linear() + rng.normal(0, 3, len(linear()))  # noisy: the future is uncertain
    f = fc.forecast_year(history, 2025)
    assert list(f.point[:4]) == list(history["2025-01":"2025-04"])
    assert (f.paths[:, :4] == f.point[:4]).all()  # no spread on what is known
    spread = f.paths[:, 4:].std(axis=0)
    assert (spread > 0.5).all(), spread  # every month still to come has a real spread …
    assert spread[-1] > spread[0], spread  # … that grows towards December


def test_ets_follows_a_line_closely():
    f = fc.forecast_year(linear(), 2025)
    assert f.method == fc.ETS and f.model.startswith("ETS")
    assert f.outcome("mean").value == pytest.approx(207.0, rel=1e-3)


def test_pure_seasonal_series_is_reproduced_by_ets_and_by_the_same_month_baseline():
    truth = np.array([50 + 10 * math.sin(2 * math.pi * m / 12) for m in range(1, 13)])
    for method in (None, fc.SAME_MONTH):
        f = fc.forecast_year(seasonal(), 2025, method=method)
        assert f.point == pytest.approx(truth, abs=1e-6)
        out = f.outcome("mean")
        assert out.value == pytest.approx(50.0, abs=1e-6)
        assert out.high - out.low == pytest.approx(0.0, abs=1e-6)
    assert fc.forecast_year(seasonal(), 2025).model in ("ETS ANA", "ETS AAdA")  # two full years: seasonal


def test_short_series_fall_back():
    assert fc.forecast_year(linear("2025-01", "2025-02"), 2025) is None  # too short to model
    six = fc.forecast_year(linear("2024-11", "2025-04"), 2025)  # 100 … 110: the last value, 110, carried on
    assert six.method == fc.LAST_VALUE and six.outcome("last").value == pytest.approx(110)
    assert six.outcome("mean").value == pytest.approx((104 + 106 + 108 + 110 * 9) / 12)
    eighteen = fc.forecast_year(linear("2024-01", "2025-06"), 2025)
    assert eighteen.method == fc.ETS and eighteen.model in ("ETS ANN", "ETS AAdN")  # no seasonal form yet
    assert fc.forecast_year(linear("2025-03", "2025-08"), 2025) is None  # the year's first months unknown
    assert fc.forecast_year(linear("2020-01", "2023-06"), 2025) is None  # history ends too long before


def test_a_complete_year_is_its_outcome():
    history = linear("2023-01", "2025-12")
    f = fc.forecast_year(history, 2025)
    assert f.method == fc.KNOWN and f.complete
    out = f.outcome("mean")
    assert out.value == out.low == out.high == pytest.approx(history["2025-01":"2025-12"].mean())


def test_gaps_inside_the_history_are_interpolated():
    history = linear().drop([pd.Period("2024-06", freq="M"), pd.Period("2025-02", freq="M")])
    f = fc.forecast_year(history, 2025, method=fc.DRIFT)
    assert f.recorded_months == 4 and f.point[1] == pytest.approx(100 + 2 * 49)
    assert f.outcome("mean").value == pytest.approx(207.0)


def test_bounds_keep_simulated_values_in_range():
    idx = months("2022-01", "2025-04")
    rng = np.random.default_rng(1)
    history = pd.Series(np.clip(1 + rng.normal(0, 1.5, len(idx)), 0, None), index=idx)
    f = fc.forecast_year(history, 2025, lower=0.0)
    assert f.paths.min() >= 0.0
    share = pd.Series(np.clip(98 + rng.normal(0, 3, len(idx)), 0, 100), index=idx)
    assert fc.forecast_year(share, 2025, lower=0.0, upper=100.0).paths.max() <= 100.0


def test_the_band_narrows_as_the_year_is_recorded_and_the_scale_widens_it():
    idx = months("2020-01", "2025-12")
    rng = np.random.default_rng(7)
    history = pd.Series(200 + np.cumsum(rng.normal(0, 3, len(idx))), index=idx)
    april = fc.forecast_year(history[:"2025-04"], 2025, method=fc.LAST_VALUE).outcome("mean")
    august = fc.forecast_year(history[:"2025-08"], 2025, method=fc.LAST_VALUE).outcome("mean")
    assert august.width < april.width
    f = fc.forecast_year(history[:"2025-04"], 2025, method=fc.LAST_VALUE, scale=1.0)
    wide = f.rescaled(2.0).outcome("mean")
    narrow = f.outcome("mean")
    assert wide.value == narrow.value
    assert wide.width == pytest.approx(2 * narrow.width, rel=1e-9)


def test_same_seed_same_forecast():
    a = fc.forecast_year(seasonal() + linear() / 10, 2025).outcome("mean")
    b = fc.forecast_year(seasonal() + linear() / 10, 2025).outcome("mean")
    assert (a.value, a.low, a.high) == (b.value, b.low, b.high)


def outcome(samples):
    samples = np.sort(np.asarray(samples, dtype=float))
    return fc.Outcome(float(np.median(samples)), float(samples[0]), float(samples[-1]), samples)


def test_probability_per_rule_kind():
    out = outcome(np.arange(1, 101))  # 1 … 100, each once
    assert out.probability(parse_target("högst 25")) == pytest.approx(0.25)
    assert out.probability(parse_target("minst 91")) == pytest.approx(0.10)
    assert out.probability(parse_target("minska jämfört med 2024"), 40) == pytest.approx(0.39)  # < 40
    assert out.probability(parse_target("öka jämfört med 2024"), 40) == pytest.approx(0.60)  # > 40
    assert out.probability(parse_target("behålla eller öka jämfört med 2024"), 40) == pytest.approx(0.61)
    assert out.probability(parse_target("minska jämfört med 2024"), None) is None
    assert outcome([-3, -1, 0, 2]).probability(parse_target("inom budget (gul under 2 %)")) == pytest.approx(0.5)
    assert out.probability(parse_target("manuell")) is None
    assert out.probability(parse_target("kvartil")) is None


def test_weighted_outcome_is_a_cost():
    f = fc.forecast_year(linear("2023-01", "2025-12", start=5, step=0), 2025)
    days = fc.days_in_months(2025)
    assert days.sum() == 365
    cost = f.outcome("sum", weights=days * 1000.0)  # 5 a day all year at 1 000 kr
    assert cost.value == pytest.approx(5 * 365 * 1000)


def test_tertial_indicator_from_its_latest_tertial():
    # Earlier years: the full year was 1.0 and 2.0 above T2 → +1.5 on average.
    values = {"2023-T2": 10.0, "2023": 11.0, "2024-T2": 9.0, "2024": 11.0, "2025-T1": 8.0, "2025-T2": 7.0}
    out = fc.tertial_outcome(values, 2025)
    assert out.value == pytest.approx(8.5)
    assert out.low < 8.5 < out.high
    assert fc.tertial_outcome({"2025-T2": 7.0, "2024-T2": 9.0, "2024": 11.0}, 2025) is None  # one earlier year
    assert fc.tertial_outcome({**values, "2025": 9.9}, 2025).value == 9.9  # the year is reported


def test_monthly_series_from_keys():
    s = fc.monthly_series({"2025-03": 3.0, "2025-01": 1.0})
    assert list(s.index.astype(str)) == ["2025-01", "2025-02", "2025-03"]
    assert s.iloc[1] == pytest.approx(2.0)


# --- the view model, the pages and the meeting material on a seeded store ------------------------

T2 = parse_key("2025-T2")
SENTENCE = re.compile(r"^Prognos helår 2025: (\d+) \(80 %: (\d+)–(\d+)\)\. Målet \(minska jämfört med 2024: (\d+)\) "
                      r"(nås troligen|nås troligen inte|är osäkert) \(sannolikhet (≈ \d+ %|under 5 %|över 95 %)\)\.$")


def plain(text: str) -> str:
    return text.replace("\\", "").replace("\u00a0", " ")


def test_plan_outlooks_for_t2_2025(s):
    found = outlook_reads.plan_outlooks(s, 2025, T2)
    # Monthly and tertial indicators with a target a number can meet; yearly ones and manual ones not.
    assert {"hushall_ekb", "barnfamiljer_ekb", "hushall_ekb_10man", "sjukfranvaro", "personalomsattning"} <= set(found)
    assert "frisktal" not in found and "vald_fragor" not in found
    ekb = found["hushall_ekb"]
    # Jan–aug 2025 averaged 389 (published); 2024 averaged below 376. For the year to end below
    # 2024, sep–dec would have to average about 347, far below any month since 2021.
    assert ekb.reference < 376 and ekb.verdict == outlook.NO and ekb.probability < 0.05
    m = SENTENCE.match(plain(ekb.sentence()))
    assert m and int(m[2]) <= int(m[1]) <= int(m[3]) and m[5] == "nås troligen inte"
    assert ekb.is_demo and ekb.marker == "Prognos: ✖ nås troligen inte (⚠ Exempeldata)"
    # Its months are exempeldata: no real record, so neither the method nor the band is validated.
    assert not ekb.to_dict()["validated"] and "för kort historik för att mäta träffsäkerheten" in ekb.to_dict()["basis"]
    assert ekb.record.cases == 0 and ekb.record.demo_excluded == 10
    assert [b[0] for b in ekb.band] == [9, 10, 11, 12] and ekb.last_point[0] == 8
    # Barnfamiljer: 128 on average jan–aug 2025 against about 149 in 2024: reached whatever sep–dec do.
    assert found["barnfamiljer_ekb"].verdict == outlook.YES
    assert outlook_reads.plan_outlooks(s, 2025, parse_key("2025")) == {}  # the year is over: its outcome is known


def test_goal_texts_and_probability_words():
    assert outlook.probability_text(0.251) == "≈\u00a025\u00a0%" and outlook.probability_text(0.01) == "under 5\u00a0%"
    assert outlook.interval(-1.24, 0.81, "procent") == "−1,2 till 0,8\u00a0%"
    o = outlook.Outlook("x", "X", "procent", 2025, parse_target("minst 60 % (gul från 40 %)"), outcome([50, 70, 80]),
                        "ETS ANN", (), None, None, None, False)
    assert o.goal_text() == "minst 60 %" and o.verdict == outlook.YES  # 2 of 3 samples: "troligen"
    prev = outlook.Outlook("x", "X", "antal", 2025, parse_target("minska jämfört med föregående år"),
                           outcome([1, 2, 3, 4]), None, (), None, 2.4, None, False)
    assert prev.goal_text() == "minska jämfört med 2024: 2" and prev.verdict == outlook.UNSURE  # 2 of 4 below
    analyst = outlook.Outlook("x", "X", "antal", 2025, parse_target("högst 7"), outcome([5, 6, 9]), "ETS ANN", (),
                              None, None, 8.0, False)
    assert analyst.verdict == outlook.NO  # the förvaltning's 8 decides, not the model's two in three
    assert plain(analyst.sentence()).startswith("Förvaltningens prognos helår 2025: 8; modellens: 6 (80 %: 5–9). "
                                                "Målet (högst 7) nås inte enligt förvaltningens prognos")
    assert analyst.marker == "Prognos (förvaltningen): ✖ nås inte"


@pytest.fixture
def app(seeded_db, monkeypatch):
    monkeypatch.setenv("ASN_DB", str(seeded_db))

    def open_(page, **params):
        at = new_app()
        at.query_params.update(params)
        at.run()
        at.switch_page(page).run()
        assert not at.exception
        return at
    return open_


def test_indikator_shows_the_forecast_its_band_and_its_track_record(app):
    at = app("pages/indikator.py", indikator="hushall_ekb", planar="2025", period="2025-T2")
    assert "Prognos helår" in [h.value for h in at.subheader]
    sentence = next(plain(m.value) for m in at.markdown if plain(m.value).startswith("Prognos helår 2025:"))
    assert SENTENCE.match(sentence)
    captions = [plain(c.value) for c in at.caption]
    assert any(c.startswith("⚠ Exempeldata: prognosen bygger på påhittade") for c in captions)
    # The seeded months are exempeldata: no record on real figures, so the page says so and does
    # not claim an accuracy.
    assert any(c.startswith("Träffsäkerhet: för kort historik för att mäta träffsäkerheten (10 tidigare "
                            "prognostillfällen med exempeldata räknas inte). Prognosen är inte validerad")
               for c in captions), captions
    assert not any("fel i snitt" in c for c in captions)
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    traces = {t["name"]: t for t in fig["data"]}
    line, band = traces["Prognos 2025"], traces["80 % intervall"]
    assert line["line"]["dash"] == "dash" and line["x"] == ["Aug", "Sep", "Okt", "Nov", "Dec"]
    assert line["x"][0] == traces["Utfall 2025"]["x"][-1] and line["y"][0] == traces["Utfall 2025"]["y"][-1]
    upper = traces["Prognos 2025, övre gräns"]["y"]
    assert band["fill"] == "tonexty" and all(lo <= v <= hi for lo, v, hi in zip(band["y"], line["y"], upper))


def test_oversikt_marks_forecasts_per_indicator_and_area(app):
    at = app("pages/oversikt.py", planar="2025", period="2025-T2")
    html = " ".join(h.proto.body for h in at.get("html"))
    assert "Prognos helår</th>" in html
    assert "Prognos: ✖ nås troligen inte (⚠ Exempeldata)" in html  # hushåll med ekonomiskt bistånd
    assert "Prognos: ✔ nås troligen (⚠ Exempeldata)" in html  # barnfamiljer
    assert re.search(r"Prognos helår: (✔ \d+ nås troligen · )?(▲ \d+ osäkert · )?✖ \d+ nås troligen inte", html)
    captions = [plain(c.value) for c in at.caption]
    assert "Prognos helår: ingen av prognoserna är validerad – för kort historik för att mäta träffsäkerheten; " \
           "sannolikheterna bygger på modellens antaganden." in captions
    at = app("pages/oversikt.py", planar="2025", period="2025")
    assert "Prognos helår" not in " ".join(h.proto.body for h in at.get("html"))  # the year is over


def test_forecast_in_the_meeting_papers(s):
    from openpyxl import load_workbook

    from asn_dash.meeting import material as meeting
    from asn_dash.meeting import xlsx as meeting_xlsx
    from asn_dash.rules.suppression import Policy

    m = meeting.build(s, 2025, T2, order=["hushall_ekb"])
    row = next(r for r in m.rows if r.indicator_id == "hushall_ekb")
    assert SENTENCE.match(plain(row.forecast.split(" ⚠")[0])) and "⚠ Exempeldata" in row.forecast
    assert "Prognosen är inte validerad: för kort historik för att mäta träffsäkerheten" in row.forecast
    assert "Prognos 2025" in [t.name for t in m.slides[0].figure.data]
    sheet = load_workbook(io.BytesIO(meeting_xlsx.to_xlsx(m)))["Indikatorer"]
    assert any(row.forecast in str(c.value) for c in sheet["F"])
    small = outlook.Outlook("plac_lvm", "LVM", "antal", 2025, parse_target("högst 2"), outcome([1.5, 2.0, 2.6]),
                            "ETS ANN", (), None, None, None, False)
    assert meeting.forecast_text(small, True, Policy()) == ""  # a small count of a sensitive indicator
    assert meeting.forecast_text(small, False, Policy()).startswith("Prognos helår 2025: 2")


def write_prognos(s, rows):
    import pandas as pd

    from asn_dash.store import store

    with s.writing() as cur:
        store.write_values(cur, pd.DataFrame([{"indicator_id": i, "unit_id": "aos", "period": p, "value": v,
                                               "value_kind": "prognos", "source": "uppladdning"} for i, p, v in rows]))


def test_the_forvaltnings_prognos_wins_for_the_verdict(s):
    # Barnfamiljer: the model says the goal is reached (jan–aug 128 against about 149 in 2024); the
    # förvaltning's prognos of 155 for the year says it is not, and decides.
    write_prognos(s, [("barnfamiljer_ekb", "2025", 155.0)])
    o = outlook_reads.plan_outlooks(s, 2025, T2)["barnfamiljer_ekb"]
    assert o.analyst == 155.0 and o.probability > 0.95 and o.verdict == outlook.NO
    assert o.marker == "Prognos (förvaltningen): ✖ nås inte (⚠ Exempeldata)"
    text = plain(o.sentence())
    assert text.startswith("Förvaltningens prognos helår 2025: 155; modellens: ")
    assert "nås inte enligt förvaltningens prognos (modellens sannolikhet över 95 %)." in text
    # A prognos is never an outcome: the assessment of T2 still uses the recorded months only.
    assert s.scalar("SELECT count(*) FROM observations WHERE indicator_id = 'barnfamiljer_ekb' AND period = '2025'") == 0


def test_a_monthly_prognos_for_the_rest_of_the_year_counts_as_the_förvaltnings(s):
    # Jan–aug 2025 average 389 (published); sep–dec at 300 give (8 · 389 + 4 · 300) / 12 = 359,33,
    # below 2024, so the goal (minska) is reached by the förvaltning's own months.
    write_prognos(s, [("hushall_ekb", f"2025-{m:02d}", 300.0) for m in range(9, 13)])
    o = outlook_reads.plan_outlooks(s, 2025, T2)["hushall_ekb"]
    assert o.analyst == pytest.approx((8 * 389 + 4 * 300) / 12) and o.verdict == outlook.YES
    write_prognos(s, [("barnfamiljer_ekb", "2025-12", 100.0)])  # one month only: no prognos for the year
    assert outlook_reads.plan_outlooks(s, 2025, T2)["barnfamiljer_ekb"].analyst is None


# --- the band's floor, the baselines and the record on real figures ---------------------------------


def test_a_count_rising_by_one_a_month_has_a_band_as_wide_as_its_measurement():
    # 1, 2, 3, … : drift continues it exactly, so the simulated spread is nil. A count is known to
    # whole units: each of the eight months to come is ±0.5, the year's mean ±0.5·8/12, its sum ±4.
    history = linear("2024-01", "2025-04", start=1.0, step=1.0)
    f = fc.forecast_year(history, 2025, method=fc.DRIFT, floor=fc.band_floor("antal"))
    mean, total = f.outcome("mean"), f.outcome("sum")
    assert mean.high - mean.low == pytest.approx(2 * 0.5 * 8 / 12)
    assert total.high - total.low == pytest.approx(2 * 0.5 * 8)
    assert all(high - low == pytest.approx(1.0) for _, _, low, high in f.months())
    assert fc.forecast_year(history, 2025, method=fc.DRIFT).outcome("mean").width == 0  # no unit: no floor
    # A share: 0.1 percentage point, or a 80 % binomial band when the population is known.
    assert fc.band_floor("procent") == 0.1
    assert fc.band_floor("procent", population=50, share=10.0) == pytest.approx(100 * 1.2816 * (0.09 / 50) ** 0.5,
                                                                                rel=1e-3)


def test_year_to_date_run_rate_and_scaled_same_month():
    # From April: the run rate carries the mean of January–April (97) to December.
    history = linear("2024-01", "2025-04", start=70.0, step=2.0)  # 2025-01 … 04 = 94, 96, 98, 100
    run = fc.forecast_year(history, 2025, method=fc.RUN_RATE)
    assert run.outcome("mean").value == pytest.approx(97.0) and run.outcome("sum").value == pytest.approx(12 * 97)
    # A seasonal series that is 10 % higher each year: last year's months × this year's ratio is exact.
    idx = months("2023-01", "2025-04")
    values = pd.Series([(1.1 ** (p.year - 2023)) * (50 + 10 * math.sin(2 * math.pi * p.month / 12)) for p in idx],
                       index=idx)
    scaled = fc.forecast_year(values, 2025, method=fc.SCALED_SAME_MONTH)
    truth = [1.21 * (50 + 10 * math.sin(2 * math.pi * m / 12)) for m in range(1, 13)]
    assert scaled.point == pytest.approx(truth)
    plain_same = fc.forecast_year(values, 2025, method=fc.SAME_MONTH)
    assert plain_same.outcome("mean").value == pytest.approx(np.mean(truth[:4] + [t / 1.1 for t in truth[4:]]))


def history(values, demo=frozenset(), unit="antal"):
    from asn_dash.rules.forecast_inputs import History

    return History("x", "X", unit, "månad", "mean", 0.0, None, values, frozenset(demo))


def test_the_forecast_states_its_basis_from_the_real_record():
    rng = np.random.default_rng(3)
    idx = months("2018-01", "2025-08")
    walk = 200 + np.cumsum(rng.normal(0, 4, len(idx)))
    values = {str(p): float(v) for p, v in zip(idx, walk)}
    rule = parse_target("högst 250")
    real = outlook.outlook_for(history(values), rule, 2025, T2)
    assert real.validated and real.record.cases == 12 and real.record.first_year == 2019
    assert real.record.method in fc.METHOD_LABELS and real.model is not None
    text = plain(outlook.track_text(real.record, "antal"))
    assert re.match(r"Träffsäkerhet på egna verkliga värden: fel i snitt [\d,]+ %, \d+ av 12 inom intervallet "
                    r"\(prognoser från april och augusti 2019–2024; varje års metod och intervall bestämda av åren "
                    r"före\)\. Metod enligt träffsäkerheten: ", text), text
    assert any("vald på egna verkliga värden" in n for n in real.notes())
    # The same figures marked as exempeldata: no record, the forecast is not validated.
    demo = outlook.outlook_for(history(values, demo=values), rule, 2025, T2)
    assert not demo.validated and demo.record.cases == 0 and demo.outcome is not None
    assert any(n.startswith(outlook.UNVALIDATED) for n in demo.notes())
    assert "inte validerad" in outlook.track_text(demo.record, "antal")


def test_oversikt_note_says_what_the_markers_rest_on():
    def o(validated):
        return outlook.Outlook("x", "X", "antal", 2025, parse_target("högst 7"), outcome([5, 6, 9]), "ETS ANN", (),
                               None, None, None, False, validated=validated)

    assert outlook.basis_note([]) == ""
    assert "ingen av prognoserna är validerad" in outlook.basis_note([o(False), o(False)])
    assert outlook.basis_note([o(True), o(False)]).startswith("Prognos helår: 1 av 2 prognoser är validerade på egna")
    assert "kalibrerade på dess egna verkliga värden" in outlook.basis_note([o(True)])
