"""Reads about providers: is an activity on a kind within a provider's designation on a date?"""

import datetime as dt
from decimal import Decimal

from django.db.models import Q
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from doluong.providers.models import Activity, DesignationScope


def scopes_in_force(provider_id: int, on: dt.date):
    return DesignationScope.objects.filter(
        designation__provider_id=provider_id, designation__decision_date__lte=on,
    ).filter(
        Q(designation__expires_on__isnull=True) | Q(designation__expires_on__gte=on),
        Q(designation__revoked_on__isnull=True) | Q(designation__revoked_on__gt=on),
    )


def scope_problem(*, provider_id: int, kind_id: int, activity: str, on: dt.date,
                  range_max: Decimal | None = None) -> str | None:
    """Why the provider may not record ``activity`` on this kind on ``on``, or None when it may.

    Verification needs a designation in force covering the kind; calibration and testing are
    accepted from any provider (they are not designated activities in every case) but, when the
    provider holds a scope for the kind, its capacity limit applies.
    """
    scopes = list(scopes_in_force(provider_id, on).filter(kind_id=kind_id, activity=activity))
    if not scopes:
        if activity != Activity.VERIFICATION:
            return None
        return _("The provider has no designation in force on %(date)s for verifying this kind of instrument.") % {
            "date": on.strftime("%d/%m/%Y")}
    if range_max is not None:
        range_max = Decimal(str(range_max))
        limits = [s.range_max for s in scopes]
        if all(lim is not None and range_max > lim for lim in limits):
            return _("The instrument's capacity %(cap)s exceeds the designated range (up to %(lim)s).") % {
                "cap": number_format(range_max.normalize(), force_grouping=True),
                "lim": number_format(max(limits).normalize(), force_grouping=True)}
    return None
