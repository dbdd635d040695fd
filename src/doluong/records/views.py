"""Certificate page, DCC download and DCC upload for records (all restricted through core.access)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from doluong.core import access
from doluong.core.roles import Role, role_of
from doluong.orgs.models import Organization, OrganizationKind
from doluong.providers.models import Activity
from doluong.records import certificates, dcc
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
    """The printable HTML certificate: what the certificate states (frozen when issued), and its state today."""
    record = _record(request, pk)
    url = check_url(request, record) if (record.certificate_number or record.stamp_number) else ""
    return render(request, "records/certificate.html", {
        **record_context(record), **certificates.document_context(record, url), "qr": qr_svg(url) if url else "",
    })


@login_required
def certificate_pdf(request, pk):
    """The certificate as an A4 PDF (WeasyPrint), for whoever may view the record."""
    record = _record(request, pk)
    url = check_url(request, record) if (record.certificate_number or record.stamp_number) else ""
    response = HttpResponse(certificates.render_pdf(record, url), content_type="application/pdf")
    name = (record.certificate_number or f"record-{record.pk}").replace("/", "-").replace('"', "")
    response["Content-Disposition"] = f'inline; filename="GCN-{name}.pdf"'
    return response


def _changeable(request, pk) -> ServiceRecord:
    """The record, if the user may change it (correct or withdraw its certificate); otherwise not found."""
    qs = access.restrict(ServiceRecord.objects.all(), request.user, "change")
    return get_object_or_404(qs.select_related("instrument", "instrument__kind", "instrument__owner", "provider",
                                               "officer", "superseded_by"), pk=pk)


@login_required
def withdraw(request, pk):
    """Withdraw an issued certificate: a reason from the fixed list, details, the date (deletion is refused)."""
    from doluong.records.forms import WithdrawalForm

    record = _changeable(request, pk)
    refused = certificates.why_not_correctable(record)
    if refused:
        messages.warning(request, refused)
        return HttpResponseRedirect(record.get_absolute_url())
    form = WithdrawalForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                certificates.withdraw(record, user=request.user, reason=form.cleaned_data["reason"],
                                      note=form.cleaned_data["note"], on=form.cleaned_data["on"])
            except ValidationError as exc:
                _form_errors(form, exc, {"withdrawal_reason": "reason", "withdrawal_note": "note",
                                         "withdrawn_on": "on"})
            else:
                messages.success(request, _("Certificate %(n)s was withdrawn.") % {"n": record.certificate_number})
                return HttpResponseRedirect(record.get_absolute_url())
    return render(request, "records/withdraw.html", {"object": record, "form": form}, status=status)


@login_required
def correct(request, pk):
    """Issue a corrected version of a certificate: a new record (new number) that supersedes this one."""
    from doluong.core import ui as registry
    from doluong.core.views import EditView

    old = _changeable(request, pk)
    refused = certificates.why_not_correctable(old)
    if refused:
        messages.warning(request, refused)
        return HttpResponseRedirect(old.get_absolute_url())
    view = EditView(ui=registry.get(ServiceRecord), request=request)
    draft = certificates.correction_draft(old)
    form = view.get_form(data=request.POST or None, instance=draft)
    if not request.POST and "standards" in form.fields:  # the same standards unless the correction says otherwise
        form.initial["standards"] = list(old.standards.values_list("pk", flat=True))
    for name in ("provider", "instrument"):  # a corrected version certifies the same instrument, same provider
        form.fields.pop(name, None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            new = form.save(commit=False)
            try:
                new = certificates.correct(old, new, user=request.user, m2m=form.save_m2m, exclude=[
                    f.name for f in new._meta.concrete_fields if f.name not in form.fields])
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Issued %(new)s, which supersedes %(old)s.") % {
                    "new": new.certificate_number, "old": old.certificate_number})
                return HttpResponseRedirect(new.get_absolute_url())
    return render(request, "records/correct.html", {"object": old, "form": form}, status=status)


def _form_errors(form, exc: ValidationError, names: dict | None = None) -> None:
    """A write's ValidationError on the form; model field names mapped to the form's (``names``)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        name = (names or {}).get(name, name)
        form.add_error(name if name in form.fields else None, errors)


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
    """A DCC file, and the provider and instrument when the certificate does not name registered ones."""

    file = forms.FileField(label=_("DCC file (XML)"))
    provider = forms.ModelChoiceField(label=_("provider"), queryset=Organization.objects.none(), required=False,
                                      help_text=_("Leave empty to take the provider named in the DCC (by its "
                                                  "provider code, then its name)."))
    instrument = forms.ModelChoiceField(label=_("instrument"), queryset=None, required=False,
                                        help_text=_("Leave empty to find the instrument by the serial number and "
                                                    "manufacturer in the DCC."))

    def __init__(self, *args, user=None, **kwargs):
        from doluong.core.forms import LookupSelect
        from doluong.instruments.models import Instrument

        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs.update({"class": "form-control", "accept": ".xml,application/xml,text/xml"})
        if role_of(user) == Role.PROVIDER:
            del self.fields["provider"]
        else:
            self.fields["provider"].queryset = access.restrict(
                Organization.objects.filter(kind=OrganizationKind.PROVIDER), user).order_by("name")
            self.fields["provider"].widget.attrs["class"] = "form-select"
        instruments = access.restrict(Instrument.objects.select_related("kind", "owner"), user, "view")
        self.fields["instrument"].queryset = instruments
        self.fields["instrument"].widget = LookupSelect(reverse("instruments:instrument_lookup"), queryset=instruments,
                                                        attrs={"class": "form-control"})

    @staticmethod
    def chosen(pending: dict, user) -> dict:
        """The provider and instrument kept with a preview, looked up again for ``user``."""
        from doluong.instruments.models import Instrument

        out = {"provider": None, "instrument": None}
        if pending.get("provider"):
            out["provider"] = access.restrict(Organization.objects.filter(kind=OrganizationKind.PROVIDER),
                                              user).filter(pk=pending["provider"]).first()
        if pending.get("instrument"):
            out["instrument"] = access.restrict(Instrument.objects.all(), user, "view").filter(
                pk=pending["instrument"]).first()
        return out


