"""Prepackages: tolerable deficiency and lot (batch) evaluation under dated, versioned schemes.

Schemes (``rules/prepackage_schemes.py``): ``OIML-R87:2016`` (OIML R 87:2016 Tables 1 and 2),
``EEC-76/211`` (Council Directive 76/211/EEC Annex I 2.4 and Annex II reference test: single, double
and destructive plans) and ``VN-TT21/2014`` (Circular 21/2014/TT-BKHCN, pre-filled from R 87 — to be
checked by an administrator; correct it with :func:`scheme_from_dict` / :func:`register_scheme`).

Quantities: nominal Qn and actual contents in any mass or volume unit (g, kg, mg, mL, L, …); the T
table is looked up in g or mL (converted with pint) and T is returned in the caller's unit.

Lot requirements (OIML R 87:2016 average, T1 and T2 requirements; 76/211/EEC Annex II):

1. average: x̄ >= Qn − λ·s, s the sample standard deviation (n − 1), λ = t₀.₉₉₅(n−1)/√n; for 100 %
   inspection of small lots, x̄ >= Qn (λ = 0);
2. T1: the number of packages with deficiency Qn − x > T (i.e. x < Qn − T) does not exceed the plan's
   acceptance number (double plans: cumulative Ac/Re by stage);
3. T2: no package with deficiency > 2T (x < Qn − 2T).

A package exactly at Qn − T is *not* a T1 defective; a mean exactly on the limit passes.
"""

from __future__ import annotations

import copy
import math
import statistics
from collections.abc import Mapping
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from functools import lru_cache
from typing import Any

from . import units
from ._common import InputError, number_list, positive, require, to_decimal
from .rules import PREPACKAGE_SCHEMES

_REGISTRY: dict[str, dict] = {}


# ---------------------------------------------------------------- schemes as data
def scheme_from_dict(data: Mapping[str, Any]) -> dict:
    """Build and validate a prepackage scheme from a JSON-able dict.

    ``{"extends": "OIML-R87:2016", "id": ..., ...}`` starts from a registered scheme and overrides
    only the keys given (so an administrator can correct one table of ``VN-TT21/2014``). Required keys
    after merging: ``id``, ``source``, ``valid_from``, ``t_table``, ``plans`` (see
    ``rules/prepackage_schemes.py`` for the format).
    """
    if not isinstance(data, Mapping):
        raise InputError("scheme: expected a JSON object")
    data = dict(data)
    base: dict = {}
    if data.get("extends"):
        base = copy.deepcopy(get_scheme(data["extends"]))
    scheme = {**base, **copy.deepcopy(data)}
    for key in ("id", "source", "valid_from", "t_table", "plans"):
        require(scheme, key, "scheme")
    sid = scheme["id"]
    table = scheme["t_table"]
    if not isinstance(table, list) or not table:
        raise InputError(f"scheme {sid}.t_table: expected a non-empty list of bands")
    prev = to_decimal(scheme.get("t_min_nominal", 0), f"scheme {sid}.t_min_nominal")
    for i, band in enumerate(table):
        where = f"scheme {sid}.t_table[{i}]"
        up = to_decimal(require(band, "up_to", where), f"{where}.up_to")
        if up <= prev:
            raise InputError(f"{where}.up_to: bands must be in ascending order")
        prev = up
        if ("percent" in band) == ("absolute" in band):
            raise InputError(f"{where}: give exactly one of 'percent' or 'absolute'")
        positive(band.get("percent", band.get("absolute")), f"{where}.value")
    plans = scheme["plans"]
    if not isinstance(plans, Mapping) or "single" not in plans:
        raise InputError(f"scheme {sid}.plans: expected an object with at least a 'single' plan")
    for name, rows in plans.items():
        if not isinstance(rows, list) or not rows:
            raise InputError(f"scheme {sid}.plans.{name}: expected a non-empty list of rows")
        for i, row in enumerate(rows):
            where = f"scheme {sid}.plans.{name}[{i}]"
            positive(require(row, "lot_min", where), f"{where}.lot_min")
            if "stages" in row:
                for j, st in enumerate(row["stages"]):
                    for k in ("n", "ac", "re"):
                        positive(
                            require(st, k, f"{where}.stages[{j}]"),
                            f"{where}.stages[{j}].{k}",
                            allow_zero=k == "ac",
                        )
            else:
                n = require(row, "n", where)
                if n != "all":
                    positive(n, f"{where}.n")
                if "t1_allowed" not in row and "t1_allowed_fraction" not in row:
                    raise InputError(f"{where}: give 't1_allowed' or 't1_allowed_fraction'")
    return scheme


