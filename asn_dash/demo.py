"""Deterministic generator of the demo series ("exempeldata") in ``data/seed/demo.csv``.

The demo values are invented so that every page has a monthly history to show for
2019–2025, but they are *anchored on the real figures* in the reports: a series passes
exactly through every published number it is tied to (a month's value, a tertial's average,
the R12 at the end of T2, …). Published figures themselves are stored from
``published.csv`` and always win over demo values for the same key; the UI marks every demo
value as "exempeldata".

Run ``python -m asn_dash demo`` to rewrite the file; the same code always writes the same
bytes (seeded per series, no clock, no global random state).
"""

from __future__ import annotations

import csv
import io
import math
import random
import zlib
from dataclasses import dataclass, field

from asn_dash.rules.periods import Period, months_between, parse_key

FIRST = Period(2019, month=1)
LAST = Period(2025, month=12)
MONTHS = months_between(FIRST, LAST)
INDEX = {p.key: n for n, p in enumerate(MONTHS)}
ADMIN = "aos"
UNITS_ALL = ["barn_unga", "relationsvald", "familjevard", "resursenheten", "cai",
             "forsorjningsstod", "hastskon", "socialpsykiatri", "vuxenenheten", "forvaltningsstod"]


@dataclass(frozen=True)
class Anchor:
    """A published figure the series must reproduce exactly.

    ``first``/``last`` are month keys bounding the window; ``how`` is ``value`` (one month),
    ``mean`` (average over the window) or ``r12`` (average of the 12 months up to ``last``).
    """

    first: str
    last: str
    how: str
    value: float


def at(month_key: str, value: float) -> Anchor:
    return Anchor(month_key, month_key, "value", value)


def mean_of(period_key: str, value: float) -> Anchor:
    p = parse_key(period_key)
    return Anchor(Period(p.year, month=p.first_month).key, Period(p.year, month=p.last_month).key, "mean", value)


def r12_at(period_key: str, value: float) -> Anchor:
    end = parse_key(period_key)
    last = Period(end.year, month=end.last_month)
    first = MONTHS[INDEX[last.key] - 11]
    return Anchor(first.key, last.key, "r12", value)


@dataclass
class Series:
    indicator: str
    levels: dict[str, float]  # soft level hints by month key, interpolated linearly
    anchors: list[Anchor] = field(default_factory=list)
    noise: float = 0.0  # standard deviation of month-to-month noise
    seasonal: float = 0.0  # amplitude, peaking in February
    decimals: int = 0
    lower: float = 0.0
    upper: float = math.inf
    start: str = FIRST.key
    units: list[str] = field(default_factory=list)  # unit rows besides the administration
    unit_spread: float = 0.0  # sd of per-unit offsets (mean-aggregated indicators)
    source_note: str = ""


def _rng(*parts: str) -> random.Random:
    return random.Random(zlib.crc32(":".join(parts).encode("utf-8")))


def _interpolate(levels: dict[int, float], n: int) -> float:
    points = sorted(levels.items())
    if n <= points[0][0]:
        return points[0][1]
    for (i0, v0), (i1, v1) in zip(points, points[1:]):
        if i0 <= n <= i1:
            return v0 + (v1 - v0) * (n - i0) / (i1 - i0)
    return points[-1][1]


def _round_keeping_sum(values: list[float], decimals: int) -> list[float]:
    """Round to ``decimals`` so that the rounded values add up to the rounded sum
    (largest remainder), which keeps an anchored average exact."""
    scale = 10 ** decimals
    scaled = [v * scale for v in values]
    target = round(sum(scaled))
    floors = [math.floor(v) for v in scaled]
    order = sorted(range(len(values)), key=lambda i: scaled[i] - floors[i], reverse=True)
    for i in order[: target - sum(floors)]:
        floors[i] += 1
    return [f / scale for f in floors]


