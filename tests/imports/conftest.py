import datetime as dt

import pytest
import xlsxwriter
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


def csv(tmp_path, header: str, rows: list[str], name: str = "f.csv"):
    return write(tmp_path, name, "\n".join([header, *rows]) + "\n")


def xlsx(tmp_path, header: list[str], rows: list[list], name: str = "f.xlsx", title: str | None = None):
    """An XLSX file with dates as Excel dates; ``title``: a title row (and a blank one) above the header."""
    path = tmp_path / name
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Dữ liệu")
    top = 0
    if title:
        sheet.write_row(0, 0, [title])
        top = 2
    sheet.write_row(top, 0, header)
    dates = book.add_format({"num_format": "dd/mm/yyyy"})
    for i, row in enumerate(rows, start=top + 1):
        for j, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write_datetime(i, j, dt.datetime.combine(value, dt.time()), dates)
            elif value is not None:
                sheet.write(i, j, value)
    book.close()
    return path


def counts(batch) -> tuple:
    return batch.created_count, batch.changed_count, batch.unchanged_count, batch.rejected_count
