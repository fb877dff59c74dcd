"""The upload log and undo: every upload can be reverted to exactly what was there before it."""

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
    later = store.query(
        f"SELECT DISTINCT o.upload_id FROM upload_changes h JOIN observation_values o ON {SAME_KEY}"
        " WHERE h.upload_id = ? AND o.upload_id IS DISTINCT FROM h.upload_id ORDER BY 1", [upload_id])
    if not later.empty:
        ids = ", ".join(str(int(i)) for i in later["upload_id"].dropna())
        raise UndoError(f"Uppladdning {upload_id} kan inte ångras: en del värden har ändrats sedan dess "
                        f"(av uppladdning {ids}). Ångra den eller de senare uppladdningarna först.")
    with store.writing() as cur:
        removed = cur.execute(
            f"DELETE FROM observation_values o USING upload_changes h WHERE h.upload_id = ? AND NOT h.existed"
            f" AND {SAME_KEY}", [upload_id]).fetchall()[0][0]
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
