"""Versioned rule data (JSON-able dicts) used by :mod:`doluong.metrology`.

Each rule or scheme is a plain dict with at least ``id``, ``source`` (the citation, with clause/table)
and ``valid_from`` (ISO date). Later editions or a national annex are added *beside* older ones as new
dicts with a new id; code never needs to change. See ``docs/metrology.md`` for the formats.
"""

from .mpe_rules import MPE_RULES
from .prepackage_schemes import PREPACKAGE_SCHEMES

__all__ = ["MPE_RULES", "PREPACKAGE_SCHEMES"]
