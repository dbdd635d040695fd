"""Reads about providers: is an activity on a kind within a provider's designation on a date?

One predicate says when a designation is in force (:func:`designation_in_force`, with its query form
:func:`in_force_q`), and one rule says whether a provider may record an activity on a kind on a date
(:class:`ScopeMap`): the record form, the records import, DCC import and the demo all use them.
"""

import datetime as dt
from decimal import Decimal

from django.db.models import Q
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from doluong.providers.models import Activity, DesignationScope, designation_in_force


def in_force_q(on: dt.date, prefix: str = "") -> Q:
    """The filter form of :func:`designation_in_force`; ``prefix`` leads to the designation (``designation__``)."""
    return Q(**{f"{prefix}decision_date__lte": on}) & (
        Q(**{f"{prefix}expires_on__isnull": True}) | Q(**{f"{prefix}expires_on__gte": on})) & (
        Q(**{f"{prefix}revoked_on__isnull": True}) | Q(**{f"{prefix}revoked_on__gt": on}))


def scopes_in_force(provider_id: int, on: dt.date):
    return DesignationScope.objects.filter(in_force_q(on, "designation__"), designation__provider_id=provider_id)


NOT_YET = gettext_noop("The provider has no designation in force on %(date)s for verifying this kind of instrument: "
                       "designation %(number)s takes effect on %(start)s.")
EXPIRED = gettext_noop("The provider has no designation in force on %(date)s for verifying this kind of instrument: "
                       "designation %(number)s expired on %(end)s.")
REVOKED = gettext_noop("The provider has no designation in force on %(date)s for verifying this kind of instrument: "
                       "designation %(number)s was revoked on %(end)s.")
NOT_IN_SCOPE = gettext_noop("The provider has no designation in force on %(date)s for verifying this kind of "
                            "instrument: the kind is not in the scope of any of its designations.")
BEYOND_RANGE = gettext_noop("The instrument's capacity %(cap)s exceeds the designated range (up to %(lim)s).")


def _day(d: dt.date) -> str:
    return d.strftime("%d/%m/%Y")


class ScopeMap:
    """Every designation scope of some providers, loaded in one query; :meth:`problem` is the rule."""

    def __init__(self, provider_ids):
        self.scopes: dict[tuple, list[tuple]] = {}
        rows = DesignationScope.objects.filter(designation__provider_id__in=provider_ids).values_list(
            "designation__provider_id", "kind_id", "activity", "designation__decision_date",
            "designation__expires_on", "designation__revoked_on", "range_max", "designation__decision_number")
        for provider, kind, activity, start, expires, revoked, limit, number in rows:
            self.scopes.setdefault((provider, kind, activity), []).append((start, expires, revoked, limit, number))

    def problem(self, *, provider_id: int, kind_id: int, activity: str, on: dt.date,
                range_max: Decimal | None = None) -> tuple[str, dict] | None:
        """Why the provider may not record ``activity`` on this kind on ``on`` (a message marked for translation
        and its params), or None when it may. The message says which rule failed, with the designation and
        its dates: not yet in force, expired, revoked, the kind outside every scope, the capacity beyond it.

        Verification needs a designation in force covering the kind; calibration and testing are accepted
        from any provider (they are not designated activities in every case) but, when the provider holds a
        scope for the kind, its capacity limit applies.
        """
        held = self.scopes.get((provider_id, kind_id, activity), ())
        scopes = [s for s in held if designation_in_force(s[0], s[1], s[2], on)]
        if not scopes:
            if activity != Activity.VERIFICATION:
                return None
            return self._why_not(held, on)
        if range_max is not None:
            range_max = Decimal(str(range_max))
            limits = [s[3] for s in scopes]
            if all(lim is not None and range_max > lim for lim in limits):
                return (BEYOND_RANGE, {"cap": number_format(range_max.normalize(), force_grouping=True),
                                       "lim": number_format(max(limits).normalize(), force_grouping=True)})
        return None

    @staticmethod
    def _why_not(held, on: dt.date) -> tuple[str, dict]:
        params = {"date": _day(on)}
        if not held:
            return NOT_IN_SCOPE, params
        started = [s for s in held if s[0] <= on]
        revoked = [s for s in started if s[2] is not None and s[2] <= on]
        if revoked:
            s = max(revoked, key=lambda s: s[2])
            return REVOKED, {**params, "number": s[4], "end": _day(s[2])}
        expired = [s for s in started if s[1] is not None and s[1] < on]
        if expired:
            s = max(expired, key=lambda s: s[1])
            return EXPIRED, {**params, "number": s[4], "end": _day(s[1])}
        s = min(held, key=lambda s: s[0])  # every designation for the kind starts later
        return NOT_YET, {**params, "number": s[4], "start": _day(s[0])}


def scope_problem(*, provider_id: int, kind_id: int, activity: str, on: dt.date,
                  range_max: Decimal | None = None) -> str | None:
    """:meth:`ScopeMap.problem` for one record, translated."""
    found = ScopeMap({provider_id}).problem(provider_id=provider_id, kind_id=kind_id, activity=activity, on=on,
                                            range_max=range_max)
    if found is None:
        return None
    message, params = found
    return _(message) % params
