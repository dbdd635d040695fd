from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from doluong.core.access import province_limit
from doluong.core.ui import ModelUI, Related, register
from doluong.geo.models import AdministrativeUnit, MapEdition


def unit_label(unit: AdministrativeUnit) -> str:
    """A place in the picker with its province and its map: the old and the new "Tỉnh Lào Cai" differ."""
    parts = [unit.name]
    if unit.province_id and unit.province_id != unit.pk:
        parts.append(unit.province.name)
    if unit.valid_to:
        parts.append(gettext("map until %(date)s") % {"date": unit.valid_to.strftime("%d/%m/%Y")})
    else:
        parts.append(gettext("map since %(date)s") % {"date": unit.valid_from.strftime("%d/%m/%Y")})
    return " · ".join(parts)


def within_users_province(qs, user):
    """The place picker of an officer, leader or agency offers its own province (on every map: the old provinces
    that became it too); a national user, a provider and an enterprise pick anywhere."""
    ids = province_limit(user)
    return qs if ids is None else qs.filter(Q(pk__in=ids) | Q(province__in=ids))


register(ModelUI(
    model=AdministrativeUnit,
    list_columns=("name", "level", "code", "province", "edition"),
    form_fields=("edition", "level", "code", "name", "division_type", "parent", "province", "valid_from", "valid_to"),
    filter_fields=("edition", "level"),
    select_related=("edition", "province"),
    ordering=("edition", "level", "name"),
    autocomplete_fields=("parent", "province"),
    lookup_label=unit_label,
    lookup_filter=within_users_province,
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
