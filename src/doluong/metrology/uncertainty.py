"""Uncertainty budgets: GUM law of propagation (JCGM 100:2008) and Monte Carlo (JCGM 101:2008).

The measurement model is an expression string, parsed safely with :mod:`ast` (whitelist: numbers,
input names, ``+ - * / **``, unary ``-``/``+``, the functions ``sqrt exp log log10 sin cos tan asin
acos atan atan2 sinh cosh tanh abs`` and the constants ``pi`` and ``e``). ``log`` is the natural
logarithm. Everything else is rejected with :class:`~doluong.metrology._common.InputError`.

Inputs (all values in the user's units; the model defines the units of the result):

* ``{"value", "u", "dof"?}`` — standard uncertainty (GUM 4.3; dof default infinite);
* ``{"value", "U", "k", "dof"?}`` — expanded uncertainty with its coverage factor, u = U/k (GUM 4.3.3);
* ``{"value", "U", "confidence", "dof"?}`` — u = U/t_p(ν) with t_p from Student's t at that level of
  confidence (two-sided) and ν = dof, normal quantile when dof is absent (GUM 4.3.4, G.3);
* ``{"value", "distribution": "rectangular"|"triangular"|"arcsine", "half_width", "dof"?}`` —
  u = a/√3, a/√6, a/√2 (GUM 4.3.7, 4.3.9, JCGM 101 6.4.6);
* ``{"readings": [...]}`` — Type A: value = mean, u = s/√n, ν = n − 1 (GUM 4.2).

Correlations ``[[A, B, r], ...]`` (GUM 5.2). Correlated inputs with finite degrees of freedom must share
the same dof (they are declared as one GTC ensemble; GTC then applies Willink's extension of the
Welch–Satterthwaite formula).

GUM method: propagation by GTC (first-order Taylor series, GUM 5.1.2/5.2.2), sensitivity
coefficients c_i = ∂f/∂x_i, contributions |c_i|·u(x_i), effective dof by Welch–Satterthwaite (GUM
G.4.1). The coverage factor is k = t_p(ν_eff) for the requested coverage probability p, with ν_eff
*truncated to the next lower integer* as GUM G.4.1 and EA-4/02 do (set ``truncate_dof=False`` to use
the fractional value); or a given ``k``.

Monte Carlo (JCGM 101 7): inputs sampled from their PDFs — Gaussian (infinite dof), scaled and shifted
t_ν for finite dof (JCGM 101 6.4.9: Type A t_{n−1}(x̄, s²/n); Type B with stated dof), rectangular,
triangular, arcsine; correlated inputs as a multivariate Gaussian (JCGM 101 6.4.8). Results: value =
mean of the M model values, u = their standard deviation, interval = the probabilistically symmetric
coverage interval (JCGM 101 7.7.1); U = half its width and k = U/u (the interval need not be
symmetric about the value). The shortest interval (7.7.2) is also given. Reproducible with ``seed``
(``numpy.random.default_rng(seed)``, samples drawn input by input in input order, in chunks of 10⁶).
"""

from __future__ import annotations

import ast
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ._common import INF, InputError, number_list, positive, to_dof, to_float, to_probability

FUNCTIONS = {
    "sqrt": 1,
    "exp": 1,
    "log": 1,
    "log10": 1,
    "sin": 1,
    "cos": 1,
    "tan": 1,
    "asin": 1,
    "acos": 1,
    "atan": 1,
    "atan2": 2,
    "sinh": 1,
    "cosh": 1,
    "tanh": 1,
    "abs": 1,
}
CONSTANTS = {"pi": math.pi, "e": math.e}
_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_ALLOWED = "numbers, input names, + - * / **, unary minus, pi, e and the functions " + ", ".join(FUNCTIONS)
_INPUT_KEYS = {"value", "u", "U", "k", "confidence", "dof", "distribution", "half_width", "readings"}
_INFO_KEYS = {"unit", "label", "description", "note", "type"}
DISTRIBUTIONS = {"rectangular": 3, "uniform": 3, "triangular": 6, "arcsine": 2, "u-shaped": 2}
MAX_TRIALS = 10_000_000
_CHUNK = 1_000_000


