"""Imports of the providers' registers.

The specs: ``designations`` (by provider and decision number),
``designation-scopes`` (by designation, kind and activity), ``accreditations`` (by standard and number)
and ``officers`` (by provider and officer certificate number).
"""

from dataclasses import replace
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from doluong.core.roles import Role, role_of
from doluong.imports import values
from doluong.imports.spec import Batch, Column, ImportSpec, field_column, register
from doluong.instruments.imports import KIND_CODE, kind_editions, kind_on
from doluong.orgs.imports import resolve_organization, tax_code
from doluong.providers.models import Accreditation, Designation, DesignationScope, VerificationOfficer


def resolve_officer(batch: Batch, *, column: str = "officer_certificate", target: str = "officer_id") -> None:
    """An officer by certificate number, within the row's provider (one query per batch)."""
    if column not in batch.context["present"]:
        return
    numbers = {r[column] for r in batch.rows if r.get(column)}
    found = {}
    if numbers:
        found = {(o.provider_id, o.certificate_number): o for o in VerificationOfficer.objects.filter(
            certificate_number__in=numbers).only("pk", "provider_id", "certificate_number", "is_active",
                                                 "inactive_since", "full_name")}
    for row in batch.rows:
        number = row.get(column)
        if not number:
            row[target] = None
            continue
        officer = found.get((row.get("provider_id"), number))
        if officer is None:
            batch.reject(row, column, gettext_noop("no verification officer of this provider has this certificate "
                                                   "number"))
        elif reason := officer.inactive_reason(row.get("performed_on")):
            batch.reject(row, column, reason[0], **reason[1])  # the record's rule (ServiceRecord.clean)
        else:
            row[target] = officer.pk


# --- import specs: designations, their scopes, accreditations, verification officers ---------------
#
# The models' declared rules (dates in order) are applied by the engine to every batch, with the stored
# values of columns the file leaves out; the unique constraints are the natural keys.
# The many-to-many fields (``Accreditation.fields``, ``VerificationOfficer.kinds``) are not imported: the
# engine decides "changed" from concrete columns only, so a row whose only change is in the m2m would be
# counted unchanged and never reach ``after_write``; its history and revert would not cover it either.

DES = Designation
SCOPE = DesignationScope
ACC = Accreditation
OFF = VerificationOfficer

PROVIDER_CODE = Column("provider_code", _("Provider code"), aliases=("Mã tổ chức kiểm định", "Mã đơn vị kiểm định"),
                       export="provider__provider_code", example="TTKĐ-YB", max_length=30)
PROVIDER_TAX = Column("provider_tax_code", _("Provider tax code"), parse=tax_code,
                      aliases=("Mã số thuế tổ chức kiểm định", "MST tổ chức kiểm định"), export="provider__tax_code",
                      example="5200100012")
EXPIRES_ALIASES = ("Ngày hết hiệu lực", "Hiệu lực đến", "Ngày hết hạn")

_MAX_WHOLE = SCOPE._meta.get_field("range_max").max_digits - SCOPE._meta.get_field("range_max").decimal_places
_PLACES = SCOPE._meta.get_field("range_max").decimal_places


def _upper_limit(raw) -> Decimal:
    """A positive number that fits the column (18 digits, 6 after the point), so it reads back equal."""
    value = values.decimal(raw)
    if value <= 0:
        raise values.ValueProblem(gettext_noop("must be greater than zero"))
    if value >= Decimal(10) ** _MAX_WHOLE or value != value.quantize(Decimal(1).scaleb(-_PLACES)):
        raise values.ValueProblem(gettext_noop("too many digits: at most 12 before the decimal point and 6 after"))
    return value


def _provider(batch: Batch, *, tax: str = "provider_tax_code", code: str = "provider_code",
              target: str = "provider_id", own_for_providers: bool = False) -> None:
    """The row's provider by provider code or tax code; a provider's own staff may leave both out."""
    user = batch.context.get("user")
    own = own_for_providers and role_of(user) == Role.PROVIDER
    resolve_organization(batch, tax=tax, code=code, target=target, default_to_user=own, missing=code)


