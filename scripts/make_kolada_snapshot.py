"""Build data/kolada/ (the offline Kolada snapshot) from ../shared/kolada-samples.

Real values only: nothing is invented. Run from the repository root:
    python scripts/make_kolada_snapshot.py
"""

import csv
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT.parent / "shared" / "kolada-samples"
OUT = ROOT / "data" / "kolada"
DUMP = SRC / "open-numbers_kolada-dump_v2_2024-08-30"
V3 = SRC / "rkolada_sysdata_v3_2026-03"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    rows = []
    for f in sorted((DUMP / "datapoints--by--geo--year").glob("*.csv")):
        kpi = f.name.split("--")[2].upper()
        with f.open(encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                rows.append([kpi, r["geo"], r["year"], "T", r[kpi.lower()]])
    for f in sorted((DUMP / "datapoints--by--geo--gender--year").glob("*.csv")):
        kpi = f.name.split("--")[2].upper()
        with f.open(encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                rows.append([kpi, r["geo"], r["year"], r["gender"], r[kpi.lower()]])
    rows.sort()
    with (OUT / "values.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["kpi", "municipality", "year", "gender", "value"])
        w.writerows(rows)

    municipalities = json.loads((V3 / "municipality.json").read_text(encoding="utf-8"))["values"]
    (OUT / "municipalities.json").write_text(json.dumps(municipalities, ensure_ascii=False, indent=0), encoding="utf-8")

    groups = json.loads((V3 / "municipality_groups.json").read_text(encoding="utf-8"))["values"]
    # Tyresö's own groups ("Liknande kommuner …, Tyresö, …", Tyresö not a member) and every
    # group Tyresö belongs to (county, Södertörn, SKR kommungrupp, others' peer groups)
    keep = [g for g in groups if ", Tyresö," in g["title"] or any(m["member_id"] == "0138" for m in g["members"])]
    (OUT / "municipality_groups.json").write_text(json.dumps(keep, ensure_ascii=False, indent=0), encoding="utf-8")

    kpis = json.loads((V3 / "kpi_ifo_arbetsmarknad_vuxenutbildning.json").read_text(encoding="utf-8"))["values"]
    (OUT / "kpis.json").write_text(json.dumps(kpis, ensure_ascii=False, indent=0), encoding="utf-8")

    kpi_groups = json.loads((SRC / "pykolada_v2_2024-01-15" / "kpi_groups.json").read_text(encoding="utf-8"))
    keep_groups = [g for g in kpi_groups if "kvalitet i korthet" in g["title"].lower()]
    (OUT / "kpi_groups.json").write_text(json.dumps(keep_groups, ensure_ascii=False, indent=0), encoding="utf-8")
    print(f"{len(rows)} values, {len(municipalities)} municipalities, {len(keep)} groups with Tyresö, "
          f"{len(kpis)} KPIs, {len(keep_groups)} KKiK groups")


if __name__ == "__main__":
    main()