# ---------------------------------------------------------------- safe model parsing
@dataclass(frozen=True)
class Model:
    """A parsed measurement model: the source text, its AST and the names it uses."""

    text: str
    tree: ast.Expression
    names: frozenset[str]


def parse_model(text: str) -> Model:
    """Parse and validate a model expression (see module docstring); raise InputError if not allowed."""
    if not isinstance(text, str) or not text.strip():
        raise InputError("model: expected a non-empty expression string, e.g. 'V / I * cos(phi)'")
    if len(text) > 5000:
        raise InputError("model: expression longer than 5000 characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise InputError(f"model: syntax error at column {exc.offset}: {exc.msg}") from None
    names: set[str] = set()

    def check(node: ast.AST) -> None:
        if isinstance(node, ast.Expression):
            check(node.body)
        elif isinstance(node, ast.BinOp):
            if type(node.op) not in _BINOPS:
                hint = " (use ** for powers)" if isinstance(node.op, ast.BitXor) else ""
                raise InputError(
                    f"model: operator {type(node.op).__name__} is not allowed{hint}; allowed: {_ALLOWED}"
                )
            check(node.left)
            check(node.right)
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.USub, ast.UAdd)):
                raise InputError(f"model: unary {type(node.op).__name__} is not allowed; allowed: {_ALLOWED}")
            check(node.operand)
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                raise InputError(f"model: constant {node.value!r} is not allowed (numbers only)")
        elif isinstance(node, ast.Name):
            if node.id in FUNCTIONS:
                raise InputError(f"model: function {node.id!r} must be called, e.g. {node.id}(x)")
            names.add(node.id)
        elif isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                what = ast.unparse(node.func)
                raise InputError(f"model: function {what!r} is not allowed; allowed: {', '.join(FUNCTIONS)}")
            if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
                raise InputError(f"model: {node.func.id}() takes positional arguments only")
            if len(node.args) != FUNCTIONS[node.func.id]:
                raise InputError(
                    f"model: {node.func.id}() takes {FUNCTIONS[node.func.id]} argument(s), "
                    f"got {len(node.args)}"
                )
            for a in node.args:
                check(a)
        else:
            raise InputError(f"model: {type(node).__name__} is not allowed; allowed: {_ALLOWED}")

    check(tree)
    return Model(text=text, tree=tree, names=frozenset(names))


def _evaluate(node: ast.AST, env: Mapping[str, Any], funcs: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Expression):
        return _evaluate(node.body, env, funcs)
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Name):
        return env[node.id]
    if isinstance(node, ast.UnaryOp):
        v = _evaluate(node.operand, env, funcs)
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp):
        a = _evaluate(node.left, env, funcs)
        b = _evaluate(node.right, env, funcs)
        op = type(node.op)
        if op is ast.Add:
            return a + b
        if op is ast.Sub:
            return a - b
        if op is ast.Mult:
            return a * b
        if op is ast.Div:
            return a / b
        return a**b
    if isinstance(node, ast.Call):
        return funcs[node.func.id](*[_evaluate(a, env, funcs) for a in node.args])
    raise InputError(f"model: cannot evaluate {type(node).__name__}")  # pragma: no cover


# ---------------------------------------------------------------- inputs
@dataclass
class InputQuantity:
    """One input quantity: estimate, standard uncertainty, dof and (for Monte Carlo) its PDF."""

    name: str
    value: float
    u: float
    dof: float = INF
    distribution: str = "normal"  # normal | t | rectangular | triangular | arcsine
    half_width: float | None = None
    kind: str = "B"
    info: dict = field(default_factory=dict)


def _coverage_factor_raw(dof: float, p: float) -> float:
    from GTC import reporting

    return float(reporting.k_factor(dof, p * 100))