# --- designations ----------------------------------------------------------------------------------

DESIGNATION_KEY = ("provider_id", "decision_number")

register(ImportSpec(
    kind="designations",
    model=Designation,
    columns=[
        PROVIDER_CODE,
        PROVIDER_TAX,
        field_column(DES, "decision_number", aliases=("Số quyết định", "Số QĐ"), example="125/QĐ-TĐC"),
        field_column(DES, "decision_date", aliases=("Ngày quyết định", "Ngày QĐ", "Ngày ký"), example="15/01/2024"),
        field_column(DES, "issuer", aliases=("Cơ quan ban hành", "Cơ quan chỉ định", "Nơi ban hành"),
                     example="Tổng cục Tiêu chuẩn Đo lường Chất lượng"),
        field_column(DES, "expires_on", aliases=EXPIRES_ALIASES, example="14/01/2029"),
        field_column(DES, "revoked_on", aliases=("Ngày thu hồi", "Ngày bị thu hồi")),
        field_column(DES, "notes", aliases=("Ghi chú",)),
    ],
    natural_key=[DESIGNATION_KEY],
    steps=[_provider],  # the model's rules (dates in order) are applied by the engine
    write_fields=["provider_id", "decision_number", "decision_date", "issuer", "expires_on", "revoked_on", "notes"],
    export_select_related=("provider",),
    order_by=("provider__name", "-decision_date", "decision_number", "pk"),
))


# --- designation scopes ----------------------------------------------------------------------------

def _designation(batch: Batch) -> None:
    """The designation by its provider and decision number; its decision date picks the kind edition."""
    _provider(batch)
    numbers = {r["decision_number"] for r in batch.rows}
    providers = {r["provider_id"] for r in batch.rows}
    found = {(p, n): (pk, day) for pk, p, n, day in Designation.objects.filter(
        provider_id__in=providers, decision_number__in=numbers).values_list(
        "pk", "provider_id", "decision_number", "decision_date")}
    for row in batch.rows:
        hit = found.get((row["provider_id"], row["decision_number"]))
        if hit is None:
            batch.reject(row, "decision_number", gettext_noop("the provider has no designation with this decision "
                                                              "number; import the designation first"))
            continue
        row["designation_id"], row["_decision_date"] = hit


def _scope_kind(batch: Batch) -> None:
    """The kind edition in force on the decision date (else the latest); a scope already recorded for the
    kind's code keeps its edition, so re-importing matches it."""
    codes = {r["kind_code"] for r in batch.rows}
    kinds = kind_editions(batch.context, codes)
    existing = {(d, code, activity): kind for d, code, activity, kind in DesignationScope.objects.filter(
        designation_id__in={r["designation_id"] for r in batch.rows}, kind__code__in=codes).values_list(
        "designation_id", "kind__code", "activity", "kind_id")}
    for row in batch.rows:
        editions = kinds.get(row["kind_code"])
        if not editions:
            batch.reject(row, "kind_code", gettext_noop("no instrument kind with this code"))
            continue
        kind = existing.get((row["designation_id"], row["kind_code"], row["activity"]))
        if kind is None:
            kind = (kind_on(editions, row["_decision_date"]) or editions[-1])[2]
        row["kind_id"] = kind


