"""Reads over places: which unit is in force when, and where a unit lies on today's map."""

import datetime as dt

from doluong.geo.models import AdministrativeUnit, MapEdition, UnitSuccession


def edition_on(day: dt.date) -> MapEdition:
    """The map edition in force on ``day``."""
    for edition in MapEdition.objects.order_by("-valid_from"):
        if edition.covers(day):
            return edition
    raise MapEdition.DoesNotExist(f"no map edition covers {day:%d/%m/%Y}")


def successor_on_current_map(unit: AdministrativeUnit) -> AdministrativeUnit:
    """The unit that carries ``unit``'s history on the newest edition (itself if already there)."""
    seen = set()
    while unit.pk not in seen:
        seen.add(unit.pk)
        link = (UnitSuccession.objects.filter(predecessor=unit)
                .order_by("-is_primary", "successor__code").select_related("successor").first())
        if link is None:
            return unit
        unit = link.successor
    return unit