def coverage_factor(dof: float, p: float = 0.95, *, truncate: bool = True) -> float:
    """k = t_p(ν): two-sided Student-t quantile for coverage probability ``p`` (GUM G.3, G.4.1).

    ``dof`` may be ``math.inf`` (normal quantile, e.g. 1.96 for 95 %). With ``truncate`` a fractional
    ν is truncated to the next lower integer (GUM G.4.1 note), never below 1.
    """
    dof = to_dof(dof, "dof")
    p = to_probability(p, "coverage_probability")
    if truncate and math.isfinite(dof):
        dof = max(math.floor(dof), 1) if dof >= 1 else dof
    return _coverage_factor_raw(dof, p)


def input_quantity(name: str, spec: Mapping[str, Any]) -> InputQuantity:
    """Interpret one input specification (see module docstring) as an :class:`InputQuantity`."""
    f = f"inputs.{name}"
    if not isinstance(spec, Mapping):
        raise InputError(f'{f}: expected an object such as {{"value": 1.0, "u": 0.1}}')
    unknown = set(spec) - _INPUT_KEYS - _INFO_KEYS
    if unknown:
        raise InputError(f"{f}: unknown key(s) {sorted(unknown)}; allowed: {sorted(_INPUT_KEYS)}")
    info = {k: spec[k] for k in _INFO_KEYS if k in spec}
    if "readings" in spec:
        extra = set(spec) & (_INPUT_KEYS - {"readings"})
        if extra:
            raise InputError(f"{f}: 'readings' (Type A) cannot be combined with {sorted(extra)}")
        xs = [float(x) for x in number_list(spec["readings"], f"{f}.readings", min_len=2)]
        n = len(xs)
        mean = math.fsum(xs) / n
        s = math.sqrt(math.fsum((x - mean) ** 2 for x in xs) / (n - 1))
        return InputQuantity(
            name, mean, s / math.sqrt(n), n - 1, "t", kind="A", info={**info, "n": n, "s": s}
        )
    if "value" not in spec:
        raise InputError(f"{f}.value: is required (or give 'readings' for a Type A evaluation)")
    value = to_float(spec["value"], f"{f}.value")
    dof = to_dof(spec.get("dof"), f"{f}.dof")
    if "distribution" in spec:
        dist = spec["distribution"]
        if not isinstance(dist, str):
            raise InputError(f"{f}.distribution: expected a string")
        dist = dist.lower()
        if dist in ("normal", "gaussian"):
            spec = {k: v for k, v in spec.items() if k != "distribution"}
            return input_quantity(name, spec)
        if dist not in DISTRIBUTIONS:
            raise InputError(
                f"{f}.distribution: must be rectangular, triangular, arcsine or normal, got {dist!r}"
            )
        if "half_width" not in spec:
            raise InputError(f"{f}.half_width: is required for a {dist} distribution")
        a = float(positive(spec["half_width"], f"{f}.half_width", allow_zero=True))
        canon = {"uniform": "rectangular", "u-shaped": "arcsine"}.get(dist, dist)
        return InputQuantity(name, value, a / math.sqrt(DISTRIBUTIONS[dist]), dof, canon, a, info=info)
    if "u" in spec:
        if "U" in spec:
            raise InputError(f"{f}: give either 'u' or 'U', not both")
        u = float(positive(spec["u"], f"{f}.u", allow_zero=True))
    elif "U" in spec:
        U = float(positive(spec["U"], f"{f}.U", allow_zero=True))
        if "k" in spec and "confidence" in spec:
            raise InputError(f"{f}: give either 'k' or 'confidence' with 'U', not both")
        if "k" in spec:
            k = float(positive(spec["k"], f"{f}.k"))
        elif "confidence" in spec:
            p = to_probability(spec["confidence"], f"{f}.confidence")
            k = _coverage_factor_raw(dof, p)
        else:
            raise InputError(f"{f}: 'U' needs its coverage factor 'k' or its 'confidence' level")
        u = U / k
    else:
        raise InputError(
            f"{f}: give 'u', 'U' with 'k' or 'confidence', a 'distribution' with 'half_width', or 'readings'"
        )
    return InputQuantity(name, value, u, dof, "normal" if math.isinf(dof) else "t", info=info)


