"""A provider imports a spreadsheet of verifications in a real browser: template, preview, fix, import, revert."""

import datetime as dt

import pytest
import xlsxwriter
from django.utils import translation
from playwright.sync_api import expect

from doluong.core.roles import Role
from doluong.imports.models import ImportBatch, Status
from doluong.records.models import ServiceRecord
from tests.browser.conftest import sign_in
from tests.factories import InstrumentFactory, KindFactory, OrganizationFactory, ProviderFactory, designate, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROWS = 200
MISTAKES = {  # row index (0-based data row) -> (column, bad value, English reason)
    17: ("performed_on", "31/02/2024", "no such day in the calendar"),
    58: ("kind_code", "CAN-XYZ", "no instrument kind with this code"),
    121: ("result", "tốt lắm", "not one of the allowed values (see the template's list)"),
    188: ("performed_on", "hôm qua", "not a date; write it as dd/mm/yyyy"),
}


def _header(name: str) -> str:
    """The template's (Vietnamese) header of the records column ``name``."""
    from doluong.imports import spec

    return next(c for c in spec.get("records").columns if c.name == name).header("vi")


def _vi(message: str) -> str:
    with translation.override("vi"):
        return translation.gettext(message)


def _headers(path) -> list[str]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    return [str(c) for c in book.get_sheet_by_index(0).to_python()[0]]


def _fill(path, headers, owner_tax, mistakes):
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Kết quả kiểm định")
    dates = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(0, 0, headers)
    col = {name: headers.index(_header(name)) for name in (
        "provider_code", "certificate_number", "owner_tax_code", "kind_code", "serial_number", "performed_on",
        "result")}
    for i in range(ROWS):
        values = {
            "provider_code": "TTKD-YB", "certificate_number": f"GCN-2024-{i + 1:05d}", "owner_tax_code": owner_tax,
            "kind_code": "CAN-OTO", "serial_number": f"SN-{i % 5 + 1:03d}", "result": "Đạt",
        }
        for name, value in values.items():
            sheet.write_string(i + 1, col[name], value)
        if i in mistakes:
            name, bad, _reason = mistakes[i]
            sheet.write_string(i + 1, col[name], bad)
        if not (i in mistakes and mistakes[i][0] == "performed_on"):
            day = dt.datetime(2024, 3, 1) + dt.timedelta(days=i % 28)
            if i % 2:
                sheet.write_datetime(i + 1, col["performed_on"], day, dates)  # an Excel date
            else:
                sheet.write_string(i + 1, col["performed_on"], day.strftime("%d/%m/%Y"))  # typed text
    book.close()


def test_provider_imports_200_rows_fixes_mistakes_and_reverts(page, live_server, probe, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    provider = ProviderFactory(provider_code="TTKD-YB", name="Trung tâm Kiểm định Yên Bái")
    kind = KindFactory(code="CAN-OTO", name="Cân ô tô", verification_interval_months=12)
    designate(provider, kind, decision_date=dt.date(2018, 1, 1), expires_on=dt.date(2030, 12, 31))
    owner = OrganizationFactory(name="Công ty Hòa Phát")
    for i in range(1, 6):
        InstrumentFactory(owner=owner, kind=kind, serial_number=f"SN-{i:03d}")
    make_user(Role.PROVIDER, provider, username="provider1")
    sign_in(page, live_server, "provider1")

    # The list page offers the template; it has Vietnamese headers.
    page.goto(f"{live_server.url}/records/servicerecord/")
    with page.expect_download() as download:
        page.get_by_test_id("import-template").click()
    template = tmp_path / "mau.xlsx"
    download.value.save_as(template)
    headers = _headers(template)
    assert {"Số giấy chứng nhận", "Mã loại phương tiện đo", "Kết quả"} <= set(headers), headers
    assert all(_header(n) in headers for n in ("provider_code", "serial_number", "performed_on")), headers

    # 200 rows with four mistakes: the preview counts them and says where and why.
    bad = tmp_path / "ket-qua-thang-3.xlsx"
    _fill(bad, headers, owner.tax_code, MISTAKES)
    page.get_by_test_id("import").click()
    page.set_input_files("#id_file", str(bad))
    page.get_by_test_id("preview").click()
    expect(page.get_by_test_id("count-new")).to_have_text("196")
    expect(page.get_by_test_id("count-rejected")).to_have_text("4")
    errors = page.get_by_test_id("errors")
    for i, (name, value, reason) in MISTAKES.items():
        line = errors.locator("tr", has_text=value)
        expect(line).to_contain_text(str(i + 2))  # the spreadsheet row: header is row 1
        expect(line).to_contain_text(_header(name))
        expect(line).to_contain_text(_vi(reason))
    # (Reasons and page labels are gettext strings: Vietnamese as far as the catalogue translates them.)
    assert ServiceRecord.objects.count() == 0
    with page.expect_download() as rejected:
        page.get_by_test_id("rejected-rows").click()
    assert rejected.value.suggested_filename.endswith(".xlsx")

    # The fixed file: everything valid; import it.
    good = tmp_path / "ket-qua-thang-3-da-sua.xlsx"
    _fill(good, headers, owner.tax_code, {})
    page.get_by_test_id("upload-again").click()
    page.set_input_files("#id_file", str(good))
    page.get_by_test_id("preview").click()
    expect(page.get_by_test_id("count-new")).to_have_text("200")
    expect(page.get_by_test_id("count-rejected")).to_have_text("0")
    page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("done")).to_be_visible()
    assert ServiceRecord.objects.filter(provider=provider).count() == ROWS
    batch = ImportBatch.objects.get(dry_run=False)
    assert batch.status == Status.DONE and batch.user.username == "provider1"

    # The batch appears among the imports; revert it (with a confirmation): the records are gone.
    page.goto(f"{live_server.url}/imports/")
    page.get_by_test_id("batches").get_by_role("link", name="ket-qua-thang-3-da-sua.xlsx").first.click()
    page.get_by_test_id("revert").click()
    page.get_by_test_id("confirm-revert").click()
    expect(page.get_by_test_id("reverted")).to_be_visible()
    assert ServiceRecord.objects.count() == 0
    assert probe.errors == [] and probe.external == []
