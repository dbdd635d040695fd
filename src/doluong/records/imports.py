"""Verification, calibration and test records: upserted by provider and certificate number.

The rules are those of ``ServiceRecord.clean()``, applied to a whole batch at once: the provider's
designation scope on the record's date (the same :class:`doluong.providers.selectors.ScopeMap`), an
officer of the same provider, a verification ends in pass or fail, ``valid_until`` from the kind's
interval (the same ``valid_until_for``), the unit defaulting to the instrument's. Instruments' due
dates are refreshed by the model's follow-up (``records.services``), once per import.

The model's declared rules run before the last step, so an issued certificate never moves to another
instrument (``IssuedCertificateStays``: the row is refused, blaming its serial number). The last step
freezes the certificate's statement as ``ServiceRecord.derive`` does for a form (``records.certificates``):
a new certificate copies its instrument, owner, provider, designation and officer now; a certificate
already stored keeps what it said of them, and takes the record's own values from the row.
"""

from dataclasses import replace

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from doluong.geo.imports import UNIT_COLUMNS, resolve_unit
from doluong.imports.db import fetch_by_keys, unnest_keys
from doluong.imports.spec import Batch, Column, ImportSpec, field_column, model_rules, register
from doluong.instruments.imports import KIND_CODE, OWNER_TAX, kind_editions
from doluong.instruments.models import Instrument, InstrumentKind
from doluong.orgs.imports import resolve_organization
from doluong.orgs.models import Organization
from doluong.providers.imports import resolve_officer
from doluong.providers.models import Activity, VerificationOfficer
from doluong.providers.selectors import ScopeMap
from doluong.records import certificates
from doluong.records.models import VERIFICATION_ENDS, Result, ServiceRecord, Source, valid_until_for

REC = ServiceRecord


def _provider(batch: Batch) -> None:
    resolve_organization(batch, tax="provider_tax_code", code="provider_code", target="provider_id",
                         default_to_user=True, missing="provider_code")


def _instrument(batch: Batch) -> None:
    resolve_organization(batch, tax="owner_tax_code", target="_owner_id")
    batch.flush()
    found = _instruments_by_key(batch.rows)
    kinds = kind_editions(batch.context, {r["kind_code"] for r in batch.rows})
    for row in batch.rows:
        hit = found.get((row["_owner_id"], row["kind_code"], row["serial_number"]))
        if hit is None:
            column = "kind_code" if not kinds.get(row["kind_code"]) else "serial_number"
            message = (gettext_noop("no instrument kind with this code") if column == "kind_code" else
                       gettext_noop("no instrument of this owner and kind has this serial number; import the "
                                    "instrument first"))
            batch.reject(row, column, message)
            continue
        row["instrument_id"], row["_kind_id"], row["_interval"], row["_capacity"], row["_unit_id"] = hit


def _instruments_by_key(rows) -> dict[tuple, tuple]:
    """(owner id, kind code, serial) → (id, kind id, interval, range_max, unit id) of the rows' instruments.

    PostgreSQL: one join against the distinct keys as arrays (one parameter each, not an ``IN`` list of
    thousands); SQLite: the ORM with ``IN`` lists.
    """
    found = {}
    if connection.vendor == "postgresql":
        keys = {(r["_owner_id"], r["kind_code"], r["serial_number"]) for r in rows}
        with connection.cursor() as cur:
            source, params = unnest_keys(["bigint", "text", "text"], keys)
            cur.execute(
                # Kind ids first, then one probe of the (owner, kind, serial) unique index per key (LATERAL …
                # OFFSET 0: never a hash join over the whole instrument table).
                f"SELECT k.k0, k.k1, k.k2, i.id, i.kind_id, kind.verification_interval_months, "  # noqa: S608
                f"i.range_max, i.unit_id FROM {source} "
                f"JOIN {InstrumentKind._meta.db_table} kind ON kind.code = k.k1 CROSS JOIN LATERAL ("
                f"SELECT i.id, i.kind_id, i.range_max, i.unit_id FROM {Instrument._meta.db_table} i "
                f"WHERE i.owner_id = k.k0 AND i.kind_id = kind.id AND i.serial_number = k.k2 OFFSET 0) i", params)
            for owner, code, serial, *hit in cur.fetchall():
                found[(owner, code, serial)] = tuple(hit)
        return found
    serials = {r["serial_number"] for r in rows}
    owners = {r["_owner_id"] for r in rows}
    for pk, owner, code, serial, kind, interval, cap, unit in Instrument.objects.filter(
            owner_id__in=owners, serial_number__in=serials).values_list(
            "pk", "owner_id", "kind__code", "serial_number", "kind_id", "kind__verification_interval_months",
            "range_max", "unit_id"):
        found[(owner, code, serial)] = (pk, kind, interval, cap, unit)
    return found