def _parse_correlations(correlations: Any, names: list[str]) -> list[tuple[str, str, float]]:
    if correlations is None:
        return []
    if not isinstance(correlations, list):
        raise InputError("correlations: expected a list of [name_a, name_b, r]")
    out: list[tuple[str, str, float]] = []
    seen: set[frozenset] = set()
    for i, item in enumerate(correlations):
        if not isinstance(item, (list, tuple)) or len(item) != 3:
            raise InputError(f"correlations[{i}]: expected [name_a, name_b, r]")
        a, b, r = item
        for nm in (a, b):
            if nm not in names:
                raise InputError(f"correlations[{i}]: {nm!r} is not an input name")
        if a == b:
            raise InputError(f"correlations[{i}]: an input cannot be correlated with itself")
        key = frozenset((a, b))
        if key in seen:
            raise InputError(f"correlations[{i}]: the pair {a}, {b} is given twice")
        seen.add(key)
        rv = to_float(r, f"correlations[{i}].r")
        if not -1 <= rv <= 1:
            raise InputError(f"correlations[{i}]: r must be between -1 and 1, got {r!r}")
        out.append((a, b, rv))
    return out


def _prepare(model: str | Model, inputs: Mapping[str, Any]) -> tuple[Model, dict[str, InputQuantity]]:
    m = model if isinstance(model, Model) else parse_model(model)
    if not isinstance(inputs, Mapping) or not inputs:
        raise InputError("inputs: expected a non-empty object of NAME -> specification")
    qs: dict[str, InputQuantity] = {}
    for name, spec in inputs.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise InputError(f"inputs: name {name!r} is not a valid identifier (letters, digits, _)")
        if name in FUNCTIONS or name in CONSTANTS:
            raise InputError(f"inputs: name {name!r} is reserved (function or constant)")
        qs[name] = spec if isinstance(spec, InputQuantity) else input_quantity(name, spec)
    missing = sorted(n for n in m.names if n not in qs and n not in CONSTANTS)
    if missing:
        raise InputError(f"model: uses {missing} which are not defined in inputs")
    return m, qs


def _gtc_functions() -> dict[str, Any]:
    import GTC

    funcs = {name: getattr(GTC, name) for name in FUNCTIONS if name != "abs"}

    def _abs(x: Any) -> Any:
        return x if GTC.value(x) >= 0 else -x

    funcs["abs"] = _abs
    return funcs


