"""The registry kinds "standards", "units" and "people": create (CSV, XLSX), re-import, change, reject, revert,
export → import round trip, template."""

import datetime as dt

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from doluong.core.models import ObjectChange
from doluong.core.roles import Role
from doluong.geo.models import AdministrativeUnit, UnitLevel
from doluong.imports import export
from doluong.imports import spec as registry
from doluong.imports.engine import ImportRefused
from doluong.imports.models import Policy, Status
from doluong.imports.services import revert_batch
from doluong.instruments.models import MeasurementStandard, StandardLevel
from doluong.orgs.models import Person
from tests.factories import make_user, valid_tax_code
from tests.imports.conftest import counts, csv, run, xlsx

pytestmark = pytest.mark.django_db


def by_row(out) -> dict[int, tuple[str, str]]:
    return {e["row"]: (e["column"], e["message"]) for e in out.errors}


def round_trip(tmp_path, kind, queryset):
    """Export as CSV and as XLSX, import each back: nothing changes."""
    spec = registry.get(kind)
    n = queryset.count()
    for fmt in ("csv", "xlsx"):
        path = tmp_path / f"export-{kind}.{fmt}"
        if fmt == "csv":
            path.write_bytes(b"".join(export.csv_stream(spec, queryset)))
        else:
            export.write_xlsx(spec, queryset, path)
        out = run(kind, path)
        assert counts(out.batch) == (0, 0, n, 0), (fmt, out.errors, out.batch.message)