def generate_series(spec: Series) -> dict[str, float]:
    """Month key → value for the administration, honouring every anchor exactly."""
    months = [p for p in MONTHS if p.key >= spec.start]
    offset = INDEX[months[0].key]
    hints = {INDEX[k] - offset: v for k, v in spec.levels.items()}
    for a in spec.anchors:
        hints.setdefault(INDEX[a.last] - offset, a.value)
    rng = _rng(spec.indicator, ADMIN)
    raw = []
    for n, p in enumerate(months):
        season = spec.seasonal * math.cos(2 * math.pi * (p.month - 2) / 12)
        raw.append(_interpolate(hints, n) + season + rng.gauss(0, spec.noise))
    values = [min(max(v, spec.lower), spec.upper) for v in raw]
    fixed: set[int] = set()
    for a in spec.anchors:
        lo, hi = INDEX[a.first] - offset, INDEX[a.last] - offset
        window = list(range(lo, hi + 1))
        if a.how == "value":
            values[hi] = a.value
            fixed.add(hi)
            continue
        free = [i for i in window if i not in fixed] or window
        shift = (a.value * len(window) - sum(values[i] for i in window)) / len(free)
        for i in free:
            values[i] += shift
        rounded = _round_keeping_sum([values[i] for i in free], spec.decimals)
        for i, v in zip(free, rounded):
            values[i] = v
        fixed.update(window)
    out = {}
    for n, p in enumerate(months):
        v = values[n] if n in fixed else round(values[n], spec.decimals)
        out[p.key] = float(max(v, spec.lower))
    return out


def _unit_rows(spec: Series, admin: dict[str, float]) -> dict[str, dict[str, float]]:
    if not spec.units:
        return {}
    if len(spec.units) == 1:  # one owning unit: its value is the administration's
        return {spec.units[0]: dict(admin)}
    rng = _rng(spec.indicator, "units")
    offsets = [rng.gauss(0, spec.unit_spread) for _ in spec.units]
    mean_offset = sum(offsets) / len(offsets)
    offsets = [o - mean_offset for o in offsets]  # units average to the administration value
    out: dict[str, dict[str, float]] = {u: {} for u in spec.units}
    for key, value in admin.items():
        month_rng = _rng(spec.indicator, "units", key)
        wiggle = [month_rng.gauss(0, spec.unit_spread / 4) for _ in spec.units]
        wiggle_mean = sum(wiggle) / len(wiggle)
        cells = [max(value + o + w - wiggle_mean, spec.lower) for o, w in zip(offsets, wiggle)]
        correction = value - sum(cells) / len(cells)
        for unit, cell in zip(spec.units, cells):
            out[unit][key] = round(cell + correction, spec.decimals)
    return out


# --- the series -------------------------------------------------------------------------

D002 = "002 Delårsrapport 1 2019, Verksamhetsmått"


def _placements_2019(values: list[int]) -> list[Anchor]:
    """002 gives Jan–Apr as outcome and May–Dec as forecast; the demo follows all twelve."""
    return [at(Period(2019, month=m).key, v) for m, v in enumerate(values, start=1)]


