"""Measurement standards and reference materials: upserted by owner and serial number (or name).

Natural key. ``MeasurementStandard`` has no uniqueness constraint. In practice a standard is the
owner's item with a given serial number, so a row with a serial number is matched by *owner +
serial number*; a row without one (reference materials, old items) by *owner + name*. Name and
serial number are both free text, so the steps refuse the matches that would be guesses: several
standards of the owner with that serial number (or name); a row without serial number whose
same-named standard has one; a row with a new serial number while a same-named standard of the
owner has none yet (importing it would make a second copy of the same standard).

References: owner and calibrating organisation by tax code or provider code, metrology field by
code, instrument kind by code (an existing standard keeps its kind edition, a new one gets the edition
in force today), ``traced_to`` by owner + serial number (or name) of another standard. The standard
it is traced to may be in the database or on another row of the same batch of the file: a new row
traced to a new row is linked after the batch is written (``after_write``); an existing standard
cannot be re-traced to a standard that is new in the same file (import the file a second time).
"""

from dataclasses import replace

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from doluong.core import access
from doluong.imports.spec import Batch, Column, ImportSpec, field_column, model_rules, register
from doluong.instruments.import_columns import KIND_CODE, OWNER_TAX
from doluong.instruments.imports import kind_editions, kind_on
from doluong.instruments.models import MeasurementStandard, MetrologyField
from doluong.orgs.imports import resolve_organization, tax_code_as_typed

STD = MeasurementStandard
TRACED_COLUMNS = ("traced_to_serial", "traced_to_name")


def _org_columns(prefix: str, export: str, tax_label, code_label, tax_aliases, code_aliases) -> tuple:
    return (
        Column(f"{prefix}_tax_code", tax_label, parse=tax_code_as_typed, aliases=tax_aliases,
               export=f"{export}__tax_code"),
        Column(f"{prefix}_code", code_label, aliases=code_aliases, export=f"{export}__provider_code", max_length=30),
    )


# --- steps ------------------------------------------------------------------------------------------

def _owner(batch: Batch) -> None:
    resolve_organization(batch, tax="owner_tax_code", code="owner_code", target="owner_id", default_to_user=True,
                         missing="owner_tax_code")


def _match(batch: Batch) -> None:
    """Find each row's standard in the database (one query) and refuse the matches that would be guesses."""
    owners = {r["owner_id"] for r in batch.rows}
    serials = {r["serial_number"] for r in batch.rows if r.get("serial_number")}
    names = {r["name"] for r in batch.rows}
    by_serial: dict[tuple, list[tuple]] = {}
    by_name: dict[tuple, list[tuple]] = {}
    for found in STD.objects.filter(owner_id__in=owners).filter(Q(serial_number__in=serials) | Q(name__in=names)) \
            .values_list("pk", "owner_id", "serial_number", "name", "kind__code", "kind_id", "calibrated_on",
                         "calibration_due_on"):
        _pk, owner, serial, name = found[:4]
        if serial:
            by_serial.setdefault((owner, serial), []).append(found)
        by_name.setdefault((owner, name), []).append(found)
    for row in batch.rows:
        owner, serial, name = row["owner_id"], row.get("serial_number"), row["name"]
        same_name = by_name.get((owner, name), [])
        if serial:
            hits = by_serial.get((owner, serial), [])
            if len(hits) > 1:
                batch.reject(row, "serial_number", gettext_noop("several standards of this owner have this serial "
                                                                "number; correct them on the web first"))
                continue
            if not hits and any(not f[2] for f in same_name):
                batch.reject(row, "serial_number", gettext_noop(
                    "this owner has a standard with this name and no serial number: give it this serial number on "
                    "the web first, so that it is not imported twice"))
                continue
        else:
            hits = same_name
            if len(hits) > 1:
                batch.reject(row, "name", gettext_noop("several standards of this owner have this name; give the "
                                                       "serial number"))
                continue
            if hits and hits[0][2] and "serial_number" in batch.context["present"]:
                batch.reject(row, "serial_number", gettext_noop("the standard of this owner with this name has serial "
                                                                "number %(serial)s; give it on this row"),
                             serial=hits[0][2])
                continue
        row["_existing"] = hits[0] if hits else None


