"""The failed-sign-in policy (asn_dash/throttle.py) on a clock the tests move by hand."""

import pytest

from asn_dash import throttle
from asn_dash.throttle import SignInThrottle

MIN = 60


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def guard(clock):
    return SignInThrottle(clock=clock)


def fail(guard, times, username="anna", client="10.0.0.1"):
    return [lock for _ in range(times) for lock in guard.failed(username, client)]


def test_five_failures_lock_the_user_name_for_fifteen_minutes(guard, clock):
    assert fail(guard, 4) == [] and guard.wait("anna", "10.0.0.1") == 0
    [lock] = fail(guard, 1)
    assert (lock.target, lock.seconds) == ("användarnamn 'anna'", 15 * MIN)
    assert lock.detail == "5 misslyckade inloggningar inom 15 min; spärrad i 15 min"
    assert guard.wait("anna", "10.0.0.9") == 15 * MIN  # from any client
    assert guard.wait("bo", "10.0.0.1") == 0  # the client itself is not locked (20 allowed)
    clock.advance(15 * MIN - 1)
    assert guard.wait("anna", "10.0.0.1") == 1
    clock.advance(1)
    assert guard.wait("anna", "10.0.0.1") == 0


def test_failures_spread_wider_than_the_window_do_not_lock(guard, clock):
    for _ in range(10):
        assert guard.failed("anna", "10.0.0.1") == []
        clock.advance(4 * MIN)  # never 5 within 15 minutes
    assert guard.wait("anna", "10.0.0.1") == 0


def test_the_user_name_is_compared_without_case_or_surrounding_blanks(guard):
    for name in ("Anna", " anna", "ANNA ", "ａｎｎａ"):
        guard.failed(name, "10.0.0.1")
    assert guard.failed("anna", "10.0.0.2")
    assert guard.wait("Anna ", "10.0.0.3") > 0


def test_failures_while_locked_neither_count_nor_extend_the_lock(guard, clock):
    fail(guard, 5)
    clock.advance(10 * MIN)
    assert fail(guard, 10) == []
    clock.advance(5 * MIN)
    assert guard.wait("anna", "10.0.0.1") == 0
    assert fail(guard, 4) == []  # the count started again after the lock


def test_repeated_locks_within_a_day_double_up_to_four_hours(guard, clock):
    seconds = []
    for _ in range(6):
        [lock] = fail(guard, 5)
        seconds.append(lock.seconds)
        clock.advance(lock.seconds)
    assert seconds == [15 * MIN, 30 * MIN, 60 * MIN, 120 * MIN, 240 * MIN, 240 * MIN]
    clock.advance(24 * 3600)  # a quiet day: back to the first step
    assert [lock.seconds for lock in fail(guard, 5)] == [15 * MIN]


def test_a_successful_sign_in_clears_the_user_names_failures(guard):
    fail(guard, 4)
    guard.succeeded("Anna")
    assert fail(guard, 4) == []
    assert guard.wait("anna", "10.0.0.1") == 0


def test_twenty_failures_from_one_client_lock_the_client_whatever_the_names(guard, clock):
    locks = [lock for n in range(20) for lock in guard.failed(f"namn{n}", "10.0.0.66")]
    assert [(lock.target, lock.seconds) for lock in locks] == [("klient 10.0.0.66", 15 * MIN)]
    assert guard.wait("någon-annan", "10.0.0.66") == 15 * MIN
    assert guard.wait("någon-annan", "10.0.0.67") == 0


def test_memory_is_bounded_the_least_recently_failed_are_forgotten(clock):
    guard = SignInThrottle(clock=clock, max_keys=3)
    fail(guard, 4, "anna")
    for name in ("b", "c", "d"):
        guard.failed(name, f"client-{name}")
    assert fail(guard, 1, "anna") == []  # anna's four were forgotten: this is her first


def test_the_message_says_how_long_in_whole_minutes():
    assert throttle.message(15 * MIN).endswith("försök igen om 15 minuter.")
    assert throttle.message(61).endswith("försök igen om 2 minuter.")
    assert throttle.message(1).endswith("försök igen om 1 minut.")
