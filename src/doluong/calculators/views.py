"""Calculator pages: one per ``doluong calc`` kind. Every figure comes from ``calc.run`` (via records.engine)."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from doluong.calculators import forms
from doluong.calculators.examples import EXAMPLES
from doluong.records.engine import CalcFailure, compute
from doluong.records.presentation import contributions


@dataclass(frozen=True)
class Calculator:
    kind: str
    title: object
    summary: object
    standard: str
    form: type[forms.CalcForm]


CALCULATORS = {c.kind: c for c in (
    Calculator("uncertainty", _("Uncertainty budget"), _("GUM budget or Monte Carlo propagation: U, k, ν_eff, "
                                                          "contributions."),
               "JCGM 100:2008 (GUM), JCGM 101:2008", forms.UncertaintyForm),
    Calculator("mpe", _("Errors against the MPE"), _("Errors of indication at each point against the maximum "
                                                      "permissible error of a class."),
               "OIML R 76-1, R 111-1, R 49-1, R 117-1", forms.MPEForm),
    Calculator("decide", _("Statement of conformity"), _("Pass, conditional pass or fail with a decision rule and a "
                                                          "guard band."),
               "ILAC G8:09/2019", forms.DecideForm),
    Calculator("prepackages", _("Prepackages: lot check"), _("Tolerable deficiency T and the lot decision (average, "
                                                              "T1, T2)."),
               "OIML R 87:2016, 76/211/EEC, TT 21/2014/TT-BKHCN", forms.PrepackagesForm),
    Calculator("linefit", _("Calibration line"), _("Least-squares line with uncertainties and predictions."),
               "GUM (JCGM 100:2008) H.3", forms.LinefitForm),
    Calculator("interval", _("Calibration interval"), _("Next interval by the staircase method."),
               "ILAC G24:2022 / OIML D 10:2022", forms.IntervalForm),
)}


@login_required
def index(request):
    return render(request, "calculators/index.html", {"calculators": CALCULATORS.values()})


def calculator_view(kind: str):
    calc = CALCULATORS[kind]

    @login_required
    def view(request):
        result = None
        examples = EXAMPLES.get(kind, {})
        status = 200
        if request.method == "POST":
            form = calc.form(request.POST)
            if form.is_valid():
                try:
                    result = compute(kind, form.payload())
                except CalcFailure as failure:
                    form.show_failure(failure)
                    status = 400
            else:
                status = 400
        else:
            example = examples.get(request.GET.get("example", ""))
            form = calc.form(initial=example[1] if example else None)
        return render(request, "calculators/calculator.html", {
            "calc": calc, "form": form, "result": result,
            "examples": [(k, label) for k, (label, _d) in examples.items()],
            "result_template": f"calculators/result_{kind}.html",
            "reference": (result or {}).get("source") or (result or {}).get("method") or "",
            "budget": result if kind == "uncertainty" else None,
            "budget_chart": contributions(result) if kind == "uncertainty" and result else [],
        }, status=status)

    view.__name__ = f"{kind}_view"
    return view