def _field(batch: Batch) -> None:
    codes = {r["field_code"] for r in batch.rows}
    fields = dict(MetrologyField.objects.filter(code__in=codes).values_list("code", "pk"))
    for row in batch.rows:
        pk = fields.get(row["field_code"])
        if pk is None:
            batch.reject(row, "field_code", gettext_noop("no metrology field with this code"))
        else:
            row["field_id"] = pk


def _kind(batch: Batch) -> None:
    """Optional. An existing standard keeps the kind edition it has when the code is the same."""
    if "kind_code" not in batch.context["present"]:
        return
    kinds = kind_editions(batch.context, {r["kind_code"] for r in batch.rows if r.get("kind_code")})
    today = timezone.localdate()
    for row in batch.rows:
        code = row.get("kind_code")
        if not code:
            row["kind_id"] = None
            continue
        editions = kinds.get(code)
        if not editions:
            batch.reject(row, "kind_code", gettext_noop("no instrument kind with this code"))
            continue
        existing = row["_existing"]
        if existing is not None and existing[4] == code:
            row["kind_id"] = existing[5]
        else:
            row["kind_id"] = (kind_on(editions, today) or editions[-1])[2]


def _calibrated_by(batch: Batch) -> None:
    resolve_organization(batch, tax="calibrated_by_tax_code", code="calibrated_by_code", target="calibrated_by_id",
                         required=False)


def _keys_of(row: dict) -> list[tuple]:
    """The keys another row may use to name this row's standard: owner + serial number, owner + name."""
    keys = [(row["owner_id"], "n", row["name"])]
    if row.get("serial_number"):
        keys.append((row["owner_id"], "s", row["serial_number"]))
    return keys


def _new_rows(batch: Batch) -> list[dict]:
    """The rows of the batch that will create a standard (those of another owner than a provider user's own
    organisation are refused by the engine: they create nothing)."""
    user = batch.context.get("user")
    owner_rule = access.owner_field(STD, user, "add") if user is not None else None
    org = getattr(user, "organization_id", None)
    return [r for r in batch.rows if r["_existing"] is None and (not owner_rule or r["owner_id"] == org)]


def _standards_named(rows: list[dict]) -> dict[tuple, list[int]]:
    """(owner, "s", serial) / (owner, "n", name) → ids of the standards the rows' ``_traced_key`` name (one query)."""
    if not rows:
        return {}
    owners = {r["_traced_key"][0] for r in rows}
    serials = {r["_traced_key"][2] for r in rows if r["_traced_key"][1] == "s"}
    names = {r["_traced_key"][2] for r in rows if r["_traced_key"][1] == "n"}
    found: dict[tuple, list[int]] = {}
    for pk, owner, serial, name in STD.objects.filter(owner_id__in=owners).filter(
            Q(serial_number__in=serials) | Q(name__in=names)).values_list("pk", "owner_id", "serial_number", "name"):
        if serial in serials:
            found.setdefault((owner, "s", serial), []).append(pk)
        if name in names:
            found.setdefault((owner, "n", name), []).append(pk)
    return found


