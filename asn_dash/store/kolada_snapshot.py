"""The offline Kolada snapshot in ``data/kolada`` (real values from public dumps, see its
SOURCES.md), loaded into a new store so comparisons work without network; and the
``kolada_kpis`` row the snapshot and the pulls (``asn_dash.kolada.client``) both write.

Part of the store's seeding, apart from the HTTP client: seeding a store must not import
``requests`` or the pulls.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

SNAPSHOT_DIR = Path(__file__).resolve().parents[2] / "data" / "kolada"
SNAPSHOT_FETCHED = "2024-08-30"  # when open-numbers fetched the values (data/kolada/SOURCES.md)


def kpi_row(k: dict, fetched: datetime) -> list:
    """A ``kolada_kpis`` row from the API's (or the snapshot's) KPI metadata object."""
    return [k.get("id"), k.get("title") or "", k.get("description"), k.get("operating_area"),
            bool(k.get("is_divided_by_gender")), k.get("municipality_type"), str(k.get("publication_date") or ""),
            fetched]


def load_snapshot(con, directory: Path | None = None) -> int:
    """Load data/kolada (real values from public dumps, see SOURCES.md) into an empty store."""
    import pandas as pd  # only a new store loads the snapshot; opening one imports this module without it

    directory = Path(directory or SNAPSHOT_DIR)
    fetched = datetime.fromisoformat(SNAPSHOT_FETCHED)
    values = pd.read_csv(directory / "values.csv", dtype={"municipality": str, "kpi": str, "gender": str})
    values["count"] = None
    values["status"] = None
    values["fetched_at"] = fetched
    values["value"] = values["value"].astype("float64")
    con.register("snapshot_values", values)
    con.execute("INSERT INTO kolada_values SELECT kpi, municipality, year, gender, value, count, status, fetched_at"
                " FROM snapshot_values").fetchall()
    con.unregister("snapshot_values")
    for m in json.loads((directory / "municipalities.json").read_text(encoding="utf-8")):
        con.execute("INSERT INTO kolada_municipalities VALUES (?,?,?)", [m["id"], m["title"], m["type"]]).fetchall()
    for g in json.loads((directory / "municipality_groups.json").read_text(encoding="utf-8")):
        con.execute("INSERT INTO kolada_groups VALUES (?,?)", [g["id"], g["title"]]).fetchall()
        con.executemany("INSERT INTO kolada_group_members VALUES (?,?)",
                        [[g["id"], m["member_id"]] for m in g["members"]])
    for k in json.loads((directory / "kpis.json").read_text(encoding="utf-8")):
        con.execute("INSERT INTO kolada_kpis VALUES (?,?,?,?,?,?,?,?)", kpi_row(k, fetched)).fetchall()
    con.execute("INSERT OR REPLACE INTO meta VALUES ('kolada_fetched_at', ?)", [fetched.isoformat()]).fetchall()
    con.execute("INSERT OR REPLACE INTO meta VALUES ('kolada_kkik_members', ?)",
                [json.dumps(json.loads((directory / "kpi_groups.json").read_text(encoding="utf-8"))[0]["members"])]
                ).fetchall()
    return len(values)
