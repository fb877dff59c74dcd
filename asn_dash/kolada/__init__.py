"""Kolada: the v3 API client and pulls (client), comparisons among municipalities (comparison)."""
