import datetime as dt

import pytest
from django.utils import translation

from tests.factories import InstrumentFactory, KindFactory, OrganizationFactory, ProviderFactory, designate


class World:
    def __init__(self, geo_map):
        self.geo = geo_map
        self.kind = KindFactory(code="CAN-OTO", name="Cân ô tô", verification_interval_months=12)
        self.kind2 = KindFactory(code="CTN", name="Đồng hồ nước", verification_interval_months=60)
        self.provider = ProviderFactory(provider_code="TTKD-YB", name="Trung tâm Kiểm định Yên Bái")
        self.other_provider = ProviderFactory(provider_code="TTKD-LC")
        self.owner = OrganizationFactory(name="Công ty Hòa Phát")
        designate(self.provider, self.kind, decision_date=dt.date(2018, 1, 1), expires_on=dt.date(2030, 12, 31))
        designate(self.provider, self.kind2, decision_date=dt.date(2018, 1, 1), expires_on=dt.date(2030, 12, 31))
        self.instruments = [InstrumentFactory(owner=self.owner, kind=self.kind, serial_number=f"SN-{i:03d}",
                                              unit=geo_map.old_commune) for i in range(1, 6)]
        self.water = InstrumentFactory(owner=self.owner, kind=self.kind2, serial_number="W-001")


@pytest.fixture
def world(geo_map):
    return World(geo_map)


@pytest.fixture(autouse=True)
def _english(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with translation.override("en"):
        yield


def write(tmp_path, name: str, text: str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


RECORD_HEADER = "Mã tổ chức kiểm định,Số giấy chứng nhận,Mã số thuế chủ sở hữu,Mã loại phương tiện,Số sản xuất," \
                "Ngày kiểm định,Kết quả"


def record_rows(world, n=5, start=1, day="05/03/2024", result="Đạt"):
    tax = world.owner.tax_code
    return [f"TTKD-YB,GCN-{i:04d},{tax},CAN-OTO,SN-{(i - 1) % 5 + 1:03d},{day},{result}"
            for i in range(start, start + n)]


def run(kind, path, **kw):
    from doluong.imports.engine import import_file

    kw.setdefault("language", "en")
    return import_file(kind, path, **kw)
