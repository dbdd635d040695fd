"""Pages of a plan's documents: generate (with progress), the list of generations, downloads, a new document."""

from __future__ import annotations

import datetime as dt
import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from doluong.core import access, writes
from doluong.core.writes import Via, WriteRefused
from doluong.plans.models import Plan
from doluong.reports import figures as figs
from doluong.reports import services
from doluong.reports.models import REPORT_KINDS, DocumentKind, GeneratedDocument, GenerationStatus, PlanDocument

FILE_FIELDS = ("docx", "letter_docx", "pdf", "xlsx")


def _visible(model, request, pk, *related):
    qs = access.restrict(model.objects.all(), request.user, "view")
    return get_object_or_404(qs.select_related(*related) if related else qs, pk=pk)


def _date(text: str | None) -> dt.date | None:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime((text or "").strip(), fmt).date()
        except ValueError:
            continue
    return None


def document_extra(request, document: PlanDocument) -> dict:
    """The detail page's extra context: generations, the button, what the agencies reported."""
    start, end = document.period
    generations = list(access.restrict(document.generations.all(), request.user).select_related("generated_by")[:20])
    reported = figs.reported_difficulties(document.plan, start, end) if document.kind in REPORT_KINDS else []
    return {
        "generations": generations, "can_generate": writes.may(request.user, document, "change"),
        "default_as_of": document.default_as_of(), "reported": reported,
        "can_suggest": bool(reported) and (not document.difficulties.strip() or not document.proposals.strip()),
    }


@login_required
@require_POST
def generate(request, pk):
    document = _visible(PlanDocument, request, pk, "plan", "phase")
    if not writes.may(request.user, document, "change"):
        raise Http404
    raw = request.POST.get("as_of", "")
    as_of = _date(raw) if raw else None
    if raw and as_of is None:
        messages.error(request, _("“%(value)s” is not a date: write it as dd/mm/yyyy.") % {"value": raw})
        return redirect(document.get_absolute_url())
    if as_of and as_of > timezone.localdate():
        messages.error(request, _("Figures cannot be as of a date in the future (%(date)s).") % {
            "date": as_of.strftime("%d/%m/%Y")})
        return redirect(document.get_absolute_url())
    try:
        generation = services.start(document, user=request.user, as_of=as_of)
    except (ValidationError, WriteRefused) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect(document.get_absolute_url())
    return redirect("reports_flow:generation", pk=generation.pk)


@login_required
@require_POST
def suggest(request, pk):
    document = _visible(PlanDocument, request, pk, "plan", "phase")
    if not writes.may(request.user, document, "change"):
        raise Http404
    services.suggest_prose(document, user=request.user)
    messages.success(request, _("The agencies' reported difficulties and proposals were copied into the document; "
                                "edit them before generating."))
    return redirect(document.get_absolute_url())


@login_required
def generation(request, pk):
    """A generation's page; while it runs, the progress fragment polls itself (htmx) until it is done."""
    gen = _visible(GeneratedDocument, request, pk, "document", "document__plan", "generated_by")
    progress = services.read_progress(gen.pk)
    running = gen.status in (GenerationStatus.QUEUED, GenerationStatus.RUNNING)
    template = "reports/_progress.html" if request.headers.get("HX-Request") else "reports/generation.html"
    return render(request, template, {"gen": gen, "progress": progress, "running": running,
                                      "percent": progress.get("percent", 100 if not running else 0)})


@login_required
def download(request, pk, field):
    if field not in FILE_FIELDS:
        raise Http404
    gen = _visible(GeneratedDocument, request, pk, "document")
    f = getattr(gen, field)
    if not f:
        raise Http404
    name = f.name.rsplit("/", 1)[-1]
    return FileResponse(f.open("rb"), as_attachment=True, filename=name,
                        content_type=mimetypes.guess_type(name)[0] or "application/octet-stream")


@login_required
def new_document(request, plan_pk, kind):
    """Start a document of ``kind`` for a plan with sensible defaults, then open its form."""
    if kind not in DocumentKind.values:
        raise Http404
    plan = _visible(Plan, request, plan_pk)
    if not access.can(request.user, PlanDocument, "add"):
        raise Http404
    today = timezone.localdate()
    year = request.GET.get("year")
    year = int(year) if year and year.isdigit() else (today.year + 1 if kind == DocumentKind.BUDGET else today.year)
    phase = None
    if kind == DocumentKind.PHASE_REVIEW:
        phase = plan.phases.filter(end_year__lte=today.year).order_by("-end_year").first() or plan.phases.first()
    previous = PlanDocument.objects.filter(plan=plan).order_by("-dated", "-pk").first()
    document = PlanDocument(
        plan=plan, kind=kind, year=year if kind in (DocumentKind.ANNUAL, DocumentKind.BUDGET,
                                                    DocumentKind.WORKPLAN) else None, phase=phase,
        authority=previous.authority if previous else "", issuing_body=previous.issuing_body if previous else _(
            "Department of Science and Technology"), place=previous.place if previous else "",
        recipients=previous.recipients if previous else "", signer_title=previous.signer_title if previous else "",
        signer_name=previous.signer_name if previous else "", dated=today)
    try:
        writes.save(document, user=request.user, via=Via.FORM)
    except (ValidationError, WriteRefused) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect(plan.get_absolute_url())
    if kind in REPORT_KINDS:
        services.suggest_prose(document, user=request.user)
    messages.success(request, _("The document was created with the plan's figures to come; check the heading, the "
                                "prose and the signer, then generate it."))
    return redirect(reverse("reports:plandocument_edit", args=[document.pk]))


# --- the plan as a workbook -------------------------------------------------------------------------

@login_required
def plan_export(request, plan_pk):
    from django.http import HttpResponse
    from django.utils.text import slugify

    from doluong.reports import planbook

    plan = _visible(Plan, request, plan_pk, "province", "province__edition")
    response = HttpResponse(planbook.export(plan), content_type="application/vnd.openxmlformats-officedocument."
                                                                 "spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{slugify(plan.number)}.xlsx"'
    return response


@login_required
def plan_import(request):
    """Load a plan (phases, tasks, targets) from a workbook in the export's form; all or nothing."""
    from doluong.reports import planbook

    if not access.can(request.user, Plan, "add"):
        raise Http404
    problems = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            problems = [_("Choose the workbook to load.")]
        elif upload.size > 10 * 1024 * 1024:
            problems = [_("The file is larger than 10 MB.")]
        else:
            try:
                plan = planbook.load(upload.read(), user=request.user)
            except planbook.PlanbookError as exc:
                problems = exc.problems
            except (ValidationError, WriteRefused) as exc:
                problems = list(getattr(exc, "messages", [str(exc)]))
            else:
                messages.success(request, _("Plan %(number)s was loaded: %(phases)s phases, %(tasks)s tasks, "
                                            "%(targets)s targets.") % {
                    "number": plan.number, "phases": plan.phases.count(), "tasks": plan.tasks.count(),
                    "targets": plan.targets.count()})
                return redirect(plan.get_absolute_url())
    return render(request, "reports/plan_import.html", {"problems": problems}, status=400 if problems else 200)