def template_headers(client, tmp_path, kind) -> list[str]:
    """The first row of the template downloaded from the web (Vietnamese: the site's language)."""
    client.force_login(make_user(Role.OFFICER))
    response = client.get(reverse("imports:template", args=[kind]), HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    path = tmp_path / f"template-{kind}.xlsx"
    path.write_bytes(response.content)
    return [str(c) for c in CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()[0]]


# --- standards ------------------------------------------------------------------------------------

STD_HEADER = ("Mã số thuế chủ sở hữu,Tên,Mã lĩnh vực đo,Mã loại phương tiện đo,Chất chuẩn,Cấp,Số sê-ri,"
              "Mã tổ chức hiệu chuẩn,Ngày hiệu chuẩn,Hạn hiệu chuẩn,Số sê-ri chuẩn cấp trên")


def std_rows(world, due="14/01/2025"):
    tax = world.provider.tax_code
    return [  # the working standard comes before the standard it is traced to: both are new in the same batch
        f"{tax},Quả cân chuẩn F1 20 kg,mass,CAN-OTO,Không,Chuẩn công tác,F1-001,,15/01/2024,{due},E2-001",
        f"{tax},Quả cân chuẩn E2 20 kg,mass,,Không,Reference standard,E2-001,TTKD-LC,10/01/2024,09/01/2026,",
        f"{tax},Dung dịch chuẩn pH 7,mass,,Có,,,,,,",
    ]


def test_standards_create_reimport_change(tmp_path, world):
    path = csv(tmp_path, STD_HEADER, std_rows(world))
    out = run("standards", path)
    assert (out.batch.status, *counts(out.batch)) == (Status.DONE, 3, 0, 0, 0), out.errors
    f1 = MeasurementStandard.objects.get(serial_number="F1-001")
    e2 = MeasurementStandard.objects.get(serial_number="E2-001")
    ph = MeasurementStandard.objects.get(name="Dung dịch chuẩn pH 7")
    assert f1.traced_to == e2 and e2.traced_to is None
    assert (f1.owner, f1.kind, f1.field.code, f1.level) == (world.provider, world.kind, "mass", StandardLevel.WORKING)
    assert (e2.level, e2.calibrated_by, e2.calibration_due_on) == (StandardLevel.REFERENCE, world.other_provider,
                                                                   dt.date(2026, 1, 9))
    assert (ph.is_reference_material, ph.level, ph.serial_number) == (True, StandardLevel.WORKING, "")
    assert f1.search_text == "qua can chuan f1 20 kg f1-001"

    again = run("standards", path).batch
    assert counts(again) == (0, 0, 3, 0)
    changed = run("standards", csv(tmp_path, STD_HEADER, std_rows(world, due="20/01/2025"), "b.csv")).batch
    assert counts(changed) == (0, 1, 2, 0)
    change = ObjectChange.objects.get(request_id=changed.uuid)
    assert change.object_id == f1.pk
    assert (change.prechange_data["calibration_due_on"], change.postchange_data["calibration_due_on"]) == (
        "2025-01-14", "2025-01-20")


def test_standards_from_xlsx_english_headers_traced_to_another_owner(tmp_path, world):
    run("standards", csv(tmp_path, STD_HEADER, std_rows(world)))
    path = xlsx(tmp_path, ["Owner tax code", "Name", "Metrology field code", "Serial number", "Calibrated on",
                           "Traced to: owner tax code", "Traced to: serial number"],
                [[world.owner.tax_code, "Cân chuẩn 60 tấn", "mass", 12345, dt.date(2024, 2, 1),
                  world.provider.tax_code, "E2-001"]])
    out = run("standards", path)
    assert counts(out.batch) == (1, 0, 0, 0), out.errors
    std = MeasurementStandard.objects.get(owner=world.owner)
    assert (std.serial_number, std.calibrated_on) == ("12345", dt.date(2024, 2, 1))
    assert std.traced_to == MeasurementStandard.objects.get(serial_number="E2-001")


def test_standards_rejected_rows(tmp_path, world):
    tax = world.provider.tax_code
    rows = [
        f"{tax},A,mass,,,,S-2,,10/01/2024,09/01/2024,",  # 2: due before calibration
        f"{tax},B,nope,,,,S-3,,,,",  # 3: field
        f"{tax},C,mass,,,,S-4,,,,ZZZ",  # 4: traced to nothing
        f"{tax},D,mass,,,,S-5,,,,S-5",  # 5: traced to itself
        f"{valid_tax_code(777)},E,mass,,,,S-6,,,,",  # 6: owner unknown
        f"{tax},F,mass,,,,S-7,,,,S-4",  # 7: traced to the refused row 4
        f"{tax},G,mass,,,,S-8,,,,S-2",  # 8: traced to row 2, refused by an earlier step
        f"{tax},H,mass,,,,S-9,,,,",  # 9: good
    ]
    out = run("standards", csv(tmp_path, STD_HEADER, rows))
    assert out.batch.status == Status.REJECTED and MeasurementStandard.objects.count() == 0
    errors = by_row(out)
    assert errors[2] == ("Hạn hiệu chuẩn", "The due date is before the calibration date.")
    assert errors[3] == ("Mã lĩnh vực đo", "no metrology field with this code")
    assert errors[4][0] == "Số sê-ri chuẩn cấp trên" and errors[4][1].startswith("no standard of this owner")
    assert errors[5] == ("Số sê-ri chuẩn cấp trên", "A standard cannot be traced to itself.")
    assert errors[6] == ("Mã số thuế chủ sở hữu", "no organisation with this tax code")
    assert errors[7] == ("Số sê-ri chuẩn cấp trên", "the standard it is traced to is refused on its own row")
    assert errors[8][1].startswith("no standard of this owner")
    assert 9 not in errors and out.batch.created_count == 1  # counted, not written
    assert [e["value"] for e in out.errors if e["row"] == 3] == ["nope"]
    kept = run("standards", csv(tmp_path, STD_HEADER, rows), policy=Policy.KEEP_GOOD).batch
    assert counts(kept) == (1, 0, 0, 7) and kept.error_file


def test_standards_matches_that_would_be_guesses_are_refused(tmp_path, world):
    from tests.factories import FieldFactory

    def standard(name, serial=""):
        MeasurementStandard.objects.create(owner=world.provider, name=name, field=FieldFactory(), serial_number=serial)

    standard("Bình chuẩn 20 L", "B-1")
    standard("Bình chuẩn 20 L", "B-1")
    standard("Quả cân 1 kg")
    standard("Nhiệt kế chuẩn", "T-1")
    tax = world.provider.tax_code
    out = run("standards", csv(tmp_path, "Mã số thuế chủ sở hữu,Tên,Mã lĩnh vực đo,Số sê-ri", [
        f"{tax},Bình chuẩn 20 L,mass,B-1",  # two standards have this serial number
        f"{tax},Quả cân 1 kg,mass,Q-1",  # the same-named standard has no serial number yet
        f"{tax},Nhiệt kế chuẩn,mass,",  # the same-named standard has one
    ]))
    errors = by_row(out)
    assert errors[2][1].startswith("several standards of this owner have this serial number")
    assert errors[3][1].startswith("this owner has a standard with this name and no serial number")
    assert errors[4] == ("Số sê-ri", "the standard of this owner with this name has serial number T-1; give it on "
                                     "this row")


def test_standards_provider_imports_its_own(tmp_path, world):
    user = make_user(Role.PROVIDER, world.provider)
    header = "Tên,Mã lĩnh vực đo,Số sê-ri,Số sê-ri chuẩn cấp trên"  # no owner column: the user's organisation
    out = run("standards", csv(tmp_path, header, ["Chuẩn X,mass,X-1,", "Chuẩn Y,mass,Y-1,X-1"]), user=user)
    assert counts(out.batch) == (2, 0, 0, 0), out.errors
    assert MeasurementStandard.objects.get(serial_number="Y-1").traced_to.serial_number == "X-1"
    other = run("standards", csv(tmp_path, STD_HEADER, std_rows(world)), user=make_user(Role.PROVIDER,
                                                                                         world.other_provider))
    assert other.batch.rejected_count == 3
    assert "outside what your organisation may change" in {e["message"] for e in other.errors}
    with pytest.raises(ImportRefused):
        run("standards", csv(tmp_path, header, ["Chuẩn Z,mass,Z-1,"]), user=make_user(Role.ENTERPRISE, world.owner))


def test_standards_traced_to_an_earlier_batch_preview_and_import_agree(tmp_path, world):
    rows = std_rows(world)
    path = csv(tmp_path, STD_HEADER, [rows[1], rows[0]])  # E2 first, F1 (traced to E2) in the next batch
    assert counts(run("standards", path, batch_size=1, dry_run=True).batch) == (2, 0, 0, 0)
    assert counts(run("standards", path, batch_size=1).batch) == (2, 0, 0, 0)
    assert MeasurementStandard.objects.get(serial_number="F1-001").traced_to.serial_number == "E2-001"


def test_standards_revert(tmp_path, world):
    first = run("standards", csv(tmp_path, STD_HEADER, std_rows(world))).batch
    rows = [*std_rows(world, due="20/01/2025"), f"{world.provider.tax_code},Quả cân chuẩn F1 1 kg,mass,,,,F1-002,,,,"
                                                f"F1-001"]
    second = run("standards", csv(tmp_path, STD_HEADER, rows, "b.csv")).batch
    assert counts(second) == (1, 1, 2, 0)
    assert revert_batch(second) == {"deleted": 1, "restored": 1}
    f1 = MeasurementStandard.objects.get(serial_number="F1-001")
    assert f1.calibration_due_on == dt.date(2025, 1, 14) and f1.traced_to.serial_number == "E2-001"
    assert revert_batch(first, force=True) == {"deleted": 3, "restored": 0}  # F1 → E2 within the batch
    assert MeasurementStandard.objects.count() == 0


def test_standards_round_trip_and_template(tmp_path, world, client):
    run("standards", csv(tmp_path, STD_HEADER, std_rows(world)))
    run("standards", xlsx(tmp_path, ["Owner tax code", "Name", "Metrology field code", "Serial number",
                                     "Traced to: owner tax code", "Traced to: serial number"],
                          [[world.owner.tax_code, "Cân chuẩn", "mass", "C-1", world.provider.tax_code, "F1-001"]]))
    round_trip(tmp_path, "standards", MeasurementStandard.objects.all())
    headers = template_headers(client, tmp_path, "standards")
    assert headers[:3] == ["Mã số thuế chủ sở hữu", "Mã tổ chức chủ sở hữu", "Tên"]
    assert {"Mã lĩnh vực đo", "Cấp", "Số sê-ri", "Hạn hiệu chuẩn", "Số sê-ri chuẩn cấp trên"} <= set(headers)


# --- administrative units ----------------------------------------------------------------------------

UNIT_HEADER = "Bản đồ,Cấp,Mã,Tên,Loại,Mã đơn vị cấp trên"
UNIT_ROWS = [
    "VN-2025,Cấp xã,04251,Xã Mới,Xã,15",  # under Lào Cai (15 on the 2025 map); leading zero dropped
    "VN-2025,Cấp xã,08001,Xã Tân Trào,Xã,08",  # under the province of the next row, new in this batch
    "VN-2025,Cấp tỉnh,08,Tỉnh Tuyên Quang,Tỉnh,",
    "VN-3L,Cấp huyện,133,Huyện Trấn Yên,Huyện,15",  # under Yên Bái (15 on the old map)
    "VN-3L,Cấp xã,4300,Xã Minh Quân,Xã,133",  # under the district of the row before
]


def unit(edition, code, level=UnitLevel.COMMUNE):
    return AdministrativeUnit.objects.get(edition__code=edition, level=level, code=code)


def test_units_create_reimport_change(tmp_path, geo_map):
    path = csv(tmp_path, UNIT_HEADER, UNIT_ROWS)
    out = run("units", path)
    assert (out.batch.status, *counts(out.batch)) == (Status.DONE, 5, 0, 0, 0), out.errors
    tq = unit("VN-2025", "8", UnitLevel.PROVINCE)
    assert (tq.parent, tq.province, tq.valid_from, tq.valid_to) == (None, None, dt.date(2025, 7, 1), None)
    assert (unit("VN-2025", "4251").parent, unit("VN-2025", "4251").province) == (geo_map.lao_cai, geo_map.lao_cai)
    assert (unit("VN-2025", "8001").parent, unit("VN-2025", "8001").province) == (tq, tq)
    district = unit("VN-3L", "133", UnitLevel.DISTRICT)
    assert (district.parent, district.province) == (geo_map.yen_bai, geo_map.yen_bai)
    commune = unit("VN-3L", "4300")
    assert (commune.parent, commune.province, commune.valid_to) == (district, geo_map.yen_bai, dt.date(2025, 6, 30))
    assert commune.search_text == "xa minh quan 4300 xa"

    assert counts(run("units", path).batch) == (0, 0, 5, 0)
    rows = [*UNIT_ROWS]
    rows[0] = rows[0].replace("Xã Mới", "Xã Mới Lập")
    changed = run("units", csv(tmp_path, UNIT_HEADER, rows, "b.csv")).batch
    assert counts(changed) == (0, 1, 4, 0)
    change = ObjectChange.objects.get(request_id=changed.uuid)
    assert (change.prechange_data["name"], change.postchange_data["name"]) == ("Xã Mới", "Xã Mới Lập")


def test_units_from_xlsx_english_headers(tmp_path, geo_map):
    path = xlsx(tmp_path, ["Map edition", "Level", "Code", "Name", "Parent unit code", "Valid from"],
                [["VN-3L", "Commune", 4253, "Xã Tuy Lộc", 132, dt.date(2010, 1, 1)],
                 ["VN-2025", "commune", "4254", "Xã Văn Phú", "15", None]])
    out = run("units", path)
    assert counts(out.batch) == (2, 0, 0, 0), out.errors
    old = unit("VN-3L", "4253")
    assert (old.parent, old.province, old.valid_from) == (geo_map.district, geo_map.yen_bai, dt.date(2010, 1, 1))
    assert unit("VN-2025", "4254").valid_from == dt.date(2025, 7, 1)


def test_units_rejected_rows(tmp_path, geo_map):
    header = f"{UNIT_HEADER},Hiệu lực từ,Hiệu lực đến"
    rows = [
        "VN-2025,Cấp tỉnh,20,Tỉnh X,,15,,",  # 2: a province with a parent
        "VN-2025,Cấp xã,5000,Xã Y,,,,",  # 3: a commune without one
        "VN-2025,Cấp xã,5001,Xã Z,,999,,",  # 4: no such parent
        "VN-1900,Cấp xã,5002,Xã W,,15,,",  # 5: no such map
        "VN-2025,Cấp xã,5003,Xã V,,15,01/01/2026,01/01/2025",  # 6: ends before it starts
        "VN-3L,Cấp huyện,140,Huyện U,,77,,",  # 7: district under nothing
        "VN-3L,Cấp xã,5004,Xã T,,140,,",  # 8: under the refused district of row 7
        "VN-2025,Cấp tỉnh,21,Tỉnh S,,,,",  # 9: good
        "VN-2025,Cấp xã,4250,Phường Yên Bái,,21,,",  # 10: an existing unit moved under a new one
        "VN-2025,Cấp huyện,22,Huyện R,,15,,",  # 11: good (a district on the 2025 map is not forbidden)
    ]
    out = run("units", csv(tmp_path, header, rows))
    assert out.batch.status == Status.REJECTED
    errors = by_row(out)
    parent = "Mã đơn vị cấp trên"
    assert errors[2] == (parent, "a province has no parent unit")
    assert errors[3] == (parent, "a district or commune needs the code of its parent unit")
    assert errors[4][0] == parent and errors[4][1].startswith("no province or district with this code on that map")
    assert errors[5] == ("Bản đồ", "no map edition with this code")
    assert errors[6] == ("Hiệu lực đến", "The end of validity is before its start.")
    assert errors[8] == (parent, "the parent unit is refused on its own row")
    assert errors[10][1].startswith("the parent unit is new in this file")
    assert set(errors) == {2, 3, 4, 5, 6, 7, 8, 10}
    assert AdministrativeUnit.objects.count() == 6


def test_units_parents_in_earlier_batches_preview_and_import_agree(tmp_path, geo_map):
    rows = ["VN-2025,Cấp tỉnh,30,Tỉnh A,,", "VN-2025,Cấp tỉnh,31,Tỉnh B,,", "VN-2025,Cấp xã,3001,Xã A1,,30",
            "VN-2025,Cấp xã,3101,Xã B1,,31"]
    path = csv(tmp_path, UNIT_HEADER, rows)
    preview = run("units", path, batch_size=2, dry_run=True).batch
    assert counts(preview) == (4, 0, 0, 0), preview.errors
    done = run("units", path, batch_size=2).batch
    assert counts(done) == (4, 0, 0, 0)
    assert unit("VN-2025", "3101").province == unit("VN-2025", "31", UnitLevel.PROVINCE)
    late = run("units", csv(tmp_path, UNIT_HEADER, ["VN-2025,Cấp xã,3201,Xã C1,,32", "VN-2025,Cấp tỉnh,32,Tỉnh C,,"],
                            "late.csv"), batch_size=1)
    assert late.errors[0]["row"] == 2 and "earlier row" in late.errors[0]["message"]


def test_units_only_officers(tmp_path, geo_map, client):
    user = make_user(Role.PROVIDER, organization=None)
    with pytest.raises(ImportRefused):
        run("units", csv(tmp_path, UNIT_HEADER, UNIT_ROWS), user=user)
    client.force_login(make_user(Role.AGENCY))
    assert client.get(reverse("imports:upload", args=["units"])).status_code == 404
    client.force_login(make_user(Role.OFFICER))
    assert client.get(reverse("imports:upload", args=["units"])).status_code == 200
    out = run("units", csv(tmp_path, UNIT_HEADER, UNIT_ROWS), user=make_user(Role.OFFICER))
    assert out.batch.created_count == 5


def test_units_revert(tmp_path, geo_map):
    first = run("units", csv(tmp_path, UNIT_HEADER, UNIT_ROWS)).batch
    rows = [*UNIT_ROWS, "VN-3L,Cấp xã,4301,Xã Y Can,Xã,133"]
    rows[3] = rows[3].replace("Huyện Trấn Yên", "Huyện Trấn Yên (cũ)")
    second = run("units", csv(tmp_path, UNIT_HEADER, rows, "b.csv")).batch
    assert counts(second) == (1, 1, 4, 0)
    assert revert_batch(second) == {"deleted": 1, "restored": 1}
    assert unit("VN-3L", "133", UnitLevel.DISTRICT).name == "Huyện Trấn Yên"
    assert revert_batch(first, force=True) == {"deleted": 5, "restored": 0}  # parents and children of one batch
    assert AdministrativeUnit.objects.count() == 6


def test_units_round_trip_and_template(tmp_path, geo_map, client):
    run("units", csv(tmp_path, UNIT_HEADER, UNIT_ROWS))
    round_trip(tmp_path, "units", AdministrativeUnit.objects.all())
    assert template_headers(client, tmp_path, "units") == ["Bản đồ hành chính", "Cấp", "Mã", "Tên", "Loại",
                                                 "Mã đơn vị cấp trên", "Hiệu lực từ", "Hiệu lực đến"]


# --- people ---------------------------------------------------------------------------------------------

PEOPLE_HEADER = "Mã số thuế tổ chức,Mã tổ chức kiểm định,Họ và tên,Chức vụ,Điện thoại,Email"


def people_rows(world, phone="0216 3852 123"):
    return [
        f"{world.owner.tax_code},,Nguyễn Văn An,Giám đốc,{phone},an@hoaphat.vn",
        ",TTKD-YB,Trần Thị Bình,Kiểm định viên,,",
        f"{world.provider.tax_code},,Lê Văn Cường,,,",
    ]


def test_people_create_reimport_change(tmp_path, world):
    path = csv(tmp_path, PEOPLE_HEADER, people_rows(world))
    out = run("people", path)
    assert (out.batch.status, *counts(out.batch)) == (Status.DONE, 3, 0, 0, 0), out.errors
    an = Person.objects.get(full_name="Nguyễn Văn An")
    assert (an.organization, an.position, an.email) == (world.owner, "Giám đốc", "an@hoaphat.vn")
    assert Person.objects.get(full_name="Trần Thị Bình").organization == world.provider
    assert counts(run("people", path).batch) == (0, 0, 3, 0)
    changed = run("people", csv(tmp_path, PEOPLE_HEADER, people_rows(world, phone="0912 345 678"), "b.csv")).batch
    assert counts(changed) == (0, 1, 2, 0)
    change = ObjectChange.objects.get(request_id=changed.uuid)
    assert (change.object_id, change.prechange_data["phone"], change.postchange_data["phone"]) == (
        an.pk, "0216 3852 123", "0912 345 678")


def test_people_from_xlsx(tmp_path, world):
    path = xlsx(tmp_path, ["Organisation tax code", "Full name", "Phone", "E-mail"],
                [[world.owner.tax_code, "Phạm Thị Dung", 912345678, "dung@example.vn"]])
    out = run("people", path)
    assert counts(out.batch) == (1, 0, 0, 0), out.errors
    assert Person.objects.get().phone == "912345678"


def test_people_rejected_rows(tmp_path, world):
    Person.objects.create(organization=world.owner, full_name="Hoàng Văn Em")
    Person.objects.create(organization=world.owner, full_name="Hoàng Văn Em")
    tax = world.owner.tax_code
    rows = [f"{tax},,Đỗ Văn Giang,,,khong-phai-email", f"{tax},,Hoàng Văn Em,,,", ",,Vũ Thị Hoa,,,",
            f"{tax},,Đỗ Văn Giang,,,", f"{tax},,,,,", ",NOPE,Ngô Văn Ích,,,"]
    out = run("people", csv(tmp_path, PEOPLE_HEADER, rows))
    errors = by_row(out)
    assert errors[2] == ("Email", "not a valid e-mail address")
    assert errors[3] == ("Họ và tên", "several people of this organisation have this name; change them on the web")
    assert errors[4] == ("Mã số thuế tổ chức", "a value is required")
    assert 5 not in errors  # the row 2 with the bad e-mail was refused first: this one is not a duplicate
    assert errors[6] == ("Họ và tên", "a value is required")
    assert errors[7] == ("Mã tổ chức kiểm định", "no organisation with this provider code")


def test_people_of_a_provider(tmp_path, world):
    user = make_user(Role.PROVIDER, world.provider)
    out = run("people", csv(tmp_path, "Họ và tên,Chức vụ", ["Kiều Văn Khoa,Trưởng phòng"]), user=user)
    assert counts(out.batch) == (1, 0, 0, 0) and Person.objects.get().organization == world.provider
    out = run("people", csv(tmp_path, PEOPLE_HEADER, people_rows(world), "b.csv"), user=user,
              policy=Policy.KEEP_GOOD)
    assert counts(out.batch) == (2, 0, 0, 1)
    assert by_row(out)[2][1] == "outside what your organisation may change"


def test_people_revert(tmp_path, world):
    first = run("people", csv(tmp_path, PEOPLE_HEADER, people_rows(world))).batch
    rows = [*people_rows(world, phone="0912 345 678"), f"{world.owner.tax_code},,Mai Văn Long,,,"]
    second = run("people", csv(tmp_path, PEOPLE_HEADER, rows, "b.csv")).batch
    assert revert_batch(second) == {"deleted": 1, "restored": 1}
    assert Person.objects.get(full_name="Nguyễn Văn An").phone == "0216 3852 123"
    assert revert_batch(first, force=True)["deleted"] == 3 and Person.objects.count() == 0


def test_people_round_trip_and_template(tmp_path, world, client):
    run("people", csv(tmp_path, PEOPLE_HEADER, people_rows(world)))
    round_trip(tmp_path, "people", Person.objects.all())
    assert template_headers(client, tmp_path, "people") == ["Mã số thuế tổ chức", "Mã tổ chức kiểm định", "Họ và tên",
                                                  "Chức vụ", "Điện thoại", "Email"]


# --- the list pages ---------------------------------------------------------------------------------------

def test_list_pages_offer_import_by_role(client, world):
    pages = {"units": "geo:administrativeunit_list", "standards": "instruments:measurementstandard_list",
             "people": "orgs:person_list"}
    client.force_login(make_user(Role.OFFICER))
    for name in pages.values():
        page = client.get(reverse(name)).content.decode()
        assert 'data-testid="import"' in page and 'data-testid="export-csv"' in page, name
    client.force_login(make_user(Role.PROVIDER, world.provider))
    offered = {kind for kind, name in pages.items()
               if 'data-testid="import"' in client.get(reverse(name)).content.decode()}
    assert offered == {"standards", "people"}