@login_required
def dcc_import(request):
    """Upload a DCC; see what would be stored (the import run and rolled back); confirm (docs/dcc.md).

    ``step=preview`` (the page's button) shows the preview and keeps the file in the session under a token;
    ``step=confirm`` imports it. A POST without a step (a script) imports at once, unless the file has schema
    findings to accept, which only the preview can do."""
    import base64
    import secrets

    if not access.can(request.user, ServiceRecord, "add"):
        raise Http404
    step = request.POST.get("step", "")
    pending = dict(request.session.get("dcc_pending", {}))
    if request.method == "POST" and step == "confirm":
        token = request.POST.get("token", "")
        item = pending.get(token)
        if item is None:
            messages.error(request, _("This preview has expired; upload the file again."))
            return HttpResponseRedirect(reverse("records_flow:dcc_import"))
        xml = base64.b64decode(item["xml"])
        chosen = DCCUploadForm.chosen(item, request.user)
        accept = request.POST.get("accept_deviations") == "on"
        try:
            outcome = dcc.run_import(xml, request.user, accept_deviations=accept, **chosen)
        except dcc.DCCError as exc:
            try:
                outcome = dcc.preview_import(xml, request.user, **chosen)
            except dcc.DCCError:
                messages.error(request, str(exc))
                return HttpResponseRedirect(reverse("records_flow:dcc_import"))
            return render(request, "records/dcc_preview.html", {**_dcc_preview_context(outcome, token, item),
                                                                 "error": str(exc)}, status=400)
        pending.pop(token, None)
        request.session["dcc_pending"] = pending
        _dcc_message(request, outcome)
        return HttpResponseRedirect(outcome.record.get_absolute_url())
    form = DCCUploadForm(request.POST or None, request.FILES or None, user=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            chosen = {"provider": form.cleaned_data.get("provider"), "instrument": form.cleaned_data.get("instrument")}
            if upload.size > MAX_DCC_BYTES:
                form.add_error("file", _("The file is larger than 5 MB."))
            elif step == "preview":
                xml = upload.read()
                try:
                    outcome = dcc.preview_import(xml, request.user, **chosen)
                except dcc.DCCError as exc:
                    form.add_error("file", str(exc))
                else:
                    token = secrets.token_urlsafe(16)
                    item = {"xml": base64.b64encode(xml).decode(), "name": upload.name,
                            "provider": chosen["provider"].pk if chosen["provider"] else None,
                            "instrument": chosen["instrument"].pk if chosen["instrument"] else None}
                    pending = dict(list(pending.items())[-2:])  # the last few previews of this session
                    pending[token] = item
                    request.session["dcc_pending"] = pending
                    return render(request, "records/dcc_preview.html", _dcc_preview_context(outcome, token, item))
            else:
                try:
                    outcome = dcc.run_import(upload.read(), request.user, **chosen)
                except dcc.DCCError as exc:
                    form.add_error("file", str(exc))
                else:
                    _dcc_message(request, outcome)
                    return HttpResponseRedirect(outcome.record.get_absolute_url())
    return render(request, "records/dcc_import.html", {"form": form}, status=status)


def _dcc_message(request, outcome) -> None:
    name = {"name": outcome.record}
    if outcome.action == "created":
        messages.success(request, _("Imported %(name)s from the DCC.") % name)
    elif outcome.action == "updated":
        messages.success(request, _("Updated %(name)s from the DCC: it had been imported before.") % name)
    else:
        messages.info(request, _("%(name)s was imported from this DCC before; nothing changed.") % name)


def _dcc_preview_context(outcome, token: str, item: dict) -> dict:
    """What the preview page shows: the record as it would be stored, its points, and what came with them."""
    record, parsed = outcome.record, outcome.parsed
    rows = []
    for i, point in enumerate(record.points or [], start=1):
        others = [q for q in point.get("quantities", []) if q.get("role") not in ("reference", "indication")]
        rows.append({"n": i, "point": point, "unit": point.get("unit", record.measurement_unit),
                     "others": "; ".join(_dcc_quantity_text(q) for q in others)})
    return {"outcome": outcome, "record": record, "parsed": parsed, "rows": rows, "token": token,
            "file_name": item.get("name", ""), "findings": parsed.schema.findings,
            "notes": record.notes, "warnings": parsed.warnings + outcome.measured.notes}


def _dcc_quantity_text(q: dict) -> str:
    cell = dcc.Cell(value=q.get("value"), dsi=q.get("dsi", ""), text=q.get("text", ""), U=q.get("U"), k=q.get("k"),
                    p=q.get("p"), u=q.get("u"), complex=q.get("complex"))
    return f"{q.get('name') or '—'}: {cell.shown()}"


# --- reverse traceability: from a standard to the records and instruments it touched ------------------------

def _standard(request, pk):
    from doluong.instruments.models import MeasurementStandard

    qs = access.restrict(MeasurementStandard.objects.select_related("owner", "field", "kind"), request.user, "view")
    return get_object_or_404(qs, pk=pk)


@login_required
def recall(request, pk):
    """Every record that used the standard (those the user may see) and the instruments they certified: the
    recall list when the standard is found out of tolerance, from a date (``?since=dd/mm/yyyy``)."""
    from doluong.records import recall as recall_data

    standard = _standard(request, pk)
    form = recall_data.RecallForm(request.GET or None)
    since = form.cleaned_data.get("since") if form.is_valid() else None
    records = recall_data.records_of(standard, request.user, since=since)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(recall_data.workbook(standard, records),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="recall-standard-{standard.pk}.xlsx"'
        return response
    summary = recall_data.summary(records)
    return render(request, "records/recall.html", {
        "standard": standard, "form": form, "since": since, "summary": summary,
        "rows": recall_data.rows(records[:recall_data.PAGE]), "more": summary["records"] > recall_data.PAGE,
        "xlsx_query": urlencode({**({"since": request.GET["since"]} if since else {}), "format": "xlsx"}),
    })


# --- attachments ----------------------------------------------------------------------------------------------

@login_required
@require_POST
def attachment_upload(request, pk):
    from doluong.records import services
    from doluong.records.forms import AttachmentForm

    record = _changeable(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        problems = [str(m) for errors in form.errors.values() for m in errors]
        messages.error(request, _("The file was not attached: %(why)s") % {"why": " ".join(problems)})
        return HttpResponseRedirect(record.get_absolute_url())
    try:
        services.attachment_add(record=record, user=request.user, file=form.cleaned_data["file"],
                                description=form.cleaned_data["description"])
    except (ValidationError, PermissionDenied) as exc:
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, _("The file was not attached: %(why)s") % {"why": text})
    else:
        messages.success(request, _("The file was attached."))
    return HttpResponseRedirect(record.get_absolute_url())


def _attachment(request, pk, action="view"):
    from doluong.records.models import RecordAttachment

    qs = access.restrict(RecordAttachment.objects.select_related("record"), request.user, action)
    return get_object_or_404(qs, pk=pk)


@login_required
@require_GET
def attachment_download(request, pk):
    attachment = _attachment(request, pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=attachment.filename)


@login_required
@require_POST
def attachment_delete(request, pk):
    from doluong.records import services

    attachment = _attachment(request, pk, "delete")
    record = attachment.record
    try:
        services.attachment_delete(attachment=attachment, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The file was removed."))
    return HttpResponseRedirect(record.get_absolute_url())
