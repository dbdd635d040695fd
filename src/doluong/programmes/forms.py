from decimal import Decimal

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext_lazy as _

from doluong.core import access
from doluong.core.forms import BaseModelForm, DateInput, LookupSelect
from doluong.core.templatetags.doluong import num
from doluong.orgs.models import Person
from doluong.programmes.models import AttendeeRole, CriteriaAssessment, CriteriaSet, Stage
from doluong.programmes.services import next_stages


class AttendanceAddForm(forms.Form):
    """Add one person, found by search, to a training's attendance list."""

    person = forms.ModelChoiceField(label=_("Person"), queryset=Person.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=AttendeeRole.choices)

    def __init__(self, *args, user, lookup_url: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        people = access.restrict(Person.objects.select_related("organization"), user, "view")
        self.fields["person"].queryset = people
        if lookup_url:
            self.fields["person"].widget = LookupSelect(lookup_url, queryset=people)
        self.fields["role"].widget.attrs["class"] = "form-select"


class CaseAdvanceForm(forms.Form):
    stage = forms.ChoiceField(label=_("Move to"))
    on = forms.DateField(label=_("Date"), widget=DateInput(attrs={"class": "form-control"}))
    outcome = forms.CharField(label=_("Outcome"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))

    def __init__(self, *args, stage: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [(s, Stage(s).label) for s in next_stages(stage)]
        self.fields["stage"].widget.attrs["class"] = "form-select"


def _plain_number(value: Decimal) -> int | float:
    """A score as stored in the JSON: an integer when whole, else a float."""
    return int(value) if value == value.to_integral_value() else float(value)


class CriteriaAssessmentForm(BaseModelForm):
    """An assessment with one score input per criterion of its criteria set (no JSON typed by hand).

    The inputs are those of the set chosen in the form when it is posted, else of the assessment's set,
    else of the first active set (which is then preselected). Their names carry the set's id, so that
    scores typed for another set are never taken for this one. Each score is optional (a criterion
    not scored is left out, as the model allows) and between 0 and the criterion's maximum;
    ``scores`` is saved from them and the model computes the total.
    """

    class Meta:
        model = CriteriaAssessment
        fields = ("organization", "criteria_set", "assessed_on", "result", "notes")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria_set = self._chosen_set()
        self.score_fields: list[tuple[str, dict]] = []
        if self.criteria_set is None:
            return
        if not self.is_bound and not self.instance.criteria_set_id:
            self.initial.setdefault("criteria_set", self.criteria_set.pk)
        stored = self.instance.scores if isinstance(self.instance.scores, dict) else {}
        same_set = self.instance.criteria_set_id == self.criteria_set.pk
        for i, c in enumerate(self.criteria_set.criteria if isinstance(self.criteria_set.criteria, list) else ()):
            if not isinstance(c, dict) or not isinstance(c.get("code"), str):
                continue
            limits = self.criteria_set.max_scores()
            top = limits.get(c["code"])
            name = f"score_{self.criteria_set.pk}_{i}"
            text = c.get("text") or ""
            label = (_("%(code)s · %(text)s (max. %(max)s)") if text else _("%(code)s (max. %(max)s)")) % {
                "code": c["code"], "text": text, "max": num(top, "auto") if top is not None else "?"}
            f = forms.DecimalField(label=label, required=False, min_value=Decimal(0), max_value=top,
                                   max_digits=7, decimal_places=2, localize=True)
            f.widget.attrs.update({"class": "form-control", "inputmode": "decimal", "autocomplete": "off"})
            if same_set and c["code"] in stored:
                self.initial[name] = stored[c["code"]]
            self.fields[name] = f
            self.score_fields.append((name, c))
        order = ["organization", "criteria_set", "assessed_on", *(n for n, _c in self.score_fields), "result", "notes"]
        self.order_fields([n for n in order if n in self.fields])

    def _chosen_set(self):
        sets = CriteriaSet.objects.all()
        key = self.add_prefix("criteria_set")
        if self.is_bound:
            raw = self.data.get(key)
            return sets.filter(pk=int(raw)).first() if raw and str(raw).isdigit() else None
        if self.instance.criteria_set_id:
            return self.instance.criteria_set
        initial = self.initial.get("criteria_set")
        if initial:
            return sets.filter(pk=getattr(initial, "pk", initial)).first()
        return sets.filter(is_active=True).order_by(*CriteriaSet._meta.ordering).first()

    def clean(self):
        cleaned = super().clean()
        prefix = self.add_prefix("score_")
        shown = {self.add_prefix(n) for n, _c in self.score_fields}
        stray = [k for k in self.data if k.startswith(prefix) and k not in shown and self.data.get(k) not in (None, "")]
        if stray and self.criteria_set is not None:
            raise forms.ValidationError(_("The criteria set was changed: enter the scores for the criteria of "
                                          "%(set)s.") % {"set": self.criteria_set})
        scores = {}
        for name, c in self.score_fields:
            value = cleaned.get(name)
            if value is not None:
                scores[c["code"]] = _plain_number(value)
        self.instance.scores = scores
        return cleaned

    def _update_errors(self, errors):
        # The model checks ``scores`` too; the form has no such field, so show its message above the form.
        if hasattr(errors, "error_dict") and "scores" in errors.error_dict and "scores" not in self.fields:
            by_field = dict(errors.error_dict)
            by_field.setdefault(NON_FIELD_ERRORS, []).extend(by_field.pop("scores"))
            errors = forms.ValidationError(by_field)
        super()._update_errors(errors)


class CriteriaSetForm(BaseModelForm):
    """A criteria set's criteria typed one per line, "code | text | maximum score", never as JSON."""

    criteria_text = forms.CharField(
        label=_("Criteria"), required=False, widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("One criterion per line: code | text | maximum score, e.g. “C1 | Trained staff | 10”."))

    class Meta:
        model = CriteriaSet
        fields = ("code", "name", "version", "issued_by", "issued_on", "is_active")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        lines = []
        for c in self.instance.criteria if isinstance(self.instance.criteria, list) else ():
            if isinstance(c, dict):
                lines.append(f"{c.get('code', '')} | {c.get('text', '')} | {num(c.get('max_score'), 'auto')}")
        self.initial.setdefault("criteria_text", "\n".join(lines))
        self.order_fields(["code", "name", "version", "issued_by", "issued_on", "criteria_text", "is_active"])

    def clean_criteria_text(self):
        from doluong.core.numbers import NumberProblem, parse_decimal

        criteria, errors = [], []
        for line_no, line in enumerate((self.cleaned_data.get("criteria_text") or "").splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            if len(parts) != 3 or not parts[0] or not parts[1]:
                errors.append(_("Line %(line)d: write code | text | maximum score.") % {"line": line_no})
                continue
            try:
                score = parse_decimal(parts[2])
            except NumberProblem:
                errors.append(_("Line %(line)d: the maximum score “%(v)s” is not a number.") % {
                    "line": line_no, "v": parts[2]})
                continue
            criteria.append({"code": parts[0], "text": parts[1],
                             "max_score": int(score) if score == score.to_integral_value() else float(score)})
        if errors:
            raise forms.ValidationError(errors)
        return criteria

    def clean(self):
        data = super().clean()
        if "criteria_text" in data:
            self.instance.criteria = data["criteria_text"]
        return data
