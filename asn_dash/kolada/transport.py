"""One GET against Kolada, bounded: retries with backoff, timeouts, a size cap and a deadline
for the body, and the only hosts a ``next_url`` may lead to.

* **Retries**: 429, 5xx and connection errors are retried by urllib3's ``Retry`` (no wait before
  the first retry, then 2×, 4×, 8× the backoff factor); ``Retry-After`` is honoured up to a cap.
* **Time**: connect and read timeouts per socket operation, plus a deadline for the whole body
  (a server that trickles a byte at a time never trips a read timeout).
* **Size**: the body is streamed and counted *after* decompression, so neither an endless body
  nor a small gzip that inflates to gigabytes can fill memory.
* **Next pages and redirects**: only http/https on the configured host and port (the scheme's
  default port counts, so https → http is refused too).

The deadline is checked between reads of the body, so it can be overshot by at most one read
timeout; the status line and headers are bounded by the read timeout per read and by
``http.client``'s own limits (100 header lines of at most 64 kB).

The limits can be set by environment variables, read only in :func:`limits_from_env`:
``ASN_KOLADA_BACKOFF`` (seconds), ``ASN_KOLADA_MAX_BYTES``, ``ASN_KOLADA_DEADLINE`` (seconds).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests
from urllib3.util.retry import Retry

from asn_dash.errors import AsnError
from asn_dash.formatting import format_number
from asn_dash.kolada import KoladaError

RETRY_STATUSES = (429, 500, 502, 503, 504)
MAX_RETRY_AFTER = 60.0  # seconds; a server asking for a longer wait fails the pull
CHUNK = 64 * 1024
MAX_URL = 4000  # characters; Kolada's own next_url is well under 200


class TransportError(KoladaError):
    """A request failed, or its answer broke a limit."""


@dataclass(frozen=True)
class Limits:
    connect_timeout: float = 10.0  # seconds to open the connection
    read_timeout: float = 30.0  # seconds any one read may wait
    deadline: float = 120.0  # seconds for the whole body of one answer
    max_bytes: int = 50 * 1024 * 1024  # one answer, decompressed
    backoff: float = 1.0  # urllib3's backoff factor (see the module docstring)


def _env_number(name: str, default: float, integer: bool = False, positive: bool = False) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw) if integer else float(raw.replace(",", "."))
    except ValueError:
        value = -1
    if not (value > 0 if positive else value >= 0) or value == float("inf"):
        kind = "ett heltal" if integer else "ett tal"
        raise AsnError(f"{name} måste vara {kind} {'> 0' if positive else '≥ 0'} (nu: {raw[:40]!r}).")
    return value


def limits_from_env(**overrides) -> Limits:
    """The limits, with ``ASN_KOLADA_*`` environment variables over the defaults (the one place
    they are read), then ``overrides`` over both."""
    base = Limits()
    values = {
        "backoff": _env_number("ASN_KOLADA_BACKOFF", base.backoff),
        "max_bytes": int(_env_number("ASN_KOLADA_MAX_BYTES", base.max_bytes, integer=True, positive=True)),
        "deadline": _env_number("ASN_KOLADA_DEADLINE", base.deadline, positive=True),
    }
    return Limits(**{**base.__dict__, **values, **overrides})


def size_text(n: int) -> str:
    """Bytes as the error messages name them: MB, or kB below one MB."""
    if n >= 1024 * 1024:
        return f"{format_number(n / (1024 * 1024), 0 if n % (1024 * 1024) == 0 else 1)} MB"
    return f"{format_number(n / 1024, 0 if n % 1024 == 0 else 1)} kB"


def seconds_text(seconds: float) -> str:
    return f"{format_number(seconds, 0 if float(seconds).is_integer() else 1)} s"


class WaitTooLong(TransportError):
    def __init__(self, seconds: float):
        super().__init__(f"Retry-After {seconds:.0f} s")
        self.seconds = seconds


class BoundedRetry(Retry):
    """urllib3's retry policy, plus: a ``Retry-After`` longer than ``max_wait`` fails at once,
    and every wait goes through ``sleeper`` (tests record the waits instead of sleeping)."""

    def __init__(self, *args, max_wait: float = MAX_RETRY_AFTER, sleeper: Callable[[float], None] = time.sleep,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.max_wait, self.sleeper = max_wait, sleeper

    def new(self, **kwargs) -> "BoundedRetry":
        retry = super().new(**kwargs)
        retry.max_wait, retry.sleeper = self.max_wait, self.sleeper
        return retry

    def get_retry_after(self, response) -> float | None:
        seconds = super().get_retry_after(response)
        if seconds is not None and seconds > self.max_wait:
            raise WaitTooLong(seconds)
        return seconds

    def sleep_for_retry(self, response) -> bool:
        seconds = self.get_retry_after(response)
        if seconds:
            self.sleeper(seconds)
            return True
        return False

    def _sleep_backoff(self) -> None:
        seconds = self.get_backoff_time()
        if seconds > 0:
            self.sleeper(seconds)


def _effective_port(parts) -> int | None:
    try:
        return parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:  # a port that is not a number or out of range
        return None


def safe_next(current: str, target: object, base: str, what: str = "next_url") -> str:
    """The absolute URL of the next page (or of a redirect: ``what``), or an error if it leads
    anywhere but the configured Kolada (scheme http/https, same host, same port)."""
    if not isinstance(target, str):
        raise TransportError(f"{what} är inte en text ({type(target).__name__})")
    if len(target) > MAX_URL or any(ord(c) <= 32 or ord(c) == 127 for c in target):
        raise TransportError(f"{what} är ingen giltig adress ({target[:80]!r})")
    url = urljoin(current, target)
    parts, home = urlsplit(url), urlsplit(base)
    if parts.scheme not in ("http", "https"):
        raise TransportError(f"{what} har schemat {parts.scheme or '(inget)'!r}; bara http och https följs "
                             f"({target[:120]})")
    if (parts.hostname or "").lower() != (home.hostname or "").lower() or parts.username or parts.password:
        raise TransportError(f"{what} leder till en annan värd ({parts.hostname or '(ingen)'}) än den "
                             f"inställda ({home.hostname}) ({target[:120]})")
    if _effective_port(parts) != _effective_port(home):
        raise TransportError(f"{what} leder till en annan port ({_effective_port(parts)}) än den inställda "
                             f"({_effective_port(home)}) ({target[:120]})")
    return url


def read_body(response: requests.Response, limits: Limits, url: str) -> bytes:
    """The whole body of a streamed ``response``, decompressed, within ``limits.max_bytes`` and
    ``limits.deadline``; the connection is closed either way."""
    started = time.monotonic()
    cap = limits.max_bytes
    try:
        declared = response.headers.get("Content-Length", "")
        encoded = response.headers.get("Content-Encoding", "identity").strip().lower() in ("", "identity")
        if declared.isdigit() and encoded and int(declared) > cap:
            raise TransportError(f"Kolada svarade med {size_text(int(declared))}, mer än gränsen {size_text(cap)} "
                                 f"per svar (ASN_KOLADA_MAX_BYTES); hämtningen avbröts: {url}")
        parts, total = [], 0
        while True:
            if time.monotonic() - started > limits.deadline:
                raise TransportError(f"Kolada blev inte klar med svaret inom {seconds_text(limits.deadline)} "
                                     f"(gräns per svar, ASN_KOLADA_DEADLINE); hämtningen avbröts: {url}")
            chunk = response.raw.read1(CHUNK, decode_content=True)
            if not chunk:
                break
            total += len(chunk)
            if total > cap:
                raise TransportError(f"Kolada svarade med mer än {size_text(cap)} (uppackat), gränsen per svar "
                                     f"(ASN_KOLADA_MAX_BYTES); hämtningen avbröts: {url}")
            parts.append(chunk)
        return b"".join(parts)
    except TransportError:
        raise
    except Exception as exc:  # urllib3's read/decode errors (reset, truncated or corrupt gzip, …)
        raise TransportError(f"Kolada-svaret kunde inte läsas färdigt ({type(exc).__name__}): {url}") from None
    finally:
        response.close()
