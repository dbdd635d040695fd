from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from doluong.core.forms import BaseModelForm, DateInput
from doluong.imports import values
from doluong.inspections.models import InstrumentCheck, LotCheck
from doluong.inspections.sample import SampleError, parse_number, parse_sample_file, parse_sample_text


class _RemapErrors:
    """Send the model's errors on JSON fields to the text fields that fill them."""

    error_field_map: dict = {}

    def _update_errors(self, errors):
        if hasattr(errors, "error_dict"):
            remapped = {}
            for name, messages in errors.error_dict.items():
                target = self.error_field_map.get(name, name)
                if target != NON_FIELD_ERRORS and target not in self.fields:
                    target = NON_FIELD_ERRORS
                remapped.setdefault(target, []).extend(messages)
            errors = ValidationError(remapped)
        super()._update_errors(errors)


def _plain(value) -> str:
    return str(value)


class CommaDecimalField(forms.DecimalField):
    """A decimal typed as people here write it: 0,5 and 1.234,5 (and 0.5, 1,234.5), as records and imports read it.

    A lone separator before exactly three digits (1.234) is ambiguous and refused with the reason.
    """

    widget = forms.TextInput(attrs={"inputmode": "decimal"})

    def to_python(self, value):
        if isinstance(value, str) and not values.is_blank(value):
            try:
                value = values.decimal(value)
            except values.ValueProblem as exc:
                raise ValidationError(gettext(exc.args[0]), code="invalid") from None
        return super().to_python(value)


class InstrumentCheckForm(_RemapErrors, BaseModelForm):
    points_text = forms.CharField(
        label=_("Measured points"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One point per line: reference value and indication, separated by a space, a tab or a "
                    "semicolon, e.g. “500 500,5”. Leave empty if no test load was applied."))
    error_field_map = {"points": "points_text"}

    class Meta:
        model = InstrumentCheck
        fields = ("inspection", "instrument", "checked_on", "stamp_intact", "accuracy_class", "e", "points_unit",
                  "notes")
        widgets = {"stamp_intact": forms.NullBooleanSelect()}
        field_classes = {"e": CommaDecimalField}

    field_order = ("inspection", "instrument", "checked_on", "stamp_intact", "accuracy_class", "e", "points_unit",
                   "points_text", "notes")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stamp_intact"].widget.attrs["class"] = "form-select"
        if self.instance.points:
            self.initial["points_text"] = "\n".join(f"{_plain(p.get('reference'))} {_plain(p.get('indication'))}"
                                                    for p in self.instance.points)
        self.order_fields(self.field_order)

    def clean_points_text(self):
        points, errors = [], []
        for number, line in enumerate((self.cleaned_data.get("points_text") or "").splitlines(), start=1):
            parts = [p for p in line.replace(";", " ").replace("\t", " ").split() if p]
            if not parts:
                continue
            if len(parts) != 2:
                errors.append(_("Line %(line)d: give two values, the reference and the indication.") % {"line": number})
                continue
            try:
                ref, ind = (parse_number(p) for p in parts)
            except SampleError as exc:
                errors.append(_("Line %(line)d: %(why)s") % {"line": number, "why": exc.args[0]})
                continue
            points.append({"reference": str(ref), "indication": str(ind)})
        if errors:
            raise ValidationError(errors)
        return points

    def clean(self):
        data = super().clean()
        if "points_text" in data:
            self.instance.points = data["points_text"]
        return data


class LotCheckForm(_RemapErrors, BaseModelForm):
    """A lot check with its sample pasted as text (one value per line, or separated by spaces or ;)."""

    sample_text = forms.CharField(
        label=_("Net contents of the sample"), required=False, widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Paste one value per package, in the unit above: one per line or separated by spaces or "
                    "semicolons. A decimal comma is accepted (498,5)."))
    error_field_map = {"actual": "sample_text", "verdict": NON_FIELD_ERRORS}

    class Meta:
        model = LotCheck
        fields = ("inspection", "product", "brand", "packer", "lot_ref", "nominal", "unit", "lot_size", "scheme",
                  "destructive", "checked_on", "notes")

    field_order = ("inspection", "product", "brand", "packer", "lot_ref", "nominal", "unit", "lot_size", "scheme",
                   "destructive", "checked_on", "sample_text", "sample_file", "notes")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.actual:
            self.initial["sample_text"] = "\n".join(_plain(v) for v in self.instance.actual)
        self.order_fields(self.field_order)

    def sample_values(self, data):
        text = data.get("sample_text") or ""
        if not text.strip():
            return None
        try:
            return parse_sample_text(text)
        except ValidationError as exc:
            self.add_error("sample_text", exc)
            return None

    def clean(self):
        data = super().clean()
        values = self.sample_values(data)
        if values is not None:
            self.instance.actual = [str(v) for v in values]
        elif not self.errors:
            self.instance.actual = []
        return data


class LotCheckUploadForm(LotCheckForm):
    """The same, plus a CSV or XLSX file whose first numeric column is the sample (multipart form)."""

    sample_file = forms.FileField(
        label=_("Or a file"), required=False,
        help_text=_("CSV or Excel (.xlsx): the first column of numbers is read; a header row is allowed."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx,.xls,.ods"}))

    def sample_values(self, data):
        upload = data.get("sample_file")
        if upload:
            if (data.get("sample_text") or "").strip() and self.has_changed() and "sample_text" in self.changed_data:
                self.add_error("sample_file", _("Give the sample either as text or as a file, not both."))
                return None
            try:
                return parse_sample_file(upload)
            except ValidationError as exc:
                self.add_error("sample_file", exc)
                return None
        return super().sample_values(data)


class CloseForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=DateInput(attrs={"class": "form-control"}))
