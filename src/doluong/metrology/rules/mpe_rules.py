"""Maximum permissible error (MPE) rules, as dated data.

Two rule kinds (see docs/metrology.md for the full format):

``"bands"``: per class, a list of bands in ascending order ``{"up_to": x, "mpe": spec}`` (a band covers
``previous up_to < basis <= up_to``, the first from ``min`` inclusive, ``"up_to": null`` = no upper
bound) and/or ``{"zone": name, "mpe": spec}`` picked by the point's ``zone``. ``basis`` says what the
band bounds apply to: ``"e_multiple"`` (reference / e), ``"reference"`` (in ``unit``) or ``"at"``
(the point's ``at`` value, e.g. a flow rate). An MPE ``spec`` is ``{"e": m}`` (m × e),
``{"absolute": a}`` (in ``unit``), ``{"percent": p}`` or ``{"relative": r}`` (of |reference|),
``{"greater_of": [spec, ...]}`` or ``{"lesser_of": [spec, ...]}``.

``"table"``: MPE by nominal value: ``{"table": [{"nominal": "50 kg", "E1": 25, ...}], "unit": "mg"}``;
``null`` means the class has no weight of that nominal value.

``stages`` maps a verification stage to a factor on the MPE (e.g. in service = 2 × initial).
"""

OIML_R76 = {
    "id": "OIML-R76",
    "title": "OIML R 76-1:2006 Non-automatic weighing instruments, MPE on initial verification",
    "source": "OIML R 76-1:2006, 3.5.1 Table 6 (MPE on initial verification, load m in verification scale "
    "intervals e) and 3.5.2 (MPE in service = twice the MPE on initial verification)",
    "valid_from": "2006-01-01",
    "valid_from_note": "edition year; day and month nominal",
    "kind": "bands",
    "basis": "e_multiple",
    "min": 0,
    "requires_e": True,
    "stages": {"initial": 1, "in-service": 2},
    "classes": {
        "I": [
            {"up_to": 50000, "mpe": {"e": 0.5}},
            {"up_to": 200000, "mpe": {"e": 1.0}},
            {"up_to": None, "mpe": {"e": 1.5}},
        ],
        "II": [
            {"up_to": 5000, "mpe": {"e": 0.5}},
            {"up_to": 20000, "mpe": {"e": 1.0}},
            {"up_to": 100000, "mpe": {"e": 1.5}},
        ],
        "III": [
            {"up_to": 500, "mpe": {"e": 0.5}},
            {"up_to": 2000, "mpe": {"e": 1.0}},
            {"up_to": 10000, "mpe": {"e": 1.5}},
        ],
        "IIII": [
            {"up_to": 50, "mpe": {"e": 0.5}},
            {"up_to": 200, "mpe": {"e": 1.0}},
            {"up_to": 1000, "mpe": {"e": 1.5}},
        ],
    },
}

_R111_CLASSES = ["E1", "E2", "F1", "F2", "M1", "M2", "M3"]
_R111_ROWS = [
    ("50 kg", 25, 80, 250, 800, 2500, 8000, 25000),
    ("20 kg", 10, 30, 100, 300, 1000, 3000, 10000),
    ("10 kg", 5.0, 16, 50, 160, 500, 1600, 5000),
    ("5 kg", 2.5, 8.0, 25, 80, 250, 800, 2500),
    ("2 kg", 1.0, 3.0, 10, 30, 100, 300, 1000),
    ("1 kg", 0.5, 1.6, 5.0, 16, 50, 160, 500),
    ("500 g", 0.25, 0.8, 2.5, 8.0, 25, 80, 250),
    ("200 g", 0.10, 0.3, 1.0, 3.0, 10, 30, 100),
    ("100 g", 0.05, 0.16, 0.5, 1.6, 5.0, 16, 50),
    ("50 g", 0.03, 0.10, 0.3, 1.0, 3.0, 10, 30),
    ("20 g", 0.025, 0.08, 0.25, 0.8, 2.5, 8.0, 25),
    ("10 g", 0.020, 0.06, 0.20, 0.6, 2.0, 6.0, 20),
    ("5 g", 0.016, 0.05, 0.16, 0.5, 1.6, 5.0, 16),
    ("2 g", 0.012, 0.04, 0.12, 0.4, 1.2, 4.0, 12),
    ("1 g", 0.010, 0.03, 0.10, 0.3, 1.0, 3.0, 10),
    ("500 mg", 0.008, 0.025, 0.08, 0.25, 0.8, 2.5, None),
    ("200 mg", 0.006, 0.020, 0.06, 0.20, 0.6, 2.0, None),
    ("100 mg", 0.005, 0.016, 0.05, 0.16, 0.5, 1.6, None),
    ("50 mg", 0.004, 0.012, 0.04, 0.12, 0.4, None, None),
    ("20 mg", 0.003, 0.010, 0.03, 0.10, 0.3, None, None),
    ("10 mg", 0.003, 0.008, 0.025, 0.08, 0.25, None, None),
    ("5 mg", 0.003, 0.006, 0.020, 0.06, 0.20, None, None),
    ("2 mg", 0.003, 0.006, 0.020, 0.06, 0.20, None, None),
    ("1 mg", 0.003, 0.006, 0.020, 0.06, 0.20, None, None),
]

