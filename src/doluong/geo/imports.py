"""Places in imports: a unit is given by its code (with its map edition, or the edition in force on
the row's date) or by its name; never by a bare code alone when two editions share it."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from doluong.core.text import fold
from doluong.geo.models import AdministrativeUnit, MapEdition
from doluong.imports import values
from doluong.imports.spec import Batch, Column


def unit_code(raw) -> str:
    """A GSO code as the map loader stores it: ``04252`` → ``4252``; other codes as they are."""
    value = values.text(raw)
    return str(int(value)) if value.isdigit() and value.isascii() else value


UNIT_COLUMNS = (
    Column("unit_code", _("Administrative unit code"), aliases=("Mã ĐVHC", "Mã đơn vị hành chính", "unit code"),
           parse=unit_code, export="unit__code", example="04252"),
    Column("unit_edition", _("Map edition"), aliases=("Bản đồ", "Phiên bản bản đồ", "edition"),
           export="unit__edition__code", example="VN-3L",
           help=_("VN-3L: the map before 01/07/2025; VN-2025: from 01/07/2025. Blank: the map in force on the "
                  "row's date.")),
    Column("unit_name", _("Administrative unit"), aliases=("Đơn vị hành chính", "Xã/phường", "unit name"),
           export="unit__name", example="Phường Yên Ninh"),
)


def _editions(context) -> list:
    if "geo_editions" not in context:
        context["geo_editions"] = list(MapEdition.objects.order_by("valid_from"))
    return context["geo_editions"]


def resolve_unit(batch: Batch, *, date_attr: str | None = None, target: str = "unit_id") -> None:
    """Sets ``target`` from ``unit_code`` / ``unit_edition`` / ``unit_name`` (one query per batch)."""
    present = batch.context["present"]
    if not present & {"unit_code", "unit_name"}:
        return
    editions = _editions(batch.context)
    by_key = {}
    for e in editions:
        by_key[fold(e.code)] = e
        by_key[fold(e.name)] = e
    today = timezone.localdate()
    wanted_codes, wanted_editions, want_names = set(), set(), False
    for row in batch.rows:
        code, name, ed = row.get("unit_code"), row.get("unit_name"), row.get("unit_edition")
        if not code and not name:
            row[target] = None
            continue
        if ed:
            edition = by_key.get(fold(ed))
            if edition is None:
                batch.reject(row, "unit_edition", gettext_noop("no map edition with this code"))
                continue
        else:
            day = row.get(date_attr) if date_attr else None
            day = day if isinstance(day, dt.date) else today
            edition = next((e for e in editions if e.covers(day)), None)
            if edition is None:
                batch.reject(row, "unit_code" if code else "unit_name", gettext_noop("no map covers this date"))
                continue
        row["_edition"] = edition.pk
        wanted_editions.add(edition.pk)
        if code:
            wanted_codes.add(code)
        else:
            want_names = True
    batch.flush()
    units_by_code: dict[tuple, list[int]] = {}
    units_by_name: dict[tuple, list[int]] = {}
    if wanted_codes:
        for pk, ed, code in AdministrativeUnit.objects.filter(edition_id__in=wanted_editions,
                                                              code__in=wanted_codes).values_list("pk", "edition_id",
                                                                                                 "code"):
            units_by_code.setdefault((ed, code), []).append(pk)
    if want_names:
        cache = batch.context.setdefault("geo_names", {})
        for ed in wanted_editions - cache.keys():
            names: dict[str, list[int]] = {}
            for pk, name in AdministrativeUnit.objects.filter(edition_id=ed).values_list("pk", "name"):
                names.setdefault(fold(name), []).append(pk)
            cache[ed] = names
        units_by_name = cache
    for row in batch.rows:
        if "_edition" not in row:
            continue
        ed = row.pop("_edition")
        code, name = row.get("unit_code"), row.get("unit_name")
        found = units_by_code.get((ed, code), []) if code else units_by_name.get(ed, {}).get(fold(name), [])
        column = "unit_code" if code else "unit_name"
        if not found:
            batch.reject(row, column, gettext_noop("no administrative unit with this code or name on that map"))
        elif len(found) > 1:
            batch.reject(row, column, gettext_noop("several administrative units match; give the unit code"))
        else:
            row[target] = found[0]
