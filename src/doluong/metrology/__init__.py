"""doluong.metrology — pure-Python metrology engine (no Django, no other doluong imports).

Modules and their standards:

* :mod:`.prepackages` — tolerable deficiency and lot checks (OIML R 87:2016, 76/211/EEC, Circular
  21/2014/TT-BKHCN as editable data);
* :mod:`.mpe` — maximum permissible errors from dated data rules (OIML R 76-1, R 111-1, R 49-1, R 117-1);
* :mod:`.decision` — conformity decision rules (ILAC G8:09/2019);
* :mod:`.uncertainty` — GUM budgets (JCGM 100:2008) with GTC and Monte Carlo (JCGM 101:2008);
* :mod:`.linefit` — least-squares calibration line (GUM H.3);
* :mod:`.intervals` — recalibration intervals (ILAC G24:2022 method 1);
* :mod:`.units` — unit conversion (pint); :mod:`.calc` — the JSON command-line front end.

Heavy dependencies (GTC, numpy, scipy, pint) are imported lazily inside the functions that need them.
"""

from ._common import InputError

__all__ = ["InputError"]
__version__ = "0.1.0"
