"""One form per ``doluong calc`` kind: what a person types, turned into the engine's JSON payload.

A form never computes: :meth:`CalcForm.payload` builds the ``calc`` input, the view calls
``doluong.metrology.calc.run`` (through :func:`doluong.records.engine.compute`), and
:meth:`CalcForm.show_failure` puts the engine's error next to the field it names.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from doluong.metrology import mpe as mpe_rules
from doluong.metrology import prepackages as schemes
from doluong.records.engine import CalcFailure, number, number_list
from doluong.records.forms import BudgetField, PointsField

TEXT = {"class": "form-control"}
NUMBER = {"class": "form-control", "inputmode": "decimal"}
SELECT = {"class": "form-select"}


def _num(**kw):
    return forms.CharField(widget=forms.TextInput(attrs=NUMBER), **kw)


def _text(**kw):
    return forms.CharField(widget=forms.TextInput(attrs=TEXT), **kw)


def _area(rows=3, **kw):
    return forms.CharField(widget=forms.Textarea(attrs={**TEXT, "rows": rows, "spellcheck": "false"}), **kw)


class CalcForm(forms.Form):
    kind = ""
    field_map: dict = {}  # engine field -> form field

    def payload(self) -> dict:
        raise NotImplementedError

    def show_failure(self, failure: CalcFailure) -> None:
        name = self.field_map.get(failure.field, failure.field)
        inner = self.field_map.get(failure.inner, failure.inner)
        if inner in self.fields and inner != name:  # "points[0]: class: ..." belongs to the class field
            name = inner
        self.add_error(name if name in self.fields else None, failure.message)


def _clean(d: dict) -> dict:
    return {k: v for k, v in d.items() if v not in (None, "", [])}


class PrepackagesForm(CalcForm):
    kind = "prepackages"
    scheme = forms.ChoiceField(label=_("scheme"), widget=forms.Select(attrs=SELECT))
    nominal = _num(label=_("nominal quantity Qn"))
    unit = _text(label=_("unit"), initial="g", help_text=_("g, kg, mg, mL, L, cL…"))
    lot_size = _num(label=_("lot size N"))
    plan = forms.ChoiceField(label=_("sampling plan"), widget=forms.Select(attrs=SELECT), initial="single",
                             choices=[("single", _("single")), ("double", _("double (76/211/EEC)")),
                                      ("destructive", _("destructive"))])
    actual = _area(rows=5, label=_("actual contents of the sampled packages"),
                   help_text=_("In sampling order, separated by spaces, new lines or semicolons; decimal point or "
                               "comma."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme"].choices = [(s, s) for s in schemes.list_schemes()]

    def payload(self):
        d = self.cleaned_data
        return _clean({"scheme": d["scheme"], "nominal": number(d["nominal"]), "unit": d["unit"].strip(),
                       "lot_size": number(d["lot_size"]), "actual": number_list(d["actual"]), "plan": d["plan"]})


class MPEForm(CalcForm):
    kind = "mpe"
    field_map = {"class": "cls", "rule": "rule"}
    rule = forms.ChoiceField(label=_("rule"), widget=forms.Select(attrs=SELECT))
    cls = _text(label=_("accuracy class"), help_text=_("III, F2, 2, 0.5…"))
    unit = _text(label=_("unit of all values"), initial="kg")
    e = _num(label=_("verification scale interval e"), required=False, help_text=_("Required by OIML R 76."))
    stage = forms.ChoiceField(label=_("stage"), widget=forms.Select(attrs=SELECT), initial="initial",
                              choices=[("initial", _("initial verification")), ("in-service", _("in service"))])
    U = _num(label=_("expanded uncertainty U (k = 2)"), required=False,
             help_text=_("Optional; OIML R 111 asks U ≤ MPE/3."))
    points = PointsField(label=_("measured points"), help_text=_("Zone only for water meters (lower / upper)."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [(r, r) for r in mpe_rules.list_rules()]

    def payload(self):
        d = self.cleaned_data
        return _clean({"rule": d["rule"], "class": d["cls"].strip(), "unit": d["unit"].strip(), "e": number(d["e"]),
                       "stage": d["stage"], "U": number(d["U"]), "points": d["points"]})


class DecideForm(CalcForm):
    kind = "decide"
    field_map = {"lower/upper": "lower"}
    value = _num(label=_("measured value"))
    U = _num(label=_("expanded uncertainty U"), required=False)
    lower = _num(label=_("lower tolerance limit"), required=False)
    upper = _num(label=_("upper tolerance limit"), required=False)
    rule = forms.ChoiceField(label=_("decision rule"), widget=forms.Select(attrs=SELECT), initial="simple",
                             choices=[("simple", _("simple acceptance (w = 0)")),
                                      ("guard-band", _("binary with guard band")),
                                      ("non-binary", _("non-binary with guard band"))])
    r = _num(label=_("guard band factor r (w = r·U)"), required=False, initial="1")

    def payload(self):
        d = self.cleaned_data
        return _clean({"value": number(d["value"]), "U": number(d["U"]), "lower": number(d["lower"]),
                       "upper": number(d["upper"]), "rule": d["rule"], "r": number(d["r"])})


class UncertaintyForm(CalcForm):
    kind = "uncertainty"
    budget = BudgetField(label=_("uncertainty budget"))

    def payload(self):
        return self.cleaned_data["budget"]

    def show_failure(self, failure: CalcFailure) -> None:
        widget = self.fields["budget"].widget
        errors = {"rows": {}}
        if failure.field == "inputs" and failure.key:
            errors["rows"][failure.key] = failure.message
        elif failure.field in ("model", "correlations", "coverage_probability", "k", "trials"):
            errors[failure.field] = failure.message
        else:
            errors["other"] = failure.message
        widget.errors = errors
        self.add_error(None, failure.message)


class LinefitForm(CalcForm):
    kind = "linefit"
    x = _area(label=_("x values (stimulus, e.g. reference)"))
    y = _area(label=_("y values (response, e.g. correction)"))
    x0 = _num(label=_("x₀ (the line is y = a + b·(x − x₀))"), required=False, initial="0")
    predict_at = _text(label=_("predict y at x ="), required=False, help_text=_("One or more x values."))

    def payload(self):
        d = self.cleaned_data
        return _clean({"x": number_list(d["x"]), "y": number_list(d["y"]), "x0": number(d["x0"]),
                       "predict_at": number_list(d["predict_at"])})


HISTORY_WORDS = {"+": "in", "-": "out", "đạt": "in", "dat": "in", "đ": "in", "kđ": "out", "k": "out"}


class IntervalForm(CalcForm):
    kind = "interval"
    field_map = {"policy": "extend_factor"}
    current_interval = _num(label=_("current interval (months)"))
    history = _text(label=_("results since the interval was last changed, oldest first"),
                    help_text=_("in / out (or pass / fail, + / −), separated by spaces."))
    extend_factor = _num(label=_("extend factor"), required=False, initial="1.5")
    shorten_factor = _num(label=_("shorten factor"), required=False, initial="0.5")
    min_interval = _num(label=_("minimum interval (months)"), required=False, initial="1")
    max_interval = _num(label=_("maximum interval (months)"), required=False, initial="60")
    consecutive_in_to_extend = _num(label=_("consecutive in-tolerance results needed to extend"), required=False,
                                    initial="1")
    round_to = _num(label=_("round down to a multiple of (months)"), required=False)

    POLICY = ("extend_factor", "shorten_factor", "min_interval", "max_interval", "consecutive_in_to_extend",
              "round_to")

    def payload(self):
        d = self.cleaned_data
        history = [HISTORY_WORDS.get(t.lower(), t) for t in d["history"].replace(",", " ").split()]
        policy = _clean({k: number(d[k]) for k in self.POLICY})
        return _clean({"current_interval": number(d["current_interval"]), "history": history, "policy": policy})

    def show_failure(self, failure: CalcFailure) -> None:
        key = failure.path.split(".")[1] if failure.field == "policy" and "." in failure.path else None
        name = key if key in self.fields else self.field_map.get(failure.field, failure.field)
        self.add_error(name if name in self.fields else None, failure.message)
