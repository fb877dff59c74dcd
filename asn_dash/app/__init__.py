"""The Streamlit side: ui (the only module that imports Streamlit), HTML fragments (render), the Indikator view model (views)."""
