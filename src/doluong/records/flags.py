"""Records to look at again: facts learnt after a record was made that it would now be refused for.

A record is checked by its rules when it is written. Some facts arrive later: a designation revoked back to a
date before the record, an officer marked inactive since an earlier day, a standard's calibration dates
corrected. The record is not changed (it was accepted and may be an issued certificate), but it is **flagged**:
its page says why, and the record list filters them ("needs review"). :func:`reasons` gives the reasons of
one record with the same rules the write path applies (``ScopeMap.problem``, ``VerificationOfficer.inactive_on``,
``standard_problem``); :func:`flagged_q` is their query form, and a test holds the two equal.
"""

from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from doluong.providers.models import Activity, DesignationScope, officer_inactive_q
from doluong.providers.selectors import ScopeMap, in_force_q
from doluong.records.models import ServiceRecord, standard_problem


def _scopes_in_force():
    return DesignationScope.objects.filter(
        in_force_q(OuterRef("performed_on"), "designation__"), designation__provider_id=OuterRef("provider_id"),
        kind_id=OuterRef("instrument__kind_id"), activity=OuterRef("activity"))


def scope_flag_q() -> Q:
    """Records the designation rule now refuses: a verification with no designation in force on its date for
    the kind, or a record beyond the range of every scope in force (``ScopeMap.problem``)."""
    in_force = _scopes_in_force()
    within = in_force.filter(Q(range_max__isnull=True)
                             | Q(range_max__gte=Coalesce(OuterRef("instrument__range_max"), F("range_max"))))
    return ~Q(Exists(within)) & (Q(activity=Activity.VERIFICATION) | Q(Exists(in_force)))


def standard_invalid_q() -> Q:
    """Records naming a standard that is not the provider's or not calibrated on the record's date."""
    through = ServiceRecord.standards.through
    bad = through.objects.filter(servicerecord_id=OuterRef("pk")).filter(
        ~Q(measurementstandard__owner_id=OuterRef("provider_id"))
        | Q(measurementstandard__calibrated_on__gt=OuterRef("performed_on"))
        | Q(measurementstandard__calibration_due_on__lt=OuterRef("performed_on")))
    return Q(Exists(bad))


def flagged_q() -> Q:
    return scope_flag_q() | (Q(officer__isnull=False) & officer_inactive_q("officer__")) | standard_invalid_q()


def reasons(record: ServiceRecord, scopes: ScopeMap | None = None) -> list[str]:
    """Why the record would now be refused (translated), empty when it would not."""
    found = []
    if record.provider_id and record.instrument_id and record.performed_on:
        scopes = scopes or ScopeMap({record.provider_id})
        problem = scopes.problem(provider_id=record.provider_id, kind_id=record.instrument.kind_id,
                                 activity=record.activity, on=record.performed_on,
                                 range_max=record.instrument.range_max)
        if problem:
            found.append(_(problem[0]) % problem[1])
    if record.officer_id and (inactive := record.officer.inactive_problem(record.performed_on)):
        found.append(inactive)
    for standard in record.standards.all():
        problem = standard_problem(standard, provider_id=record.provider_id, on=record.performed_on)
        if problem:
            found.append(_(problem[0]) % problem[1])
    return found
