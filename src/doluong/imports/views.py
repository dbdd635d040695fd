"""The web faces of the import engine: upload → preview → confirm → result, batches, revert, export.

A file is uploaded once and stored with a *preview* batch (nothing written). Confirming runs a second
batch over the same stored file. Small files run in the request; large ones run as a background task
(:mod:`doluong.imports.jobs`) and the batch page shows a live progress bar (htmx polls
:func:`progress`). Who may import what follows ``core.access``: the kinds offered are those the user
may add or change, and the engine rejects each row outside the user's add/change scope with a reason.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from doluong.core import access
from doluong.core import ui as model_ui
from doluong.core.roles import Role, role_of
from doluong.imports import engine, export, jobs
from doluong.imports import spec as registry
from doluong.imports.models import ImportBatch, Policy, Status
from doluong.imports.services import RevertRefused, revert_batch

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
FIRST_ERRORS = 50


def may_import(user, spec) -> bool:
    return access.can(user, spec.model, "add") or access.can(user, spec.model, "change")


def importable(user) -> list:
    return [s for s in registry.all_specs() if may_import(user, s)]


def visible_batches(user):
    """Officers see every batch; others the batches of people of their own organisation (or their own)."""
    qs = ImportBatch.objects.select_related("content_type")
    if role_of(user) == Role.OFFICER:
        return qs
    org = getattr(user, "organization_id", None)
    return qs.filter(Q(user=user) | Q(user__organization_id=org)) if org else qs.filter(user=user)


def _spec_or_404(kind: str):
    spec = registry.get(kind)
    if spec is None:
        raise Http404
    return spec


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Spreadsheet (XLSX or CSV)"),
                           widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xlsx,.csv"}))
    policy = forms.ChoiceField(label=gettext_lazy("If some rows have errors"), choices=Policy.choices,
                               initial=Policy.ALL_OR_NOTHING,
                               widget=forms.RadioSelect(attrs={"class": "form-check-input"}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than %(mb)s MB.") % {"mb": MAX_UPLOAD_BYTES >> 20})
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload


@login_required
def batch_list(request):
    batches = visible_batches(request.user)[:100]
    return render(request, "imports/batch_list.html", {"batches": batches, "specs": importable(request.user)})


@login_required
def upload(request, kind):
    spec = _spec_or_404(kind)
    if not may_import(request.user, spec):
        raise Http404
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            f = form.cleaned_data["file"]
            batch = ImportBatch(kind=spec.kind, file_name=f.name[:255], user=request.user,
                                user_name=request.user.get_username(), dry_run=True,
                                policy=form.cleaned_data["policy"], status=Status.PENDING,
                                content_type=_content_type(spec))
            batch.file.save(f.name, f, save=False)
            batch.total = jobs.estimate_rows(batch.file.path)
            batch.save()
            jobs.start(batch, translation.get_language())
            return HttpResponseRedirect(batch.get_absolute_url())
    return render(request, "imports/upload.html", {"spec": spec, "form": form}, status=status)


def _content_type(spec):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(spec.model)


def _batch_for(request, pk) -> ImportBatch:
    return get_object_or_404(visible_batches(request.user), pk=pk)


def _progress_context(batch: ImportBatch) -> dict:
    progress = engine.read_progress(batch.uuid) or {}
    running = batch.status in (Status.PENDING, Status.RUNNING) and not progress.get("done")
    processed = progress.get("processed", batch.processed)
    total = max(batch.total, processed, 1)
    percent = 100 if not running else min(99, int(processed * 100 / total))
    return {"batch": batch, "running": running, "processed": processed, "total": batch.total, "percent": percent,
            "progress": progress}


@login_required
def batch_detail(request, pk):
    batch = _batch_for(request, pk)
    spec = registry.get(batch.kind)
    context = _progress_context(batch)
    followed = None
    if batch.dry_run:
        followed = _followed(batch)
    context.update({
        "spec": spec, "errors": batch.errors[:FIRST_ERRORS], "more_errors": max(0, batch.rejected_count - FIRST_ERRORS),
        "followed": followed,
        "can_confirm": batch.dry_run and batch.status == Status.PREVIEWED and followed is None and batch.file,
        "can_revert": batch.status == Status.DONE and not batch.dry_run and spec is not None,
        "Status": Status, "Policy": Policy,
    })
    return render(request, "imports/batch.html", context)


def _followed(preview: ImportBatch) -> ImportBatch | None:
    """The import that was run from this preview's file, if any."""
    if not preview.file:
        return None
    return ImportBatch.objects.filter(file=preview.file.name, dry_run=False).exclude(pk=preview.pk).first()


@login_required
def progress(request, pk):
    batch = _batch_for(request, pk)
    context = _progress_context(batch)
    response = render(request, "imports/_progress.html", context)
    if not context["running"] and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"  # the job finished: show the whole result page
    return response


