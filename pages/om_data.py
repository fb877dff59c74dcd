"""Om data: where the figures come from, what is demo data, and the store's state."""

from pathlib import Path

import streamlit as st

from asn_dash import sources
from asn_dash.app import ui
from asn_dash.formatting import display_frame, format_bytes
from asn_dash.store import queries

ui.ensure_app_navigation()

store = ui.store()

st.title("Om data")
st.markdown(
    """
Panelen ersätter och återskapar nämndens egna rapporter: nämnd- och förvaltningsplanen,
delårsrapporter, tertialrapporter och verksamhetsberättelsen.

* **Publicerad rapport** – siffror hämtade ur nämndens publicerade rapporter; varje värde
  anger dokument och tabell.
* **⚠ Exempeldata** – påhittad månadshistorik 2019–2025 som gör att alla vyer har något att
  visa. Serierna går exakt genom de publicerade siffrorna men är inte verkliga utfall.
* **Uppladdad** – värden som analytiker laddat upp.
* **Kolada** – nyckeltal från Kolada (Källa: Kolada).
"""
)
st.info(sources.DEMO_NOTE, icon="⚠️")

counts = ui.cached(store, queries.counts_by_source, reads=(ui.VALUES,))
counts["source"] = counts["source"].map(lambda s: sources.SOURCE_LABELS.get(s, s))
st.header("Lagrade värden per källa", anchor=False)
st.dataframe(
    display_frame(counts.rename(columns={"source": "Källa", "antal": "Antal värden", "forsta": "Första period",
                                         "sista": "Sista period"}),
                  counts=["Antal värden"], dates=["Första period", "Sista period"]),
    hide_index=True,
)
info = queries.schema_info(store)
size = Path(info["path"]).stat().st_size if Path(info["path"]).exists() else None
if ui.user().can("läsa loggen"):  # the server's file system is the administrator's business
    st.caption(f"Datalager: {info['path']} ({format_bytes(size)}) · schemaversion {info['schema_version']}")
else:
    st.caption(f"Schemaversion {info['schema_version']} · datalagrets storlek {format_bytes(size)}")
