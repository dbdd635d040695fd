"""Structured editors for measured points and uncertainty budgets, and the record form that uses them.

:class:`PointsField` edits ``[{reference, indication, zone?}]`` as rows; :class:`BudgetField` edits an
uncertainty budget in the ``doluong calc uncertainty`` schema (model, one row per input quantity with
its Type A readings or Type B distribution, correlations, coverage). Both render plain HTML inputs
(no inline script or style) and work with JavaScript off; ``records/rows.js`` only adds rows. The
calculators app reuses :class:`BudgetField` for its budget builder.
"""

import json

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from doluong.core.files import EVIDENCE_EXTENSIONS
from doluong.core.forms import BaseModelForm, DateInput
from doluong.records.engine import number, number_list
from doluong.records.models import RecordAttachment, ServiceRecord, WithdrawalReason

INPUT_TYPES = [
    ("A", _("Type A: repeated readings")),
    ("u", _("Normal: standard uncertainty u")),
    ("Uk", _("Normal: U and k")),
    ("Up", _("U at a level of confidence")),
    ("rectangular", _("Rectangular: half-width a")),
    ("triangular", _("Triangular: half-width a")),
    ("arcsine", _("Arcsine (U-shaped): half-width a")),
]
ROW_KEYS = ("name", "type", "value", "unc", "k", "confidence", "dof", "readings", "unit")
METHODS = [("gum", _("GUM (law of propagation)")), ("monte-carlo", _("Monte Carlo (JCGM 101)"))]


def _parse(value, empty):
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return empty
        try:
            return json.loads(value)
        except ValueError:
            return empty
    return value if value is not None else empty


def _text(x) -> str:
    if x is None:
        return ""
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return str(x)


# ----------------------------------------------------------------------------------------- points
class PointsWidget(forms.Widget):
    wide = True  # shown across the whole form (core/form_body.html)
    template_name = "records/widgets/points.html"
    min_rows = 5

    def get_context(self, name, value, attrs):
        ctx = super().get_context(name, value, attrs)
        points = _parse(value, [])
        if not isinstance(points, list):
            points = []
        rows = [{"reference": _text(p.get("reference")), "indication": _text(p.get("indication")),
                 "zone": _text(p.get("zone"))} for p in points if isinstance(p, dict)]
        rows += [{"reference": "", "indication": "", "zone": ""}] * max(self.min_rows - len(rows), 2)
        ctx["widget"]["rows"] = rows
        ctx["widget"]["count"] = len(rows)
        return ctx

    def value_from_datadict(self, data, files, name):
        try:
            count = min(int(data.get(f"{name}-rows", 0)), 500)
        except ValueError:
            count = 0
        points = []
        for i in range(count):
            row = {k: (data.get(f"{name}-{i}-{k}") or "").strip() for k in ("reference", "indication", "zone")}
            if any(row.values()):
                points.append(row)
        return points

    def value_omitted_from_data(self, data, files, name):
        return f"{name}-rows" not in data


class PointsField(forms.Field):
    widget = PointsWidget

    def to_python(self, value):
        value = _parse(value, [])
        if not isinstance(value, list):
            raise ValidationError(_("Expected a list of points."))
        points = []
        for i, row in enumerate(value, start=1):
            if not isinstance(row, dict):
                raise ValidationError(_("Point %(n)d: expected a reference and an indication.") % {"n": i})
            ref, ind = number(row.get("reference")), number(row.get("indication"))
            if ref is None or ind is None:
                raise ValidationError(_("Point %(n)d: give both the reference value and the indication.") % {"n": i})
            if not isinstance(ref, (int, float)) or not isinstance(ind, (int, float)):
                raise ValidationError(_("Point %(n)d: the reference value and the indication must be numbers.")
                                      % {"n": i})
            point = {"reference": ref, "indication": ind}
            for key in ("zone", "at", "U"):
                if row.get(key) not in (None, ""):
                    point[key] = row[key] if key == "zone" else number(row[key])
            points.append(point)
        return points

    def prepare_value(self, value):
        return value


