from django.utils.translation import gettext_lazy as _

from doluong.core.filters import BaseFilterSet
from doluong.core.ui import ModelUI, Related, register
from doluong.orgs.forms import UserForm
from doluong.orgs.models import Organization, Person, Sector, User


def person_label(person: Person) -> str:
    """A person in autocomplete results with their organisation, "Nguyễn Văn A — Công ty X" (namesakes differ)."""
    return f"{person} — {person.organization}" if person.organization_id else str(person)


register(ModelUI(
    model=Organization,
    list_columns=("name", "kind", "tax_code", "ownership", "sector", "unit"),
    form_fields=("name", "short_name", "kind", "tax_code", "provider_code", "ownership", "sector", "address",
                 "unit", "in_industrial_zone", "phone", "email", "website", "is_active", "notes"),
    filter_fields=("kind", "ownership", "sector", "in_industrial_zone", "is_active"),
    select_related=("sector", "unit", "unit__province"),
    ordering=("name",),
    autocomplete_fields=("unit",),
    related=(Related(_("People"), Person, "organization", columns=("full_name", "position", "phone")),),
    menu_group="registry",
))

register(ModelUI(
    model=Person,
    list_columns=("full_name", "organization", "position", "phone", "email"),
    form_fields=("full_name", "organization", "position", "phone", "email"),
    select_related=("organization",),
    ordering=("full_name",),
    autocomplete_fields=("organization",),
    menu_group="registry",
    lookup_label=person_label,
))

register(ModelUI(
    model=Sector,
    list_columns=("name", "code", "is_priority"),
    form_fields=("code", "name", "is_priority"),
    filter_fields=("is_priority",),
    ordering=("name",),
    menu_group="registry",
))


class UserFilterSet(BaseFilterSet):
    class Meta:
        model = User
        fields = ("role", "is_active")


register(ModelUI(
    model=User,
    list_columns=("username", "first_name", "last_name", "organization", "role", "is_active", "last_login"),
    form_fields=("username", "first_name", "last_name", "email", "organization", "role", "is_active"),
    detail_fields=("username", "first_name", "last_name", "email", "organization", "role", "is_active",
                   "last_login", "date_joined"),
    form_class=UserForm,
    filterset_class=UserFilterSet,
    select_related=("organization",),
    ordering=("username",),
    autocomplete_fields=("organization",),
    menu_group="registry",
))
