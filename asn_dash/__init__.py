"""asn-dash: the indicator dashboard of Arbetsmarknads- och socialnämnden, Tyresö kommun."""

__version__ = "0.1.0"
