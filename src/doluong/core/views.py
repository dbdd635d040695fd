"""Shared views for every registered model: list, detail, add, edit, delete, lookup."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import EmptyPage
from django.db import models
from django.db.models import ProtectedError, RestrictedError, Sum
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django_tables2 import RequestConfig

from doluong.core import access, history, writes
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
        can_change, can_delete = access.can(user, ui.model, "change"), access.can(user, ui.model, "delete")
        obj = extra.get("object")
        locked_reason = None
        if obj is not None and obj.pk is not None:
            # The buttons follow this object: its lock, and whether it is within the user's scope.
            locked_reason = obj.edit_lock() if hasattr(obj, "edit_lock") else None
            can_change = not locked_reason and can_change and writes.may(user, obj, "change")
            can_delete = not locked_reason and can_delete and writes.may(user, obj, "delete")
        return {
            "ui": ui,
            "meta": ui.model._meta,
            "can_add": access.can(user, ui.model, "add"),
            "can_change": can_change,
            "can_delete": can_delete,
            "locked_reason": locked_reason,
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
        configure_table(request, table, per_page=per_page)
        return render(request, "core/list.html", self.context(
            table=table, filterset=filterset, per_page=per_page, page_sizes=PAGE_SIZES,
            query=request.GET.get("q", ""), pinned=pinned,
        ))


def configure_table(request, table, *, per_page: int) -> None:
    """Sorting from the request; paging at ``per_page`` (the caller's checked size: django-tables2 would take
    the request's raw ``per_page``, -1 or 100000 included), the page number read leniently (not a number:
    the first page; past the end: the last)."""
    RequestConfig(request, paginate=False).configure(table)
    try:
        page = max(int(request.GET.get("page", 1)), 1)
    except ValueError:
        page = 1
    try:
        table.paginate(page=page, per_page=per_page)
    except EmptyPage:
        table.page = table.paginator.page(table.paginator.num_pages)


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


def field_rows(obj, names, compact: bool = False):
    """(label, value, url) for a detail page, values as people read them (see :mod:`doluong.core.history`).

    Related objects are linked; choices show their labels; dates are dd/mm/yyyy; numbers and money
    are grouped (1.234.567); booleans are Có/Không; JSON is a small table (``compact``: one line).
    Empty values are None.
    """
    rows = []
    for name in names:
        try:
            f = obj._meta.get_field(name)
        except FieldDoesNotExist:
            value = getattr(obj, name)
            value = history.format_value(None, value() if callable(value) else value)
            if compact and isinstance(value, history.DisplayTable):
                value = str(value)
            rows.append((name, value, None))
            continue
        label = capfirst(str(f.verbose_name))
        if f.many_to_many:
            rows.append((label, ", ".join(str(o) for o in getattr(obj, name).all()) or None, None))
            continue
        if f.choices:
            raw = getattr(obj, f.attname)
            value = getattr(obj, f"get_{name}_display")() if raw not in (None, "") else None
        elif isinstance(f, models.JSONField) and compact:
            raw = getattr(obj, name)
            value = None if raw in (None, "", [], {}) else history.compact_json(raw)
        else:
            value = history.format_value(f, getattr(obj, name))
        url = None
        if isinstance(f, models.ForeignKey) and value is not None and hasattr(value, "get_absolute_url"):
            try:
                url = value.get_absolute_url()
            except Exception:  # a related model without pages
                url = None
        rows.append((label, value, url))
    return rows


def related_block(rel, obj, user) -> dict:
    """One related list of a detail page: headers, formatted rows, and totals of its money columns."""
    rqs = access.restrict(rel.model.objects.filter(**{rel.lookup: obj}), user, "view")
    rqs = with_related(rqs, rel.select_related).order_by(*(rel.order_by or ("-pk",)))
    rel_ui = registry.get(rel.model)
    items = list(rqs[: rel.limit + 1])
    shown = items[: rel.limit]
    list_url = add_url = None
    if rel_ui is not None:
        list_url = reverse(rel_ui.url_name("list")) + f"?{rel.lookup}={obj.pk}"
        if access.can(user, rel.model, "add") and "__" not in rel.lookup:
            add_url = reverse(rel_ui.url_name("add")) + f"?{rel.lookup}={obj.pk}"  # pre-fills this object
    columns = []
    for name in rel.columns:
        try:
            f = rel.model._meta.get_field(name)
        except FieldDoesNotExist:
            f = None
        label = capfirst(str(f.verbose_name)) if f is not None and hasattr(f, "verbose_name") else name
        kind = history.column_kind(f) if f is not None and f.concrete else "text"
        columns.append({"name": name, "label": label, "kind": kind})
    totals = None
    money = [c["name"] for c in columns if c["kind"] == "money"]
    if shown and money:
        sums = rqs.order_by().aggregate(**{f"total_{n}": Sum(n) for n in money})
        totals = [history.format_number(sums[f"total_{c['name']}"] or 0, money=True) if c["kind"] == "money"
                  else None for c in columns]
    rows = [field_rows(i, rel.columns, compact=True) for i in shown]
    return {
        "rel": rel, "items": shown, "more": len(items) > rel.limit, "list_url": list_url, "add_url": add_url,
        "columns": columns, "rows": rows, "totals": totals,
    }


class DetailView(ModelView):
    """An object's fields, its related lists and its history, all as people read them.

    ``ModelUI.extra_detail`` may return ``field_values``: {field name: value} replacing the shown value
    of those fields (text or a :class:`doluong.core.history.DisplayTable`).
    """

    history_limit = 30

    def get(self, request, pk):
        ui = self.ui
        obj = self.get_object(pk)
        related = [related_block(rel, obj, request.user) for rel in ui.related]
        changes = ObjectChange.objects.for_object(obj).select_related("user")[: self.history_limit]
        entries = history.history_entries(changes, type(obj), request.user)
        extra = ui.extra_detail(request, obj) if ui.extra_detail else {}
        names = ui.detail_field_names()
        fields = field_rows(obj, names)
        overrides = extra.pop("field_values", None) or {}
        if overrides:
            fields = [(label, overrides[name], None) if name in overrides else (label, value, url)
                      for name, (label, value, url) in zip(names, fields, strict=True)]
        return render(request, ui.detail_template or "core/detail.html", self.context(
            object=obj, fields=fields, related=related, history=entries,
            field_labels=field_labels(obj._meta.model), actions=registry.actions_for(request, obj), **extra,
        ))


def field_labels(model) -> dict:
    """Attribute name (and many-to-many name) → the field's verbose name, capitalised."""
    labels = {}
    for f in (*model._meta.concrete_fields, *model._meta.many_to_many):
        labels[f.attname] = capfirst(str(f.verbose_name))
    return labels


