from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from doluong.core.forms import BaseModelForm
from doluong.plans.models import (
    EVIDENCE_EXTENSIONS,
    PlanChange,
    ProgressReport,
    ReportEvidence,
)


class ProgressReportForm(BaseModelForm):
    """A report's content; after submission it is locked (``ProgressReport.edit_lock``, checked by the write path)."""

    class Meta:
        model = ProgressReport
        fields = ("task", "agency", "year", "period", "due_on", "done_text", "share_done")

    def clean(self):
        data = super().clean()
        agency_id = data.get("agency").pk if data.get("agency") else self.instance.agency_id
        task, year, period = data.get("task"), data.get("year"), data.get("period")
        if agency_id and task and year and period:
            clash = ProgressReport.objects.filter(task=task, agency_id=agency_id, year=year, period=period)
            if clash.exclude(pk=self.instance.pk).exists():
                raise ValidationError(_("A report of this agency on this task for this period already exists."))
        return data


class PlanChangeForm(BaseModelForm):
    class Meta:
        model = PlanChange
        fields = ("plan", "task", "reported_by", "reported_on", "difficulty", "proposed_adjustment")



class EvidenceForm(forms.ModelForm):
    class Meta:
        model = ReportEvidence
        fields = ("file", "description")
        help_texts = {"file": _("PDF, Word (docx), Excel (xlsx), JPEG or PNG, up to 20 MB.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        accept = ",".join(f".{ext}" for ext in EVIDENCE_EXTENSIONS)
        self.fields["file"].widget.attrs.update({"class": "form-control form-control-sm", "accept": accept})
        self.fields["description"].widget.attrs.update({"class": "form-control form-control-sm"})


class ReviewForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={
        "rows": 2, "class": "form-control form-control-sm"}))


class DecisionForm(forms.Form):
    decision_ref = forms.CharField(label=_("Decision"), required=False, max_length=120,
                                   help_text=_("Number and date of the People's Committee's document."),
                                   widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}))
    decision_text = forms.CharField(label=_("Decision text"), required=False, widget=forms.Textarea(attrs={
        "rows": 3, "class": "form-control form-control-sm"}))