register(ImportSpec(
    kind="designation-scopes",
    model=DesignationScope,
    columns=[
        replace(PROVIDER_CODE, export="designation__provider__provider_code"),
        replace(PROVIDER_TAX, export="designation__provider__tax_code"),
        field_column(DES, "decision_number", aliases=("Số quyết định", "Số QĐ"), export="designation__decision_number",
                     example="125/QĐ-TĐC"),
        KIND_CODE,
        field_column(SCOPE, "activity", aliases=("Hoạt động", "Loại hoạt động")),
        field_column(SCOPE, "range_description", aliases=("Phạm vi đo", "Phạm vi"), example="đến 60 tấn"),
        field_column(SCOPE, "range_max", parse=_upper_limit, aliases=("Giới hạn đo trên", "Mức cân lớn nhất"),
                     example="60000"),
    ],
    natural_key=[("designation_id", "kind_id", "activity")],
    steps=[_designation, _scope_kind],
    write_fields=["designation_id", "kind_id", "activity", "range_description", "range_max"],
    export_select_related=("designation", "kind"),
    order_by=("designation__provider__name", "designation__decision_number", "kind__code", "activity", "pk"),
))


# --- accreditations --------------------------------------------------------------------------------

ACCREDITATION_KEY = ("standard", "number")

register(ImportSpec(
    kind="accreditations",
    model=Accreditation,
    columns=[
        Column("organization_tax_code", _("Organisation tax code"), parse=tax_code,
               aliases=("Mã số thuế tổ chức", "Mã số thuế", "MST"), export="organization__tax_code",
               example="5200100012"),
        Column("organization_provider_code", _("Provider code"), aliases=("Mã tổ chức kiểm định",),
               export="organization__provider_code", max_length=30),
        field_column(ACC, "standard", aliases=("Tiêu chuẩn", "Chuẩn mực")),
        field_column(ACC, "number", aliases=("Số hiệu công nhận", "Số hiệu", "Số chứng chỉ"), example="VILAS 123"),
        field_column(ACC, "body", aliases=("Tổ chức công nhận", "Cơ quan công nhận"), example="BoA"),
        field_column(ACC, "issued_on", aliases=("Ngày cấp", "Ngày công nhận"), example="01/06/2023"),
        field_column(ACC, "expires_on", aliases=EXPIRES_ALIASES, example="31/05/2028"),
        field_column(ACC, "scope", aliases=("Phạm vi công nhận",)),
    ],
    natural_key=[ACCREDITATION_KEY],
    steps=[
        lambda batch: _provider(batch, tax="organization_tax_code", code="organization_provider_code",
                                target="organization_id"),
    ],
    write_fields=["organization_id", "standard", "number", "body", "issued_on", "expires_on", "scope"],
    export_select_related=("organization",),
    order_by=("organization__name", "standard", "number", "pk"),
))


# --- verification officers -------------------------------------------------------------------------

OFFICER_KEY = ("provider_id", "certificate_number")

register(ImportSpec(
    kind="officers",
    model=VerificationOfficer,
    columns=[
        PROVIDER_CODE,
        PROVIDER_TAX,
        field_column(OFF, "full_name", aliases=("Họ và tên", "Họ tên", "Tên kiểm định viên"),
                     example="Nguyễn Văn An"),
        field_column(OFF, "certificate_number", aliases=("Số thẻ kiểm định viên", "Số thẻ", "Số thẻ KĐV"),
                     example="KĐV-0123"),
        field_column(OFF, "issued_on", aliases=("Ngày cấp", "Ngày cấp thẻ"), example="10/04/2022"),
        field_column(OFF, "expires_on", aliases=EXPIRES_ALIASES, example="09/04/2027"),
        field_column(OFF, "is_active", aliases=("Đang hoạt động", "Còn hoạt động")),
        field_column(OFF, "inactive_since", aliases=("Ngừng hoạt động từ ngày", "Ngừng từ ngày")),
    ],
    natural_key=[OFFICER_KEY],
    steps=[
        lambda batch: _provider(batch, own_for_providers=True),
    ],
    write_fields=["provider_id", "full_name", "certificate_number", "issued_on", "expires_on", "is_active",
                  "inactive_since"],
    export_select_related=("provider",),
    order_by=("provider__name", "full_name", "certificate_number", "pk"),
))