OIML_R111 = {
    "id": "OIML-R111",
    "title": "OIML R 111-1:2004 Weights of classes E1 ... M3, maximum permissible errors",
    "source": "OIML R 111-1:2004, Table 1 (MPE on initial and subsequent verification, in mg) and 5.2 "
    "(expanded uncertainty U, k = 2, of the conventional mass at most one third of the MPE)",
    "valid_from": "2004-01-01",
    "valid_from_note": "edition year; day and month nominal",
    "kind": "table",
    "unit": "mg",
    "uncertainty_max_fraction_of_mpe": "1/3",
    "stages": {"initial": 1, "subsequent": 1, "in-service": 1},
    "table": [{"nominal": row[0], **dict(zip(_R111_CLASSES, row[1:], strict=True))} for row in _R111_ROWS],
}

OIML_R49_2013 = {
    "id": "OIML-R49:2013",
    "title": "OIML R 49-1:2013 Water meters, maximum permissible errors",
    "source": (
        "OIML R 49-1:2013, 4.2 (maximum permissible errors, classes 1 and 2): lower flow-rate zone "
        "Q1 <= Q < Q2 and upper zone Q2 <= Q <= Q4; class 2 upper zone +-2 % for water 0.1 degC to "
        "30 degC, +-3 % above 30 degC"
    ),
    "valid_from": "2013-01-01",
    "valid_from_note": "edition year; day and month nominal",
    "kind": "bands",
    "basis": "zone",
    "stages": {"initial": 1},
    "classes": {
        "1": [{"zone": "lower", "mpe": {"percent": 3}}, {"zone": "upper", "mpe": {"percent": 1}}],
        "2": [{"zone": "lower", "mpe": {"percent": 5}}, {"zone": "upper", "mpe": {"percent": 2}}],
        "2-hot": [{"zone": "lower", "mpe": {"percent": 5}}, {"zone": "upper", "mpe": {"percent": 3}}],
    },
}

OIML_R117_2007 = {
    "id": "OIML-R117:2007",
    "title": "OIML R 117-1:2007 Dynamic measuring systems for liquids other than water (fuel dispensers)",
    "source": (
        "OIML R 117-1:2007, Table 2 (maximum permissible errors), accuracy class 0.5 (fuel "
        "dispensers): line A (measuring system) 0.5 %, line B (meter) 0.3 %. The minimum specified "
        "volume deviation Emin is NOT modelled here; add a greater_of spec in a national rule if needed"
    ),
    "valid_from": "2007-01-01",
    "valid_from_note": "edition year; day and month nominal",
    "kind": "bands",
    "basis": "reference",
    "min": 0,
    "stages": {"initial": 1},
    "classes": {
        "0.5": [{"up_to": None, "mpe": {"percent": 0.5}}],
        "0.5-meter": [{"up_to": None, "mpe": {"percent": 0.3}}],
    },
}

MPE_RULES = [OIML_R76, OIML_R111, OIML_R49_2013, OIML_R117_2007]
