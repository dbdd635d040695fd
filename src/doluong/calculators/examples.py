"""Published examples (from docs/calc.md) that prefill each calculator: ``?example=<key>``."""

from django.utils.translation import gettext_lazy as _

EA4_02_S2 = {
    "model": "mS + dD + dm + dC + dB",
    "inputs": {
        "mS": {"value": 10000.005, "U": 0.045, "k": 2, "unit": "g"},
        "dD": {"value": 0, "distribution": "rectangular", "half_width": 0.015, "unit": "g"},
        "dm": {"value": 0.02, "u": 0.0144, "unit": "g"},
        "dC": {"value": 0, "distribution": "rectangular", "half_width": 0.01, "unit": "g"},
        "dB": {"value": 0, "distribution": "rectangular", "half_width": 0.01, "unit": "g"},
    },
    "k": 2,
}
GUM_H1 = {
    "model": "ls + d - ls*(da*theta + als*dth)",
    "inputs": {
        "ls": {"value": 50000623, "U": 75, "k": 3, "dof": 18},
        "d": {"value": 215, "u": 9.7, "dof": 25.6},
        "als": {"value": 1.15e-05, "u": 1.2e-06},
        "da": {"value": 0, "u": 5.8e-07, "dof": 50},
        "theta": {"value": -0.1, "u": 0.41},
        "dth": {"value": 0, "u": 0.029, "dof": 2},
    },
    "coverage_probability": 0.99,
}
JCGM101_923 = {
    "model": "X1 + X2 + X3 + X4",
    "inputs": {f"X{i}": {"value": 0, "distribution": "rectangular", "half_width": 1.7320508075688772}
               for i in range(1, 5)},
    "method": "monte-carlo", "trials": 1000000, "seed": 1,
}

EXAMPLES = {
    "prepackages": {
        "r87": (_("OIML R 87: lot of 40, sample of 10"), {
            "scheme": "OIML-R87:2016", "nominal": "500", "unit": "g", "lot_size": "40", "plan": "single",
            "actual": "503.1 498.2 501.7 499.9 484.6 502.3 500.8 497.5 504.0 501.2"}),
    },
    "mpe": {
        "r76": (_("OIML R 76 class III, e = 5 g"), {
            "rule": "OIML-R76", "cls": "III", "unit": "kg", "e": "0.005", "stage": "initial",
            "points": [{"reference": 2.5, "indication": 2.5025}, {"reference": 10, "indication": 10.006}]}),
        "r111": (_("OIML R 111 class F2 10 kg weight, U = 50 mg"), {
            "rule": "OIML-R111", "cls": "F2", "unit": "g", "U": "0.05", "stage": "initial",
            "points": [{"reference": 10000, "indication": 10000.12}]}),
    },
    "decide": {
        "g8": (_("ILAC G8 non-binary rule"), {
            "value": "10.25", "U": "0.1", "lower": "9.7", "upper": "10.3", "rule": "non-binary", "r": "1"}),
    },
    "uncertainty": {
        "ea4-02": (_("EA-4/02 S2: calibration of a 10 kg weight"), {"budget": EA4_02_S2}),
        "gum-h1": (_("GUM H.1: end gauge, 99 %"), {"budget": GUM_H1}),
        "jcgm101": (_("JCGM 101 9.2.3: four rectangular inputs, Monte Carlo"), {"budget": JCGM101_923}),
    },
    "linefit": {
        "gum-h3": (_("GUM H.3: thermometer calibration"), {
            "x": "21.521 22.012 22.512 23.003 23.507 23.999 24.513 25.002 25.503 26.01 26.511",
            "y": "-0.171 -0.169 -0.166 -0.159 -0.164 -0.165 -0.156 -0.157 -0.159 -0.161 -0.16",
            "x0": "20", "predict_at": "30"}),
    },
    "interval": {
        "g24": (_("ILAC G24 staircase: three results in tolerance"), {
            "current_interval": "12", "history": "in in in", "extend_factor": "1.5", "shorten_factor": "0.5",
            "min_interval": "3", "max_interval": "36", "consecutive_in_to_extend": "3"}),
    },
}