# ----------------------------------------------------------------------------------------- budget
def payload_to_rows(payload: dict) -> tuple[dict, list[dict], list[dict]]:
    """A ``calc uncertainty`` payload as (settings, input rows, correlation rows) for the builder."""
    payload = payload if isinstance(payload, dict) else {}
    settings = {
        "model": _text(payload.get("model")),
        "coverage_probability": _text(payload.get("coverage_probability")),
        "k": _text(payload.get("k")),
        "method": payload.get("method") or "gum",
        "trials": _text(payload.get("trials")),
        "seed": _text(payload.get("seed")),
    }
    rows = []
    inputs = payload.get("inputs") if isinstance(payload.get("inputs"), dict) else {}
    for name, spec in inputs.items():
        spec = spec if isinstance(spec, dict) else {}
        row = dict.fromkeys(ROW_KEYS, "")
        row["name"] = name
        if "readings" in spec:
            row["type"] = "A"
            readings = spec["readings"]
            row["readings"] = " ".join(_text(x) for x in readings) if isinstance(readings, list) else _text(readings)
        elif spec.get("distribution") in ("rectangular", "triangular", "arcsine"):
            row["type"] = spec["distribution"]
            row["unc"] = _text(spec.get("half_width"))
        elif "U" in spec and "confidence" in spec:
            row["type"] = "Up"
            row["unc"], row["confidence"] = _text(spec.get("U")), _text(spec.get("confidence"))
        elif "U" in spec:
            row["type"] = "Uk"
            row["unc"], row["k"] = _text(spec.get("U")), _text(spec.get("k"))
        else:
            row["type"] = "u"
            row["unc"] = _text(spec.get("u"))
        if row["type"] != "A":
            row["value"] = _text(spec.get("value"))
        row["dof"] = _text(spec.get("dof"))
        row["unit"] = _text(spec.get("unit"))
        rows.append(row)
    corr = []
    for c in payload.get("correlations") or []:
        if isinstance(c, (list, tuple)) and len(c) == 3:
            corr.append({"a": _text(c[0]), "b": _text(c[1]), "r": _text(c[2])})
    return settings, rows, corr


def rows_to_payload(settings: dict, rows: list[dict], corr: list[dict]) -> dict:
    """The builder's rows as a ``calc uncertainty`` payload; numbers typed with a decimal comma accepted.

    Values that are not numbers are passed through as text so that the engine reports which input
    and which field is wrong.
    """
    inputs = {}
    for row in rows:
        name = (row.get("name") or "").strip()
        kind = row.get("type") or "u"
        if kind == "A":
            spec = {"readings": number_list(row.get("readings"))}
        else:
            spec = {"value": number(row.get("value"))}
            unc = number(row.get("unc"))
            if kind == "u":
                spec["u"] = unc
            elif kind == "Uk":
                spec.update(U=unc, k=number(row.get("k")))
            elif kind == "Up":
                spec.update(U=unc, confidence=number(row.get("confidence")))
            else:
                spec.update(distribution=kind, half_width=unc)
            if row.get("dof"):
                spec["dof"] = number(row["dof"])
        if row.get("unit"):
            spec["unit"] = row["unit"].strip()
        inputs[name] = {k: v for k, v in spec.items() if v is not None}
    payload = {"model": (settings.get("model") or "").strip(), "inputs": inputs}
    correlations = [[c["a"].strip(), c["b"].strip(), number(c["r"])] for c in corr
                    if c.get("a") and c.get("b") and c.get("r") not in (None, "")]
    if correlations:
        payload["correlations"] = correlations
    if settings.get("method") == "monte-carlo":
        payload["method"] = "monte-carlo"
        for key in ("trials", "seed"):
            if settings.get(key):
                payload[key] = number(settings[key])
    elif settings.get("k"):
        payload["k"] = number(settings["k"])
    if settings.get("coverage_probability"):
        payload["coverage_probability"] = number(settings["coverage_probability"])
    return payload


class BudgetWidget(forms.Widget):
    """The budget builder: a model expression, rows of inputs, correlations and the coverage wanted."""

    wide = True  # shown across the whole form (core/form_body.html)

    template_name = "records/widgets/budget.html"
    min_rows = 3
    input_types = INPUT_TYPES
    methods = METHODS

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.errors = {}  # {"model": msg, "rows": {name: msg}, "other": msg}, set by a form after computing

    def get_context(self, name, value, attrs):
        ctx = super().get_context(name, value, attrs)
        settings, rows, corr = payload_to_rows(_parse(value, {}))
        rows += [dict.fromkeys(ROW_KEYS, "") | {"type": "u"}] * max(self.min_rows - len(rows), 1)
        corr += [{"a": "", "b": "", "r": ""}]
        row_errors = self.errors.get("rows", {})
        for row in rows:
            row["error"] = row_errors.get(row["name"], "") if row["name"] else ""
        ctx["widget"].update(settings=settings, rows=rows, row_count=len(rows), corr=corr, corr_count=len(corr),
                             input_types=[(k, str(v)) for k, v in self.input_types],
                             methods=[(k, str(v)) for k, v in self.methods], errors=self.errors)
        return ctx

    def value_from_datadict(self, data, files, name):
        def get(key):
            return (data.get(f"{name}-{key}") or "").strip()

        def count(key):
            try:
                return min(int(data.get(f"{name}-{key}", 0)), 200)
            except ValueError:
                return 0

        settings = {k: get(k) for k in ("model", "coverage_probability", "k", "method", "trials", "seed")}
        rows = []
        for i in range(count("rows")):
            row = {k: get(f"{i}-{k}") for k in ROW_KEYS}
            if any(v for k, v in row.items() if k != "type"):
                rows.append(row)
        corr = [{k: get(f"c{j}-{k}") for k in ("a", "b", "r")} for j in range(count("corr"))]
        if not settings["model"] and not rows:
            return {}
        return rows_to_payload(settings, rows, corr)

    def value_omitted_from_data(self, data, files, name):
        return f"{name}-model" not in data