def _rules(batch: Batch) -> None:
    scopes = ScopeMap({r["provider_id"] for r in batch.rows})
    present = batch.context["present"]
    default_unit = not present & {"unit_code", "unit_name"}
    # Records repeat (provider, kind, activity, day) and (day, interval): each answer is computed once per batch.
    problems, validity = {}, batch.context.setdefault("valid_until", {})
    designations = {}
    for row in batch.rows:
        activity = row.get("activity") or Activity.VERIFICATION
        row["activity"] = activity
        result = row.get("result") or Result.PASS
        row["result"] = result
        if activity == Activity.VERIFICATION and result == Result.DONE:
            batch.reject(row, "result", VERIFICATION_ENDS)
            continue
        on = row["performed_on"]
        key = (row["provider_id"], row["_kind_id"], activity, on, row["_capacity"])
        problem = problems.get(key, _UNSEEN)
        if problem is _UNSEEN:
            problem = problems[key] = scopes.problem(provider_id=key[0], kind_id=key[1], activity=activity, on=on,
                                                     range_max=key[4])
        if problem:
            batch.reject(row, "performed_on", problem[0], **problem[1])
            continue
        designation = designations.get(key, _UNSEEN)
        if designation is _UNSEEN:
            designation = designations[key] = certificates.designation_in(
                scopes, provider_id=key[0], kind_id=key[1], activity=activity, on=on)
        row["_designation"] = designation
        interval = row["_interval"]
        if activity == Activity.VERIFICATION and result == Result.PASS and interval:
            until = validity.get((on, interval))
            if until is None:
                if len(validity) > 100_000:
                    validity.clear()
                until = validity[(on, interval)] = valid_until_for(activity, result, on, interval)
            row["valid_until"] = until
        else:
            row["valid_until"] = None
        if default_unit:
            row["unit_id"] = row["_unit_id"]


_UNSEEN = object()


