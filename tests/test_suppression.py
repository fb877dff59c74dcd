"""Small-number suppression: primary masks, complementary masks, thresholds."""

import itertools

import pytest

from asn_dash.rules.suppression import OFF, SECONDARY, Policy, policy_from_env, suppress


def safe(values, groups, hidden) -> bool:
    """No equation has exactly one hidden cell (it could be solved for it)."""
    return all(len([k for k in g if k in hidden and values.get(k) is not None]) != 1 for g in groups)


@pytest.mark.parametrize("value, small", [(None, False), (0, False), (0.4, True), (1, True), (3, True),
                                          (3.49, True), (3.5, False), (4, False), (12, False)])
def test_what_counts_as_small(value, small):
    assert Policy().is_small(value) is small


def test_threshold_and_label_are_configurable(monkeypatch):
    assert Policy(5).label == "1–5" and Policy(5).is_small(5) and not Policy(5).is_small(6)
    assert not OFF.active and not OFF.is_small(2)
    monkeypatch.setenv("ASN_SUPPRESS_MAX", "5")
    assert policy_from_env() == Policy(5)
    monkeypatch.setenv("ASN_SUPPRESS_MAX", "0")
    assert policy_from_env() == OFF
    monkeypatch.setenv("ASN_SUPPRESS_MAX", "tre")
    with pytest.raises(ValueError, match="ASN_SUPPRESS_MAX"):
        policy_from_env()
    monkeypatch.delenv("ASN_SUPPRESS_MAX")
    assert policy_from_env() == Policy(3)


def test_off_masks_nothing():
    assert suppress({"a": 1, "b": 2}, [["a", "b"]], OFF) == {}


def test_a_lone_small_part_gets_a_complementary_cell():
    # units 2 + 10 + 7 = total 19: hiding only the 2 would leave it as 19 − 10 − 7
    values = {"u1": 2, "u2": 10, "u3": 7, "total": 19}
    groups = [["u1", "u2", "u3", "total"]]
    hidden = suppress(values, groups, Policy())
    assert hidden == {"u1": "1–3", "u3": SECONDARY}  # the smallest other cell, not the total
    assert safe(values, groups, hidden)


def test_two_small_parts_need_no_complement():
    values = {"u1": 2, "u2": 3, "u3": 7, "total": 12}
    assert suppress(values, [["u1", "u2", "u3", "total"]], Policy()) == {"u1": "1–3", "u2": "1–3"}


def test_kept_cells_are_the_last_choice():
    # a mean of three months: 2, 8, 9 → 6,33; the headline mean stays visible, a month goes
    values = {"jan": 2, "feb": 8, "mar": 9, "mean": 19 / 3}
    hidden = suppress(values, [["jan", "feb", "mar", "mean"]], Policy(), keep=["mean"])
    assert hidden == {"jan": "1–3", "feb": SECONDARY}
    assert suppress(values, [["jan", "feb", "mar", "mean"]], Policy()) == {"jan": "1–3", "mean": SECONDARY}


def test_a_small_total_with_visible_parts_is_protected_too():
    values = {"u1": 1, "u2": 0, "total": 1}
    hidden = suppress(values, [["u1", "u2", "total"]], Policy())
    assert hidden == {"u1": "1–3", "total": "1–3"}


def test_missing_cells_hide_nothing():
    values = {"u1": 2, "u2": None, "total": 9}
    hidden = suppress(values, [["u1", "u2", "total"]], Policy())
    assert hidden == {"u1": "1–3", "total": SECONDARY}


def test_two_way_table_is_safe_in_every_row_and_column():
    # units × months with unit totals (rows) and month totals (columns): masks cascade
    cells = {("a", 1): 2, ("a", 2): 9, ("a", 3): 8, ("b", 1): 7, ("b", 2): 6, ("b", 3): 12,
             ("c", 1): 5, ("c", 2): 11, ("c", 3): 1}
    values = dict(cells)
    for u in "abc":
        values[(u, "sum")] = sum(v for (x, _), v in cells.items() if x == u)
    for m in (1, 2, 3):
        values[("sum", m)] = sum(v for (_, y), v in cells.items() if y == m)
    groups = [[(u, m) for m in (1, 2, 3)] + [(u, "sum")] for u in "abc"]
    groups += [[(u, m) for u in "abc"] + [("sum", m)] for m in (1, 2, 3)]
    hidden = suppress(values, groups, Policy())
    assert hidden[("a", 1)] == hidden[("c", 3)] == "1–3"
    assert safe(values, groups, hidden)
    assert sum(1 for how in hidden.values() if how == SECONDARY) <= 4  # a handful, not the whole table


@pytest.mark.parametrize("seed", range(30))
def test_random_tables_always_end_safe(seed):
    import random

    rnd = random.Random(seed)
    units, months = "abcd", range(1, 5)
    cells = {(u, m): rnd.choice([0, 1, 2, 3, 5, 8, 13]) for u, m in itertools.product(units, months)}
    values = dict(cells)
    for u in units:
        values[(u, 0)] = sum(cells[(u, m)] for m in months)
    groups = [[(u, m) for m in months] + [(u, 0)] for u in units]
    for m in months:
        values[("T", m)] = sum(cells[(u, m)] for u in units)
        groups.append([(u, m) for u in units] + [("T", m)])
    hidden = suppress(values, groups, Policy())
    assert safe(values, groups, hidden)
    assert all(hidden.get(k) == "1–3" for k, v in values.items() if Policy().is_small(v))
