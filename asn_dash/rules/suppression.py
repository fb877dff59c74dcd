"""Small-number suppression for everything that leaves the dashboard (exports, presentation).

Counts of 1 to ``max_count`` (default 3) of indicators marked ``sensitive`` in the catalogue are
shown as "1–3". A masked cell must not be recomputable from the cells around it: when a group
of cells is bound by one equation (months and their period value, units and their total), a
group with exactly one masked cell gets a second, complementary one (the smallest visible
cell), repeated until every group is safe. Complementary cells are shown as "×".
"""

from __future__ import annotations

import os
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

DEFAULT_MAX = 3
SECONDARY = "×"


@dataclass(frozen=True)
class Policy:
    """``max_count`` = 0 switches masking off (internal use only)."""

    max_count: int = DEFAULT_MAX

    @property
    def active(self) -> bool:
        return self.max_count > 0

    @property
    def label(self) -> str:
        return f"1–{self.max_count}"

    def is_small(self, value: float | None) -> bool:
        """A value that would be shown as 1 … max (a mean of 0,4 placements still reveals one)."""
        return self.active and value is not None and 0 < value < self.max_count + 0.5

    @property
    def note(self) -> str:
        return (f"Små tal ({self.label}) för känsliga indikatorer visas inte. {SECONDARY} = maskerat så att "
                f"ett dolt värde inte kan räknas fram ur summor och medelvärden.")


OFF = Policy(0)


def policy_from_env() -> Policy:
    """``ASN_SUPPRESS_MAX`` (default 3) sets the threshold for everything leaving the dashboard."""
    raw = os.environ.get("ASN_SUPPRESS_MAX", "").strip()
    if not raw:
        return Policy()
    if not raw.isdigit():
        raise ValueError(f"ASN_SUPPRESS_MAX måste vara ett heltal ≥ 0, inte '{raw}'.")
    return Policy(int(raw))


def suppress(values: Mapping[Hashable, float | None], groups: Iterable[Iterable[Hashable]],
             policy: Policy, keep: Iterable[Hashable] = ()) -> dict[Hashable, str]:
    """Which cells to mask and how to show them: key → "1–3" (small) or "×" (complementary).

    ``groups`` lists the cells bound by one equation each (parts and their total, or months and
    their mean). Missing cells (None) are not shown and hide nothing. Cells in ``keep`` (a
    headline figure) are chosen as complementary cells only when nothing else is left.
    """
    if not policy.active:
        return {}
    masked = {k: policy.label for k, v in values.items() if policy.is_small(v)}
    keep = set(keep)
    groups = [[k for k in g if values.get(k) is not None] for g in groups]
    changed = True
    while changed:
        changed = False
        for group in groups:
            hidden = [k for k in group if k in masked]
            if len(hidden) != 1:
                continue
            visible = [k for k in group if k not in masked]
            if not visible:
                continue
            smallest = min(visible, key=lambda k: (k in keep, values[k], group.index(k)))
            masked[smallest] = SECONDARY
            changed = True
    return masked
