"""The forecast's track record over the whole store, as the CLI shows it: the histories read from
the store, scored by ``asn_dash.rules.backtest``, and the result as a plain-text table."""

from __future__ import annotations

from datetime import date

from asn_dash.rules.backtest import METHOD_NAMES, METHODS, PRODUCT, report
from asn_dash.services import forecast_inputs
from asn_dash.store.store import Store


def run(store: Store, methods: tuple[str, ...] = METHODS, indicator_ids: list[str] | None = None, *,
        include_demo: bool = False) -> dict:
    """``report`` on every monthly and tertial indicator of the store (of ``indicator_ids``)."""
    ids = forecast_inputs.monthly_indicators(store)
    if indicator_ids is not None:
        ids = [i for i in ids if i in set(indicator_ids)]
    histories = forecast_inputs.load(store, ids, date(9999, 12, 31), years=None)
    tertial_ids = [i for i in forecast_inputs.tertial_indicators(store) if indicator_ids is None or i in indicator_ids]
    tertial = forecast_inputs.load(store, tertial_ids, date(9999, 12, 31), years=None)
    return report([histories[i] for i in ids], list(tertial.values()), methods, include_demo=include_demo)


def table(result: dict) -> str:
    """The backtest as a plain-text table (Swedish, sv-SE numbers)."""
    from asn_dash.formatting import format_number

    def pct(v, d=1):
        return "—" if v is None else f"{format_number(v, d)} %"

    def cov(s):
        return "—" if s["coverage"] is None else f"{s['inside']}/{s['cases']} ({format_number(s['coverage'] * 100, 0)} %)"

    methods = list(result["overall"])
    lines = [(f"Backtest av prognos helår på {result['basis']}: prognoser från slutet av april och augusti varje "
              f"tidigare år, {format_number(result['level'] * 100, 0)} %-intervall. Varje års metod och intervall "
              "bestäms bara av tidigare år (nästlat, utanför urvalet).")]
    if result["include_exempeldata"]:
        p = result["overall"][PRODUCT]
        lines.append(f"Med exempeldata: {p['real']} av {p['cases']} prognoser bygger bara på verkliga värden, "
                     f"{p['exempeldata']} på exempeldata (syntetiska siffror, inte produktens träffsäkerhet).")
    if result["exempeldata_excluded"]:
        lines.append(f"{result['exempeldata_excluded']} prognostillfällen bygger på exempeldata och räknas inte "
                     "(ta med dem med --include-exempeldata).")
    if result["record"]:
        lines.append(f"Träffsäkerhet: {result['record']} (minst två hela år med verkliga värden och ett år före "
                     "behövs); prognoserna är inte validerade.")
    scored = [ind for ind in result["indicators"] if any(s["cases"] for s in ind["methods"].values())]
    if scored:  # a table of dashes says nothing: without a scored case there is no table
        lines += ["", f"{'indikator':34} " + " ".join(f"{METHOD_NAMES.get(m, m)[:24]:>26}" for m in methods)]
        for ind in scored:
            cells = []
            for m in methods:
                s = ind[PRODUCT] if m == PRODUCT else ind["methods"][m]
                err = pct(s["mape"]) if ind["scored_by"] == "mape" else f"MAE {format_number(s['mae'], 2)}"
                cells.append(f"{err + ' · ' + cov(s):>26}")
            lines.append(f"{ind['indicator'][:34]:34} " + " ".join(cells))
        lines.append("")
        lines.append(f"{'totalt (MAPE · inom intervallet)':34} " + " ".join(
            f"{pct(result['overall'][m]['mape'], 2) + ' · ' + cov(result['overall'][m]):>26}" for m in methods))
    t = result["targets"]
    lines.append("")
    if t["mape_at_or_below_best_baseline"] is not None:
        lines.append(f"Mål: MAPE för vald metod högst bästa baslinjens "
                     f"({METHOD_NAMES.get(result['best_baseline'], '—')}): "
                     f"{'uppfyllt' if t['mape_at_or_below_best_baseline'] else 'ej uppfyllt'}; "
                     f"täckning 70–90 %: {'uppfyllt' if t['coverage_between_70_and_90'] else 'ej uppfyllt'}.")
    grouped: dict[tuple[str, str], list[str]] = {}
    for indicator, now in result["nested"]["chosen_now"].items():
        grouped.setdefault((now["method"], now["reason"]), []).append(indicator)
    for (method, reason), ids in grouped.items():
        who = ids[0] if len(ids) == 1 else f"{len(ids)} indikatorer"
        lines.append(f"Metod nu ({who}): {METHOD_NAMES.get(method, method)} – {reason}.")
    for name, by in result.get("short_history", {}).items():
        if any(sc["cases"] for sc in by.values()):
            lines.append(f"Kort historik ({name}): " + "; ".join(
                f"{METHOD_NAMES.get(m, m)} {pct(sc['mape'], 2)}" for m, sc in by.items()) + ".")
    for t in result.get("tertial", []):
        lines.append(f"Tertialindikator {t['indicator']}: fel i snitt {pct(t['mape'])}, {t['inside']} av {t['cases']} "
                     f"inom intervallet (t-intervall; föreslagen faktor {t['suggested_scale']}).")
    return "\n".join(lines)