class EditView(ModelView):
    """Create (pk is None) or change an object, through :func:`doluong.core.writes.save`."""

    action = "change"

    def get_form(self, data=None, instance=None, files=None):
        ui = self.ui
        user = self.request.user
        owner = access.owner_field(ui.model, user, "add" if instance is None else "change")
        initial = self.initial_from_query() if instance is None and data is None else None
        form = ui.form(data=data, files=files, instance=instance, initial=initial)
        for name in getattr(ui.model, "workflow_fields", ()):
            form.fields.pop(name, None)  # a custom form class may list them: only the workflow changes them
        writable = access.writable_fields(ui.model, user)
        if writable is not None:  # e.g. an organisation editing itself: its contact details only
            for name in [n for n in form.fields if n not in writable]:
                del form.fields[name]
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

    def initial_from_query(self) -> dict:
        """``?workplan=3`` on an add link pre-fills that foreign key (only ids, only fields of the form)."""
        initial = {}
        for f in self.ui.model._meta.concrete_fields:
            raw = self.request.GET.get(f.name)
            if isinstance(f, models.ForeignKey) and raw and raw.isdigit():
                initial[f.name] = int(raw)
        return initial

    def locked_reason(self, instance) -> str | None:
        return instance.edit_lock() if instance is not None and hasattr(instance, "edit_lock") else None

    def get(self, request, pk=None):
        if pk is None and not access.can(request.user, self.ui.model, "add"):
            raise Http404
        instance = self.get_object(pk) if pk is not None else None
        reason = self.locked_reason(instance)
        if reason:
            messages.warning(request, reason)
            return HttpResponseRedirect(instance.get_absolute_url())
        form = self.get_form(instance=instance)
        return render(request, "core/edit.html", self.context(form=form, object=instance))

    def post(self, request, pk=None):
        if pk is None and not access.can(request.user, self.ui.model, "add"):
            raise Http404
        instance = self.get_object(pk) if pk is not None else None
        form = self.get_form(data=request.POST, files=request.FILES, instance=instance)
        if form.is_valid():
            obj = form.save(commit=False)
            try:
                writes.save(obj, user=request.user, via=writes.Via.FORM, m2m=form.save_m2m,
                            exclude=[f.name for f in obj._meta.concrete_fields if f.name not in form.fields])
            except writes.WriteRefused as exc:
                form.add_error(None, str(exc.args[0]) if exc.args else _("Refused."))
                return render(request, "core/edit.html", self.context(form=form, object=instance), status=403)
            except ValidationError as exc:
                _add_errors(form, exc)
                return render(request, "core/edit.html", self.context(form=form, object=instance), status=400)
            messages.success(request, _("Saved %(name)s.") % {"name": obj})
            warn = getattr(self.ui, "save_warnings", None)
            for text in (warn(obj) if warn else ()):
                messages.warning(request, text)
            if pk is None and request.POST.get("_addanother"):
                # The same add page, with what its address pre-filled (?instrument=…): the next one of a series.
                return HttpResponseRedirect(request.get_full_path())
            return HttpResponseRedirect(obj.get_absolute_url())
        return render(request, "core/edit.html", self.context(form=form, object=instance), status=400)