# ---------------------------------------------------------------- GUM
def gum(
    model: str | Model,
    inputs: Mapping[str, Any],
    correlations: Any = None,
    *,
    coverage_probability: Any = 0.95,
    k: Any = None,
    truncate_dof: bool = True,
) -> dict:
    """Evaluate an uncertainty budget by the GUM law of propagation (JCGM 100:2008 5.1, 5.2, G.4).

    Returns ``{"value", "u", "dof", "dof_for_k", "k", "U", "interval", "coverage_probability",
    "budget": [{"name", "value", "u", "sensitivity", "contribution", "dof", ...}], ...}``; ``dof`` is
    ``math.inf`` when all contributing inputs have infinite dof.
    """
    import GTC
    from GTC import reporting

    m, qs = _prepare(model, inputs)
    names = list(qs)
    corr = _parse_correlations(correlations, names)
    # group correlated inputs (union-find) so finite-dof groups become one GTC ensemble
    parent = {n: n for n in names}

    def root(n: str) -> str:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for a, b, _ in corr:
        parent[root(a)] = root(b)
    groups: dict[str, list[str]] = {}
    for a, b, _ in corr:
        for n in (a, b):
            groups.setdefault(root(n), [])
            if n not in groups[root(n)]:
                groups[root(n)].append(n)
    ureals: dict[str, Any] = {}
    for members in groups.values():
        dofs = {qs[n].dof for n in members}
        if all(math.isinf(d) for d in dofs):
            for n in members:
                ureals[n] = GTC.ureal(qs[n].value, qs[n].u, label=n, independent=False)
        elif len(dofs) == 1:
            made = GTC.multiple_ureal(
                [qs[n].value for n in members], [qs[n].u for n in members], dofs.pop(), label_seq=members
            )
            ureals.update(zip(members, made, strict=True))
        else:
            raise InputError(
                f"correlations: correlated inputs {members} have different degrees of freedom "
                f"{[qs[n].dof for n in members]}; give them the same dof (or infinite) — the "
                "Welch–Satterthwaite formula is not defined otherwise"
            )
    for n in names:
        if n not in ureals:
            ureals[n] = GTC.ureal(qs[n].value, qs[n].u, qs[n].dof, label=n)
    for a, b, r in corr:
        GTC.set_correlation(r, ureals[a], ureals[b])
    env = {**CONSTANTS, **ureals}
    try:
        y = _evaluate(m.tree, env, _gtc_functions())
    except ZeroDivisionError:
        raise InputError("model: division by zero at the input estimates") from None
    except (ValueError, OverflowError) as exc:
        raise InputError(f"model: cannot be evaluated at the input estimates ({exc})") from None
    if isinstance(y, GTC.core.UncertainReal):
        value, u, dof = float(y.x), float(y.u), float(y.df)
    else:
        value, u, dof = float(y), 0.0, INF
    if not math.isfinite(value) or not math.isfinite(u):
        raise InputError("model: the result or its uncertainty is not finite at the input estimates")
    notes: list[str] = []
    if math.isnan(dof):
        notes.append("effective degrees of freedom undefined (correlated inputs); k from the normal quantile")
        dof = INF
    budget = []
    for n in names:
        q = qs[n]
        if isinstance(y, GTC.core.UncertainReal):
            c = float(reporting.sensitivity(y, ureals[n]))
            uc = float(reporting.u_component(y, ureals[n]))
        else:
            c = uc = 0.0
        row = {
            "name": n,
            "value": q.value,
            "u": q.u,
            "sensitivity": c,
            "contribution": abs(uc),
            "u_component": uc,
            "dof": q.dof,
            "type": q.kind,
            "distribution": q.distribution,
            "variance_fraction": (uc * uc / (u * u)) if u > 0 else 0.0,
        }
        if q.half_width is not None:
            row["half_width"] = q.half_width
        if n not in m.names:
            notes.append(f"input {n!r} does not appear in the model")
        budget.append(row)
    if k is not None:
        kk = float(positive(k, "k"))
        p = None
        dof_for_k = dof
        if math.isinf(dof):
            from scipy.stats import norm

            p = float(2 * norm.cdf(kk) - 1)
        else:
            from scipy.stats import t as student_t

            p = float(2 * student_t.cdf(kk, dof) - 1)
    else:
        p = to_probability(
            coverage_probability if coverage_probability is not None else 0.95, "coverage_probability"
        )
        dof_for_k = dof
        if truncate_dof and math.isfinite(dof) and dof >= 1:
            dof_for_k = float(math.floor(dof))
        kk = _coverage_factor_raw(dof_for_k, p)
    U = kk * u
    return {
        "method": "gum",
        "model": m.text,
        "value": value,
        "u": u,
        "dof": dof,
        "dof_for_k": dof_for_k,
        "k": kk,
        "U": U,
        "coverage_probability": p,
        "interval": [value - U, value + U],
        "budget": budget,
        "correlations": [[a, b, r] for a, b, r in corr],
        "notes": notes,
        "source": "JCGM 100:2008 (GUM) 5.1-5.2 law of propagation, G.4 Welch-Satterthwaite, G.3 Student t",
    }


# ---------------------------------------------------------------- Monte Carlo
def coverage_interval_symmetric(sorted_y: Any, p: float) -> tuple[float, float]:
    """Probabilistically symmetric 100p % coverage interval from sorted values (JCGM 101 7.7.1)."""
    M = len(sorted_y)
    pm = p * M
    q = int(pm) if float(pm).is_integer() else int(pm + 0.5)
    r = (M - q) // 2 if (M - q) % 2 == 0 else (M - q + 1) // 2
    r = max(r, 1)
    hi = min(r + q, M)
    return float(sorted_y[r - 1]), float(sorted_y[hi - 1])