class BudgetField(forms.Field):
    widget = BudgetWidget

    def to_python(self, value):
        value = _parse(value, {})
        if not isinstance(value, dict):
            raise ValidationError(_("Expected an uncertainty budget."))
        if value and "" in (value.get("inputs") or {}):
            raise ValidationError(_("Every input row with values needs a name (the symbol used in the model)."))
        if value and not value.get("model"):
            raise ValidationError(_("Give the measurement model, e.g. mS + dD + dm."))
        return value

    def prepare_value(self, value):
        return value


# ----------------------------------------------------------------------------------------- record
RECORD_FIELDS = (
    "provider", "instrument", "officer", "activity", "performed_on", "result", "certificate_number",
    "stamp_number", "unit", "notes",
    "standards", "ambient_temperature", "ambient_humidity", "ambient_pressure",
    "measurand", "measurement_unit", "verification_stage", "scale_interval_e", "points", "points_as_found",
    "uncertainty_budget", "measured_value", "expanded_uncertainty", "coverage_factor", "coverage_probability",
    "decision_rule", "guard_band_factor", "lower_limit", "upper_limit",
)


class _CommaDecimal:
    """A number field that also takes a decimal comma (0,005) and renders as a plain text box."""

    widget = forms.TextInput(attrs={"inputmode": "decimal"})

    def to_python(self, value):
        value = number(value) if isinstance(value, str) else value
        return super().to_python(value)


class CommaFloatField(_CommaDecimal, forms.FloatField):
    pass


class CommaDecimalField(_CommaDecimal, forms.DecimalField):
    pass


NUMBER_FIELDS = ("scale_interval_e", "measured_value", "expanded_uncertainty", "coverage_factor",
                 "coverage_probability", "guard_band_factor", "lower_limit", "upper_limit", "ambient_temperature",
                 "ambient_humidity", "ambient_pressure")


class ServiceRecordForm(BaseModelForm):
    points = PointsField(label=_("measured points"), required=False,
                         help_text=_("Verification: each point is checked against the MPE of the instrument's kind "
                                     "and accuracy class."))
    points_as_found = PointsField(
        label=_("points as found"), required=False,
        help_text=_("Only when the instrument was adjusted: the points before adjustment. The measured points "
                    "above are then as left (after adjustment), and they decide the result."))
    uncertainty_budget = BudgetField(
        label=_("uncertainty budget"), required=False,
        help_text=_("Calibration: when a budget is given, the measured value, U, k and the coverage probability "
                    "are computed from it (GUM)."))

    class Meta:
        model = ServiceRecord
        fields = RECORD_FIELDS
        field_classes = dict.fromkeys(NUMBER_FIELDS, CommaFloatField) | {"scale_interval_e": CommaDecimalField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["points"].widget.attrs.pop("class", None)
        self.fields["uncertainty_budget"].widget.attrs.pop("class", None)
        self.fields["guard_band_factor"].required = False
        self.fields["verification_stage"].required = False
        self.fields["points_as_found"].widget.attrs.pop("class", None)
        self.fields["points_as_found"].widget.min_rows = 0
        standards = self.fields["standards"]
        provider_id = self._provider_id()
        if provider_id:  # the provider's own standards only (the rule refuses others)
            standards.queryset = standards.queryset.filter(owner_id=provider_id)
        standards.queryset = standards.queryset.order_by("name", "serial_number")
        standards.widget.attrs["size"] = 6

    def _provider_id(self):
        raw = self.data.get(self.add_prefix("provider")) if self.is_bound else None
        if raw and str(raw).isdigit() and int(raw) < 2**31:  # an id the database can look up
            return int(raw)
        return self.instance.provider_id or self.initial.get("provider")


class WithdrawalForm(forms.Form):
    """Why and when an issued certificate is withdrawn (``records.certificates.withdraw``)."""

    reason = forms.ChoiceField(label=_("reason for withdrawal"), choices=[("", "—"), *WithdrawalReason.choices])
    note = forms.CharField(label=_("withdrawal details"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("What was found and what the owner was told; required for “other reason”."))
    on = forms.DateField(label=_("withdrawn on"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        from django.utils import timezone

        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()
        self.fields["reason"].widget.attrs["class"] = "form-select"
        self.fields["note"].widget.attrs["class"] = "form-control"
        self.fields["on"].widget.attrs["class"] = "form-control"


class AttachmentForm(forms.ModelForm):
    class Meta:
        model = RecordAttachment
        fields = ("file", "description")
        help_texts = {"file": _("PDF, Word (docx), Excel (xlsx), JPEG or PNG, up to 20 MB.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        accept = ",".join(f".{ext}" for ext in EVIDENCE_EXTENSIONS)
        self.fields["file"].widget.attrs.update({"class": "form-control form-control-sm", "accept": accept})
        self.fields["description"].widget.attrs.update({"class": "form-control form-control-sm"})
