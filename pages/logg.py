"""Logg (admin): who did what and when — sign-ins, uploads, undos, overrides, comments, Kolada."""

import io

import streamlit as st

from asn_dash import annotations
from asn_dash.app import ui
from asn_dash.uploads.export import safe_text

ui.ensure_app_navigation()
store = ui.store()
ui.require_page("läsa loggen")

st.title("Logg")
st.caption("Personer anges som Namn (användarnamn); användarnamnet är det som sparas.")
log = annotations.audit_log(store, limit=5000).drop(columns="user_name").rename(columns={
    "logged_at": "Tid", "who": "Vem", "action": "Händelse", "target": "Gäller", "detail": "Detaljer"})
actions = sorted(log["Händelse"].unique())
chosen = st.multiselect("Händelser", actions, default=actions, placeholder="Alla händelser")
shown = log[log["Händelse"].isin(chosen)]
st.dataframe(shown, hide_index=True, width="stretch")  # cells are plain text, never Markdown
buf = io.StringIO()
shown.map(lambda v: safe_text(v) if isinstance(v, str) else v).to_csv(buf, sep=";", index=False)
st.download_button("Exportera loggen (CSV)", ("\ufeff" + buf.getvalue()).encode("utf-8"), "asn_logg.csv", "text/csv")
