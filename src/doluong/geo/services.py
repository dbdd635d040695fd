"""Loading Vietnam's administrative maps from the ``vietnam-provinces`` package.

A loader of reference data (bulk, history off: the maps come from the package, not from a person's
action); edits of units go through the forms and imports, i.e. the write path.

Two editions are loaded for the whole country: the three-level map in force until 30 June 2025
(63 provinces, districts, communes) and the two-level map from 1 July 2025 (34 provinces,
communes), with the succession of every old commune and province to the new ones as published by
the General Statistics Office (the package's conversion table). Loading is idempotent.
"""

import datetime as dt

from django.db import transaction

from doluong.geo.models import AdministrativeUnit, MapEdition, UnitLevel, UnitSuccession

REFORM_DATE = dt.date(2025, 7, 1)
LEGACY_CODE = "VN-3L"
CURRENT_CODE = "VN-2025"


def editions() -> tuple[MapEdition, MapEdition]:
    import vietnam_provinces

    source = f"vietnam-provinces {vietnam_provinces.__data_version__} (GSO)"
    legacy, _ = MapEdition.objects.update_or_create(code=LEGACY_CODE, defaults={
        "name": "Bản đồ 3 cấp (đến 30/06/2025)", "valid_from": dt.date(2008, 8, 1),
        "valid_to": REFORM_DATE - dt.timedelta(days=1), "source": source,
    })
    current, _ = MapEdition.objects.update_or_create(code=CURRENT_CODE, defaults={
        "name": "Bản đồ 2 cấp (từ 01/07/2025)", "valid_from": REFORM_DATE, "valid_to": None, "source": source,
    })
    return legacy, current


def _units(edition, level) -> dict[str, AdministrativeUnit]:
    return {u.code: u for u in AdministrativeUnit.objects.filter(edition=edition, level=level)}


def _create_missing(edition, level, rows) -> dict[str, AdministrativeUnit]:
    """rows: (code, name, division_type, parent, province); creates those not there yet."""
    existing = _units(edition, level)
    new = [
        AdministrativeUnit(edition=edition, level=level, code=code, name=name, division_type=dtype,
                           parent=parent, province=province, valid_from=edition.valid_from,
                           valid_to=edition.valid_to)
        for code, name, dtype, parent, province in rows if code not in existing
    ]
    AdministrativeUnit.objects.bulk_create(new, batch_size=2000)
    return _units(edition, level)


@transaction.atomic
def load_vietnam_maps() -> dict[str, int]:
    """Load (or complete) both editions and the succession table; returns counts."""
    from vietnam_provinces import Province, Ward
    from vietnam_provinces import _province_conversion_2025 as pconv
    from vietnam_provinces import _ward_conversion_2025 as wconv
    from vietnam_provinces.legacy import District as LDistrict
    from vietnam_provinces.legacy import Province as LProvince
    from vietnam_provinces.legacy import Ward as LWard

    legacy, current = editions()

    def code(c) -> str:
        return str(int(c))

    old_p = _create_missing(legacy, UnitLevel.PROVINCE, [
        (code(p.code), p.name, str(p.division_type), None, None) for p in LProvince.iter_all()
    ])
    old_d = _create_missing(legacy, UnitLevel.DISTRICT, [
        (code(d.code), d.name, str(d.division_type), old_p[code(d.province_code)], old_p[code(d.province_code)])
        for d in LDistrict.iter_all()
    ])
    old_w = _create_missing(legacy, UnitLevel.COMMUNE, [
        (code(w.code), w.name, str(w.division_type), old_d[code(w.district_code)],
         old_d[code(w.district_code)].province)
        for w in LWard.iter_all()
    ])
    new_p = _create_missing(current, UnitLevel.PROVINCE, [
        (code(p.code), p.name, str(p.division_type), None, None) for p in Province.iter_all()
    ])
    new_w = _create_missing(current, UnitLevel.COMMUNE, [
        (code(w.code), w.name, str(w.division_type), new_p[code(w.province_code)], new_p[code(w.province_code)])
        for w in Ward.iter_all()
    ])

    known = set(UnitSuccession.objects.values_list("predecessor_id", "successor_id"))
    links = []
    for entry in pconv.OLD_TO_NEW.values():
        for i, ref in enumerate(entry.new_provinces):
            links.append((old_p[code(entry.old_province.code)], new_p[code(ref.code)], i == 0))
    for entry in wconv.OLD_TO_NEW.values():
        old = old_w.get(code(entry.old_ward.code))
        if old is None:
            continue
        for i, ref in enumerate(entry.new_wards):
            succ = new_w.get(code(ref.code))
            if succ is not None:
                links.append((old, succ, i == 0))
    UnitSuccession.objects.bulk_create(
        [UnitSuccession(predecessor=a, successor=b, effective_on=REFORM_DATE, is_primary=primary)
         for a, b, primary in links if (a.pk, b.pk) not in known],
        batch_size=5000,
    )
    return {
        "legacy_provinces": len(old_p), "legacy_districts": len(old_d), "legacy_communes": len(old_w),
        "provinces": len(new_p), "communes": len(new_w), "successions": UnitSuccession.objects.count(),
    }
