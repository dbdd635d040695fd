"""Instruments: upserted by owner (tax code), kind code and serial number."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_noop

from doluong.geo.imports import UNIT_COLUMNS, resolve_unit
from doluong.imports.spec import Batch, ImportSpec, field_column, register
from doluong.instruments.import_columns import KIND_CODE, OWNER_TAX
from doluong.instruments.models import Instrument, InstrumentKind
from doluong.orgs.imports import resolve_organization

INS = Instrument


def kind_editions(context, codes) -> dict[str, list[tuple]]:
    """code → [(valid_from, valid_to, id, interval_months, name)] of every edition, cached per import."""
    cache = context.setdefault("kinds", {})
    missing = set(codes) - cache.keys()
    if missing:
        for code in missing:
            cache[code] = []
        for row in InstrumentKind.objects.filter(code__in=missing).order_by("valid_from").values_list(
                "code", "valid_from", "valid_to", "pk", "verification_interval_months", "name"):
            cache[row[0]].append(row[1:])
    return cache


def kind_on(editions: list[tuple], day: dt.date):
    """The edition in force on ``day``, else the latest that started before it, else None."""
    best = None
    for e in editions:
        if e[0] <= day:
            best = e
            if e[1] is None or day <= e[1]:
                return e
    return best


def _resolve(batch: Batch) -> None:
    resolve_organization(batch, tax="owner_tax_code", target="owner_id", default_to_user=True)
    batch.flush()
    kinds = kind_editions(batch.context, {r["kind_code"] for r in batch.rows})
    today = timezone.localdate()
    # An instrument keeps the kind edition it was registered with: match existing ones by kind code.
    serials = {r["serial_number"] for r in batch.rows}
    owners = {r["owner_id"] for r in batch.rows if r.get("owner_id")}
    existing = {}
    for owner, code, serial, kind in INS.objects.filter(owner_id__in=owners, serial_number__in=serials).values_list(
            "owner_id", "kind__code", "serial_number", "kind_id"):
        existing[(owner, code, serial)] = kind
    for row in batch.rows:
        editions = kinds.get(row["kind_code"])
        if not editions:
            batch.reject(row, "kind_code", gettext_noop("no instrument kind with this code"))
            continue
        kind = existing.get((row.get("owner_id"), row["kind_code"], row["serial_number"]))
        if kind is None:
            edition = kind_on(editions, today) or editions[-1]
            kind = edition[2]
        row["kind_id"] = kind


register(ImportSpec(
    kind="instruments",
    model=Instrument,
    columns=[
        OWNER_TAX,
        KIND_CODE,
        field_column(INS, "serial_number", aliases=("Số sản xuất", "Số máy", "serial"), example="YB-2024-0001"),
        field_column(INS, "manufacturer", aliases=("Hãng sản xuất", "Nhà sản xuất")),
        field_column(INS, "model_name", aliases=("Kiểu", "Model")),
        field_column(INS, "measuring_range", aliases=("Phạm vi đo",)),
        field_column(INS, "range_max", example="60000"),
        field_column(INS, "accuracy_class", aliases=("Cấp chính xác",)),
        field_column(INS, "location", aliases=("Vị trí lắp đặt", "Nơi sử dụng")),
        *UNIT_COLUMNS,
        field_column(INS, "status", aliases=("Trạng thái",)),
        field_column(INS, "notes"),
    ],
    natural_key=[("owner_id", "kind_id", "serial_number")],
    steps=[_resolve, resolve_unit],
    write_fields=["owner_id", "kind_id", "serial_number", "manufacturer", "model_name", "measuring_range",
                  "range_max", "accuracy_class", "location", "unit_id", "status", "notes"],
    export_select_related=("owner", "kind", "unit", "unit__edition"),
    order_by=("owner__name", "serial_number", "pk"),
))
