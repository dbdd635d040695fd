"""One API per registry model, generated from its :class:`doluong.core.ui.ModelUI`, through the web form's door.

For each registered model the API offers what its pages offer — list (the list's filters, search and
paging), detail, create, change, delete — and, for models with an import spec, a bulk submission
(:mod:`doluong.api.bulk`):

* **reads** use the querysets of the generic views: ``access.restrict(…, user, action)``, the list's
  ``select_related`` and FilterSet; a role the model's rules do not let read at all gets 403;
* **writes** go through the model's own web form (``ModelUI.form``, prepared for the user exactly as
  :class:`doluong.core.views.EditView` prepares it: owner field, fields the role may write, choices
  restricted to what the user may see), fed from the JSON object instead of the HTML inputs, then through
  :func:`doluong.core.writes.save` with ``via=Via.API``. A write the form refuses is refused here with the
  same messages (400, ``{field: [messages]}``); what the write path refuses is 403 with its reason;
* **output** is every stored field except the internal ones (search text, password), derived and
  non-editable fields included, read-only; relations as ids, plus ``display`` (the object as the pages name it).
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cache

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.http import QueryDict
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import filters as drf_filters
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from doluong.api.errors import NON_FIELD, error_dict
from doluong.api.language import LanguageMixin
from doluong.api.schema import RegistrySchema
from doluong.core import access, writes
from doluong.core import ui as core_ui
from doluong.core.views import EditView, pin_relations, with_related

# Stored but never shown: the folded search text, a password hash, Django's permission tables.
HIDDEN = frozenset({"search_text", "password", "groups", "user_permissions"})
ACTION_OF = {"list": "view", "retrieve": "view", "create": "add", "update": "change", "partial_update": "change",
             "destroy": "delete", "bulk": "add"}
WORKFLOW_MESSAGE = "This field is changed only by its workflow (the buttons on the object's page)."


# --- the form, fed from JSON ------------------------------------------------------------------------

class JsonFormData:
    """Mixin for a registry form: each field reads its value as given in the JSON object (the HTML widgets
    would look for their own input names: ``points-0-reference``…); files still come from the upload."""

    def _widget_data_value(self, widget, html_name):
        if isinstance(widget, forms.FileInput):
            return widget.value_from_datadict(self.data, self.files, html_name)
        return self.data.get(html_name)


class NotAValue(Exception):
    pass


def coerce(field: forms.Field, value):
    """A JSON value as the form field takes it; NotAValue(message) when it is of a kind the field never takes."""
    if value is None or isinstance(field, forms.FileField):
        return value
    if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        if not isinstance(value, list) or any(isinstance(v, dict | list | bool) for v in value):
            raise NotAValue(field.error_messages.get("invalid_list") or field.error_messages["list"])
        if isinstance(field, forms.ModelMultipleChoiceField) and not all(_id_like(v) for v in value):
            raise NotAValue(field.error_messages["invalid_pk_value"] % {"pk": next(v for v in value
                                                                               if not _id_like(v))})
        return value
    if isinstance(field, forms.ModelChoiceField):
        if not _id_like(value):
            raise NotAValue(field.error_messages["invalid_choice"])
        return value
    if isinstance(field, forms.BooleanField | forms.NullBooleanField):
        if isinstance(value, dict | list):
            raise NotAValue(_("Enter true or false."))
        return value
    if isinstance(field, forms.IntegerField | forms.FloatField | forms.DecimalField):
        if isinstance(value, dict | list | bool):
            raise NotAValue(field.error_messages.get("invalid") or _("Enter a valid value."))
        return value  # numbers as numbers: "0.5" typed as text would be read with the Vietnamese separators
    if json_valued(field):
        return value  # points, budgets, JSON: as given
    if isinstance(value, dict | list | bool):
        raise NotAValue(field.error_messages.get("invalid") or _("Enter a valid value."))
    return str(value) if isinstance(value, int | float | Decimal) else value


TEXT_FIELDS = (forms.CharField, forms.ChoiceField, forms.DateField, forms.DateTimeField, forms.TimeField,
               forms.DurationField, forms.UUIDField)


def json_valued(field: forms.Field) -> bool:
    """A field that takes a structured value (a JSON field, or one of ours such as the points or a budget)."""
    return isinstance(field, forms.JSONField) or (
        not type(field).__module__.startswith("django.") and not isinstance(field, TEXT_FIELDS))


def _id_like(value) -> bool:
    """An id the database can look up (a number within its range; text is left to the form's own check)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        return False
    if isinstance(value, str):
        value = value.strip()
        return not value.lstrip("-").isdigit() or abs(int(value)) <= MAX_ID
    return abs(value) <= MAX_ID


def plain_data(data) -> dict:
    """The request's data as one dict (a multipart form: a list where a name is repeated)."""
    if isinstance(data, QueryDict):
        return {k: (v if len(v) > 1 else v[0]) for k, v in data.lists()}
    return dict(data)


# JSON forms of the inputs that the web forms take as text (or one box per criterion): the API takes the
# stored shape. Each adapter fills the form's inputs from it, or returns {field: message}.
def _points_to_text(data, form):
    points = data.get("points")
    if "points_text" in data or points is None:
        return {}
    if not isinstance(points, list) or not all(isinstance(p, dict) for p in points):
        return {"points": [_("Expected a list of points.")]}
    data["points_text"] = "\n".join(f"{p.get('reference', '')} {p.get('indication', '')}" for p in points)
    return {}


def _sample_to_text(data, form):
    sample = data.get("actual")
    if "sample_text" in data or sample is None:
        return {}
    if not isinstance(sample, list) or any(isinstance(v, dict | list | bool) for v in sample):
        return {"actual": [_("Expected a list of numbers.")]}
    data["sample_text"] = "\n".join(str(v) for v in sample)
    return {}


def _criteria_to_text(data, form):
    criteria = data.get("criteria")
    if "criteria_text" in data or criteria is None:
        return {}
    if not isinstance(criteria, list) or not all(isinstance(c, dict) for c in criteria):
        return {"criteria": [_("Expected a list of criteria, each with a code, a text and a maximum score.")]}
    data["criteria_text"] = "\n".join(f"{c.get('code', '')} | {c.get('text', '')} | {c.get('max_score', '')}"
                                      for c in criteria)
    return {}


def _scores_to_inputs(data, form):
    scores = data.get("scores")
    if scores is None:
        return {}
    if not isinstance(scores, dict):
        return {"scores": [_("Expected the scores by criterion code, e.g. {\"C1\": 8}.")]}
    by_code = {c["code"]: name for name, c in getattr(form, "score_fields", ())}
    unknown = [str(code) for code in scores if code not in by_code]
    if unknown:
        return {"scores": [_("Not a criterion of the chosen criteria set: %(codes)s.") % {"codes": ", ".join(unknown)}]}
    for code, value in scores.items():
        data.setdefault(by_code[code], value)
    return {}


ADAPTERS = {
    "inspections.instrumentcheck": (_points_to_text, {"points": "points_text"}),
    "inspections.lotcheck": (_sample_to_text, {"actual": "sample_text"}),
    "programmes.criteriaset": (_criteria_to_text, {"criteria": "criteria_text"}),
    "programmes.criteriaassessment": (_scores_to_inputs, {"scores": None}),
}


# --- serializers ---------------------------------------------------------------------------------

def output_names(model) -> list[str]:
    names = ["id"]
    names += [f.name for f in model._meta.concrete_fields if not f.primary_key and f.name not in HIDDEN]
    names += [f.name for f in model._meta.many_to_many if f.name not in HIDDEN]
    return names


def make_output_serializer(ui) -> type[serializers.ModelSerializer]:
    model = ui.model
    names = [*output_names(model), "display"]
    meta = type("Meta", (), {"model": model, "fields": names, "read_only_fields": names})
    attrs = {"Meta": meta, "display": serializers.CharField(source="__str__", read_only=True,
                                                            help_text=_("The object as the pages name it."))}
    return type(f"{model.__name__}Serializer", (serializers.ModelSerializer,), attrs)


def doc_field(ff: forms.Field) -> serializers.Field:
    """A serializer field describing a form field in the schema (validation is the form's)."""
    kw = {"required": ff.required, "label": ff.label, "help_text": ff.help_text or None}
    nullable = not ff.required
    if isinstance(ff, forms.ModelMultipleChoiceField):
        return serializers.ListField(child=serializers.IntegerField(), **kw)
    if isinstance(ff, forms.ModelChoiceField):
        return serializers.IntegerField(allow_null=nullable, help_text=ff.help_text or _("The id of the object."),
                                        required=ff.required, label=ff.label)
    if isinstance(ff, forms.NullBooleanField):
        return serializers.BooleanField(allow_null=True, **kw)
    if isinstance(ff, forms.BooleanField):
        return serializers.BooleanField(**{**kw, "required": False})
    if isinstance(ff, forms.ChoiceField):
        choices = [(k, v) for k, v in ff.choices if k not in ("", None)]
        return serializers.ChoiceField(choices=choices, allow_blank=nullable, allow_null=nullable, **kw)
    if isinstance(ff, forms.DateTimeField):
        return serializers.DateTimeField(allow_null=nullable, **kw)
    if isinstance(ff, forms.DateField):
        return serializers.DateField(allow_null=nullable, **kw)
    if isinstance(ff, forms.IntegerField) and not isinstance(ff, forms.FloatField | forms.DecimalField):
        return serializers.IntegerField(allow_null=nullable, **kw)
    if isinstance(ff, forms.FloatField | forms.DecimalField):
        return serializers.FloatField(allow_null=nullable, **kw)
    if isinstance(ff, forms.FileField):
        return serializers.FileField(allow_null=True, **{**kw, "required": False})
    if json_valued(ff):
        return serializers.JSONField(**kw)
    if isinstance(ff, forms.EmailField):
        return serializers.EmailField(allow_blank=nullable, **kw)
    if isinstance(ff, forms.CharField):
        return serializers.CharField(allow_blank=nullable, max_length=ff.max_length, **kw)
    return serializers.JSONField(**kw)


def make_input_serializer(ui) -> type[serializers.Serializer]:
    """What a write takes: the form's inputs (the schema's request body; the form validates)."""
    model = ui.model
    workflow = set(getattr(model, "workflow_fields", ()))
    attrs = {name: doc_field(ff) for name, ff in ui.form.base_fields.items() if name not in workflow}
    adapter = ADAPTERS.get(model._meta.label_lower)
    if adapter:
        for name, replaces in adapter[1].items():
            attrs[name] = serializers.JSONField(required=False, help_text=_("Instead of the text input “%(name)s”.")
                                                % {"name": replaces} if replaces else None)
            if replaces in attrs:
                attrs[replaces].required = False
    return type(f"{model.__name__}InputSerializer", (serializers.Serializer,), attrs)


# --- filtering -------------------------------------------------------------------------------------

class RegistryFilterBackend(DjangoFilterBackend):
    """The list page's FilterSet (``ModelUI.filterset``, its choices restricted to the user); invalid values: 400."""

    def get_filterset_class(self, view, queryset=None):
        return view.model_api.ui.filterset


class PinBackend(drf_filters.BaseFilterBackend):
    """``?field=id`` on a foreign key narrows the list to one related object, as links to the lists do."""

    def filter_queryset(self, request, queryset, view):
        exclude = view.model_api.ui.filterset.base_filters
        params = request.query_params
        for f in queryset.model._meta.concrete_fields:
            raw = params.get(f.name)
            if f.is_relation and f.name not in exclude and raw and raw.isdigit() and int(raw) > MAX_ID:
                return queryset.none()  # no such id (and a database would refuse the number)
        return pin_relations(queryset, params, request.user, exclude=exclude)[0]


MAX_ID = 2**63 - 1


# --- the viewset -----------------------------------------------------------------------------------

def differs(model, instance, name: str, value) -> bool:
    f = model._meta.get_field(name)
    current = getattr(instance, f.attname) if instance is not None else f.get_default()
    if value in (None, "") and current in (None, ""):
        return False
    try:
        new = (f.target_field if f.is_relation else f).to_python(value)
    except (ValidationError, TypeError, ValueError):
        return True
    return new != current


class RegistryViewSet(LanguageMixin, viewsets.ModelViewSet):
    model_api: "ModelAPI" = None
    parser_classes = (JSONParser, MultiPartParser)
    filter_backends = (RegistryFilterBackend, PinBackend, drf_filters.OrderingFilter)
    lookup_value_regex = r"\d+"
    schema = RegistrySchema()

    # --- reads ---
    @property
    def access_action(self) -> str:
        return ACTION_OF.get(getattr(self, "action", None) or "list", "view")

    def get_queryset(self):
        ui = self.model_api.ui
        qs = access.restrict(ui.model._default_manager.all(), self.request.user, self.access_action)
        qs = with_related(qs, ui.select_related)
        if self.model_api.m2m:
            qs = qs.prefetch_related(*self.model_api.m2m)
        return qs.order_by(*ui.ordering)

    def get_serializer_class(self):
        return self.model_api.output

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        model = self.model_api.ui.model
        name = model._meta.verbose_name_plural
        if not access.can(request.user, model, "view") and self.access_action == "view":
            raise PermissionDenied(_("You may not read %(name)s.") % {"name": name})
        if self.access_action == "add" and not access.can(request.user, model, "add"):
            raise PermissionDenied(_("You may not add %(name)s.") % {"name": name})
        if self.access_action == "change" and not access.can(request.user, model, "change"):
            raise PermissionDenied(_("You may not change this %(name)s.") % {"name": model._meta.verbose_name})
        if self.access_action == "delete" and not access.can(request.user, model, "delete"):
            raise PermissionDenied(_("You may not delete this %(name)s.") % {"name": model._meta.verbose_name})

    # --- writes ---
    def create(self, request, *args, **kwargs):
        obj = self.write(None, partial=False)
        return Response(self.get_serializer(obj).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        obj = self.write(self.get_object(), partial=kwargs.get("partial", False))
        return Response(self.get_serializer(obj).data)

    def destroy(self, request, *args, **kwargs):
        obj = self.get_object()
        writes.delete(obj, user=request.user, via=writes.Via.API)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def write(self, instance, *, partial: bool):
        """Validate ``request.data`` with the model's web form, then save through the write path."""
        request = self.request
        ui = self.model_api.ui
        model = ui.model
        if not isinstance(request.data, Mapping):
            raise ApiValidationError({NON_FIELD: [_("Send one object: a JSON object of its fields.")]})
        data = plain_data(request.data)
        view = EditView(ui=self.model_api.form_ui)
        view.request = request
        form = view.get_form(data=data, files=request.FILES, instance=instance)
        self.refuse_hidden(form, data, instance)
        errors = {}
        adapter = ADAPTERS.get(model._meta.label_lower)
        if adapter:
            errors.update(adapter[0](data, form))
        if partial:
            for name, field in form.fields.items():
                if name not in data:
                    data[name] = form.get_initial_for_field(field, name)
        for name, field in form.fields.items():
            if name in data:
                try:
                    data[name] = coerce(field, data[name])
                except NotAValue as exc:
                    errors[name] = [str(exc.args[0])]
        if errors:
            raise ApiValidationError(errors)
        if not form.is_valid():
            raise ApiValidationError({NON_FIELD if k == "__all__" else k: list(v) for k, v in form.errors.items()})
        obj = form.save(commit=False)
        if instance is None and "api" in dict(getattr(_field(model, "source"), "choices", None) or ()):
            obj.source = "api"  # records say which face made them
        try:
            writes.save(obj, user=request.user, via=writes.Via.API, m2m=form.save_m2m,
                        exclude=[f.name for f in obj._meta.concrete_fields if f.name not in form.fields])
        except ValidationError as exc:
            raise ApiValidationError(error_dict(exc, fields=form.fields)) from None
        return obj

    def refuse_hidden(self, form, data, instance) -> None:
        """Values the web form would not even offer this user: refused with the write path's reasons."""
        model = self.model_api.ui.model
        user = self.request.user
        workflow = [n for n in getattr(model, "workflow_fields", ()) if n in data
                    and differs(model, instance, n, data[n])]
        if workflow:
            raise ApiValidationError({n: [_(WORKFLOW_MESSAGE)] for n in workflow})
        offered = self.model_api.form_fields
        hidden = [n for n in data if n in offered and n not in form.fields]
        owner = access.owner_field(model, user, "add" if instance is None else "change")
        if owner in hidden:
            value = data[owner]
            if value not in (None, "") and str(value) != str(getattr(user, "organization_id", None)):
                raise writes.WriteRefused(_("These values would put the object outside what your organisation "
                                            "may change."))
            hidden.remove(owner)
        changed = [n for n in hidden if differs(model, instance, n, data[n])]
        if changed:
            names = ", ".join(str(model._meta.get_field(n).verbose_name) for n in changed)
            raise writes.WriteRefused(_("Your organisation may not change: %(fields)s.") % {"fields": names})


def _field(model, name):
    try:
        return model._meta.get_field(name)
    except Exception:  # FieldDoesNotExist
        return None


@dataclass
class ModelAPI:
    ui: core_ui.ModelUI
    form_ui: core_ui.ModelUI
    output: type
    input: type
    viewset: type
    m2m: tuple[str, ...]
    form_fields: frozenset

    @property
    def prefix(self) -> str:
        return f"{self.ui.app_label}/{self.ui.model_name}"

    @property
    def basename(self) -> str:
        return f"{self.ui.app_label}-{self.ui.model_name}"


def make_api(ui) -> ModelAPI:
    from doluong.api.bulk import BulkMixin, spec_for

    model = ui.model
    form_class = type(f"Api{ui.form.__name__}", (JsonFormData, ui.form), {"__module__": __name__})
    form_ui = replace(ui, form_class=form_class)
    ordering = [f.name for f in model._meta.concrete_fields if f.name not in HIDDEN and not f.is_relation] + ["id"]
    m2m = tuple(f.name for f in model._meta.many_to_many if f.name not in HIDDEN)
    bases = (BulkMixin, RegistryViewSet) if spec_for(model) is not None else (RegistryViewSet,)
    api = ModelAPI(ui=ui, form_ui=form_ui, output=make_output_serializer(ui), input=make_input_serializer(ui),
                   viewset=None, m2m=m2m, form_fields=frozenset(ui.form.base_fields))
    api.viewset = type(f"{model.__name__}ViewSet", bases, {
        "model_api": api, "ordering_fields": ordering, "ordering": list(ui.ordering),
    })
    return api


@cache
def all_apis() -> tuple[ModelAPI, ...]:
    return tuple(make_api(ui) for ui in core_ui.all_registered())


def api_for(model: type[models.Model]) -> ModelAPI | None:
    return next((a for a in all_apis() if a.ui.model is model), None)
