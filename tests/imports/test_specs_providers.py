"""The providers' registers as import kinds: designations, designation scopes, accreditations, officers."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from python_calamine import CalamineWorkbook

from doluong.core.models import ObjectChange
from doluong.core.roles import Role
from doluong.imports import export
from doluong.imports import spec as registry
from doluong.imports.engine import ImportRefused
from doluong.imports.models import ImportBatch, Policy, Status
from doluong.imports.services import RevertRefused, revert_batch
from doluong.providers.models import Accreditation, Activity, Designation, DesignationScope, VerificationOfficer
from tests.factories import (
    DesignationFactory,
    KindFactory,
    OfficerFactory,
    OrganizationFactory,
    ProviderFactory,
    RecordFactory,
    make_user,
)
from tests.imports.conftest import counts, csv, run
from tests.imports.conftest import xlsx as _xlsx


def xlsx(tmp_path, header, rows, name="f.xlsx"):
    return _xlsx(tmp_path, header, rows, name, title="Danh sách nhập")  # a title row above the header

pytestmark = pytest.mark.django_db


class Registry:
    def __init__(self):
        # Two editions of the truck scale: the 2000 list, replaced in 2020.
        self.kind_old = KindFactory(code="CAN-OTO", name="Cân ô tô", valid_from=dt.date(2000, 1, 1),
                                    valid_to=dt.date(2019, 12, 31))
        self.kind_new = KindFactory(code="CAN-OTO", name="Cân ô tô", valid_from=dt.date(2020, 1, 1))
        self.water = KindFactory(code="CTN", name="Đồng hồ nước")
        self.provider = ProviderFactory(provider_code="TTKD-YB", name="Trung tâm Kiểm định Yên Bái")
        self.other = ProviderFactory(provider_code="TTKD-LC", name="Trung tâm Kiểm định Lào Cai")
        self.lab = OrganizationFactory(name="Phòng thí nghiệm Hóa Lý")
        self.officer = make_user(Role.OFFICER)


@pytest.fixture
def reg(db):
    return Registry()


def round_trip(tmp_path, kind: str, n: int) -> None:
    """The export (CSV and XLSX, Vietnamese headers and labels) reads back with nothing changed."""
    spec = registry.get(kind)
    qs = spec.model.objects.all()
    path = tmp_path / f"{kind}-export.csv"
    path.write_bytes(b"".join(export.csv_stream(spec, qs)))
    out = run(kind, path)
    assert counts(out.batch) == (0, 0, n, 0), out.errors
    assert out.batch.notices == [], out.batch.notices  # every exported column is read back
    path = tmp_path / f"{kind}-export.xlsx"
    export.write_xlsx(spec, qs, path)
    out = run(kind, path)
    assert counts(out.batch) == (0, 0, n, 0), out.errors


def template_headers(tmp_path, kind: str) -> list[str]:
    path = tmp_path / f"{kind}-template.xlsx"
    export.write_template(registry.get(kind), path, "vi")
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()[0]


def only_change(batch) -> ObjectChange:
    return ObjectChange.objects.get(request_id=batch.uuid)


# --- designations -----------------------------------------------------------------------------------

DES_HEADER = "Mã tổ chức kiểm định,Mã số thuế tổ chức kiểm định,Số quyết định,Ngày quyết định,Cơ quan ban hành," \
             "Ngày hết hiệu lực,Ngày thu hồi,Ghi chú"


def des_rows(reg):
    return [
        "TTKD-YB,,101/QĐ-TĐC,15/01/2018,Tổng cục TCĐLCL,14/01/2023,,",
        f",{reg.other.tax_code},102/QĐ-TĐC,01/07/2021,Tổng cục TCĐLCL,,,bổ sung phạm vi",
        f"TTKD-YB,{reg.provider.tax_code},103/QĐ-TĐC,2022-03-05,Tổng cục TCĐLCL,04/03/2027,01/01/2024,",
    ]


def test_designations_create_reimport_change(tmp_path, reg):
    path = csv(tmp_path, DES_HEADER, des_rows(reg))
    out = run("designations", path, user=reg.officer)
    assert (out.batch.status, *counts(out.batch)) == (Status.DONE, 3, 0, 0, 0), out.errors
    d = Designation.objects.get(decision_number="102/QĐ-TĐC")
    assert (d.provider, d.decision_date, d.expires_on, d.notes) == (reg.other, dt.date(2021, 7, 1), None,
                                                                   "bổ sung phạm vi")
    assert Designation.objects.get(decision_number="103/QĐ-TĐC").revoked_on == dt.date(2024, 1, 1)
    assert d.search_text == "102/qd-tdc tong cuc tcdlcl"

    again = run("designations", path).batch
    assert counts(again) == (0, 0, 3, 0)

    rows = des_rows(reg)
    rows[0] = rows[0].replace("14/01/2023", "14/01/2028")
    third = run("designations", csv(tmp_path, DES_HEADER, rows, name="b.csv"), user=reg.officer).batch
    assert counts(third) == (0, 1, 2, 0)
    change = only_change(third)
    assert change.prechange_data["expires_on"] == "2023-01-14"
    assert change.postchange_data["expires_on"] == "2028-01-14"
    assert change.user_name == reg.officer.username
    assert Designation.objects.get(decision_number="101/QĐ-TĐC").expires_on == dt.date(2028, 1, 14)


def test_designations_from_xlsx(tmp_path, reg):
    header = ["Mã tổ chức kiểm định", "Số quyết định", "Ngày quyết định", "Ngày hết hiệu lực"]
    path = xlsx(tmp_path, header, [["TTKD-YB", "201/QĐ-TĐC", dt.date(2019, 5, 2), dt.date(2024, 5, 1)],
                                   ["TTKD-LC", 202, "03/06/2020", None]])
    out = run("designations", path)
    assert counts(out.batch) == (2, 0, 0, 0), out.errors
    assert Designation.objects.get(decision_number="202").provider == reg.other
    assert Designation.objects.get(decision_number="201/QĐ-TĐC").expires_on == dt.date(2024, 5, 1)


def test_designations_rejected_rows(tmp_path, reg):
    rows = des_rows(reg)
    rows[0] = rows[0].replace("14/01/2023", "14/01/2017")  # expires before the decision
    rows[1] = rows[1].replace(",,,bổ", ",,30/06/2021,bổ")  # revoked before the decision
    rows.append("NOPE,,104/QĐ-TĐC,15/01/2018,,,,")
    rows.append("TTKD-YB,,105/QĐ-TĐC,31/02/2018,,,,")
    rows.append(",,106/QĐ-TĐC,15/01/2018,,,,")
    rows.append(rows[2])
    out = run("designations", csv(tmp_path, DES_HEADER, rows))
    assert out.batch.status == Status.REJECTED and out.batch.rejected_count == 6
    assert Designation.objects.count() == 0
    found = sorted((e["row"], e["column"], e["message"]) for e in out.errors)
    assert found == [
        (2, "Ngày hết hiệu lực", "The expiry date is before the decision date."),
        (3, "Ngày thu hồi", "The revocation date is before the decision date."),
        (5, "Mã tổ chức kiểm định", "no organisation with this provider code"),
        (6, "Ngày quyết định", "no such day in the calendar"),
        (7, "Mã số thuế tổ chức kiểm định", "a value is required"),  # one of the two codes
        (8, "Số quyết định", "the same object appears on an earlier row of the file"),
    ]
    kept = run("designations", csv(tmp_path, DES_HEADER, rows), policy=Policy.KEEP_GOOD).batch
    assert counts(kept) == (1, 0, 0, 6) and kept.error_file


def test_designations_partial_update_keeps_the_date_rule(tmp_path, reg):
    """A file without the expiry column keeps the stored expiry: the decision date may not pass it."""
    DesignationFactory(provider=reg.provider, decision_number="9/QĐ", decision_date=dt.date(2020, 1, 1),
                       expires_on=dt.date(2025, 1, 1))
    header = "Mã tổ chức kiểm định,Số quyết định,Ngày quyết định"
    out = run("designations", csv(tmp_path, header, ["TTKD-YB,9/QĐ,02/01/2025", "TTKD-YB,9/QĐ-2,02/01/2025"]))
    assert [(e["row"], e["column"], e["message"]) for e in out.errors] == [
        (2, "Ngày quyết định", "The expiry date is before the decision date.")]
    ok = run("designations", csv(tmp_path, header, ["TTKD-YB,9/QĐ,31/12/2019"], name="ok.csv"))
    assert counts(ok.batch) == (0, 1, 0, 0), ok.errors
    d = Designation.objects.get(decision_number="9/QĐ")
    assert (d.decision_date, d.expires_on) == (dt.date(2019, 12, 31), dt.date(2025, 1, 1))


def test_designations_revert_round_trip_template(tmp_path, reg):
    first = run("designations", csv(tmp_path, DES_HEADER, des_rows(reg)[:2])).batch
    rows = des_rows(reg)
    rows[1] = rows[1].replace("bổ sung phạm vi", "đã sửa")
    second = run("designations", csv(tmp_path, DES_HEADER, rows, name="b.csv")).batch
    assert counts(second) == (1, 1, 1, 0)
    round_trip(tmp_path, "designations", 3)
    assert revert_batch(second) == {"deleted": 1, "restored": 1}
    assert Designation.objects.count() == 2
    assert Designation.objects.get(decision_number="102/QĐ-TĐC").notes == "bổ sung phạm vi"
    with pytest.raises(RevertRefused):
        revert_batch(second)
    assert revert_batch(first, force=True)["deleted"] == 2
    headers = template_headers(tmp_path, "designations")
    assert headers[:6] == ["Mã tổ chức kiểm định", "Mã số thuế tổ chức kiểm định", "Số quyết định",
                           "Ngày quyết định", "Cơ quan ban hành", "Ngày hết hiệu lực"]


def test_only_officers_import_designations(tmp_path, reg):
    path = csv(tmp_path, DES_HEADER, des_rows(reg))
    for role, org in ((Role.PROVIDER, reg.provider), (Role.ENTERPRISE, reg.lab), (Role.LEADER, None)):
        with pytest.raises(ImportRefused):
            run("designations", path, user=make_user(role, org))
    assert Designation.objects.count() == 0


# --- designation scopes -----------------------------------------------------------------------------

SCOPE_HEADER = "Mã tổ chức kiểm định,Số quyết định,Mã loại phương tiện,Hoạt động,Phạm vi đo,Giới hạn đo trên"


@pytest.fixture
def decisions(reg):
    return (DesignationFactory(provider=reg.provider, decision_number="11/QĐ", decision_date=dt.date(2018, 1, 1)),
            DesignationFactory(provider=reg.provider, decision_number="12/QĐ", decision_date=dt.date(2021, 1, 1)),
            DesignationFactory(provider=reg.other, decision_number="11/QĐ", decision_date=dt.date(2022, 1, 1)))


def scope_rows():
    return [
        "TTKD-YB,11/QĐ,CAN-OTO,Kiểm định,đến 60 tấn,60000",
        "TTKD-YB,12/QĐ,CAN-OTO,Kiểm định,đến 80 tấn,80000",
        "TTKD-YB,12/QĐ,CAN-OTO,Hiệu chuẩn,,",
        "TTKD-LC,11/QĐ,CTN,kiem dinh,DN 15 - DN 50,\"50,5\"",
    ]


def test_scopes_create_with_the_kind_edition_of_the_decision_date(tmp_path, reg, decisions):
    old, new, other = decisions
    path = csv(tmp_path, SCOPE_HEADER, scope_rows())
    out = run("designation-scopes", path, user=reg.officer)
    assert counts(out.batch) == (4, 0, 0, 0), out.errors
    assert DesignationScope.objects.get(designation=old).kind == reg.kind_old  # in force on 01/01/2018
    assert DesignationScope.objects.get(designation=new, activity=Activity.VERIFICATION).kind == reg.kind_new
    water = DesignationScope.objects.get(designation=other)
    assert (water.kind, water.range_description, water.range_max) == (reg.water, "DN 15 - DN 50", Decimal("50.5"))
    assert DesignationScope.objects.get(designation=new, activity=Activity.CALIBRATION).range_max is None

    assert counts(run("designation-scopes", path).batch) == (0, 0, 4, 0)
    rows = scope_rows()
    rows[0] = rows[0].replace("60000", "65000")
    changed = run("designation-scopes", csv(tmp_path, SCOPE_HEADER, rows, name="b.csv")).batch
    assert counts(changed) == (0, 1, 3, 0)
    change = only_change(changed)
    assert Decimal(change.prechange_data["range_max"]) == 60000
    assert Decimal(change.postchange_data["range_max"]) == 65000


def test_scopes_keep_the_edition_they_were_recorded_with(tmp_path, reg, decisions):
    old = decisions[0]
    DesignationScope.objects.create(designation=old, kind=reg.kind_new, activity=Activity.VERIFICATION,
                                    range_description="đến 60 tấn", range_max=60000)
    out = run("designation-scopes", csv(tmp_path, SCOPE_HEADER, scope_rows()[:1]))
    assert counts(out.batch) == (0, 0, 1, 0), out.errors
    assert DesignationScope.objects.count() == 1


def test_scopes_from_xlsx(tmp_path, reg, decisions):
    header = ["Mã số thuế tổ chức kiểm định", "Số quyết định", "Mã loại", "Hoạt động", "Giới hạn đo trên"]
    path = xlsx(tmp_path, header, [[reg.provider.tax_code, "12/QĐ", "CTN", "Thử nghiệm", 12.5],
                                   [reg.other.tax_code, "11/QĐ", "CAN-OTO", "Kiểm định", 120000]])
    out = run("designation-scopes", path)
    assert counts(out.batch) == (2, 0, 0, 0), out.errors
    assert DesignationScope.objects.get(designation=decisions[1]).range_max == Decimal("12.5")
    assert DesignationScope.objects.get(designation=decisions[2]).kind == reg.kind_new


def test_scopes_rejected_rows(tmp_path, reg, decisions):
    rows = [
        "TTKD-YB,99/QĐ,CAN-OTO,Kiểm định,,",
        "TTKD-YB,11/QĐ,NOPE,Kiểm định,,",
        "TTKD-YB,11/QĐ,CAN-OTO,Sửa chữa,,",
        "TTKD-YB,11/QĐ,CAN-OTO,Kiểm định,,-5",
        "TTKD-YB,11/QĐ,CAN-OTO,Kiểm định,,\"0,1234567\"",
        "TTKD-YB,11/QĐ,CAN-OTO,Kiểm định,,1" + "0" * 40,
        "TTKD-YB,11/QĐ,CTN,Kiểm định,,",
        "TTKD-YB,11/QĐ,CTN,kiểm định,lặp lại,",
    ]
    out = run("designation-scopes", csv(tmp_path, SCOPE_HEADER, rows))
    assert out.batch.status == Status.REJECTED and DesignationScope.objects.count() == 0
    found = [(e["row"], e["column"], e["message"]) for e in sorted(out.errors, key=lambda e: e["row"])]
    assert found == [
        (2, "Số quyết định", "the provider has no designation with this decision number; import the designation "
                             "first"),
        (3, "Mã loại phương tiện", "no instrument kind with this code"),
        (4, "Hoạt động", "not one of the allowed values (see the template's list)"),
        (5, "Giới hạn đo trên", "must be greater than zero"),
        (6, "Giới hạn đo trên", "too many digits: at most 12 before the decimal point and 6 after"),
        (7, "Giới hạn đo trên", "too many digits: at most 12 before the decimal point and 6 after"),
        (9, "Hoạt động", "the same object appears on an earlier row of the file"),  # the key's last column
    ]


def test_reverting_designations_refuses_to_take_later_scopes_with_them(tmp_path, reg):
    batch = run("designations", csv(tmp_path, DES_HEADER, des_rows(reg)[:2])).batch
    assert batch.created_count == 2
    scopes = run("designation-scopes", csv(tmp_path, SCOPE_HEADER.replace("Số quyết định", "Số QĐ"),
                                           ["TTKD-YB,101/QĐ-TĐC,CAN-OTO,Kiểm định,đến 60 tấn,60000"], name="s.csv"))
    assert scopes.batch.created_count == 1, scopes.errors
    with pytest.raises(RevertRefused, match="designation scopes"):
        revert_batch(batch)
    assert (Designation.objects.count(), DesignationScope.objects.count()) == (2, 1)
    assert revert_batch(scopes.batch)["deleted"] == 1
    assert revert_batch(batch)["deleted"] == 2


def test_scopes_revert_round_trip_template(tmp_path, reg, decisions):
    run("designation-scopes", csv(tmp_path, SCOPE_HEADER, scope_rows()[:2]))
    rows = scope_rows()
    rows[1] = rows[1].replace("đến 80 tấn", "đến 100 tấn")
    second = run("designation-scopes", csv(tmp_path, SCOPE_HEADER, rows, name="b.csv")).batch
    assert counts(second) == (2, 1, 1, 0)
    round_trip(tmp_path, "designation-scopes", 4)
    assert revert_batch(second) == {"deleted": 2, "restored": 1}
    assert sorted(DesignationScope.objects.values_list("range_description", flat=True)) == ["đến 60 tấn",
                                                                                            "đến 80 tấn"]
    headers = template_headers(tmp_path, "designation-scopes")
    assert headers == ["Mã tổ chức kiểm định", "Mã số thuế tổ chức kiểm định", "Số quyết định",
                       "Mã loại phương tiện đo", "Hoạt động", "Phạm vi đo", "Giới hạn đo trên"]


# --- accreditations ---------------------------------------------------------------------------------

ACC_HEADER = "Mã số thuế tổ chức,Mã tổ chức kiểm định,Tiêu chuẩn,Số hiệu công nhận,Tổ chức công nhận,Ngày cấp," \
             "Ngày hết hiệu lực,Phạm vi công nhận"


def acc_rows(reg):
    return [
        f"{reg.lab.tax_code},,ISO/IEC 17025,VILAS 123,BoA,01/06/2023,31/05/2028,Hóa lý",
        ",TTKD-YB,ISO/IEC 17025,VILAS 456,,10/10/2022,,Khối lượng; dung tích",
        f"{reg.provider.tax_code},TTKD-YB,ISO 9001,QMS 77,Quacert,2021-01-05,,",
    ]


def test_accreditations_create_reimport_change(tmp_path, reg):
    path = csv(tmp_path, ACC_HEADER, acc_rows(reg))
    out = run("accreditations", path, user=reg.officer)
    assert counts(out.batch) == (3, 0, 0, 0), out.errors
    vilas = Accreditation.objects.get(number="VILAS 456")
    assert (vilas.organization, vilas.body, vilas.expires_on, vilas.scope) == (
        reg.provider, "BoA", None, "Khối lượng; dung tích")  # a blank body is the usual BoA
    assert Accreditation.objects.get(number="QMS 77").standard == "ISO 9001"
    assert counts(run("accreditations", path).batch) == (0, 0, 3, 0)

    rows = acc_rows(reg)
    rows[0] = rows[0].replace(reg.lab.tax_code, reg.other.tax_code)  # the accreditation moves to another lab
    changed = run("accreditations", csv(tmp_path, ACC_HEADER, rows, name="b.csv")).batch
    assert counts(changed) == (0, 1, 2, 0)
    change = only_change(changed)
    assert (change.prechange_data["organization_id"], change.postchange_data["organization_id"]) == (
        reg.lab.pk, reg.other.pk)


def test_accreditations_from_xlsx(tmp_path, reg):
    header = ["MST", "Standard", "Number", "Issued on", "Expires on"]
    path = xlsx(tmp_path, header, [[reg.lab.tax_code, "ISO 15189", "VLAT 1", dt.date(2020, 2, 3),
                                    dt.date(2025, 2, 2)]])
    out = run("accreditations", path)
    assert counts(out.batch) == (1, 0, 0, 0), out.errors
    acc = Accreditation.objects.get()
    assert (acc.organization, acc.standard, acc.issued_on) == (reg.lab, "ISO 15189", dt.date(2020, 2, 3))


def test_accreditations_rejected_rows(tmp_path, reg):
    rows = acc_rows(reg)
    rows[0] = rows[0].replace("31/05/2028", "31/05/2020")
    rows[1] = rows[1].replace("ISO/IEC 17025", "ISO 14001")
    rows[2] = rows[2].replace("TTKD-YB", "TTKD-LC")
    rows.append("0100109107,,ISO 9001,QMS 78,,2021-01-05,,")
    out = run("accreditations", csv(tmp_path, ACC_HEADER, rows))
    found = [(e["row"], e["column"], e["message"]) for e in sorted(out.errors, key=lambda e: e["row"])]
    assert found == [
        (2, "Ngày hết hiệu lực", "The expiry date is before the issue date."),
        (3, "Tiêu chuẩn", "not one of the allowed values (see the template's list)"),
        (4, "Mã tổ chức kiểm định", "the tax code and the provider code name different organisations"),
        (5, "Mã số thuế tổ chức", "check digit does not match"),
    ]
    assert Accreditation.objects.count() == 0


def test_accreditations_revert_round_trip_template_access(tmp_path, reg):
    first = run("accreditations", csv(tmp_path, ACC_HEADER, acc_rows(reg)[:1])).batch
    rows = acc_rows(reg)
    rows[0] = rows[0].replace("Hóa lý", "Hóa lý; vi sinh")
    second = run("accreditations", csv(tmp_path, ACC_HEADER, rows, name="b.csv")).batch
    assert counts(second) == (2, 1, 0, 0)
    round_trip(tmp_path, "accreditations", 3)
    assert revert_batch(second) == {"deleted": 2, "restored": 1}
    assert Accreditation.objects.get().scope == "Hóa lý"
    assert revert_batch(first, force=True)["deleted"] == 1
    headers = template_headers(tmp_path, "accreditations")
    assert headers[:4] == ["Mã số thuế tổ chức", "Mã tổ chức kiểm định", "Tiêu chuẩn", "Số hiệu"]
    with pytest.raises(ImportRefused):
        run("accreditations", csv(tmp_path, ACC_HEADER, acc_rows(reg)), user=make_user(Role.PROVIDER, reg.provider))


# --- verification officers --------------------------------------------------------------------------

OFF_HEADER = "Mã tổ chức kiểm định,Họ và tên,Số thẻ kiểm định viên,Ngày cấp,Ngày hết hiệu lực,Đang hoạt động"


def off_rows():
    return [
        "TTKD-YB,Nguyễn Văn An,KĐV-001,10/04/2022,09/04/2027,Có",
        "TTKD-YB,Trần Thị Bình,KĐV-002,,,",
        "TTKD-LC,Lê Văn Cường,KĐV-001,01/01/2020,31/12/2024,Không",
    ]


def test_officers_create_reimport_change(tmp_path, reg):
    path = csv(tmp_path, OFF_HEADER, off_rows())
    out = run("officers", path, user=reg.officer)
    assert counts(out.batch) == (3, 0, 0, 0), out.errors
    an = VerificationOfficer.objects.get(provider=reg.provider, certificate_number="KĐV-001")
    assert (an.full_name, an.issued_on, an.is_active, an.search_text) == (
        "Nguyễn Văn An", dt.date(2022, 4, 10), True, "nguyen van an kdv-001")
    assert VerificationOfficer.objects.get(certificate_number="KĐV-002").is_active is True  # blank: the default
    assert VerificationOfficer.objects.get(provider=reg.other).is_active is False
    assert counts(run("officers", path).batch) == (0, 0, 3, 0)

    rows = off_rows()
    rows[2] = rows[2].replace("Không", "Có")
    changed = run("officers", csv(tmp_path, OFF_HEADER, rows, name="b.csv")).batch
    assert counts(changed) == (0, 1, 2, 0)
    change = only_change(changed)
    assert (change.prechange_data["is_active"], change.postchange_data["is_active"]) == (False, True)


def test_officers_from_xlsx(tmp_path, reg):
    header = ["Provider tax code", "Full name", "Officer certificate number", "Expires on"]
    path = xlsx(tmp_path, header, [[reg.provider.tax_code, "Phạm Minh Đức", 1234, dt.date(2027, 1, 1)]])
    out = run("officers", path)
    assert counts(out.batch) == (1, 0, 0, 0), out.errors
    assert VerificationOfficer.objects.get().certificate_number == "1234"


def test_officers_rejected_rows(tmp_path, reg):
    OfficerFactory(provider=reg.provider, certificate_number="KĐV-009", issued_on=dt.date(2023, 1, 1))
    rows = off_rows()
    rows[0] = rows[0].replace("09/04/2027", "09/04/2021")
    rows[1] = rows[1].replace(",,,", ",,,có lẽ")
    rows.append("TTKD-YB,,KĐV-003,,,")
    rows.append("TTKD-YB,Ngô Văn Em,KĐV-009,,31/12/2022,")  # the issue date cleared: no rule broken
    out = run("officers", csv(tmp_path, OFF_HEADER, rows))
    found = [(e["row"], e["column"], e["message"]) for e in sorted(out.errors, key=lambda e: e["row"])]
    assert found == [
        (2, "Ngày hết hiệu lực", "The expiry date is before the issue date."),
        (3, "Đang hoạt động", "write Có or Không"),
        (5, "Họ và tên", "a value is required"),
    ]
    partial = run("officers", csv(tmp_path, "Mã tổ chức kiểm định,Họ và tên,Số thẻ kiểm định viên,Ngày hết hiệu lực",
                                  ["TTKD-YB,Ngô Văn Em,KĐV-009,31/12/2022"], name="p.csv"))
    assert [(e["row"], e["column"], e["message"]) for e in partial.errors] == [
        (2, "Ngày hết hiệu lực", "The expiry date is before the issue date.")]  # the stored issue date: 2023


def test_officers_by_provider_staff(tmp_path, reg):
    staff = make_user(Role.PROVIDER, reg.provider)
    own = csv(tmp_path, "Họ và tên,Số thẻ kiểm định viên", ["Nguyễn Văn An,KĐV-001"], name="own.csv")
    out = run("officers", own, user=staff)  # no provider column: the user's own organisation
    assert counts(out.batch) == (1, 0, 0, 0), out.errors
    assert VerificationOfficer.objects.get().provider == reg.provider
    out = run("officers", csv(tmp_path, OFF_HEADER, off_rows()), user=staff, policy=Policy.KEEP_GOOD)
    assert counts(out.batch) == (1, 1, 0, 1), out.errors
    assert out.errors[0]["row"] == 4 and out.errors[0]["message"] == "outside what your organisation may change"
    assert not VerificationOfficer.objects.filter(provider=reg.other).exists()
    with pytest.raises(ImportRefused):
        run("officers", own, user=make_user(Role.ENTERPRISE, reg.lab))
    system = run("officers", own)  # the command line without --user has no organisation to default to
    assert system.errors[0]["message"] == "a value is required"


def test_officers_revert_round_trip_template(tmp_path, reg):
    first = run("officers", csv(tmp_path, OFF_HEADER, off_rows()[:1])).batch
    rows = off_rows()
    rows[0] = rows[0].replace("Nguyễn Văn An", "Nguyễn Văn Ân")
    second = run("officers", csv(tmp_path, OFF_HEADER, rows, name="b.csv")).batch
    assert counts(second) == (2, 1, 0, 0)
    officer = VerificationOfficer.objects.get(certificate_number="KĐV-002")
    RecordFactory(provider=reg.provider, officer=officer)
    with pytest.raises(RevertRefused):  # a record names an officer the batch created
        revert_batch(second)
    officer.records.all().delete()
    round_trip(tmp_path, "officers", 3)
    assert revert_batch(second) == {"deleted": 2, "restored": 1}
    assert VerificationOfficer.objects.get().full_name == "Nguyễn Văn An"
    with pytest.raises(RevertRefused):  # the officer was restored (changed) after the first batch
        revert_batch(first)
    assert revert_batch(first, force=True)["deleted"] == 1
    headers = template_headers(tmp_path, "officers")
    assert headers == ["Mã tổ chức kiểm định", "Mã số thuế tổ chức kiểm định", "Họ và tên", "Số thẻ kiểm định viên",
                       "Ngày cấp", "Ngày hết hiệu lực", "Đang hoạt động", "Ngừng hoạt động từ ngày"]


# --- the other faces: command line, web template and export -------------------------------------------

def test_command_line_export_import(tmp_path, reg, decisions):
    DesignationScope.objects.create(designation=decisions[0], kind=reg.kind_old, activity=Activity.VERIFICATION,
                                    range_max=Decimal("1.234"))
    out_file = tmp_path / "scopes.csv"
    call_command("export", "designation-scopes", "--output", str(out_file))
    assert "1.2340" in out_file.read_text("utf-8-sig")  # not the ambiguous 1.234
    call_command("import", "designation-scopes", str(out_file))
    batch = ImportBatch.objects.get()
    assert counts(batch) == (0, 0, 1, 0), batch.errors


def test_web_template_export_and_upload(client, tmp_path, reg):
    client.force_login(reg.officer)
    for kind in ("designations", "designation-scopes", "accreditations", "officers"):
        response = client.get(reverse("imports:template", args=[kind]), headers={"Accept-Language": "vi"})
        assert response.status_code == 200 and response.content[:2] == b"PK"
        path = tmp_path / f"{kind}.xlsx"
        path.write_bytes(response.content)
        assert "Mã tổ chức kiểm định" in CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()[0]
    response = client.post(reverse("imports:upload", args=["officers"]), {
        "file": SimpleUploadedFile("officers.csv", "\n".join([OFF_HEADER, *off_rows()]).encode()), "policy": "all"})
    preview = ImportBatch.objects.latest("pk")
    assert response.status_code == 302 and (preview.status, preview.created_count) == (Status.PREVIEWED, 3)
    client.post(reverse("imports:confirm", args=[preview.pk]))
    assert VerificationOfficer.objects.count() == 3
    body = b"".join(client.get(reverse("imports:export", args=["officers"]), {"format": "csv"}).streaming_content)
    assert body.decode("utf-8-sig").count("KĐV-00") == 3
    staff = make_user(Role.PROVIDER, reg.other)
    client.force_login(staff)
    assert client.get(reverse("imports:upload", args=["officers"])).status_code == 200
    assert client.get(reverse("imports:upload", args=["designations"])).status_code == 404
    body = b"".join(client.get(reverse("imports:export", args=["officers"]), {"format": "csv"}).streaming_content)
    assert body.decode("utf-8-sig").count("KĐV-00") == 1  # only their own officers