def _traced_to(batch: Batch) -> None:
    """``traced_to`` from the owner (default: the row's own) and serial number or name of another standard.

    Looked up in the database (one query), else among the new rows of this batch (linked in
    ``_link_traced`` once they have ids), else among the new rows of earlier batches that were not
    written (previews and refused imports: they would have been in the database otherwise).
    """
    present = batch.context["present"]
    if not present & set(TRACED_COLUMNS):
        return
    resolve_organization(batch, tax="traced_to_owner_tax_code", code="traced_to_owner_code", target="_traced_owner",
                         required=False)
    batch.flush()
    wanted = []
    for row in batch.rows:
        serial, name = row.get("traced_to_serial"), row.get("traced_to_name")
        if not serial and not name:
            if row.get("_traced_owner"):
                batch.reject(row, "traced_to_serial", gettext_noop("give the serial number or the name of the "
                                                                   "standard it is traced to"))
            else:
                row["traced_to_id"] = None
            continue
        owner = row.get("_traced_owner") or row["owner_id"]
        row["_traced_key"] = (owner, "s", serial) if serial else (owner, "n", name)
        wanted.append(row)
    batch.flush()
    found = _standards_named(wanted)
    new_here: dict[tuple, list[dict]] = {}
    for row in _new_rows(batch):
        for key in _keys_of(row):
            new_here.setdefault(key, []).append(row)
    unwritten = batch.context.setdefault("standards_unwritten", set())
    refused: set[int] = set()

    def refuse(row, message):
        refused.add(id(row))
        batch.reject(row, "traced_to_serial" if row["_traced_key"][1] == "s" else "traced_to_name", message)

    for row in wanted:
        key = row["_traced_key"]
        hits = found.get(key, [])
        targets = new_here.get(key, [])
        existing = row["_existing"]
        if len(hits) > 1 or (not hits and len(targets) > 1):
            refuse(row, gettext_noop("several standards match; give the owner and serial number of the standard it "
                                     "is traced to"))
        elif (hits and existing is not None and hits[0] == existing[0]) or (not hits and targets and
                                                                             targets[0] is row):
            refuse(row, gettext_noop("A standard cannot be traced to itself."))
        elif hits:
            row["traced_to_id"] = hits[0]
        elif targets and existing is not None:
            refuse(row, gettext_noop("the standard it is traced to is new in this file; import the file a second "
                                     "time to link them"))
        elif targets:
            row["traced_to_id"] = None  # linked by _link_traced once both have ids
            row["_traced_row"] = targets[0]
        elif key in unwritten:
            row["traced_to_id"] = None  # a preview: the standard of an earlier batch would be in the database
        else:
            refuse(row, gettext_noop("no standard of this owner has this serial number or name; put the standard it "
                                     "is traced to on an earlier row or import it first"))
    pending = [r for r in wanted if "_traced_row" in r]
    while True:  # a row traced to a refused row is refused too (A → B → C: C refused, so B, so A)
        more = [r for r in pending if id(r) not in refused and id(r["_traced_row"]) in refused]
        if not more:
            break
        for row in more:
            refuse(row, gettext_noop("the standard it is traced to is refused on its own row"))
    batch.flush()
    for row in _new_rows(batch):
        unwritten.update(_keys_of(row))


def _link_traced(context, rows) -> None:
    """After a batch is written: new standards traced to new standards of the same batch get their link."""
    links = [STD(pk=r["_id"], traced_to_id=r["_traced_row"]["_id"]) for r in rows
             if "_traced_row" in r and "_id" in r and "_id" in r["_traced_row"]]
    if links:
        # Part of the bulk creation (standards created by this batch): its history row and revert cover them.
        STD.objects.bulk_update(links, ["traced_to"], batch_size=500)


def _before_revert(ids):
    """Standards of the batch traced to standards of the batch would protect them from deletion: unlink them
    (the changed ones are restored from their state before, link included)."""
    # Inside the revert, before the created standards are deleted (their deletion is logged by the write path).
    STD.objects.filter(pk__in=ids, traced_to_id__in=ids).update(traced_to=None)


# --- the spec -----------------------------------------------------------------------------------------

OWNER_COLUMNS = (
    replace(OWNER_TAX, required=False, parse=tax_code_as_typed,
            help=_("The owner's tax code, or its provider code in the next column. Left out: your organisation.")),
    Column("owner_code", _("Owner provider code"), aliases=("Mã tổ chức chủ sở hữu", "owner code"),
           export="owner__provider_code", max_length=30),
)
CALIBRATED_BY_COLUMNS = _org_columns(
    "calibrated_by", "calibrated_by", _("Calibrated by: tax code"), _("Calibrated by: provider code"),
    ("Mã số thuế tổ chức hiệu chuẩn", "MST tổ chức hiệu chuẩn"), ("Mã tổ chức hiệu chuẩn",))
