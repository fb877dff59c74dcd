"""What an error may tell whom. No Streamlit here.

Analytiker and admin see an error's message and details: they fix the files and run the store.
Everyone else — signed-out visitors and läsare — gets a plain Swedish message that names no
server path, exception type or parse error, with a reference id (``fel-3f9a2c``). The details
always go to the server log (Python ``logging``, logger ``asn_dash``) under the same id, so an
administrator can find what the person saw.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from asn_dash.auth import SignedOut, UsersFileError
from asn_dash.errors import AsnError
from asn_dash.store.store import StoreDamagedError, StoreError, StoreLockedError, StoreWriteError

log = logging.getLogger("asn_dash")

# most specific first: (kind of error, what anyone may be told about it)
_PLAIN = [
    (StoreLockedError, "Datalagret används just nu av en annan process. Vänta en stund och försök igen."),
    (StoreWriteError, "Ändringen kunde inte sparas, och inget ändrades. Försök igen senare."),
    (StoreDamagedError, "Datalagret är skadat och måste återställas från en säkerhetskopia."),
    (StoreError, "Datalagret kan inte användas just nu."),
    (UsersFileError, "Inloggningen kan inte kontrolleras just nu."),
]
_FALLBACK = "Något gick fel."


@dataclass(frozen=True)
class Report:
    reference: str
    message: str            # Swedish, always shown
    details: str | None     # shown under it, only to those who may see details


def reference() -> str:
    return f"fel-{secrets.token_hex(3)}"


def report(exc: BaseException, detailed: bool) -> Report:
    """Log ``exc`` under a new reference id and say what the viewer may be told."""
    ref = reference()
    known = isinstance(exc, AsnError)
    en = exc.en if known else f"{type(exc).__name__}: {exc}"
    log.log(logging.WARNING if known else logging.ERROR, "%s %s: %s", ref, type(exc).__name__, en,
            exc_info=None if known else exc)
    if isinstance(exc, SignedOut):  # says nothing about the server, and the person must know why
        return Report(ref, exc.sv, None)
    if detailed:
        message = exc.sv if known else f"Oväntat fel: {en}"
        return Report(ref, message, f"{en} (referens {ref})" if known and en != exc.sv else f"Referens {ref}.")
    plain = next((text for kind, text in _PLAIN if isinstance(exc, kind)), _FALLBACK)
    return Report(ref, f"{plain} Kontakta en administratör och uppge referensen {ref} om felet består.", None)
