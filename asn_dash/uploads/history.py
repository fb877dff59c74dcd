"""The upload log and undo: every upload can be reverted to exactly what was there before it.

``upload_changes`` keeps the values an upload replaced (``existed``). The values it created need
no history row: they are the stored rows that still carry its ``upload_id`` and that it did not
replace (a later upload that replaced one is found by its own history, whose ``old_upload_id``
names this upload). Stores written before this rule also hold rows with ``existed`` false for
created values; undo reads them no more, and they change nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from asn_dash.auth import User, require
from asn_dash.errors import AsnError
from asn_dash.store.store import Store, audit

if TYPE_CHECKING:  # the ingest imports this module (UNCHANGED) and no pandas
    import pandas as pd

UNCHANGED = "oförändrad"  # an upload that changed nothing (logged, nothing to undo)
SAME_KEY = ("o.indicator_key = h.indicator_key AND o.unit_key = h.unit_key AND o.period_code = h.period_code"
            " AND o.kind = h.kind")


# The uploads holding values this one wrote: values it replaced (its own history rows) and values it
# created that a later upload replaced (that upload's history names this one as the old writer; the
# value may have moved on again since, so its current writer is named).
LATER = f"""
    SELECT DISTINCT o.upload_id FROM (
        SELECT h.* FROM upload_changes h WHERE h.upload_id = ?
        UNION ALL
        SELECT h.* FROM upload_changes h WHERE h.old_upload_id = ?) h
    JOIN observation_values o ON {SAME_KEY}
    WHERE o.upload_id IS DISTINCT FROM ? ORDER BY 1"""


class UndoError(AsnError):
    """An upload that cannot be undone (unknown, already undone, or overwritten since)."""


def list_uploads(store: Store, limit: int = 200) -> pd.DataFrame:
    return store.query(
        "SELECT id, uploaded_at, user_name, file_name, sha256, inserted, updated, unchanged, warnings, status,"
        " undone_at, undone_by FROM uploads ORDER BY id DESC LIMIT ?", [limit])


def undo(store: Store, upload_id: int, by: User) -> dict[str, int]:
    """Restore every value the upload touched, delete the rows it created and its comments.
    An analytiker may undo their own uploads, an admin anyone's."""
    row = store.query("SELECT status, file_name, user_name FROM uploads WHERE id = ?", [upload_id])
    if row.empty:
        raise UndoError(f"Uppladdning {upload_id} finns inte.")
    own = row.iloc[0]["user_name"] == by.username
    require(by, "ångra egna uppladdningar" if own else "ångra andras uppladdningar")
    user = by.username
    if row.iloc[0]["status"] == "ångrad":
        raise UndoError(f"Uppladdning {upload_id} ({row.iloc[0]['file_name']}) är redan ångrad.")
    if row.iloc[0]["status"] == UNCHANGED:
        raise UndoError(f"Uppladdning {upload_id} ({row.iloc[0]['file_name']}) ändrade ingenting; det finns inget "
                        f"att ångra.")
    later = store.query(LATER, [upload_id, upload_id, upload_id])
    if not later.empty:
        ids = ", ".join(str(int(i)) for i in later["upload_id"].dropna())
        raise UndoError(f"Uppladdning {upload_id} kan inte ångras: en del värden har ändrats sedan dess "
                        f"(av uppladdning {ids}). Ångra den eller de senare uppladdningarna först.")
    with store.writing() as cur:
        removed = cur.execute(
            "DELETE FROM observation_values o WHERE o.upload_id = ? AND NOT EXISTS (SELECT 1 FROM upload_changes h"
            f" WHERE h.upload_id = ? AND h.existed AND {SAME_KEY})", [upload_id, upload_id]).fetchall()[0][0]
        restored = cur.execute(
            "UPDATE observation_values o SET value = h.old_value, text_value = h.old_text_value, source = h.old_source,"
            " source_ref = h.old_source_ref, upload_id = h.old_upload_id,"
            " updated_at = coalesce(h.old_updated_at, current_timestamp)"
            f" FROM upload_changes h WHERE h.upload_id = ? AND h.existed AND {SAME_KEY}", [upload_id]).fetchall()[0][0]
        cur.execute("DELETE FROM comments WHERE upload_id = ?", [upload_id]).fetchall()
        cur.execute("UPDATE uploads SET status = 'ångrad', undone_at = current_timestamp, undone_by = ?"
                    " WHERE id = ?", [user, upload_id]).fetchall()
        audit(cur, user, "ångrad uppladdning", f"uppladdning {upload_id}",
              f"{removed} borttagna, {restored} återställda")
    return {"removed": int(removed), "restored": int(restored)}