def coverage_interval_shortest(sorted_y: Any, p: float) -> tuple[float, float]:
    """Shortest 100p % coverage interval from sorted values (JCGM 101 7.7.2)."""
    import numpy as np

    M = len(sorted_y)
    pm = p * M
    q = int(pm) if float(pm).is_integer() else int(pm + 0.5)
    q = min(max(q, 1), M - 1)
    widths = sorted_y[q:] - sorted_y[: M - q]
    r = int(np.argmin(widths))
    return float(sorted_y[r]), float(sorted_y[r + q])


def _np_functions() -> dict[str, Any]:
    import numpy as np

    return {
        "sqrt": np.sqrt,
        "exp": np.exp,
        "log": np.log,
        "log10": np.log10,
        "sin": np.sin,
        "cos": np.cos,
        "tan": np.tan,
        "asin": np.arcsin,
        "acos": np.arccos,
        "atan": np.arctan,
        "atan2": np.arctan2,
        "sinh": np.sinh,
        "cosh": np.cosh,
        "tanh": np.tanh,
        "abs": np.abs,
    }


def _sample(q: InputQuantity, rng: Any, size: int) -> Any:
    import numpy as np

    if q.distribution == "rectangular":
        return rng.uniform(q.value - q.half_width, q.value + q.half_width, size)
    if q.distribution == "triangular":
        if q.half_width == 0:
            return np.full(size, q.value)
        return rng.triangular(q.value - q.half_width, q.value, q.value + q.half_width, size)
    if q.distribution == "arcsine":
        return q.value + q.half_width * np.sin(2 * np.pi * rng.random(size))
    if math.isfinite(q.dof):
        return q.value + q.u * rng.standard_t(q.dof, size)
    return q.value + q.u * rng.standard_normal(size)


