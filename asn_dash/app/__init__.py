"""The Streamlit side: ui (the only module importing Streamlit), HTML fragments (render), the Indikator view model (views)."""
