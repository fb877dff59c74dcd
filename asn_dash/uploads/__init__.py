"""Analysts' files: reading CSV/XLSX (readers, parsing), checking and loading them (ingest), the
upload log and undo (history), templates and export."""
