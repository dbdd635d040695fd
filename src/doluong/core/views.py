"""Shared views for every registered model: list, detail, add, edit, delete, lookup."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django_tables2 import RequestConfig

from doluong.core import access
from doluong.core import ui as registry
from doluong.core.forms import LookupSelect
from doluong.core.models import ObjectChange

PAGE_SIZES = (25, 50, 100, 250)


def with_related(queryset, names):
    """``select_related(*names)``, and nothing when there are no names."""
    return queryset.select_related(*names) if names else queryset


class ModelView(LoginRequiredMixin, View):
    ui: registry.ModelUI = None
    action = "view"

    def base_queryset(self):
        return access.restrict(self.ui.model.objects.all(), self.request.user, self.action)

    def get_object(self, pk):
        return get_object_or_404(with_related(self.base_queryset(), self.ui.select_related), pk=pk)

    def context(self, **extra):
        ui = self.ui
        user = self.request.user
        return {
            "ui": ui,
            "meta": ui.model._meta,
            "can_add": access.can(user, ui.model, "add"),
            "can_change": access.can(user, ui.model, "change"),
            "can_delete": access.can(user, ui.model, "delete"),
            **extra,
        }


class ListView(ModelView):
    def get(self, request):
        ui = self.ui
        qs = with_related(self.base_queryset(), ui.select_related)
        filterset = ui.filterset(request.GET or None, queryset=qs, request=request)
        rows = filterset.qs if filterset.is_bound and filterset.is_valid() else qs
        rows, pinned = pin_relations(rows, request.GET, request.user, exclude=filterset.filters)
        table = ui.table(rows)
        try:
            per_page = int(request.GET.get("per_page", 25))
        except ValueError:
            per_page = 25
        per_page = per_page if per_page in PAGE_SIZES else 25
        RequestConfig(request, paginate={"per_page": per_page}).configure(table)
        return render(request, "core/list.html", self.context(
            table=table, filterset=filterset, per_page=per_page, page_sizes=PAGE_SIZES,
            query=request.GET.get("q", ""), pinned=pinned,
        ))


def pin_relations(queryset, params, user, exclude=()):
    """Narrow a list to one related object given as ``?field=pk`` (links from detail pages).

    Only foreign keys of the model, and only integer ids, are honoured; the related object is
    looked up through the same restriction, so a forbidden one narrows the list to nothing.
    """
    pinned = []
    for f in queryset.model._meta.concrete_fields:
        if not isinstance(f, models.ForeignKey) or f.name in exclude:
            continue
        raw = params.get(f.name)
        if raw and raw.isdigit():
            queryset = queryset.filter(**{f.attname: int(raw)})
            related = access.restrict(f.related_model._default_manager.filter(pk=int(raw)), user).first()
            pinned.append((f.verbose_name, related))
    return queryset, pinned


def field_rows(obj, names):
    """(label, value, url) for a detail page; related objects are linked."""
    rows = []
    for name in names:
        try:
            f = obj._meta.get_field(name)
        except FieldDoesNotExist:
            value = getattr(obj, name)
            rows.append((name, value() if callable(value) else value, None))
            continue
        label = f.verbose_name
        if f.many_to_many:
            rows.append((f.verbose_name, ", ".join(str(o) for o in getattr(obj, name).all()) or None, None))
            continue
        value = getattr(obj, f"get_{name}_display")() if f.choices else getattr(obj, name)
        url = None
        if isinstance(f, models.ForeignKey) and value is not None and hasattr(value, "get_absolute_url"):
            try:
                url = value.get_absolute_url()
            except Exception:  # a related model without pages
                url = None
        rows.append((label, value, url))
    return rows


class DetailView(ModelView):
    def get(self, request, pk):
        ui = self.ui
        obj = self.get_object(pk)
        related = []
        for rel in ui.related:
            rqs = access.restrict(rel.model.objects.filter(**{rel.lookup: obj}), request.user, "view")
            rqs = with_related(rqs, rel.select_related).order_by(*(rel.order_by or ("-pk",)))
            rel_ui = registry.get(rel.model)
            items = list(rqs[: rel.limit + 1])
            list_url = None
            if rel_ui is not None:
                list_url = reverse(rel_ui.url_name("list")) + f"?{rel.lookup}={obj.pk}"
            related.append({
                "rel": rel, "items": items[: rel.limit], "more": len(items) > rel.limit,
                "list_url": list_url,
                "rows": [field_rows(i, rel.columns) for i in items[: rel.limit]],
            })
        history = ObjectChange.objects.filter(
            content_type__app_label=obj._meta.app_label, content_type__model=obj._meta.model_name,
            object_id=obj.pk,
        ).select_related("user")[:30]
        extra = ui.extra_detail(request, obj) if ui.extra_detail else {}
        return render(request, ui.detail_template or "core/detail.html", self.context(
            object=obj, fields=field_rows(obj, ui.detail_field_names()), related=related,
            history=history, field_labels=field_labels(obj._meta.model), **extra,
        ))


def field_labels(model) -> dict:
    labels = {}
    for f in model._meta.concrete_fields:
        labels[f.attname] = str(f.verbose_name)
    return labels


class EditView(ModelView):
    """Create (pk is None) or change an object."""

    action = "change"

    def get_form(self, data=None, instance=None, files=None):
        ui = self.ui
        user = self.request.user
        owner = access.owner_field(ui.model, user, "add" if instance is None else "change")
        form = ui.form(data=data, files=files, instance=instance)
        if owner and owner in form.fields:
            del form.fields[owner]
        if owner and instance is None:
            # Set before validation so that the model's clean() sees the owner.
            setattr(form.instance, f"{owner}_id", user.organization_id)
        for name, f in form.fields.items():
            qs = getattr(f, "queryset", None)
            if qs is None:
                continue
            qs = access.restrict(qs, user, "view")
            f.queryset = qs
            if name in ui.autocomplete_fields:
                rel_ui = registry.get(qs.model)
                if rel_ui is not None:
                    f.widget = LookupSelect(reverse(rel_ui.url_name("lookup")), queryset=qs)
        return form

    def get(self, request, pk=None):
        if pk is None and not access.can(request.user, self.ui.model, "add"):
            raise Http404
        instance = self.get_object(pk) if pk is not None else None
        form = self.get_form(instance=instance)
        return render(request, "core/edit.html", self.context(form=form, object=instance))

    def post(self, request, pk=None):
        if pk is None and not access.can(request.user, self.ui.model, "add"):
            raise Http404
        instance = self.get_object(pk) if pk is not None else None
        form = self.get_form(data=request.POST, files=request.FILES, instance=instance)
        if form.is_valid():
            obj = form.save(commit=False)
            with transaction.atomic():
                obj.save()
                form.save_m2m()
                if self.ui.after_save:
                    self.ui.after_save(obj)
                allowed = access.restrict(self.ui.model.objects.filter(pk=obj.pk), request.user, "change")
                if not allowed.exists():
                    transaction.set_rollback(True)
                    form.add_error(None, _("These values would put the object outside what your organisation may "
                                       "change."))
                    return render(request, "core/edit.html", self.context(form=form, object=instance),
                                  status=403)
            messages.success(request, _("Saved %(name)s.") % {"name": obj})
            return HttpResponseRedirect(obj.get_absolute_url())
        return render(request, "core/edit.html", self.context(form=form, object=instance), status=400)


class DeleteView(ModelView):
    action = "delete"

    def get(self, request, pk):
        return render(request, "core/delete.html", self.context(object=self.get_object(pk)))

    def post(self, request, pk):
        obj = self.get_object(pk)
        name = str(obj)
        try:
            with transaction.atomic():
                obj.delete()
                if self.ui.after_delete:
                    self.ui.after_delete(obj)
        except (ProtectedError, RestrictedError) as exc:
            blocking = list(exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects)
            messages.error(request, ngettext(
                "%(name)s cannot be deleted: %(count)d other object refers to it (%(example)s).",
                "%(name)s cannot be deleted: %(count)d other objects refer to it (for example %(example)s).",
                len(blocking)) % {"name": name, "count": len(blocking), "example": blocking[0] if blocking else ""})
            return HttpResponseRedirect(obj.get_absolute_url())
        messages.success(request, _("Deleted %(name)s.") % {"name": name})
        return HttpResponseRedirect(reverse(self.ui.url_name("list")))


class LookupView(ModelView):
    """JSON matches for autocomplete widgets: ``?q=`` (accent-insensitive), at most 20."""

    def get(self, request):
        qs = with_related(self.base_queryset(), self.ui.select_related).search(request.GET.get("q", ""))
        return JsonResponse({"results": [{"id": o.pk, "text": str(o)} for o in qs.order_by(*self.ui.ordering)[:20]]})
