"""Designation scopes for imports: the set-based equivalent of ``providers.selectors.scope_problem``."""

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext_noop

from doluong.imports.spec import Batch
from doluong.providers.models import Activity, DesignationScope, VerificationOfficer


class ScopeMap:
    """Every designation scope of some providers, loaded in one query."""

    def __init__(self, provider_ids):
        self.scopes: dict[tuple, list[tuple]] = {}
        rows = DesignationScope.objects.filter(designation__provider_id__in=provider_ids).values_list(
            "designation__provider_id", "kind_id", "activity", "designation__decision_date",
            "designation__expires_on", "designation__revoked_on", "range_max")
        for provider, kind, activity, start, expires, revoked, limit in rows:
            self.scopes.setdefault((provider, kind, activity), []).append((start, expires, revoked, limit))

    def problem(self, *, provider_id: int, kind_id: int, activity: str, on: dt.date,
                range_max: Decimal | None = None) -> tuple[str, dict] | None:
        """As :func:`doluong.providers.selectors.scope_problem`: (message marked for translation, params)."""
        scopes = [s for s in self.scopes.get((provider_id, kind_id, activity), ())
                  if s[0] <= on and (s[1] is None or s[1] >= on) and (s[2] is None or s[2] > on)]
        if not scopes:
            if activity != Activity.VERIFICATION:
                return None
            return (gettext_noop("The provider has no designation in force on %(date)s for verifying this kind of "
                                 "instrument."), {"date": on.strftime("%d/%m/%Y")})
        if range_max is not None:
            limits = [s[3] for s in scopes]
            if all(lim is not None and range_max > lim for lim in limits):
                return (gettext_noop("The instrument's capacity %(cap)s exceeds the designated range (up to "
                                     "%(lim)s)."), {"cap": range_max.normalize(), "lim": max(limits).normalize()})
        return None


def resolve_officer(batch: Batch, *, column: str = "officer_certificate", target: str = "officer_id") -> None:
    """An officer by certificate number, within the row's provider (one query per batch)."""
    if column not in batch.context["present"]:
        return
    numbers = {r[column] for r in batch.rows if r.get(column)}
    found = {}
    if numbers:
        found = {(p, n): pk for pk, p, n in VerificationOfficer.objects.filter(certificate_number__in=numbers)
                 .values_list("pk", "provider_id", "certificate_number")}
    for row in batch.rows:
        number = row.get(column)
        if not number:
            row[target] = None
            continue
        pk = found.get((row.get("provider_id"), number))
        if pk is None:
            batch.reject(row, column, gettext_noop("no verification officer of this provider has this certificate "
                                                   "number"))
        else:
            row[target] = pk
