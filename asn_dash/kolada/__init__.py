"""Kolada: the v3 API client and pulls (client), the offline snapshot, comparisons among municipalities."""
