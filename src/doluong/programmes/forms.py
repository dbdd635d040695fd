from django import forms
from django.utils.translation import gettext_lazy as _

from doluong.core import access
from doluong.core.forms import DateInput, LookupSelect
from doluong.orgs.models import Person
from doluong.programmes.models import AttendeeRole, Stage
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