TRACED_OWNER_COLUMNS = _org_columns(
    "traced_to_owner", "traced_to__owner", _("Traced to: owner tax code"), _("Traced to: owner provider code"),
    ("Mã số thuế chủ sở hữu chuẩn cấp trên", "MST chủ sở hữu chuẩn cấp trên"),
    ("Mã tổ chức chủ sở hữu chuẩn cấp trên",))

register(ImportSpec(
    kind="standards",
    model=MeasurementStandard,
    columns=[
        *OWNER_COLUMNS,
        field_column(STD, "name", aliases=("Tên chuẩn", "Tên chuẩn đo lường", "Tên"), example="Quả cân chuẩn F1 20 kg"),
        Column("field_code", _("Metrology field code"), required=True,
               aliases=("Mã lĩnh vực đo", "Mã lĩnh vực", "field code"), export="field__code", example="mass"),
        replace(KIND_CODE, required=False,
                help=_("The kind of instrument the standard serves to verify or calibrate (optional).")),
        field_column(STD, "is_reference_material", aliases=("Chất chuẩn", "Là chất chuẩn")),
        field_column(STD, "level", aliases=("Cấp", "Cấp chuẩn")),
        field_column(STD, "serial_number", aliases=("Số sê-ri", "Số sản xuất", "Số máy", "serial"),
                     example="F1-2021-0007",
                     help=_("With the owner, what identifies the standard; blank: the standard is identified by "
                            "its name.")),
        field_column(STD, "manufacturer", aliases=("Nhà sản xuất", "Hãng sản xuất")),
        field_column(STD, "measuring_range", aliases=("Phạm vi đo",)),
        field_column(STD, "accuracy", aliases=("Độ chính xác", "Độ không đảm bảo đo", "Cấp chính xác")),
        *CALIBRATED_BY_COLUMNS,
        field_column(STD, "calibration_certificate", aliases=("Giấy chứng nhận hiệu chuẩn", "Số giấy chứng nhận "
                                                                                           "hiệu chuẩn")),
        field_column(STD, "calibrated_on", aliases=("Ngày hiệu chuẩn",), example="15/01/2024"),
        field_column(STD, "calibration_due_on", aliases=("Hạn hiệu chuẩn", "Ngày hết hạn hiệu chuẩn"),
                     example="14/01/2025"),
        *TRACED_OWNER_COLUMNS,
        Column("traced_to_serial", _("Traced to: serial number"),
               aliases=("Số sê-ri chuẩn cấp trên", "Liên kết chuẩn đến: số sê-ri"), export="traced_to__serial_number",
               max_length=100,
               help=_("The standard this one is traced to: its serial number (or its name in the next column), and "
                      "its owner in the two columns before (blank: the same owner).")),
        Column("traced_to_name", _("Traced to: name"), aliases=("Tên chuẩn cấp trên", "Liên kết chuẩn đến: tên"),
               export="traced_to__name", max_length=200),
    ],
    natural_key=[("owner_id", "serial_number"), ("owner_id", "name")],
    steps=[_owner, _match, _field, _kind, _calibrated_by, model_rules, _traced_to],
    write_fields=["owner_id", "name", "field_id", "kind_id", "is_reference_material", "level", "serial_number",
                  "manufacturer", "measuring_range", "accuracy", "calibrated_by_id", "traced_to_id",
                  "calibration_certificate", "calibrated_on", "calibration_due_on"],
    after_write=_link_traced,
    before_revert=_before_revert,
    export_select_related=("owner", "field", "kind", "calibrated_by", "traced_to", "traced_to__owner"),
    order_by=("owner__name", "name", "serial_number", "pk"),
))
