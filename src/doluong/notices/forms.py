"""The service-request form: the generic registry pages and the "Request service" page use it."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doluong.core.forms import BaseModelForm
from doluong.notices.models import RequestStatus, ServiceRequest, request_problems
from doluong.orgs.models import Organization, OrganizationKind


class ServiceRequestForm(BaseModelForm):
    """The enterprise's own instruments (the edit view restricts every choice to what the user may view), a
    designated provider, and the scope rule checked on today's date with its precise message."""

    class Meta:
        model = ServiceRequest
        fields = ("enterprise", "provider", "instruments", "activity", "message", "preferred_date")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "provider" in self.fields:
            self.fields["provider"].queryset = Organization.objects.filter(kind=OrganizationKind.PROVIDER)
        if "instruments" in self.fields:
            self.fields["instruments"].widget.attrs["size"] = 6

    def clean(self):
        data = super().clean()
        enterprise = data.get("enterprise")
        enterprise_id = enterprise.pk if enterprise is not None else self.instance.enterprise_id
        provider, instruments, activity = data.get("provider"), data.get("instruments"), data.get("activity")
        if enterprise_id and provider is not None and instruments is not None and activity:
            for problem in request_problems(enterprise_id=enterprise_id, provider_id=provider.pk, activity=activity,
                                            instruments=instruments.select_related("kind"),
                                            on=timezone.localdate()):
                self.add_error(None, problem)
        return data


class AnswerForm(forms.Form):
    status = forms.ChoiceField(choices=[(s.value, s.label) for s in
                                        (RequestStatus.ACCEPTED, RequestStatus.DECLINED, RequestStatus.DONE)])
    text = forms.CharField(label=_("Answer"), required=False, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}))