def _freeze(batch: Batch) -> None:
    """The certificate's statement per row (``ServiceRecord.certificate``): a handful of queries per batch."""
    rows = batch.rows
    keys = sorted({(r["provider_id"], r["certificate_number"]) for r in rows})
    stored = {key: hit[1] for key, hit in fetch_by_keys(REC, ("provider_id", "certificate_number"), keys,
                                                        ["certificate"]).items()}
    fresh = [r for r in rows if not stored.get((r["provider_id"], r["certificate_number"]))]
    instruments, providers = {}, {}
    if fresh:
        for pk, *values in Instrument.objects.filter(pk__in={r["instrument_id"] for r in fresh}).values_list(
                "pk", "kind__name", "kind__code", "serial_number", "manufacturer", "model_name", "measuring_range",
                "accuracy_class", "kind__verification_method", "owner__name"):
            kind, code, serial, maker, model, span, klass, procedure, owner = values
            instruments[pk] = {
                "instrument": {"id": pk, "kind": kind, "kind_code": code, "serial": serial, "manufacturer": maker,
                               "model": model, "range": span, "accuracy_class": klass, "procedure": procedure or ""},
                "owner": {"name": owner}}
        for pk, name, code, address in Organization.objects.filter(
                pk__in={r["provider_id"] for r in fresh}).values_list("pk", "name", "provider_code", "address"):
            providers[pk] = {"provider": {"id": pk, "name": name, "code": code or "", "address": address}}
    officer_ids = {r.get("officer_id") for r in rows} - {None}
    officers = {pk: {"id": pk, "name": name, "certificate": number} for pk, name, number in
                VerificationOfficer.objects.filter(pk__in=officer_ids).values_list(
                    "pk", "full_name", "certificate_number")} if officer_ids else {}
    now = None
    defaults = certificates.field_defaults()
    for row in rows:
        old = stored.get((row["provider_id"], row["certificate_number"]))
        officer_id = row.get("officer_id")
        if old:
            cert = {**old, **certificates.own_part(row, only=tuple(
                key for key, attname in certificates.IMPORTED.items() if attname in row))}
            if (old.get("officer") or {}).get("id") != officer_id and "officer_id" in row:
                cert["officer"] = officers.get(officer_id)
            if old.get("performed_on") != cert["performed_on"] or old.get("activity") != cert["activity"]:
                cert["designation"] = row.get("_designation")
        else:
            now = now or timezone.now().isoformat(timespec="seconds")
            cert = {"v": certificates.SNAPSHOT_VERSION, **instruments[row["instrument_id"]],
                    **providers[row["provider_id"]], "designation": row.get("_designation"),
                    "officer": officers.get(officer_id), **certificates.own_part({**defaults, **row}), "issued_at": now}
        row["certificate"] = cert


register(ImportSpec(
    kind="records",
    model=ServiceRecord,
    columns=[
        Column("provider_code", _("Provider code"), aliases=("Mã tổ chức kiểm định", "Mã đơn vị kiểm định"),
               export="provider__provider_code", example="TTKĐ-YB"),
        Column("provider_tax_code", _("Provider tax code"), aliases=("MST tổ chức kiểm định",),
               export="provider__tax_code"),
        field_column(REC, "certificate_number", required=True, aliases=("Số giấy chứng nhận", "Số GCN"),
                     example="GCN-2024-000001"),
        replace(OWNER_TAX, export="instrument__owner__tax_code"),  # the instrument's, seen from its record
        replace(KIND_CODE, export="instrument__kind__code"),
        Column("serial_number", _("serial number"), required=True, aliases=("Số sản xuất", "Số máy"),
               export="instrument__serial_number", example="YB-2024-0001", max_length=100),
        field_column(REC, "activity", aliases=("Hoạt động", "Loại hoạt động")),
        field_column(REC, "performed_on", aliases=("Ngày kiểm định", "Ngày thực hiện", "date"), example="05/03/2024"),
        field_column(REC, "result", aliases=("Kết quả",)),
        field_column(REC, "stamp_number", aliases=("Số tem", "Số tem kiểm định")),
        Column("officer_certificate", _("Officer certificate number"),
               aliases=("Số thẻ kiểm định viên", "Kiểm định viên"), export="officer__certificate_number"),
        *UNIT_COLUMNS,
        field_column(REC, "measurand"),
        field_column(REC, "notes"),
    ],
    natural_key=[("provider_id", "certificate_number")],
    steps=[_provider, _instrument, resolve_officer, _rules,
           lambda batch: resolve_unit(batch, date_attr="performed_on"), model_rules, _freeze],
    write_fields=["provider_id", "certificate_number", "instrument_id", "activity", "performed_on", "result",
                  "stamp_number", "officer_id", "unit_id", "measurand", "notes", "valid_until", "certificate"],
    new_defaults={"source": Source.IMPORT},
    overlap_writes=True,  # the steps look up providers, instruments, scopes, officers and units, never records
    export_select_related=("provider", "instrument", "instrument__owner", "instrument__kind", "officer", "unit",
                           "unit__edition"),
    order_by=("-performed_on", "-pk"),
))