def register_scheme(data: Mapping[str, Any], *, replace: bool = False) -> dict:
    """Validate ``data`` with :func:`scheme_from_dict` and register it under its ``id``."""
    scheme = scheme_from_dict(data)
    if scheme["id"] in _REGISTRY and not replace:
        raise InputError(f"scheme {scheme['id']}: already registered (pass replace=True to override)")
    _REGISTRY[scheme["id"]] = scheme
    return scheme


def get_scheme(scheme: str | Mapping) -> dict:
    """Return a registered scheme by id (or validate a dict given inline)."""
    if isinstance(scheme, Mapping):
        return scheme_from_dict(scheme)
    if not isinstance(scheme, str) or scheme not in _REGISTRY:
        raise InputError(f"scheme: unknown scheme {scheme!r}; known: {', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[scheme]


def list_schemes() -> list[str]:
    return sorted(_REGISTRY)


# ---------------------------------------------------------------- tolerable deficiency
def _t_lookup(scheme: Mapping, qn_base: Decimal) -> tuple[Decimal, Decimal, dict]:
    """(T from the table, T after the scheme's rounding, band) for Qn in g or mL."""
    sid = scheme["id"]
    lo = to_decimal(scheme.get("t_min_nominal", 0), "t_min_nominal")
    below = qn_base < lo if scheme.get("t_min_inclusive") else qn_base <= lo
    if below:
        raise InputError(f"nominal: Qn = {qn_base} g/mL is below the scope of scheme {sid} (from {lo})")
    for band in scheme["t_table"]:
        if qn_base <= to_decimal(band["up_to"], "up_to"):
            if "percent" in band:
                raw = to_decimal(band["percent"], "percent") * qn_base / 100
                rounded = raw
                rnd = scheme.get("t_rounding")
                if rnd:
                    inc = to_decimal(rnd["increment"], "increment")
                    rounded = (raw / inc).to_integral_value(rounding=ROUND_CEILING) * inc
            else:
                raw = rounded = to_decimal(band["absolute"], "absolute")
            return raw.normalize(), rounded.normalize(), band
    top = scheme["t_table"][-1]["up_to"]
    raise InputError(f"nominal: Qn = {qn_base} g/mL is above the scope of scheme {sid} (up to {top})")


def tolerable_deficiency(nominal: Any, unit: str = "g", scheme: str | Mapping = "OIML-R87:2016") -> Decimal:
    """Tolerable deficiency T for a nominal quantity, in the same ``unit`` as ``nominal``.

    OIML R 87:2016 Table 1 (T as % of Qn or in g/mL, by band of Qn in g or mL; continuous at the
    breakpoints). Under ``EEC-76/211`` percentage values are rounded up to the next 0.1 g or mL
    (Directive 76/211/EEC Annex I 2.4).
    """
    return tolerable_deficiency_detail(nominal, unit, scheme)["T"]


def tolerable_deficiency_detail(
    nominal: Any, unit: str = "g", scheme: str | Mapping = "OIML-R87:2016"
) -> dict:
    """Like :func:`tolerable_deficiency` but returns ``{"T", "T_table", "band", "base_unit"}``."""
    sch = get_scheme(scheme)
    qn = positive(nominal, "nominal")
    base = units.prepackage_base_unit(unit)
    f = units.factor(unit, base)
    raw, rounded, band = _t_lookup(sch, qn * f)
    return {"T": (rounded / f).normalize(), "T_table": (raw / f).normalize(), "band": band, "base_unit": base}


# ---------------------------------------------------------------- sampling plans
@lru_cache(maxsize=512)
def lambda_factor(n: int) -> float:
    """λ = t₀.₉₉₅(n − 1)/√n, the one-sided 99.5 % Student-t factor on s for the mean requirement.

    OIML R 87:2016 average requirement and Table 2; 76/211/EEC Annex II (0.503 for n = 30, 0.379 for n = 50,
    0.640 for n = 20).
    """
    if not isinstance(n, int) or isinstance(n, bool) or n < 2:
        raise InputError(f"sample size: λ needs n >= 2 packages, got {n!r}")
    from scipy.stats import t

    return float(t.ppf(0.995, n - 1) / math.sqrt(n))


def _plan_row(scheme: Mapping, plan: str, lot_size: int) -> dict:
    sid = scheme["id"]
    rows = scheme["plans"].get(plan)
    if rows is None:
        raise InputError(f"plan: scheme {sid} has plans {sorted(scheme['plans'])}, got {plan!r}")
    for row in rows:
        hi = row.get("lot_max")
        if row["lot_min"] <= lot_size and (hi is None or lot_size <= hi):
            return row
    raise InputError(f"lot_size: {lot_size} is not covered by the {plan} plan of scheme {sid}")


def sampling_plan(lot_size: int, scheme: str | Mapping = "OIML-R87:2016", *, plan: str = "single") -> dict:
    """The sampling plan row for a lot size, with the required sample size resolved.

    Returns ``{"sample_size_required", "t1_allowed", "lambda", "mean_n", "stages"?, "row"}``.
    ``plan``: ``"single"`` (default), ``"double"`` or ``"destructive"`` (as the scheme defines).
    """
    if isinstance(lot_size, bool) or not isinstance(lot_size, int) or lot_size < 1:
        raise InputError(f"lot_size: expected a positive whole number of packages, got {lot_size!r}")
    sch = get_scheme(scheme)
    if not isinstance(plan, str):
        raise InputError(f"plan: expected 'single', 'double' or 'destructive', got {plan!r}")
    row = _plan_row(sch, plan, lot_size)
    out: dict[str, Any] = {"plan": plan, "row": row}
    if "stages" in row:
        stages = row["stages"]
        out["stages"] = stages
        out["sample_size_required"] = stages[0]["n"]
        out["t1_allowed"] = stages[0]["ac"]
    else:
        n = lot_size if row["n"] == "all" else int(row["n"])
        out["sample_size_required"] = n
        if "t1_allowed" in row:
            out["t1_allowed"] = int(row["t1_allowed"])
        else:
            frac = to_decimal(row["t1_allowed_fraction"], "t1_allowed_fraction")
            out["t1_allowed"] = int((frac * lot_size).to_integral_value(rounding=ROUND_FLOOR))
    out["all"] = row.get("n") == "all"
    out["mean_n"] = row.get("mean_n", None if out["all"] else out["sample_size_required"])
    out["lambda_table"] = row.get("lambda")
    return out


# ---------------------------------------------------------------- lot evaluation
def _fmt(x: Decimal | float, vi: bool = False) -> str:
    s = f"{float(x):.6g}"
    return s.replace(".", ",") if vi else s


def evaluate_lot(
    *,
    nominal: Any,
    unit: str,
    lot_size: int,
    actual: list,
    scheme: str | Mapping = "OIML-R87:2016",
    destructive: bool = False,
    plan: str | None = None,
) -> dict:
    """Evaluate a lot of prepackages against a scheme (see the module docstring for the criteria).

    ``nominal`` Qn and ``actual`` net contents in ``unit``; ``lot_size`` N packages; ``plan`` defaults
    to ``"destructive"`` when ``destructive`` is true, else ``"single"``. If the scheme has no
    destructive plan the single plan is used (noted in ``notes``). The mean requirement uses *all*
    given packages with λ for that n (the table λ when n equals the plan's mean sample size, else
    computed by formula — the two agree to 3 decimals). The lot is accepted only if the sample is at
    least the required size and all three requirements hold. A double plan that needs its second
    sample returns ``accepted: None`` and ``decision: "second-sample-required"``.
    """
    sch = get_scheme(scheme)
    notes: list[str] = []
    if not isinstance(destructive, bool):
        raise InputError(f"destructive: expected true or false, got {destructive!r}")
    if plan is None:
        plan = "destructive" if destructive else "single"
    if not isinstance(plan, str):
        raise InputError(f"plan: expected 'single', 'double' or 'destructive', got {plan!r}")
    if plan not in sch["plans"] and plan == "destructive":
        notes.append(f"scheme {sch['id']} defines no destructive plan; the single plan is used")
        plan = "single"
    qn = positive(nominal, "nominal")
    det = tolerable_deficiency_detail(qn, unit, sch)
    T = det["T"]
    sp = sampling_plan(lot_size, sch, plan=plan)
    xs = number_list(actual, "actual", min_len=1)
    n = len(xs)
    if n > lot_size:
        raise InputError(f"actual: {n} packages given but lot_size is {lot_size}")
    required = sp["sample_size_required"]
    size_ok = n >= required

    # average requirement
    mean_d = sum(xs, Decimal(0)) / n
    s_d = statistics.stdev(xs) if n >= 2 else Decimal(0)
    if sp["all"]:
        lam, lam_src = Decimal(0), "100 % inspection: mean >= Qn"
    elif sp["lambda_table"] is not None and n == sp["mean_n"]:
        lam, lam_src = to_decimal(sp["lambda_table"], "lambda"), "table"
    else:
        lam, lam_src = Decimal(repr(lambda_factor(n))), "formula t0.995(n-1)/sqrt(n)"
    mean_limit = qn - lam * s_d
    mean_ok = mean_d >= mean_limit

    # T1 / T2
    t1_limit = qn - T
    t2_limit = qn - 2 * T
    t1_idx = [i for i, x in enumerate(xs) if x < t1_limit]
    t2_idx = [i for i, x in enumerate(xs) if x < t2_limit]
    decision_pending = False
    if "stages" in sp:
        st = sp["stages"]
        n1 = st[0]["n"]
        c1 = sum(1 for i in t1_idx if i < n1)
        t1_count, t1_allowed = c1, st[0]["ac"]
        if n < n1:
            t1_ok = c1 <= st[0]["ac"]
        elif c1 <= st[0]["ac"]:
            t1_ok = True
        elif c1 >= st[0]["re"]:
            t1_ok = False
        elif n >= n1 + st[1]["n"]:
            c2 = sum(1 for i in t1_idx if i < n1 + st[1]["n"])
            t1_count, t1_allowed = c2, st[1]["ac"]
            t1_ok = c2 <= st[1]["ac"]
            required = n1 + st[1]["n"]
        else:
            t1_ok = False
            decision_pending = True
            required = n1 + st[1]["n"]
            size_ok = False
    else:
        t1_count, t1_allowed = len(t1_idx), sp["t1_allowed"]
        t1_ok = t1_count <= t1_allowed
    t2_count = len(t2_idx)
    t2_allowed = int(sch.get("t2_allowed", 0))
    t2_ok = t2_count <= t2_allowed

    u = unit
    reasons: list[str] = []
    reasons_vi: list[str] = []
    if decision_pending:
        reasons.append(
            f"Double plan: {t1_count} T1 defectives in the first sample of {sp['stages'][0]['n']} is "
            f"between Ac {sp['stages'][0]['ac']} and Re {sp['stages'][0]['re']}; take the second "
            f"sample of {sp['stages'][1]['n']}"
        )
        reasons_vi.append(
            f"Phương án lấy mẫu hai lần: mẫu thứ nhất có {t1_count} gói vi phạm T1, nằm giữa số chấp "
            f"nhận {sp['stages'][0]['ac']} và số loại bỏ {sp['stages'][0]['re']}; cần lấy mẫu thứ hai "
            f"gồm {sp['stages'][1]['n']} gói"
        )
    elif not size_ok:
        reasons.append(
            f"Sample of {n} packages is smaller than the required {required} for a lot of {lot_size}"
        )
        reasons_vi.append(f"Cỡ mẫu {n} gói nhỏ hơn cỡ mẫu yêu cầu {required} gói đối với lô {lot_size} gói")
    cmp = ">=" if mean_ok else "<"
    reasons.append(
        f"Average requirement {'met' if mean_ok else 'NOT met'}: mean {_fmt(mean_d)} {u} {cmp} "
        f"limit Qn - λ·s = {_fmt(mean_limit)} {u} (λ = {_fmt(lam)}, s = {_fmt(s_d)} {u})"
    )
    reasons_vi.append(
        f"Yêu cầu về lượng trung bình {'đạt' if mean_ok else 'KHÔNG đạt'}: trung bình "
        f"{_fmt(mean_d, True)} {u} {'≥' if mean_ok else '<'} giới hạn Qn − λ·s = "
        f"{_fmt(mean_limit, True)} {u} (λ = {_fmt(lam, True)}, s = {_fmt(s_d, True)} {u})"
    )
    if not decision_pending:
        reasons.append(
            f"T1 requirement {'met' if t1_ok else 'NOT met'}: {t1_count} package(s) below Qn - T = "
            f"{_fmt(t1_limit)} {u} (T = {_fmt(T)} {u}); {t1_allowed} allowed"
        )
        reasons_vi.append(
            f"Yêu cầu T1 {'đạt' if t1_ok else 'KHÔNG đạt'}: {t1_count} gói có lượng nhỏ hơn Qn − T = "
            f"{_fmt(t1_limit, True)} {u} (T = {_fmt(T, True)} {u}); cho phép {t1_allowed} gói"
        )
    reasons.append(
        f"T2 requirement {'met' if t2_ok else 'NOT met'}: {t2_count} package(s) below Qn - 2T = "
        f"{_fmt(t2_limit)} {u}; {t2_allowed} allowed"
    )
    reasons_vi.append(
        f"Yêu cầu T2 {'đạt' if t2_ok else 'KHÔNG đạt'}: {t2_count} gói có lượng nhỏ hơn Qn − 2T = "
        f"{_fmt(t2_limit, True)} {u}; cho phép {t2_allowed} gói"
    )

    if decision_pending:
        accepted = None
        decision = "second-sample-required"
        if not t2_ok:
            accepted, decision = False, "rejected"
    else:
        accepted = bool(size_ok and mean_ok and t1_ok and t2_ok)
        decision = "accepted" if accepted else "rejected"
    head = {
        "accepted": "Lot accepted",
        "rejected": "Lot rejected",
        "second-sample-required": "Decision pending",
    }[decision]
    head_vi = {
        "accepted": "Lô hàng đạt yêu cầu",
        "rejected": "Lô hàng không đạt yêu cầu",
        "second-sample-required": "Chưa kết luận được",
    }[decision]
    reasons.insert(0, head)
    reasons_vi.insert(0, head_vi)
    frac_u = sch.get("measurement_uncertainty_max_fraction_of_T")
    return {
        "scheme": sch["id"],
        "source": sch["source"],
        "plan": plan,
        "unit": unit,
        "nominal": qn,
        "T": T,
        "T_table": det["T_table"],
        "lot_size": lot_size,
        "sample_size": n,
        "sample_size_required": required,
        "sample_size_ok": size_ok,
        "mean": mean_d,
        "s": float(s_d),
        "lambda": lam,
        "lambda_source": lam_src,
        "mean_limit": mean_limit,
        "mean_ok": mean_ok,
        "t1_limit": t1_limit,
        "t1_count": t1_count,
        "t1_allowed": t1_allowed,
        "t1_ok": t1_ok,
        "t1_packages": t1_idx,
        "t2_limit": t2_limit,
        "t2_count": t2_count,
        "t2_allowed": t2_allowed,
        "t2_ok": t2_ok,
        "t2_packages": t2_idx,
        "accepted": accepted,
        "decision": decision,
        "measurement_uncertainty_max": (T * to_decimal(frac_u, "fraction")) if frac_u else None,
        "reasons": reasons,
        "reasons_vi": reasons_vi,
        "notes": notes,
    }


for _s in PREPACKAGE_SCHEMES:
    register_scheme(_s)
