"""Errors that reach a person: a Swedish message first, an English one for logs and admins."""

from __future__ import annotations


class AsnError(Exception):
    """An error with a message a user can act on, in Swedish (``sv``) and English (``en``)."""

    def __init__(self, sv: str, en: str | None = None):
        super().__init__(sv)
        self.sv = sv
        self.en = en or sv

    def __str__(self) -> str:
        return self.sv if self.en == self.sv else f"{self.sv}\n({self.en})"