@login_required
@require_POST
def confirm(request, pk):
    preview = _batch_for(request, pk)
    spec = registry.get(preview.kind)
    if spec is None or not may_import(request.user, spec) or not preview.dry_run or \
            preview.status != Status.PREVIEWED or not preview.file:
        raise Http404
    if _followed(preview) is not None:
        return HttpResponseRedirect(_followed(preview).get_absolute_url())  # confirmed already (a second click)
    policy = request.POST.get("policy") or preview.policy
    if policy not in Policy.values:
        policy = preview.policy
    batch = ImportBatch(kind=preview.kind, file_name=preview.file_name, user=request.user,
                        user_name=request.user.get_username(), dry_run=False, policy=policy, status=Status.PENDING,
                        content_type=preview.content_type, total=preview.total or preview.processed)
    batch.file.name = preview.file.name  # the same stored file
    batch.save()
    jobs.start(batch, translation.get_language())
    return HttpResponseRedirect(batch.get_absolute_url())


def _may_revert(user, batch: ImportBatch, spec) -> bool:
    """The user may revert when every object the batch touched is within their delete / change scope."""
    from doluong.core.models import ObjectChange
    from doluong.imports.services import _runs_q

    model = spec.model
    created = model._default_manager.filter(_runs_q(batch.created_ids)) if batch.created_ids else None
    if created is not None and access.restrict(created, user, "delete").count() != created.count():
        return False
    changed_ids = ObjectChange.objects.filter(request_id=batch.uuid, content_type=batch.content_type) \
        .values_list("object_id", flat=True)
    changed = model._default_manager.filter(pk__in=changed_ids)
    return access.restrict(changed, user, "change").count() == changed.count()


@login_required
def revert(request, pk):
    batch = _batch_for(request, pk)
    spec = registry.get(batch.kind)
    if spec is None or batch.status != Status.DONE or batch.dry_run:
        raise Http404
    if request.method == "POST":
        if not _may_revert(request.user, batch, spec):
            messages.error(request, _("Some objects of this import are outside what you may delete or change; "
                                      "ask a programme officer to revert it."))
            return HttpResponseRedirect(batch.get_absolute_url())
        try:
            result = revert_batch(batch, user=request.user, force=request.POST.get("force") == "1")
        except RevertRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The import was reverted: %(deleted)s objects removed, %(restored)s "
                                        "restored.") % result)
        return HttpResponseRedirect(batch.get_absolute_url())
    return render(request, "imports/revert.html", {"batch": batch, "spec": spec})


@login_required
def rejected_rows(request, pk):
    batch = _batch_for(request, pk)
    if not batch.error_file:
        raise Http404
    name = f"{slugify(batch.file_name.rsplit('.', 1)[0]) or 'import'}-{_('rejected')}.xlsx"
    return FileResponse(batch.error_file.open("rb"), as_attachment=True, filename=name)


@login_required
def template(request, kind):
    spec = _spec_or_404(kind)
    if not may_import(request.user, spec):
        raise Http404
    import tempfile

    language = translation.get_language() or "vi"
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as tmp:
        export.write_template(spec, tmp.name, language)
        data = open(tmp.name, "rb").read()  # noqa: SIM115 (a small file)
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{spec.kind}-{_("template")}.xlsx"'
    return response


def exported_queryset(spec, request):
    """The list page's rows: restricted to what the user may view, with the list's filters applied."""
    from doluong.core.views import pin_relations

    qs = access.restrict(spec.model._default_manager.all(), request.user, "view")
    mui = model_ui.get(spec.model)
    if mui is None:
        return qs
    params = request.GET.copy()
    for name in ("format", "page", "per_page", "sort"):
        params.pop(name, None)
    filterset = mui.filterset(params or None, queryset=qs, request=request)
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else qs
    rows, _pinned = pin_relations(rows, params, request.user, exclude=filterset.filters)
    return rows


@login_required
def export_view(request, kind):
    spec = _spec_or_404(kind)
    if not access.can(request.user, spec.model, "view"):
        raise Http404
    fmt = request.GET.get("format", "csv")
    qs = exported_queryset(spec, request)
    language = translation.get_language() or "vi"
    stamp = f"{spec.kind}"
    if fmt == "xlsx":
        response = StreamingHttpResponse(
            export.xlsx_stream(spec, qs, language),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="{stamp}.xlsx"'
        return response
    if fmt != "csv":
        raise Http404
    response = StreamingHttpResponse(export.csv_stream(spec, qs, language), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{stamp}.csv"'
    return response


def list_url(spec) -> str | None:
    mui = model_ui.get(spec.model)
    return reverse(mui.url_name("list")) if mui else None