def series_specs() -> list[Series]:
    sick_units = UNITS_ALL
    return [
        # Ekonomiskt bistånd (002, 004)
        Series("hushall_ekb", {"2019-01": 262, "2021-06": 330, "2023-06": 365},
               [at("2019-03", 259), at("2019-04", 243), mean_of("2024-T2", 374), mean_of("2025-T2", 389)],
               noise=5, seasonal=6, units=["forsorjningsstod"]),
        Series("hushall_ekb_10man", {"2019-01": 118, "2022-01": 170},
               [at("2024-04", 185), at("2024-08", 185), at("2025-04", 166), at("2025-08", 159)],
               noise=3, units=["forsorjningsstod"]),
        Series("barnfamiljer_ekb", {"2019-01": 118, "2022-01": 140},
               [mean_of("2024-T2", 150), mean_of("2025-T2", 128)], noise=3, seasonal=2,
               units=["forsorjningsstod"]),
        Series("ekb_aktualiseringar", {"2019-06": 55, "2023-01": 60, "2025-06": 66},
               [at("2019-01", 59), at("2019-02", 45), at("2019-03", 53), at("2019-04", 59)], noise=6,
               units=["forsorjningsstod"]),
        Series("ekb_digitala_ansokningar", {"2021-11": 8, "2023-01": 24},
               [at("2025-01", 38), at("2025-06", 42)], noise=1.0, decimals=0, start="2021-11", upper=100),
        # Barn och unga (002)
        Series("bou_aktualiseringar", {"2019-06": 190, "2021-06": 165, "2025-06": 205},
               [at("2019-01", 182), at("2019-02", 216), at("2019-03", 202), at("2019-04", 160)],
               noise=14, seasonal=10, units=["barn_unga"]),
        Series("bou_inledda_utredningar", {"2019-06": 66, "2021-06": 55, "2025-06": 62},
               [at("2019-01", 59), at("2019-02", 65), at("2019-03", 88), at("2019-04", 58),
                Anchor("2021-01", "2021-12", "mean", 658 / 12)],  # 001: 658 utredningar påbörjades 2021
               noise=7, units=["barn_unga"]),
        Series("bou_avslutade_arenden", {"2019-06": 40, "2025-06": 44},
               [at("2019-01", 24), at("2019-02", 39), at("2019-03", 43), at("2019-04", 42)],
               noise=6, units=["barn_unga"]),
        # Placeringar (002 tables: Jan–Apr outcome, May–Dec forecast; later years invented)
        Series("plac_hvb_unga", {"2020-06": 8, "2022-06": 5, "2024-06": 3, "2025-06": 2},
               _placements_2019([7, 10, 13, 10, 12, 11, 11, 12, 10, 11, 10, 9]), noise=0.8,
               units=["barn_unga"]),
        Series("plac_sis", {"2020-06": 1, "2023-06": 2, "2025-06": 4},
               _placements_2019([1, 1, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1]), noise=0.4, units=["barn_unga"]),
        Series("plac_skola_barn", {"2020-06": 7, "2022-06": 6, "2025-06": 5},
               _placements_2019([2, 3, 4, 5, 7, 8, 7, 7, 7, 7, 7, 7]), noise=0.5, units=["barn_unga"]),
        Series("plac_stodboende_unga", {"2020-06": 8, "2025-06": 6},
               _placements_2019([11, 11, 12, 13, 12, 11, 7, 8, 8, 8, 8, 8]), noise=0.7, units=["barn_unga"]),
        Series("plac_stodboende_vuxna", {"2020-06": 6, "2025-06": 8},
               _placements_2019([7, 8, 9, 11, 12, 11, 12, 11, 9, 6, 6, 6]), noise=0.7, units=["vuxenenheten"]),
        Series("plac_hvb_vuxna", {"2020-06": 4, "2025-06": 5},
               _placements_2019([9, 9, 10, 9, 9, 9, 8, 7, 4, 4, 4, 4]), noise=0.6, units=["vuxenenheten"]),
        Series("plac_lvm", {"2020-06": 2, "2025-06": 2},
               _placements_2019([4, 2, 2, 2, 2, 1, 2, 2, 3, 3, 3, 2]), noise=0.5, units=["vuxenenheten"]),
        Series("plac_skyddat_boende", {"2020-06": 2, "2025-06": 3},
               _placements_2019([7, 9, 8, 7, 5, 4, 3, 2, 2, 1, 1, 1]), noise=0.6, units=["relationsvald"]),
        Series("plac_familjehem", {"2019-06": 45, "2022-06": 47, "2025-06": 55},
               [at("2019-01", 46), at("2019-02", 43), at("2019-03", 44)], noise=1.2, units=["familjevard"]),
        Series("plac_jourhem", {"2019-06": 8, "2022-06": 8, "2025-06": 12},
               [at("2019-01", 9), at("2019-02", 10), at("2019-03", 7)], noise=1.0, units=["familjevard"]),
        # Medarbetare (002, 003, 004)
        Series("sjukfranvaro", {"2019-01": 7.6, "2020-04": 9.6, "2021-06": 9.0, "2023-01": 8.0},
               [r12_at("2024-T2", 7.35), r12_at("2025-T2", 5.69)], noise=0.35, seasonal=0.7, decimals=2,
               units=sick_units, unit_spread=1.6),
        Series("sjukfranvaro_kort", {"2019-06": 4.1, "2020-04": 5.6, "2022-01": 4.3, "2025-06": 3.2},
               [Anchor("2019-01", "2019-03", "mean", 4.27)], noise=0.25, seasonal=0.8, decimals=2,
               units=sick_units, unit_spread=0.9),
        Series("sjukfranvaro_lang", {"2019-06": 3.4, "2021-06": 4.0, "2025-06": 2.5},
               [Anchor("2019-01", "2019-03", "mean", 3.40)], noise=0.15, decimals=2,
               units=sick_units, unit_spread=1.0),
        # Ekonomi: forecast deviation in % of budget; 2021 follows 001's monthly grid for
        # målområde Ekonomi (Grön jan, Gul feb, Röd mar–sep, Gul okt–dec, year −1,5 %).
        Series("budgetavvikelse_pct", {"2019-01": -2.0, "2020-06": -1.0, "2022-06": -2.5,
                                       "2023-06": -4.0, "2024-06": -8.0},
               [at("2019-04", -3.6), at("2020-12", -0.65)]
               + [at(f"2021-{m:02d}", v) for m, v in enumerate(
                   [0.3, -1.1, -2.6, -2.9, -3.1, -2.8, -2.7, -2.5, -2.2, -1.9, -1.7, -1.5], start=1)]
               + [at("2025-08", -18.0)],
               noise=0.3, decimals=1, lower=-100),
        # Enheternas måluppfyllelse 2021, consistent with 001's monthly grids (10 units,
        # "minst 60 % (gul från 40 %)": Grön ≥ 60, Gul 40–59, Röd < 40) and its year values.
        Series("enhetsmal_andel_medarbetare", {"2021-01": 45},
               [at(f"2021-{m:02d}", v) for m, v in enumerate(
                   [50, 50, 40, 50, 50, 40, 40, 50, 50, 40, 50, 40], start=1)], start="2021-01", upper=100),
        Series("enhetsmal_andel_kvalitet", {"2021-01": 50},
               [at(f"2021-{m:02d}", v) for m, v in enumerate(
                   [50, 30, 50, 30, 50, 50, 40, 60, 30, 70, 70, 80], start=1)], start="2021-01", upper=100),
        Series("enhetsmal_andel_leverans", {"2021-01": 50},
               [at(f"2021-{m:02d}", v) for m, v in enumerate(
                   [50, 40, 50, 50, 60, 60, 50, 60, 70, 50, 60, 50], start=1)], start="2021-01", upper=100),
    ]


