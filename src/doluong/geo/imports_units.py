"""Administrative units: upserted by map edition, level and code (the model's unique constraint).

As ``load_vietnam_maps`` fills them: the parent is given by its code on the same map (a district's
province; a commune's district on the map before 01/07/2025, its province on the 2025 map), the
province is derived from the parent, and the validity dates default to the edition's. Codes of digits
are stored without leading zeros (GSO ``04252`` is ``4252``), as the loader stores them.

A parent may be on another row of the same file: a new unit whose parent is new in the same batch is
linked after the batch is written (``after_write``); in a later batch the parent is in the database
already. An existing unit cannot be moved under a unit that is new in the same file (import the file a
second time). Only programme officers may import units (the model's default access rules).
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from doluong.core.text import fold
from doluong.geo.imports import unit_code
from doluong.geo.models import AdministrativeUnit, MapEdition, UnitLevel
from doluong.imports.spec import Batch, Column, ImportSpec, field_column, register

AU = AdministrativeUnit
PARENT_LEVELS = {UnitLevel.PROVINCE: (), UnitLevel.DISTRICT: (UnitLevel.PROVINCE,),
                 UnitLevel.COMMUNE: (UnitLevel.DISTRICT, UnitLevel.PROVINCE)}  # nearest first


def _editions(context) -> dict[str, MapEdition]:
    if "unit_editions" not in context:
        found = {}
        for e in MapEdition.objects.all():
            found[fold(e.code)] = e
            found.setdefault(fold(e.name), e)
        context["unit_editions"] = found
    return context["unit_editions"]


# --- steps ------------------------------------------------------------------------------------------

def _edition_and_match(batch: Batch) -> None:
    """The edition by code (or name), then the rows' units in the database (one query)."""
    editions = _editions(batch.context)
    for row in batch.rows:
        edition = editions.get(fold(row["edition_code"]))
        if edition is None:
            batch.reject(row, "edition_code", gettext_noop("no map edition with this code"))
        else:
            row["edition_id"] = edition.pk
            row["_edition"] = edition
    batch.flush()
    existing = {}
    for found in AU.objects.filter(edition_id__in={r["edition_id"] for r in batch.rows},
                                   code__in={r["code"] for r in batch.rows}).values_list(
            "pk", "edition_id", "level", "code", "parent_id", "province_id", "valid_from", "valid_to"):
        existing[found[1:4]] = found
    for row in batch.rows:
        row["_existing"] = existing.get((row["edition_id"], row["level"], row["code"]))


def _dates(batch: Batch) -> None:
    """Blank or left out: the edition's dates (an existing unit keeps its own when the column is left out)."""
    present = batch.context["present"]
    for row in batch.rows:
        edition, existing = row["_edition"], row["_existing"]
        for attname, index, default in (("valid_from", 6, edition.valid_from), ("valid_to", 7, edition.valid_to)):
            if attname in present:
                if row[attname] is None:
                    row[attname] = default
            else:
                row[attname] = existing[index] if existing else default
        if row["valid_to"] and row["valid_to"] < row["valid_from"]:
            batch.reject(row, "valid_to" if "valid_to" in present else "valid_from",
                         gettext_noop("The end of validity is before its start."))


def _parent(batch: Batch) -> None:
    """``parent`` by code on the row's edition, nearest level first; ``province`` derived from it."""
    present = batch.context["present"]
    if "parent_code" not in present:
        for row in batch.rows:
            existing = row["_existing"]
            if existing is not None:
                row["parent_id"], row["province_id"] = existing[4], existing[5]
            elif row["level"] == UnitLevel.PROVINCE:
                row["parent_id"] = row["province_id"] = None
            else:
                batch.reject(row, "parent_code", gettext_noop("a district or commune needs the code of its parent "
                                                              "unit"))
        return
    wanted = [r for r in batch.rows if r.get("parent_code")]
    in_db = {}
    if wanted:
        for pk, edition, level, code, province in AU.objects.filter(
                edition_id__in={r["edition_id"] for r in wanted}, code__in={r["parent_code"] for r in wanted},
                level__in=(UnitLevel.PROVINCE, UnitLevel.DISTRICT)).values_list(
                "pk", "edition_id", "level", "code", "province_id"):
            in_db[(edition, level, code)] = (pk, province)
    new_here: dict[tuple, dict] = {}
    for row in batch.rows:
        if row["_existing"] is None:
            new_here.setdefault((row["edition_id"], row["level"], row["code"]), row)  # the engine keeps the first
    unwritten = batch.context.setdefault("units_unwritten", set())
    refused: set[int] = set()

    def refuse(row, message):
        refused.add(id(row))
        batch.reject(row, "parent_code", message)

    for row in batch.rows:
        code, level, edition = row.get("parent_code"), row["level"], row["edition_id"]
        if level == UnitLevel.PROVINCE:
            if code:
                refuse(row, gettext_noop("a province has no parent unit"))
            else:
                row["parent_id"] = row["province_id"] = None
            continue
        if not code:
            refuse(row, gettext_noop("a district or commune needs the code of its parent unit"))
            continue
        for parent_level in PARENT_LEVELS[level]:
            key = (edition, parent_level, code)
            if key in in_db:
                pk, province = in_db[key]
                row["parent_id"] = pk
                row["province_id"] = pk if parent_level == UnitLevel.PROVINCE else province
                break
            if key in new_here:
                if row["_existing"] is not None:
                    refuse(row, gettext_noop("the parent unit is new in this file; import the file a second time to "
                                             "move this unit under it"))
                else:
                    row["parent_id"] = row["province_id"] = None  # linked by _link_parents once both have ids
                    row["_parent_row"] = new_here[key]
                break
            if key in unwritten:
                row["parent_id"] = row["province_id"] = None  # a preview: that parent would be in the database
                break
        else:
            refuse(row, gettext_noop("no province or district with this code on that map; a parent unit given in the "
                                     "same file must come on an earlier row"))
    pending = [r for r in batch.rows if "_parent_row" in r]
    while True:  # a unit whose parent is refused is refused too
        more = [r for r in pending if id(r) not in refused and id(r["_parent_row"]) in refused]
        if not more:
            break
        for row in more:
            refuse(row, gettext_noop("the parent unit is refused on its own row"))
    batch.flush()
    unwritten.update((r["edition_id"], r["level"], r["code"]) for r in batch.rows if r["_existing"] is None)


