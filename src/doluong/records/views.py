"""Certificate page, DCC download and DCC upload for records (all restricted through core.access)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from doluong.core import access
from doluong.core.roles import Role, role_of
from doluong.orgs.models import Organization, OrganizationKind
from doluong.providers.models import Activity
from doluong.records import dcc
from doluong.records.models import ServiceRecord
from doluong.records.presentation import record_context

MAX_DCC_BYTES = 5 * 1024 * 1024


def _record(request, pk) -> ServiceRecord:
    qs = access.restrict(ServiceRecord.objects.all(), request.user, "view")
    return get_object_or_404(qs.select_related("instrument", "instrument__kind", "instrument__owner", "provider",
                                               "provider__unit", "officer", "unit"), pk=pk)


def check_url(request, record: ServiceRecord) -> str:
    """Absolute address of the public check page for this record's certificate (or stamp) number."""
    number = record.certificate_number or record.stamp_number
    return request.build_absolute_uri(f"{reverse('certificate_check')}?{urlencode({'number': number})}")


def qr_svg(url: str) -> str:
    """The QR code of ``url`` as inline SVG, made on the server (segno), no script or style attribute."""
    import segno

    svg = segno.make(url, error="m").svg_inline(scale=3, border=2, title=url, svgclass="qr", lineclass="qr-line")
    return mark_safe(svg)  # segno's output; the URL is escaped by segno in <title>


@login_required
def certificate(request, pk):
    record = _record(request, pk)
    url = check_url(request, record) if (record.certificate_number or record.stamp_number) else ""
    return render(request, "records/certificate.html", {
        "object": record, "check_url": url, "qr": qr_svg(url) if url else "", **record_context(record),
    })


@login_required
def dcc_export(request, pk):
    record = _record(request, pk)
    if record.activity != Activity.CALIBRATION:
        raise Http404
    xml = dcc.export_record(record)
    response = HttpResponse(xml, content_type="application/xml; charset=utf-8")
    name = (record.certificate_number or f"record-{record.pk}").replace("/", "-").replace('"', "")
    response["Content-Disposition"] = f'attachment; filename="DCC-{name}.xml"'
    return response


class DCCUploadForm(forms.Form):
    file = forms.FileField(label=_("DCC file (XML)"))
    provider = forms.ModelChoiceField(label=_("provider"), queryset=Organization.objects.none(), required=False,
                                      help_text=_("Leave empty to take the provider named in the DCC (by its "
                                                  "provider code, then its name)."))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs.update({"class": "form-control", "accept": ".xml,application/xml,text/xml"})
        if role_of(user) == Role.PROVIDER:
            del self.fields["provider"]
        else:
            self.fields["provider"].queryset = access.restrict(
                Organization.objects.filter(kind=OrganizationKind.PROVIDER), user).order_by("name")
            self.fields["provider"].widget.attrs["class"] = "form-select"


@login_required
def dcc_import(request):
    if not access.can(request.user, ServiceRecord, "add"):
        raise Http404
    form = DCCUploadForm(request.POST or None, request.FILES or None, user=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > MAX_DCC_BYTES:
                form.add_error("file", _("The file is larger than 5 MB."))
            else:
                try:
                    record = dcc.import_dcc(upload.read(), request.user, provider=form.cleaned_data.get("provider"))
                except dcc.DCCError as exc:
                    form.add_error("file", str(exc))
                else:
                    messages.success(request, _("Imported %(name)s from the DCC.") % {"name": record})
                    return HttpResponseRedirect(record.get_absolute_url())
    return render(request, "records/dcc_import.html", {"form": form}, status=status)