PLACEMENT_TYPES = ["plac_hvb_unga", "plac_sis", "plac_skola_barn", "plac_stodboende_unga",
                   "plac_stodboende_vuxna", "plac_hvb_vuxna", "plac_lvm", "plac_skyddat_boende"]

TERTIAL_SERIES = {
    # personalomsättning is reported per tertial (cumulative); 002/003 D2 2019: 6,42 %;
    # 004: T2 2024 8,26 %, T1 2025 10,57 %, T2 2025 9,85 %.
    "personalomsattning": ({2019: 6.5, 2020: 7.5, 2021: 9.0, 2022: 10.0, 2023: 11.0, 2024: 8.5, 2025: 10.0},
                           {"2019-T2": 6.42, "2024-T2": 8.26, "2025-T1": 10.57, "2025-T2": 9.85}),
}


def generate_rows() -> list[tuple[str, str, str, float]]:
    """All demo rows as (indicator, unit, period, value), sorted."""
    rows: list[tuple[str, str, str, float]] = []
    admin_by_indicator: dict[str, dict[str, float]] = {}
    for spec in series_specs():
        admin = generate_series(spec)
        admin_by_indicator[spec.indicator] = admin
        rows += [(spec.indicator, ADMIN, k, v) for k, v in admin.items()]
        for unit, values in _unit_rows(spec, admin).items():
            rows += [(spec.indicator, unit, k, v) for k, v in values.items()]
    # Externa placeringar = the sum of the placement types, so the two views agree.
    for key in admin_by_indicator[PLACEMENT_TYPES[0]]:
        total = sum(admin_by_indicator[t][key] for t in PLACEMENT_TYPES)
        rows.append(("externa_placeringar", ADMIN, key, total))
    for indicator, (levels, anchors) in TERTIAL_SERIES.items():
        rng = _rng(indicator, ADMIN)
        for year, level in levels.items():
            for key in (f"{year}-T1", f"{year}-T2", f"{year}"):
                value = anchors.get(key, round(level + rng.gauss(0, 0.6), 2))
                rows.append((indicator, ADMIN, key, value))
    rows.sort()
    return rows


def render_csv(rows: list[tuple[str, str, str, float]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["indicator", "unit", "period", "value"])
    for indicator, unit, period, value in rows:
        writer.writerow([indicator, unit, period, f"{value:g}" if abs(value) < 1e15 else value])
    return buf.getvalue()