def _province_of(row: dict):
    """The id of the province of a written row (its own id for a province)."""
    if row["level"] == UnitLevel.PROVINCE:
        return row.get("_id")
    parent = row.get("_parent_row")
    if parent is None:
        return row["province_id"]
    return _province_of(parent)


def _link_parents(context, rows) -> None:
    """After a batch is written: new units whose parent is new in the same batch get their parent and province."""
    links = [AU(pk=r["_id"], parent_id=r["_parent_row"]["_id"], province_id=_province_of(r["_parent_row"]))
             for r in rows if "_parent_row" in r and "_id" in r and "_id" in r["_parent_row"]]
    if links:
        # Part of the bulk creation (these units were created by this batch a moment ago): its history row and
        # revert cover them, so the link needs no history of its own.
        AU.objects.bulk_update(links, ["parent", "province"], batch_size=500)


def _before_revert(ids):
    """Units of the batch under units of the batch would protect them from deletion: detach them first (the
    changed ones are restored from their state before, parent included)."""
    # Inside the revert, before the created units are deleted (their deletion is logged by the write path).
    AU.objects.filter(pk__in=ids, parent_id__in=ids).update(parent=None)
    AU.objects.filter(pk__in=ids, province_id__in=ids).update(province=None)


# --- the spec -----------------------------------------------------------------------------------------

register(ImportSpec(
    kind="units",
    model=AdministrativeUnit,
    columns=[
        Column("edition_code", _("Map edition"), required=True, aliases=("Bản đồ", "Phiên bản bản đồ", "edition"),
               export="edition__code", example="VN-2025",
               help=_("VN-3L: the map before 01/07/2025; VN-2025: from 01/07/2025.")),
        field_column(AU, "level", aliases=("Cấp", "Cấp hành chính")),
        field_column(AU, "code", parse=unit_code, aliases=("Mã", "Mã ĐVHC", "Mã đơn vị hành chính"), example="4250"),
        field_column(AU, "name", aliases=("Tên", "Tên đơn vị hành chính", "Tên ĐVHC"), example="Phường Yên Bái"),
        field_column(AU, "division_type", aliases=("Loại", "Loại hình", "Loại đơn vị"), example="Phường"),
        Column("parent_code", _("Parent unit code"), parse=unit_code,
               aliases=("Mã đơn vị cấp trên", "Mã cấp trên", "parent code"), export="parent__code", max_length=10,
               example="15",
               help=_("On the same map: the province of a district; the district of a commune on the map before "
                      "01/07/2025, its province on the 2025 map. Blank for a province.")),
        field_column(AU, "valid_from", required=False, blank_value=None, aliases=("Hiệu lực từ", "Ngày hiệu lực"),
                     help=_("Blank: the map edition's dates.")),
        field_column(AU, "valid_to", aliases=("Hiệu lực đến", "Ngày hết hiệu lực"),
                     help=_("Blank: the map edition's dates.")),
    ],
    natural_key=[("edition_id", "level", "code")],
    steps=[_edition_and_match, _dates, _parent],
    write_fields=["edition_id", "level", "code", "name", "division_type", "parent_id", "province_id", "valid_from",
                  "valid_to"],
    after_write=_link_parents,
    before_revert=_before_revert,
    export_select_related=("edition", "parent", "province"),
    order_by=("edition__valid_from", "-level", "code", "pk"),  # provinces, districts, communes: parents first
))
