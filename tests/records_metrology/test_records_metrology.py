"""Records with points and budgets, certificates with QR codes, DCC export/import (validated offline)."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from doluong.core.roles import Role
from doluong.instruments.models import Instrument
from doluong.providers.models import Activity
from doluong.records import dcc
from doluong.records.models import ServiceRecord, Source
from tests.calculators.test_pages import budget_post, points_post
from tests.factories import (
    InstrumentFactory,
    KindFactory,
    OrganizationFactory,
    ProviderFactory,
    RecordFactory,
    designate,
    make_user,
)

pytestmark = pytest.mark.django_db
EXAMPLE = Path("/work/shared/reference/dcc/example-minimal.xml")
EA4_02 = {
    "model": "mS + dD + dm + dC + dB",
    "inputs": {"mS": {"value": 10000.005, "U": 0.045, "k": 2}, "dD": {"value": 0, "distribution": "rectangular",
                                                                     "half_width": 0.015},
               "dm": {"value": 0.02, "u": 0.0144},
               "dC": {"value": 0, "distribution": "rectangular", "half_width": 0.01},
               "dB": {"value": 0, "distribution": "rectangular", "half_width": 0.01}},
    "k": 2,
}


@pytest.fixture
def scale():
    provider = ProviderFactory(provider_code="KD-YB")
    instrument = InstrumentFactory(accuracy_class="III", kind=KindFactory(mpe_rule="OIML-R76"))
    designate(provider, instrument.kind)
    return provider, instrument


def verification(provider, instrument, points, result="pass", **kw):
    return ServiceRecord(provider=provider, instrument=instrument, activity=Activity.VERIFICATION,
                         performed_on=dt.date(2025, 3, 5), result=result, measurement_unit="kg",
                         scale_interval_e="0.005", points=points, **kw)


def calibration(provider, instrument, **kw):
    values = {"provider": provider, "instrument": instrument, "activity": Activity.CALIBRATION,
              "performed_on": dt.date(2025, 4, 2), "result": "pass", "certificate_number": "HC-2025-001",
              "measurand": "Khối lượng quy ước", "measurement_unit": "g", "uncertainty_budget": EA4_02,
              "decision_rule": "guard-band", "guard_band_factor": 1, "lower_limit": 9999.84,
              "upper_limit": 10000.16, "points": [{"reference": 10000, "indication": 10000.025}]}
    values.update(kw)
    record = ServiceRecord(**values)
    record.full_clean()
    record.save()
    return record


# ---------------------------------------------------------------- verification points against the MPE
def test_points_within_the_mpe_are_evaluated_and_stored(scale):
    provider, instrument = scale
    record = verification(provider, instrument, [{"reference": 2.5, "indication": 2.5025},
                                                 {"reference": 10, "indication": 10.005}])
    record.full_clean()
    assert record.points_evaluated["ok"] is True
    assert [p["mpe"] for p in record.points_evaluated["points"]] == [0.0025, 0.005]
    assert record.points_evaluated["stage"] == "initial" and record.points_evaluated["class"] == "III"


def test_a_point_outside_the_mpe_cannot_pass_and_is_named(scale):
    provider, instrument = scale
    record = verification(provider, instrument, [{"reference": 2.5, "indication": 2.5025},
                                                 {"reference": 10, "indication": 10.006}])
    with pytest.raises(ValidationError) as err:
        record.full_clean()
    message = " ".join(err.value.message_dict["result"])
    assert ("point 2" in message or "điểm 2" in message) and "10,006 kg" in message and "±0,005 kg" in message
    assert "point 1" not in message and "điểm 1" not in message
    failed = verification(provider, instrument, record.points, result="fail")
    failed.full_clean()
    assert failed.points_evaluated["ok"] is False


def test_in_service_stage_doubles_the_mpe(scale):
    provider, instrument = scale
    record = verification(provider, instrument, [{"reference": 10, "indication": 10.006}],
                          verification_stage="in-service")
    record.full_clean()
    assert record.points_evaluated["points"][0]["mpe"] == 0.01


def test_missing_e_and_class_are_reported_on_their_fields(scale):
    provider, instrument = scale
    record = verification(provider, instrument, [{"reference": 10, "indication": 10.006}])
    record.scale_interval_e = None
    with pytest.raises(ValidationError) as err:
        record.full_clean()
    assert "scale_interval_e" in err.value.message_dict
    instrument.accuracy_class = ""
    instrument.save()
    with pytest.raises(ValidationError) as err:
        verification(provider, instrument, [{"reference": 10, "indication": 10.006}]).full_clean()
    assert "points" in err.value.message_dict


def test_provider_records_points_in_the_form_and_sees_them(client, scale):
    provider, instrument = scale
    client.force_login(make_user(Role.PROVIDER, provider))
    data = {"instrument": instrument.pk, "activity": "verification", "performed_on": "05/03/2025", "result": "pass",
            "certificate_number": "KD-25-1", "measurement_unit": "kg", "scale_interval_e": "0,005",
            "verification_stage": "initial", **points_post([(2.5, 2.5025), (10, 10.006)])}
    r = client.post(reverse("records:servicerecord_add"), data)
    assert r.status_code == 400
    assert "10,006 kg" in r.content.decode() and "±0,005 kg" in r.content.decode()
    assert not ServiceRecord.objects.exists()
    data["result"] = "fail"
    r = client.post(reverse("records:servicerecord_add"), data)
    assert r.status_code == 302
    record = ServiceRecord.objects.get()
    assert record.points == [{"reference": 2.5, "indication": 2.5025}, {"reference": 10, "indication": 10.006}]
    page = client.get(record.get_absolute_url()).content.decode()
    assert 'data-testid="points"' in page and "±0,005" in page and "table-danger" in page
    assert 'data-testid="certificate-link"' in page and 'data-testid="dcc-link"' not in page


# ---------------------------------------------------------------- calibration with a budget and a decision
def test_calibration_with_a_budget_stores_u_and_the_decision(scale):
    provider, instrument = scale
    record = calibration(provider, instrument)
    record.refresh_from_db()
    assert record.measured_value == pytest.approx(10000.025)
    assert record.expanded_uncertainty == pytest.approx(0.0584902271)
    assert record.coverage_factor == 2 and record.coverage_probability == pytest.approx(0.9545, abs=1e-4)
    assert record.uncertainty_result["u"] == pytest.approx(0.0292451136)
    assert record.decision == "pass"  # 10000.025 within [9999.84 + U, 10000.16 − U]
    assert record.decision_detail["acceptance_limits"][1] == pytest.approx(10000.1015098)


def test_a_failing_decision_cannot_be_saved_as_pass(scale):
    provider, instrument = scale
    with pytest.raises(ValidationError) as err:
        calibration(provider, instrument, upper_limit=10000.06)
    assert "result" in err.value.message_dict
    record = calibration(provider, instrument, upper_limit=10000.06, result="fail")
    assert record.decision == "fail"


def test_calibration_form_with_the_budget_builder(client, scale):
    provider, instrument = scale
    client.force_login(make_user(Role.PROVIDER, provider))
    data = {"instrument": instrument.pk, "activity": "calibration", "performed_on": "02/04/2025", "result": "pass",
            "certificate_number": "HC-9", "measurement_unit": "g", "decision_rule": "non-binary",
            "guard_band_factor": "1", "lower_limit": "9999,84", "upper_limit": "10000,16",
            **budget_post(EA4_02, prefix="uncertainty_budget")}
    r = client.post(reverse("records:servicerecord_add"), data)
    assert r.status_code == 302, r.content.decode()[:3000]
    record = ServiceRecord.objects.get(certificate_number="HC-9")
    assert record.expanded_uncertainty == pytest.approx(0.0584902271) and record.decision == "pass"
    page = client.get(record.get_absolute_url()).content.decode()
    assert 'data-testid="budget-table"' in page and '<svg class="chart hchart"' in page
    assert 'data-testid="dcc-link"' in page
    edit = client.get(reverse("records:servicerecord_edit", args=[record.pk])).content.decode()
    assert 'value="mS + dD + dm + dC + dB"' in edit  # the builder is refilled from the stored budget
    bad = {**data, "certificate_number": "HC-10", "uncertainty_budget-model": "mS ^ 2"}
    r = client.post(reverse("records:servicerecord_add"), bad)
    assert r.status_code == 400 and "BitXor" in r.content.decode()


# ---------------------------------------------------------------- certificate page
def test_certificate_page_has_the_qr_code_and_the_decision_rule(client, scale):
    provider, instrument = scale
    record = calibration(provider, instrument)
    client.force_login(make_user(Role.PROVIDER, provider))
    page = client.get(reverse("records_flow:certificate", args=[record.pk])).content.decode()
    assert '<div class="qr" data-testid="qr"><svg' in page
    assert "http://testserver/check/?number=HC-2025-001" in page
    assert "Quy tắc nhị phân có dải bảo vệ w = 1·U theo ILAC G8:09/2019" in page
    assert "k = 2" in page and "95,4" in page and "U = <strong>0,0585 g" in page
    assert "Giấy chứng nhận hiệu chuẩn" in page
    assert "style=" not in page and "<script>" not in page


def test_verification_certificate_and_access(client, scale):
    provider, instrument = scale
    mine = RecordFactory(provider=provider, instrument=instrument, certificate_number="KD-1")
    other = RecordFactory(provider=ProviderFactory(), instrument=instrument, certificate_number="KD-2")
    client.force_login(make_user(Role.PROVIDER, provider))
    page = client.get(reverse("records_flow:certificate", args=[mine.pk])).content.decode()
    assert "Giấy chứng nhận kiểm định" in page and "<svg" in page
    assert client.get(reverse("records_flow:certificate", args=[other.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("records_flow:certificate", args=[mine.pk])).status_code == 302


# ---------------------------------------------------------------- DCC
def test_exported_dcc_validates_offline(scale):
    provider, instrument = scale
    record = calibration(provider, instrument)
    xml = dcc.export_record(record)
    assert dcc.validation_errors(xml) == []
    assert b'xmlns:dcc="https://ptb.de/dcc"' in xml and b"<si:unit>\\gram</si:unit>" in xml
    assert b"<dcc:conformity>pass</dcc:conformity>" in xml and b"ILAC G8:09/2019" in xml
    assert dcc.SCHEMA_DIR.is_relative_to(Path(dcc.__file__).parent)  # the package's own copy


def test_export_download_and_access(client, scale):
    provider, instrument = scale
    record = calibration(provider, instrument)
    url = reverse("records_flow:dcc_export", args=[record.pk])
    client.force_login(make_user(Role.PROVIDER, provider))
    r = client.get(url)
    assert r.status_code == 200 and r["Content-Type"].startswith("application/xml")
    assert 'filename="DCC-HC-2025-001.xml"' in r["Content-Disposition"]
    assert dcc.validation_errors(r.content) == []
    client.force_login(make_user(Role.PROVIDER, ProviderFactory()))
    assert client.get(url).status_code == 404  # another provider's record
    client.force_login(make_user(Role.ENTERPRISE, instrument.owner))
    assert client.get(url).status_code == 200  # the owner's instrument
    client.force_login(make_user(Role.ENTERPRISE, OrganizationFactory()))
    assert client.get(url).status_code == 404
    verification_record = RecordFactory(provider=provider, instrument=instrument)
    client.force_login(make_user(Role.OFFICER))
    assert client.get(reverse("records_flow:dcc_export", args=[verification_record.pk])).status_code == 404


FIELDS = ("provider_id", "instrument_id", "activity", "performed_on", "result", "certificate_number", "measurand",
          "measurement_unit", "points", "uncertainty_budget", "measured_value", "expanded_uncertainty",
          "coverage_factor", "coverage_probability", "decision_rule", "guard_band_factor", "lower_limit",
          "upper_limit", "decision")


def test_round_trip_export_import_gives_the_same_values(scale, tmp_path):
    provider, instrument = scale
    record = calibration(provider, instrument)
    before = {f: getattr(record, f) for f in FIELDS}
    path = tmp_path / "dcc.xml"
    call_command("dcc_export", str(record.pk), "-o", str(path))
    record.delete()
    call_command("dcc_import", str(path))
    imported = ServiceRecord.objects.get()
    assert {f: getattr(imported, f) for f in FIELDS} == before
    assert imported.source == Source.DCC


def test_round_trip_without_budget_keeps_u_k_and_p(client, scale):
    provider, instrument = scale
    record = calibration(provider, instrument, uncertainty_budget={}, measured_value=20.003,
                         expanded_uncertainty=0.015, coverage_factor=2, coverage_probability=0.95,
                         measurement_unit="°C", decision_rule="", points=[])
    xml = dcc.export_record(record)
    record.delete()
    user = make_user(Role.PROVIDER, provider)
    client.force_login(user)
    r = client.post(reverse("records_flow:dcc_import"), {"file": SimpleUploadedFile("c.xml", xml)})
    assert r.status_code == 302
    got = ServiceRecord.objects.get()
    assert (got.measured_value, got.expanded_uncertainty, got.coverage_factor, got.coverage_probability,
            got.measurement_unit) == (20.003, 0.015, 2, 0.95, "°C")


def test_external_example_is_imported_by_an_officer_who_creates_the_instrument(client):
    provider = ProviderFactory(name="Example Calibration Laboratory")
    owner = OrganizationFactory(name="Example Customer Ltd.")
    kind = KindFactory(name="Nhiệt kế điện trở", code="NK-01")
    client.force_login(make_user(Role.OFFICER))
    r = client.post(reverse("records_flow:dcc_import"),
                    {"file": SimpleUploadedFile("example.xml", EXAMPLE.read_bytes())})
    assert r.status_code == 302, r.content.decode()[-3000:]
    record = ServiceRecord.objects.get()
    assert (record.provider, record.instrument.owner, record.instrument.kind) == (provider, owner, kind)
    assert record.instrument.serial_number == "SN-000123"
    assert (record.certificate_number, record.performed_on) == ("EXAMPLE-DCC-2025-0001", dt.date(2025, 1, 15))
    assert (record.measured_value, record.expanded_uncertainty, record.coverage_factor) == (20.003, 0.015, 2)
    assert record.measurement_unit == "°C" and record.source == "dcc" and record.result == "done"


def test_provider_cannot_import_for_an_unregistered_instrument(client):
    ProviderFactory(name="Example Calibration Laboratory")
    provider = ProviderFactory()
    client.force_login(make_user(Role.PROVIDER, provider))
    r = client.post(reverse("records_flow:dcc_import"),
                    {"file": SimpleUploadedFile("example.xml", EXAMPLE.read_bytes())})
    assert r.status_code == 400 and "SN-000123" in r.content.decode()
    assert not Instrument.objects.exists() and not ServiceRecord.objects.exists()


def test_invalid_dcc_is_rejected_with_the_schema_message(client, tmp_path):
    bad = EXAMPLE.read_bytes().replace(b'schemaVersion="3.3.0"', b'schemaVersion="3.2.0"')
    client.force_login(make_user(Role.OFFICER))
    r = client.post(reverse("records_flow:dcc_import"), {"file": SimpleUploadedFile("bad.xml", bad)})
    page = r.content.decode()
    assert r.status_code == 400 and "schemaVersion" in page and "3.2.0" in page
    no_core = EXAMPLE.read_bytes().split(b"<dcc:coreData>")[0] + EXAMPLE.read_bytes().split(b"</dcc:coreData>")[1]
    assert any("coreData" in e for e in dcc.validation_errors(no_core))
    path = tmp_path / "bad.xml"
    path.write_bytes(bad)
    with pytest.raises(CommandError, match="schemaVersion"):
        call_command("dcc_import", str(path))
    r = client.post(reverse("records_flow:dcc_import"), {"file": SimpleUploadedFile("x.xml", b"<!DOCTYPE x [<!ENTITY a "
                                                                                         b"'aaa'>]><x>&a;</x>")})
    assert r.status_code == 400 and not ServiceRecord.objects.exists()


def test_enterprises_cannot_import(client):
    client.force_login(make_user(Role.ENTERPRISE, OrganizationFactory()))
    assert client.get(reverse("records_flow:dcc_import")).status_code == 404
