"""Both maps of Vietnam, and the succession across the 1 July 2025 reform."""

import datetime as dt

import pytest

from doluong.geo.models import AdministrativeUnit, UnitLevel, UnitSuccession
from doluong.geo.selectors import edition_on, successor_on_current_map
from doluong.geo.services import CURRENT_CODE, LEGACY_CODE, load_vietnam_maps


@pytest.fixture(scope="module")
def maps(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        counts = load_vietnam_maps()
        yield counts
        UnitSuccession.objects.all().delete()
        AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE).delete()
        AdministrativeUnit.objects.filter(level=UnitLevel.DISTRICT).delete()
        AdministrativeUnit.objects.all().delete()
        from doluong.geo.models import MapEdition

        MapEdition.objects.all().delete()


pytestmark = pytest.mark.django_db


def test_both_editions_loaded_whole(maps):
    assert maps["legacy_provinces"] == 63
    assert maps["provinces"] == 34
    assert maps["legacy_communes"] > 10000 and maps["communes"] > 3000
    assert maps["legacy_districts"] > 600


def test_code_15_is_two_different_provinces_by_edition(maps):
    old = AdministrativeUnit.objects.get(edition__code=LEGACY_CODE, level=UnitLevel.PROVINCE, code="15")
    new = AdministrativeUnit.objects.get(edition__code=CURRENT_CODE, level=UnitLevel.PROVINCE, code="15")
    assert old.name == "Tỉnh Yên Bái" and new.name == "Tỉnh Lào Cai"
    assert old.valid_to == dt.date(2025, 6, 30) and new.valid_from == dt.date(2025, 7, 1)
    assert successor_on_current_map(old) == new


def test_a_yen_bai_commune_belongs_to_lao_cai_on_todays_map(maps):
    yen_bai = AdministrativeUnit.objects.get(edition__code=LEGACY_CODE, level=UnitLevel.PROVINCE, code="15")
    commune = AdministrativeUnit.objects.filter(province=yen_bai, level=UnitLevel.COMMUNE).order_by("code").first()
    assert commune.parent.level == UnitLevel.DISTRICT
    new = successor_on_current_map(commune)
    assert new.edition.code == CURRENT_CODE and new.province.name == "Tỉnh Lào Cai"




def test_loading_again_changes_nothing(maps):
    before = (AdministrativeUnit.objects.count(), UnitSuccession.objects.count())
    load_vietnam_maps()
    assert (AdministrativeUnit.objects.count(), UnitSuccession.objects.count()) == before
    assert edition_on(dt.date(2024, 12, 31)).code == LEGACY_CODE
    assert edition_on(dt.date(2025, 7, 1)).code == CURRENT_CODE
