"""Kolada: the v3 API client and pulls (client), the offline snapshot, comparisons among municipalities."""

from asn_dash.errors import AsnError


class KoladaError(AsnError):
    """Kolada could not be read (after retries), or answered something unexpected or unsafe."""
