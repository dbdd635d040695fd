from django.utils.translation import gettext_lazy as _

from doluong.core.ui import ModelUI, Related, register
from doluong.geo.models import AdministrativeUnit, MapEdition

register(ModelUI(
    model=AdministrativeUnit,
    list_columns=("name", "level", "code", "province", "edition"),
    form_fields=("edition", "level", "code", "name", "division_type", "parent", "province", "valid_from", "valid_to"),
    filter_fields=("edition", "level"),
    select_related=("edition", "province"),
    ordering=("edition", "level", "name"),
    autocomplete_fields=("parent", "province"),
    related=(Related(_("Units within"), AdministrativeUnit, "parent", columns=("name", "level", "code"),
                     select_related=("province",)),),
    menu_group="registry",
))

register(ModelUI(
    model=MapEdition,
    list_columns=("name", "code", "valid_from", "valid_to"),
    form_fields=("code", "name", "valid_from", "valid_to", "source"),
    ordering=("valid_from",),
    menu_group="registry",
))
