"""The province a user works in, for the access rules (``core.access`` calls this through the setting
``DOLUONG_PROVINCE_RESOLVER``, so that core imports no app).

A user's province is the province of the user's organisation's unit, carried to today's map through the
succession table (an organisation still placed on the old map belongs to the province its unit became). The
answer is the set of province-level unit ids that stand for it on every map: today's province and the older
provinces that became it (Lào Cai today, and the old Yên Bái and Lào Cai), so that a plan issued by old Yên Bái
in 2019 belongs to today's Lào Cai.
"""

from doluong.geo.models import AdministrativeUnit, UnitLevel, UnitSuccession


def province_of_unit(unit: AdministrativeUnit | None) -> AdministrativeUnit | None:
    """Today's province of ``unit`` (its own province, or itself if a province, followed to the newest map)."""
    if unit is None:
        return None
    province = unit if unit.level == UnitLevel.PROVINCE else unit.province
    seen = set()
    while province is not None and province.valid_to is not None and province.pk not in seen:
        seen.add(province.pk)
        nxt = (UnitSuccession.objects.filter(predecessor=province, successor__level=UnitLevel.PROVINCE)
               .order_by("-is_primary", "pk").select_related("successor").first())
        province = nxt.successor if nxt else province
        if nxt is None:
            break
    return province


def province_ids_of(user) -> frozenset[int] | None:
    """The province-level unit ids of ``user``'s province on every map, or None when the user's organisation is
    not placed (a deployment-wide account: no province limit)."""
    organization = getattr(user, "organization", None)
    unit = getattr(organization, "unit", None) if organization is not None else None
    province = province_of_unit(unit)
    if province is None:
        return None
    ids = {province.pk}
    frontier = {province.pk}
    while frontier:  # the older provinces that became it, and theirs
        older = set(UnitSuccession.objects.filter(successor_id__in=frontier, predecessor__level=UnitLevel.PROVINCE)
                    .values_list("predecessor_id", flat=True)) - ids
        ids |= older
        frontier = older
    return frozenset(ids)
