"""What a pull asked for, and the part of Kolada's answers inside it.

A pull stores only the requested KPIs × municipalities × years: for "all municipalities", every
id in the municipality list fetched in the same pull (Kolada's own list of municipalities,
regions and riket; group ids such as ``G36682`` are not in it). Everything else an answer
carries (another municipality, an older year, a KPI not asked for, a group whose title does not
match) is left out and counted, so the pull's summary can say how much was ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from asn_dash.kolada import KoladaError


@dataclass
class Scope:
    kpis: set[str]
    municipalities: set[str]
    years: set[int]
    ignored_values: int = 0
    ignored_other: int = 0
    _seen: dict = field(default_factory=dict, repr=False)

    def values(self, rows: list[tuple]) -> list[tuple]:
        """The rows ``(kpi, municipality, year, gender, value, …)`` inside the scope. The same
        key twice with the same value is kept once; with different values it is an error."""
        kept = []
        for row in rows:
            kpi, mun, year, gender = row[:4]
            if kpi not in self.kpis or mun not in self.municipalities or year not in self.years:
                self.ignored_values += 1
                continue
            key = (kpi, mun, year, gender)
            if key in self._seen:
                if self._seen[key] != row:
                    raise KoladaError(f"Kolada skickade två olika värden för {kpi}, kommun {mun}, {year}, kön "
                                      f"{gender} ({self._seen[key][4]} och {row[4]}); hämtningen avbröts.")
                continue
            self._seen[key] = row
            kept.append(row)
        return kept

    def kpi_meta(self, objects: list[dict]) -> list[dict]:
        kept = [k for k in objects if k["id"] in self.kpis]
        self.ignored_other += len(objects) - len(kept)
        return list({k["id"]: k for k in kept}.values())

    def groups(self, objects: list[dict], title: str) -> list[dict]:
        """Groups whose title contains ``title`` (what was searched for), with only members that
        are municipalities of the pull."""
        kept = []
        for g in objects:
            if title.lower() not in g["title"].lower():
                self.ignored_other += 1
                continue
            members = [m for m in g["members"] if m["member_id"] in self.municipalities]
            self.ignored_other += len(g["members"]) - len(members)
            kept.append({**g, "members": members})
        return kept
