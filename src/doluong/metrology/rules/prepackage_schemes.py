"""Prepackage schemes: tolerable deficiency table and sampling plans, as dated data.

Format (all values JSON-able; quantities in g for mass and mL for volume):

``t_table``: list of bands ``{"up_to": Qn_max, "percent": p}`` or ``{"up_to": Qn_max, "absolute": T}``
in ascending order; a band covers ``previous up_to < Qn <= up_to``; ``t_min_nominal`` is the smallest
Qn in scope (exclusive when 0). ``t_rounding``: ``null`` or ``{"increment": 0.1, "applies_to": "percent"}``
(percentage values rounded *up* to the increment, in g/mL).

``plans``: ``{"single" | "double" | "destructive": [row, ...]}``; a row covers lot sizes
``lot_min..lot_max`` (``null`` = no upper bound) and gives ``n`` (an integer or ``"all"``), the T1
acceptance number ``t1_allowed`` (or ``t1_allowed_fraction`` of the lot for 100 % inspection),
``lambda`` (mean factor for the sample size ``mean_n``, default ``n``; ``0`` means mean >= Qn), and for
double plans ``stages`` = ``[{"n", "ac", "re"}, ...]`` with cumulative acceptance/rejection numbers.
"""

# OIML R 87:2016 "Quantity of product in prepackages", Table 1 (tolerable deficiency T).
_T_TABLE_R87 = [
    {"up_to": 50, "percent": 9},
    {"up_to": 100, "absolute": 4.5},
    {"up_to": 200, "percent": 4.5},
    {"up_to": 300, "absolute": 9},
    {"up_to": 500, "percent": 3},
    {"up_to": 1000, "absolute": 15},
    {"up_to": 10000, "percent": 1.5},
    {"up_to": 15000, "absolute": 150},
    {"up_to": 50000, "percent": 1},
]

# OIML R 87:2016 Table 2 sampling plan; lambda = t_0.995(n-1)/sqrt(n) (Student t, one-sided 99.5 %).
_PLANS_R87 = {
    "single": [
        {"lot_min": 1, "lot_max": 10, "n": "all", "lambda": 0, "t1_allowed": 0},
        {"lot_min": 11, "lot_max": 50, "n": 10, "lambda": 1.028, "t1_allowed": 0},
        {"lot_min": 51, "lot_max": 99, "n": 13, "lambda": 0.847, "t1_allowed": 1},
        {"lot_min": 100, "lot_max": 500, "n": 50, "lambda": 0.379, "t1_allowed": 3},
        {"lot_min": 501, "lot_max": 3200, "n": 80, "lambda": 0.295, "t1_allowed": 5},
        {"lot_min": 3201, "lot_max": None, "n": 125, "lambda": 0.234, "t1_allowed": 7},
    ]
}

R87_2016 = {
    "id": "OIML-R87:2016",
    "title": "OIML R 87:2016 Quantity of product in prepackages",
    "source": "OIML R 87:2016, Table 1 (tolerable deficiencies) and Table 2 (sampling plan, "
    "lambda = t0.995(n-1)/sqrt(n)); average, T1 and T2 requirements",
    "valid_from": "2016-01-01",
    "valid_from_note": "edition year; day and month nominal",
    "t_min_nominal": 0,
    "t_table": _T_TABLE_R87,
    "t_rounding": None,
    "plans": _PLANS_R87,
    "t2_allowed": 0,
    "measurement_uncertainty_max_fraction_of_T": 0.2,
}

EEC_76_211 = {
    "id": "EEC-76/211",
    "title": "Council Directive 76/211/EEC, reference test for batches of prepackages",
    "source": "Council Directive 76/211/EEC, Annex I 2.4 (tolerable negative errors, percentages rounded "
    "up to the nearest 0.1 g or mL) and Annex II (reference test: sampling plans and mean criterion)",
    "valid_from": "1976-01-20",
    "t_min_nominal": 5,
    "t_min_inclusive": True,
    "t_table": [row for row in _T_TABLE_R87 if row["up_to"] <= 10000],
    "t_rounding": {"increment": 0.1, "applies_to": "percent"},
    "plans": {
        "single": [
            {"lot_min": 1, "lot_max": 99, "n": "all", "lambda": 0, "t1_allowed_fraction": 0.05},
            {"lot_min": 100, "lot_max": 500, "n": 50, "t1_allowed": 3, "mean_n": 30, "lambda": 0.503},
            {"lot_min": 501, "lot_max": 3200, "n": 80, "t1_allowed": 5, "mean_n": 50, "lambda": 0.379},
            {"lot_min": 3201, "lot_max": None, "n": 125, "t1_allowed": 7, "mean_n": 50, "lambda": 0.379},
        ],
        "double": [
            {"lot_min": 1, "lot_max": 99, "n": "all", "lambda": 0, "t1_allowed_fraction": 0.05},
            {
                "lot_min": 100,
                "lot_max": 500,
                "mean_n": 30,
                "lambda": 0.503,
                "stages": [{"n": 30, "ac": 1, "re": 3}, {"n": 30, "ac": 4, "re": 5}],
            },
            {
                "lot_min": 501,
                "lot_max": 3200,
                "mean_n": 50,
                "lambda": 0.379,
                "stages": [{"n": 50, "ac": 2, "re": 5}, {"n": 50, "ac": 6, "re": 7}],
            },
            {
                "lot_min": 3201,
                "lot_max": None,
                "mean_n": 50,
                "lambda": 0.379,
                "stages": [{"n": 80, "ac": 3, "re": 7}, {"n": 80, "ac": 8, "re": 9}],
            },
        ],
        "destructive": [
            {"lot_min": 1, "lot_max": 99, "n": "all", "lambda": 0, "t1_allowed_fraction": 0.05},
            {"lot_min": 100, "lot_max": None, "n": 20, "t1_allowed": 1, "lambda": 0.640},
        ],
    },
    "t2_allowed": 0,
    "measurement_uncertainty_max_fraction_of_T": 0.2,
}

VN_TT21_2014 = {
    "id": "VN-TT21/2014",
    "title": "Thông tư 21/2014/TT-BKHCN quy định về đo lường đối với lượng của hàng đóng gói sẵn",
    "source": "Circular 21/2014/TT-BKHCN (Ministry of Science and Technology of Viet Nam) on measurement "
    "of the quantity of prepackaged goods. Values PRE-FILLED from OIML R 87:2016 Tables 1 and 2 because "
    "the Circular's own annex tables were not available when this data was written: an administrator "
    "must check them against the official text and correct them with scheme_from_dict().",
    "valid_from": "2014-07-15",
    "valid_from_note": "signature date as recalled, not verified; confirm the effective date",
    "verified": False,
    "t_min_nominal": 0,
    "t_table": _T_TABLE_R87,
    "t_rounding": None,
    "plans": _PLANS_R87,
    "t2_allowed": 0,
    "measurement_uncertainty_max_fraction_of_T": 0.2,
}

PREPACKAGE_SCHEMES = [R87_2016, EEC_76_211, VN_TT21_2014]
