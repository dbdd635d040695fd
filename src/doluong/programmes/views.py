"""Workflow routes beyond the generic registry views (POST only, thin: forms in, services do the work)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from doluong.core import access
from doluong.programmes.forms import AttendanceAddForm, CaseAdvanceForm
from doluong.programmes.models import AssuranceCase, Attendance, Training
from doluong.programmes.services import case_advance, training_add_attendees


def _form_errors(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@login_required
@require_POST
def training_attend(request, pk: int):
    training = get_object_or_404(access.restrict(Training.objects.all(), request.user, "view"), pk=pk)
    if not access.can(request.user, Attendance, "add"):
        raise Http404
    form = AttendanceAddForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return HttpResponseRedirect(training.get_absolute_url())
    person = form.cleaned_data["person"]
    try:
        added, _skipped = training_add_attendees(training=training, people=[person], role=form.cleaned_data["role"],
                                                 user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc) if isinstance(exc, ValidationError) else str(exc))
        return HttpResponseRedirect(training.get_absolute_url())
    if added:
        messages.success(request, _("Added %(person)s to the attendance list.") % {"person": person})
    else:
        messages.warning(request, _("%(person)s is already on the attendance list of this training.") % {
            "person": person})
    return HttpResponseRedirect(training.get_absolute_url())


@login_required
@require_POST
def case_advance_view(request, pk: int):
    case = get_object_or_404(access.restrict(AssuranceCase.objects.all(), request.user, "change"), pk=pk)
    form = CaseAdvanceForm(request.POST, stage=case.stage)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return HttpResponseRedirect(case.get_absolute_url())
    try:
        case = case_advance(case=case, stage=form.cleaned_data["stage"], on=form.cleaned_data["on"],
                            outcome=form.cleaned_data["outcome"], user=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("The case is now at stage “%(stage)s”.") % {"stage": case.get_stage_display()})
    return HttpResponseRedirect(case.get_absolute_url())
