"""Workflow routes beyond the generic registry views: adding checks and findings to an inspection
(multipart, so that a lot's sample can be uploaded), closing, and the statistics page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from doluong.core import access, writes
from doluong.core import ui as registry
from doluong.core.roles import PROVINCE_READERS, role_of
from doluong.core.views import EditView
from doluong.geo.models import AdministrativeUnit
from doluong.inspections.forms import CloseForm, LotCheckUploadForm
from doluong.inspections.models import (
    Finding,
    Inspection,
    InspectionStatus,
    InstrumentCheck,
    LotCheck,
)
from doluong.inspections.selectors import inspection_statistics
from doluong.inspections.services import inspection_close

CHILDREN = {"instrumentcheck": InstrumentCheck, "lotcheck": LotCheck, "finding": Finding}


class ChildFormView(EditView):
    """Add a check or finding to one inspection (the inspection fixed), or edit a lot check with a file."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        model = CHILDREN.get(kwargs.get("what", "lotcheck"))
        if model is None:
            raise Http404
        self.ui = registry.get(model)

    def get_form(self, data=None, instance=None):
        ui = self.ui
        if ui.model is LotCheck:
            ui = _with_form(ui, LotCheckUploadForm)
        original, self.ui = self.ui, ui
        try:
            form = super().get_form(data=data, instance=instance)
        finally:
            self.ui = original
        if ui.model is LotCheck:
            form.files = self.request.FILES if data is not None else {}
        form.fields.pop("inspection", None)
        return form

    def _target(self, pk, obj_pk):
        if obj_pk is not None:
            obj = self.get_object(obj_pk)
            return obj.inspection, obj
        inspection = get_object_or_404(access.restrict(Inspection.objects.all(), self.request.user, "view"), pk=pk)
        if not access.can(self.request.user, self.ui.model, "add"):
            raise Http404
        if inspection.status == InspectionStatus.CLOSED:
            messages.error(self.request, _("The inspection is closed."))
            return inspection, None
        return inspection, self.ui.model(inspection=inspection)

    def _render(self, form, inspection, obj, status=200):
        title = (_("Edit %(name)s") % {"name": obj} if obj and obj.pk
                 else _("Add: %(what)s") % {"what": self.ui.verbose_name})
        return render(self.request, "inspections/check_form.html", self.context(
            form=form, inspection=inspection, object=obj if obj and obj.pk else None, title=title), status=status)

    def get(self, request, pk=None, what="lotcheck", obj_pk=None):
        inspection, obj = self._target(pk, obj_pk)
        if obj is None:
            return HttpResponseRedirect(inspection.get_absolute_url())
        return self._render(self.get_form(instance=obj), inspection, obj)

    def post(self, request, pk=None, what="lotcheck", obj_pk=None):
        inspection, obj = self._target(pk, obj_pk)
        if obj is None:
            return HttpResponseRedirect(inspection.get_absolute_url())
        form = self.get_form(data=request.POST, instance=obj)
        if not form.is_valid():
            return self._render(form, inspection, obj, status=400)
        try:
            saved = writes.save(form.save(commit=False), user=request.user, via=writes.Via.FORM,
                                m2m=form.save_m2m)
        except writes.WriteRefused:
            raise Http404 from None
        except ValidationError as exc:
            form.add_error(None, exc)
            return self._render(form, inspection, obj, status=400)
        messages.success(request, _("Saved %(name)s.") % {"name": saved})
        return HttpResponseRedirect(saved.get_absolute_url())


def _with_form(ui, form_class):
    from dataclasses import replace

    return replace(ui, form_class=form_class)


@login_required
@require_POST
def inspection_close_view(request, pk: int):
    inspection = get_object_or_404(access.restrict(Inspection.objects.all(), request.user, "change"), pk=pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return HttpResponseRedirect(inspection.get_absolute_url())
    try:
        inspection_close(inspection=inspection, user=request.user, on=form.cleaned_data["on"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The inspection is closed."))
    return HttpResponseRedirect(inspection.get_absolute_url())


def _int(text):
    return int(text) if text and str(text).isdigit() else None


@login_required
def statistics(request):
    if role_of(request.user) not in PROVINCE_READERS:
        raise Http404
    g = request.GET
    year = _int(g.get("year"))
    unit = AdministrativeUnit.objects.select_related("province").filter(pk=_int(g.get("unit"))).first()
    current_map = g.get("map") != "record"
    stats = inspection_statistics(user=request.user, year=year, unit=unit, current_map=current_map)
    years = sorted({d.year for d in access.restrict(Inspection.objects.all(), request.user)
                    .dates("started_on", "year")}, reverse=True)
    return render(request, "inspections/statistics.html", {
        **stats, "years": years, "chosen_year": year, "chosen_unit": unit, "current_map": current_map,
        "year_series": [(r.label, r.inspections) for r in stats["by_year"]],
        "violation_series": [(r["code"] or "—", r["findings"]) for r in stats["by_violation"]],
    })
