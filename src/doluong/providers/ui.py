from django.utils.translation import gettext_lazy as _

from doluong.core.ui import ModelUI, Related, add_related, register
from doluong.orgs.models import Organization
from doluong.providers.models import Accreditation, Designation, DesignationScope, VerificationOfficer

register(ModelUI(
    model=Designation,
    list_columns=("decision_number", "provider", "decision_date", "expires_on", "issuer"),
    form_fields=("provider", "decision_number", "decision_date", "issuer", "expires_on", "revoked_on", "notes"),
    select_related=("provider",),
    ordering=("-decision_date",),
    autocomplete_fields=("provider",),
    related=(Related(_("Scope"), DesignationScope, "designation", columns=("kind", "activity", "range_description"),
                     select_related=("kind",), limit=50),),
    menu_group="providers",
))

register(ModelUI(
    model=DesignationScope,
    list_columns=("designation", "kind", "activity", "range_description", "range_max"),
    form_fields=("designation", "kind", "activity", "range_description", "range_max"),
    filter_fields=("activity", "kind__field"),
    select_related=("designation", "kind"),
    ordering=("designation", "kind__name"),
    autocomplete_fields=("designation",),
))

register(ModelUI(
    model=Accreditation,
    list_columns=("number", "organization", "standard", "issued_on", "expires_on"),
    form_fields=("organization", "standard", "number", "body", "issued_on", "expires_on", "fields", "scope"),
    filter_fields=("standard",),
    select_related=("organization",),
    ordering=("-issued_on",),
    autocomplete_fields=("organization",),
    menu_group="providers",
))

register(ModelUI(
    model=VerificationOfficer,
    list_columns=("full_name", "provider", "certificate_number", "expires_on", "is_active"),
    form_fields=("provider", "full_name", "certificate_number", "issued_on", "expires_on", "kinds", "is_active",
                 "inactive_since"),
    filter_fields=("is_active",),
    select_related=("provider",),
    ordering=("full_name",),
    autocomplete_fields=("provider",),
    menu_group="providers",
))

add_related(Organization, Related(_("Designations"), Designation, "provider",
                                  columns=("decision_number", "decision_date", "expires_on")))
add_related(Organization, Related(_("Accreditations"), Accreditation, "organization",
                                  columns=("number", "standard", "expires_on")))
add_related(Organization, Related(_("Verification officers"), VerificationOfficer, "provider",
                                  columns=("full_name", "certificate_number", "expires_on")))
