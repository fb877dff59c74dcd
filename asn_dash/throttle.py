"""Failed sign-ins: after too many, a user name or a client is locked for a while. No Streamlit here.

The policy (stated in docs/operations.md, "Sign-in and roles"):

* a **user name** (any, known or not, case-insensitive): 5 failed sign-ins within 15 minutes lock
  it for 15 minutes;
* a **client** (its IP address, or its browser session when the app cannot see one): 20 failures
  within 15 minutes lock it likewise — higher, because many people may share one address;
* each further lock of the same user name or client within 24 hours lasts twice as long as the
  one before (15, 30, 60 … minutes), at most 4 hours;
* while locked, a sign-in is refused without checking the password, so nothing more is learnt;
  a successful sign-in clears the user name's failures.

It is a temporary lock, not a delay: no request ever sleeps. The state lives in the server
process (a restart clears it); the caller writes every lock to the audit log.
"""

from __future__ import annotations

import math
import threading
import time
import unicodedata
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Rule:
    what: str                      # as the audit log names the key: "användarnamn", "klient"
    limit: int                     # failures within ``window`` that lock the key
    window: float = 15 * 60
    lock: float = 15 * 60          # the first lock; each further one within ``memory`` doubles
    max_lock: float = 4 * 3600
    memory: float = 24 * 3600


USER_NAMES = Rule("användarnamn", 5)
CLIENTS = Rule("klient", 20)
MAX_KEYS = 10_000                  # per rule; the least recently failed are forgotten beyond it


@dataclass(frozen=True)
class Lock:
    """A lock that a failed sign-in set off, as the audit log records it."""
    rule: Rule
    key: str
    seconds: float

    @property
    def target(self) -> str:
        return f"{self.rule.what} {self.key}"

    @property
    def detail(self) -> str:
        return (f"{self.rule.limit} misslyckade inloggningar inom {_minutes(self.rule.window)} min; "
                f"spärrad i {_minutes(self.seconds)} min")


@dataclass
class _Entry:
    failures: deque = field(default_factory=deque)
    locks: deque = field(default_factory=deque)
    locked_until: float = -math.inf


class Counter:
    """One rule's failures and locks per key (not thread-safe; :class:`SignInThrottle` is)."""

    def __init__(self, rule: Rule, clock: Callable[[], float], max_keys: int = MAX_KEYS):
        self.rule, self._clock, self._max_keys = rule, clock, max_keys
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    def wait(self, key: str) -> float:
        """Seconds until ``key`` may try again (0 when it may now)."""
        entry = self._entries.get(key)
        return max(0.0, entry.locked_until - self._clock()) if entry else 0.0

    def fail(self, key: str) -> Lock | None:
        """Count a failure; the lock it sets off, if any."""
        now, rule = self._clock(), self.rule
        entry = self._entries.pop(key, None) or _Entry()
        self._entries[key] = entry  # most recently failed last
        while len(self._entries) > self._max_keys:
            self._entries.popitem(last=False)
        if entry.locked_until > now:
            return None
        _drop_before(entry.failures, now - rule.window)
        entry.failures.append(now)
        if len(entry.failures) < rule.limit:
            return None
        _drop_before(entry.locks, now - rule.memory)
        seconds = min(rule.lock * 2 ** len(entry.locks), rule.max_lock)
        entry.locks.append(now)
        entry.failures.clear()
        entry.locked_until = now + seconds
        return Lock(rule, key, seconds)

    def clear(self, key: str) -> None:
        """Forget the failures (not the locks) of ``key``."""
        entry = self._entries.get(key)
        if entry is not None:
            entry.failures.clear()


def _drop_before(times: deque, cutoff: float) -> None:
    while times and times[0] <= cutoff:
        times.popleft()


def _minutes(seconds: float) -> int:
    return max(1, math.ceil(seconds / 60))


def user_key(username: str) -> str:
    """The same key for 'Anna', ' anna' and 'ＡＮＮＡ' (so case cannot get around the limit)."""
    return "'" + unicodedata.normalize("NFKC", username.strip()).casefold()[:100] + "'"


class SignInThrottle:
    """Both rules, for one server process; safe to share between sessions' threads."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, names: Rule = USER_NAMES,
                 clients: Rule = CLIENTS, max_keys: int = MAX_KEYS):
        self._names = Counter(names, clock, max_keys)
        self._clients = Counter(clients, clock, max_keys)
        self._lock = threading.Lock()

    def wait(self, username: str, client: str) -> float:
        """Seconds until this user name from this client may try again (0: now)."""
        with self._lock:
            return max(self._names.wait(user_key(username)), self._clients.wait(client))

    def failed(self, username: str, client: str) -> list[Lock]:
        """Count a failed sign-in; the locks it set off (to be written to the audit log)."""
        with self._lock:
            locks = [self._names.fail(user_key(username)), self._clients.fail(client)]
        return [lock for lock in locks if lock is not None]

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._names.clear(user_key(username))


def message(seconds: float) -> str:
    """What a locked-out person is told (the same whichever rule locked, and whether or not the
    user name exists)."""
    minutes = _minutes(seconds)
    return (f"För många misslyckade inloggningar. Inloggningen är spärrad en stund – försök igen om "
            f"{minutes} {'minut' if minutes == 1 else 'minuter'}.")