def monte_carlo(
    model: str | Model,
    inputs: Mapping[str, Any],
    correlations: Any = None,
    *,
    coverage_probability: Any = 0.95,
    trials: Any = 1_000_000,
    seed: Any = None,
) -> dict:
    """Propagate distributions by Monte Carlo (JCGM 101:2008 5–7); see the module docstring.

    Returns ``{"value", "u", "k", "U", "interval", "interval_shortest", "trials", "seed", "budget",
    "gum": {...}}``. ``budget`` and ``gum`` are the GUM (first-order) result for comparison (JCGM 101 8).
    """
    import numpy as np

    m, qs = _prepare(model, inputs)
    names = list(qs)
    corr = _parse_correlations(correlations, names)
    p = to_probability(
        coverage_probability if coverage_probability is not None else 0.95, "coverage_probability"
    )
    if isinstance(trials, bool) or not isinstance(trials, (int, float)) or int(trials) != trials:
        raise InputError(f"trials: expected a whole number, got {trials!r}")
    M = int(trials)
    if not 1000 <= M <= MAX_TRIALS:
        raise InputError(f"trials: must be between 1000 and {MAX_TRIALS}, got {M}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise InputError(f"seed: expected a non-negative integer, got {seed!r}")
    notes: list[str] = []
    correlated = sorted({n for a, b, _ in corr for n in (a, b)}, key=names.index)
    L = None
    if correlated:
        bad = [n for n in correlated if qs[n].distribution not in ("normal", "t")]
        if bad:
            raise InputError(
                f"correlations: Monte Carlo supports correlation only between Gaussian inputs "
                f"(JCGM 101 6.4.8); {bad} have {[qs[n].distribution for n in bad]} distributions"
            )
        if any(qs[n].distribution == "t" for n in correlated):
            notes.append("correlated inputs with finite dof are sampled from a multivariate Gaussian")
        R = np.eye(len(correlated))
        for a, b, r in corr:
            i, j = correlated.index(a), correlated.index(b)
            R[i, j] = R[j, i] = r
        w, V = np.linalg.eigh(R)
        if w.min() < -1e-10:
            raise InputError("correlations: the correlation matrix is not positive semi-definite")
        L = V * np.sqrt(np.clip(w, 0, None))
    rng = np.random.default_rng(seed)
    funcs = _np_functions()
    ys = np.empty(M)
    done = 0
    with np.errstate(all="ignore"):
        while done < M:
            size = min(_CHUNK, M - done)
            env: dict[str, Any] = dict(CONSTANTS)
            for n in names:
                if n in correlated:
                    continue
                env[n] = _sample(qs[n], rng, size)
            if L is not None:
                z = L @ rng.standard_normal((len(correlated), size))
                for i, n in enumerate(correlated):
                    env[n] = qs[n].value + qs[n].u * z[i]
            try:
                y = _evaluate(m.tree, env, funcs)
            except (ZeroDivisionError, OverflowError) as exc:
                raise InputError(f"model: cannot be evaluated for the sampled inputs ({exc})") from None
            ys[done : done + size] = np.broadcast_to(np.asarray(y, dtype=float), (size,))
            done += size
    bad_count = int((~np.isfinite(ys)).sum())
    if bad_count:
        raise InputError(
            f"model: {bad_count} of {M} trials gave a non-finite value (e.g. sqrt or log of a "
            "negative number, or division by zero); check the model and the input distributions"
        )
    ys.sort()
    value = float(ys.mean())
    u = float(ys.std(ddof=1))
    lo, hi = coverage_interval_symmetric(ys, p)
    slo, shi = coverage_interval_shortest(ys, p)
    U = (hi - lo) / 2
    try:
        g = gum(m, qs, correlations, coverage_probability=p)
    except InputError as exc:
        g = {"budget": [], "notes": [f"GUM comparison not available: {exc}"]}
    return {
        "method": "monte-carlo",
        "model": m.text,
        "value": value,
        "u": u,
        "dof": None,
        "k": U / u if u > 0 else None,
        "U": U,
        "coverage_probability": p,
        "interval": [lo, hi],
        "interval_shortest": [slo, shi],
        "trials": M,
        "seed": seed,
        "budget": g["budget"],
        "gum": {key: g[key] for key in ("value", "u", "dof", "k", "U", "interval") if key in g} or None,
        "correlations": [[a, b, r] for a, b, r in corr],
        "notes": notes + g["notes"],
        "source": "JCGM 101:2008 (GUM Supplement 1) 7.6 estimate and standard uncertainty, "
        "7.7 coverage intervals",
    }


def evaluate(payload: Mapping[str, Any]) -> dict:
    """Dispatch a ``calc uncertainty`` payload to :func:`gum` or :func:`monte_carlo`."""
    if not isinstance(payload, Mapping):
        raise InputError("input: expected a JSON object")
    allowed = {
        "model",
        "inputs",
        "correlations",
        "coverage_probability",
        "k",
        "method",
        "trials",
        "seed",
        "truncate_dof",
    }
    unknown = set(payload) - allowed
    if unknown:
        raise InputError(f"input: unknown key(s) {sorted(unknown)}; allowed: {sorted(allowed)}")
    if "model" not in payload:
        raise InputError("model: is required")
    if "inputs" not in payload:
        raise InputError("inputs: is required")
    method = payload.get("method", "gum")
    if method in ("gum", "GUM", "gum-law"):
        truncate = payload.get("truncate_dof", True)
        if not isinstance(truncate, bool):
            raise InputError("truncate_dof: expected true or false")
        return gum(
            payload["model"],
            payload["inputs"],
            payload.get("correlations"),
            coverage_probability=payload.get("coverage_probability", 0.95),
            k=payload.get("k"),
            truncate_dof=truncate,
        )
    if method in ("monte-carlo", "mc", "MCM"):
        if payload.get("k") is not None:
            raise InputError("k: not used by the Monte Carlo method; give coverage_probability instead")
        return monte_carlo(
            payload["model"],
            payload["inputs"],
            payload.get("correlations"),
            coverage_probability=payload.get("coverage_probability", 0.95),
            trials=payload.get("trials", 1_000_000),
            seed=payload.get("seed"),
        )
    raise InputError(f"method: must be 'gum' or 'monte-carlo', got {method!r}")