def _add_errors(form, exc: ValidationError) -> None:
    """A write's ValidationError on the form: errors of fields the form does not show become non-field errors."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


class DeleteView(ModelView):
    action = "delete"

    def get(self, request, pk):
        obj = self.get_object(pk)
        reason = obj.edit_lock() if hasattr(obj, "edit_lock") else None
        if reason:
            messages.warning(request, reason)
            return HttpResponseRedirect(obj.get_absolute_url())
        return render(request, "core/delete.html", self.context(object=obj))

    def post(self, request, pk):
        obj = self.get_object(pk)
        name = str(obj)
        try:
            writes.delete(obj, user=request.user, via=writes.Via.FORM)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(obj.get_absolute_url())
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
    """JSON matches for autocomplete widgets: ``?q=`` (accent-insensitive), at most 20.

    Up to ``candidates`` matches in the model's ordering are ranked by closeness to the query
    (:func:`doluong.core.lookup.rank`); each is shown with its context (``ModelUI.lookup_label``).
    """

    candidates = 200
    limit = 20

    def get(self, request):
        from doluong.core.lookup import rank
        from doluong.core.text import search_terms

        query = request.GET.get("q", "")
        qs = with_related(self.base_queryset(), self.ui.select_related).search(query)
        if self.ui.lookup_filter is not None:
            qs = self.ui.lookup_filter(qs, request.user)
        bound = self.candidates if query.strip() else self.limit  # nothing typed: the first ones in order
        # Candidates whose words start with the typed words first ("yen binh" → Huyện Yên Bình before the
        # hundreds of "Nguyên Bình"s that merely contain the letters), then the other matches.
        strong = qs
        for term in search_terms(query):
            strong = strong.filter(models.Q(search_text__startswith=term) | models.Q(search_text__contains=" " + term))
        pool = list(strong.order_by(*self.ui.ordering)[:bound]) if query.strip() else []
        if len(pool) < bound:
            pool += list(qs.exclude(pk__in=[o.pk for o in pool]).order_by(*self.ui.ordering)[:bound - len(pool)])
        found = rank(query, pool, limit=self.limit)
        label = self.ui.lookup_label or str
        return JsonResponse({"results": [{"id": o.pk, "text": label(o)} for o in found]})
