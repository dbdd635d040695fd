"""JSON front end: ``doluong calc KIND`` / ``python -m doluong.metrology.calc KIND``.

Reads ONE JSON object from stdin and writes one JSON object to stdout. KIND is one of
``prepackages``, ``mpe``, ``decide``, ``uncertainty``, ``linefit``, ``interval``. On an input error the
output is ``{"error": "<field>: <reason>"}`` and the exit status is 2. Schemas: ``docs/calc.md``.
Infinite degrees of freedom are written as the string ``"inf"``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping
from typing import Any

from ._common import InputError, jsonable

KINDS = ("prepackages", "mpe", "decide", "uncertainty", "linefit", "interval")


def _known(payload: Mapping, allowed: set[str]) -> None:
    unknown = set(payload) - allowed
    if unknown:
        raise InputError(f"input: unknown key(s) {sorted(unknown)}; allowed: {sorted(allowed)}")


def _prepackages(p: Mapping) -> dict:
    from . import prepackages

    _known(p, {"scheme", "nominal", "unit", "lot_size", "actual", "destructive", "plan"})
    for key in ("nominal", "lot_size", "actual"):
        if key not in p:
            raise InputError(f"{key}: is required")
    return prepackages.evaluate_lot(
        scheme=p.get("scheme", "OIML-R87:2016"),
        nominal=p["nominal"],
        unit=p.get("unit", "g"),
        lot_size=p["lot_size"],
        actual=p["actual"],
        destructive=p.get("destructive", False),
        plan=p.get("plan"),
    )


def _mpe(p: Mapping) -> dict:
    from . import mpe

    _known(p, {"rule", "class", "unit", "e", "stage", "points", "U"})
    for key in ("rule", "class", "unit", "points"):
        if key not in p:
            raise InputError(f"{key}: is required")
    cls = p["class"]
    if not isinstance(cls, str):
        cls = str(cls)
    return mpe.check_points(
        p["rule"],
        cls,
        p["points"],
        unit=p["unit"],
        e=p.get("e"),
        stage=p.get("stage") or "initial",
        U=p.get("U"),
    )


def _decide(p: Mapping) -> dict:
    from . import decision

    _known(p, {"value", "U", "lower", "upper", "rule", "r"})
    if "value" not in p:
        raise InputError("value: is required")
    rule = p.get("rule", "simple")
    if rule != "simple" and p.get("U") is None:
        raise InputError(f"U: is required for the {rule} rule")
    return decision.decide(
        p["value"], p.get("U", 0), lower=p.get("lower"), upper=p.get("upper"), rule=rule, r=p.get("r", 1)
    )


def _uncertainty(p: Mapping) -> dict:
    from . import uncertainty

    return uncertainty.evaluate(p)


def _linefit(p: Mapping) -> dict:
    from . import linefit

    _known(p, {"x", "y", "x0", "predict_at"})
    return linefit.evaluate(dict(p))


def _interval(p: Mapping) -> dict:
    from . import intervals

    _known(p, {"current_interval", "history", "policy"})
    return intervals.evaluate(dict(p))


_HANDLERS: dict[str, Callable[[Mapping], dict]] = {
    "prepackages": _prepackages,
    "mpe": _mpe,
    "decide": _decide,
    "uncertainty": _uncertainty,
    "linefit": _linefit,
    "interval": _interval,
}


def run(kind: str, payload: dict) -> dict:
    """Compute ``kind`` for ``payload`` and return a JSON-safe dict; raise InputError on bad input."""
    if kind not in _HANDLERS:
        raise InputError(f"kind: must be one of {', '.join(KINDS)}, got {kind!r}")
    if not isinstance(payload, Mapping):
        raise InputError("input: expected a JSON object")
    return jsonable(_HANDLERS[kind](payload))


def _reject_constant(name: str) -> Any:
    raise InputError(f'input: {name} is not valid JSON; use a number, or "inf" for degrees of freedom')


def main(argv: list[str] | None = None) -> int:
    """CLI entry point: ``main([KIND])`` reads JSON from stdin, writes JSON to stdout; returns 0, 2 or 1."""
    args = sys.argv[1:] if argv is None else list(argv)

    def fail(msg: str, code: int = 2) -> int:
        sys.stdout.write(json.dumps({"error": msg}, ensure_ascii=False) + "\n")
        return code

    if len(args) != 1 or args[0] in ("-h", "--help"):
        return fail(f"usage: doluong calc KIND < input.json, KIND one of {', '.join(KINDS)}")
    kind = args[0]
    if kind not in _HANDLERS:
        return fail(f"kind: must be one of {', '.join(KINDS)}, got {kind!r}")
    raw = sys.stdin.read()
    try:
        payload = json.loads(raw, parse_constant=_reject_constant)
    except InputError as exc:
        return fail(str(exc))
    except json.JSONDecodeError as exc:
        return fail(f"input: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}")
    if not isinstance(payload, dict):
        return fail("input: expected one JSON object ({...})")
    try:
        result = run(kind, payload)
    except InputError as exc:
        return fail(str(exc))
    except RecursionError:
        return fail("input: too deeply nested")
    except Exception as exc:  # a bug, not an input error: say so, exit 1
        return fail(f"internal error: {type(exc).__name__}: {exc}", 1)
    sys.stdout.write(json.dumps(result, ensure_ascii=False, allow_nan=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
