"""A record names the standards used, checked on its date; a standard leads back to every record and instrument it
touched (the recall list); records that later facts would refuse are flagged; officers inactive since a date;
as-found points, ambient conditions and attachments; overdue standards; a withdrawn certificate stays as it is
through an import too; "save and add another" from the instrument's page."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from doluong.core import writes
from doluong.core.roles import Role
from doluong.inspections.evaluation import valid_verification_on
from doluong.instruments.models import MeasurementStandard
from doluong.providers.models import Activity, Designation
from doluong.records import certificates, flags
from doluong.records.models import RecordAttachment, ServiceRecord, WithdrawalReason
from doluong.web.waiting import waiting_for
from tests.factories import InstrumentFactory, OfficerFactory, OrganizationFactory, StandardFactory, make_user
from tests.imports.conftest import RECORD_HEADER, write
from tests.imports.conftest import run as import_file

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 3, 5)


def record(world, *, number="GCN-1", instrument=None, on=DAY, standards=(), user=None, **kw):
    obj = ServiceRecord(provider=world.provider, instrument=instrument or world.instruments[0],
                        activity=Activity.VERIFICATION, performed_on=on, result="pass", certificate_number=number,
                        **kw)
    chosen = list(standards)
    return writes.save(obj, user=user, via=writes.Via.SERVICE, m2m=lambda: obj.standards.set(chosen))


@pytest.fixture
def standard(world):
    return StandardFactory(owner=world.provider, name="Bộ quả cân chuẩn M1", serial_number="QC-M1",
                           calibrated_on=dt.date(2024, 6, 1), calibration_due_on=dt.date(2026, 6, 1))


def form_post(world, **extra):
    return {"instrument": world.instruments[0].pk, "activity": "verification", "performed_on": "05/03/2025",
            "result": "pass", "certificate_number": "KD-1", **extra}


# --- 1. standards used, refused precisely ---------------------------------------------------------------

def test_a_record_names_the_providers_standards_valid_on_its_date(world, standard, client):
    client.force_login(make_user(Role.PROVIDER, world.provider))
    r = client.post(reverse("records:servicerecord_add"), form_post(world, standards=[standard.pk]))
    assert r.status_code == 302, r.content.decode()[:3000]
    saved = ServiceRecord.objects.get(certificate_number="KD-1")
    assert list(saved.standards.all()) == [standard]
    page = client.get(saved.get_absolute_url()).content.decode()
    assert "Bộ quả cân chuẩn M1 (QC-M1)" in page


@pytest.mark.parametrize(("change", "message"), [
    ({"calibration_due_on": dt.date(2025, 1, 31)},
     "The calibration of the standard Bộ quả cân chuẩn M1 (QC-M1) expired on 31/01/2025, before the record's date "
     "05/03/2025."),
    ({"calibrated_on": dt.date(2025, 4, 1), "calibration_due_on": dt.date(2027, 4, 1)},
     "The standard Bộ quả cân chuẩn M1 (QC-M1) was calibrated on 01/04/2025, after the record's date 05/03/2025."),
])
def test_a_standard_out_of_calibration_on_the_date_is_refused_in_the_form_and_the_service(world, standard, client,
                                                                                          change, message):
    MeasurementStandard.objects.filter(pk=standard.pk).update(**change)
    client.force_login(make_user(Role.PROVIDER, world.provider))
    client.cookies["django_language"] = "en"
    r = client.post(reverse("records:servicerecord_add"), form_post(world, standards=[standard.pk]))
    assert r.status_code == 400
    assert message in r.content.decode().replace("&#x27;", "'")
    with pytest.raises(ValidationError) as err:
        record(world, standards=[standard])
    assert err.value.message_dict["standards"] == [message]
    assert not ServiceRecord.objects.exists()


def test_another_organisations_standard_is_refused(world, standard):
    foreign = StandardFactory(owner=world.other_provider, name="Chuẩn Lào Cai", serial_number="LC-1")
    with pytest.raises(ValidationError) as err:
        record(world, standards=[standard, foreign])
    assert err.value.message_dict["standards"] == [
        "The standard Chuẩn Lào Cai (LC-1) is not one of this provider's standards."]
    assert not ServiceRecord.objects.exists()


def test_changing_the_date_is_checked_against_the_standards_already_named(world, standard):
    saved = record(world, standards=[standard])
    saved = ServiceRecord.objects.get(pk=saved.pk)
    saved.performed_on = dt.date(2024, 5, 1)  # before the standard's calibration
    with pytest.raises(ValidationError, match="was calibrated on 01/06/2024"):
        writes.save(saved, user=None, via=writes.Via.FORM)


def test_the_provider_form_offers_only_its_own_standards(world, standard, client):
    StandardFactory(owner=world.other_provider, name="Chuẩn của người khác")
    client.force_login(make_user(Role.PROVIDER, world.provider))
    page = client.get(reverse("records:servicerecord_add")).content.decode()
    assert "Bộ quả cân chuẩn M1" in page and "Chuẩn của người khác" not in page


# --- 2. reverse traceability: the recall list ------------------------------------------------------------

@pytest.fixture
def traced(world, standard):
    """Six records: four name the standard (two instruments of one owner, one of another), two do not."""
    other_owner = OrganizationFactory(name="Công ty Khác")
    other = InstrumentFactory(owner=other_owner, kind=world.kind, serial_number="X-9")
    used = [record(world, number=f"GCN-{i}", instrument=inst, on=day, standards=[standard])
            for i, (inst, day) in enumerate([(world.instruments[0], dt.date(2024, 7, 1)),
                                             (world.instruments[0], dt.date(2025, 2, 1)),
                                             (world.instruments[1], dt.date(2025, 3, 1)),
                                             (other, dt.date(2025, 3, 2))], start=1)]
    record(world, number="GCN-5", instrument=world.instruments[2])
    record(world, number="GCN-6", instrument=world.instruments[3])
    return used, other_owner


def direct(standard, since=None):
    qs = ServiceRecord.objects.filter(standards=standard)
    if since:
        qs = qs.filter(performed_on__gte=since)
    return qs


def test_the_recall_list_equals_a_direct_query_of_the_records(world, standard, traced, client):
    client.force_login(make_user(Role.PROVIDER, world.provider))
    url = reverse("records_flow:recall", args=[standard.pk])
    page = client.get(url).content.decode()
    expected = direct(standard)
    assert f'data-testid="recall-records">{expected.count()}<' in page
    n_instruments = expected.values("instrument").distinct().count()
    n_owners = expected.values("instrument__owner").distinct().count()
    assert (n_instruments, n_owners) == (3, 2)
    assert f'data-testid="recall-instruments">{n_instruments}<' in page
    assert f'data-testid="recall-owners">{n_owners}<' in page
    for r in ServiceRecord.objects.all():
        assert (r.get_absolute_url() in page) == expected.filter(pk=r.pk).exists()
    # from a date: the records since the standard's last good calibration
    page = client.get(url, {"since": "01/01/2025"}).content.decode()
    assert f'data-testid="recall-records">{direct(standard, dt.date(2025, 1, 1)).count()}<' in page
    book = client.get(url, {"since": "01/01/2025", "format": "xlsx"})
    assert book.status_code == 200
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(book.content)).get_sheet_by_index(0).to_python()
    rows = [row for row in sheet[4:] if row[0]]
    numbers = {row[2] for row in rows}
    assert numbers == set(direct(standard, dt.date(2025, 1, 1)).values_list("certificate_number", flat=True))
    assert {row[8] for row in rows} == {"Công ty Hòa Phát", "Công ty Khác"}
    assert {row[7] for row in rows} == {"SN-001", "SN-002", "X-9"}


def test_the_recall_list_shows_each_role_only_what_it_may_see(world, standard, traced, client):
    _used, other_owner = traced
    client.force_login(make_user(Role.ENTERPRISE, other_owner))
    url = reverse("records_flow:recall", args=[standard.pk])
    assert client.get(url).status_code == 404  # an enterprise does not read a provider's standards
    client.force_login(make_user(Role.PROVIDER, world.other_provider))
    assert client.get(url).status_code == 404
    client.force_login(make_user(Role.OFFICER))
    page = client.get(url).content.decode()
    assert f'data-testid="recall-records">{direct(standard).count()}<' in page


def test_the_standards_page_offers_the_recall_and_lists_its_records(world, standard, traced, client):
    client.force_login(make_user(Role.PROVIDER, world.provider))
    page = client.get(standard.get_absolute_url()).content.decode()
    assert reverse("records_flow:recall", args=[standard.pk]) in page
    assert "GCN-4" in page and "GCN-5" not in page
    listed = client.get(reverse("records:servicerecord_list"), {"standards": standard.pk}).content.decode()
    assert "GCN-1" in listed and "GCN-4" in listed and "GCN-5" not in listed


# --- 3. flags on records that later facts would refuse ------------------------------------------------------

def flagged_set():
    return set(ServiceRecord.objects.filter(flags.flagged_q()).values_list("certificate_number", flat=True))


def reasons_set():
    return {r.certificate_number for r in ServiceRecord.objects.select_related("instrument", "officer")
            if flags.reasons(r)}


def test_a_designation_revoked_back_to_before_a_record_flags_it(world):
    early = record(world, number="GCN-E", on=dt.date(2024, 1, 10))
    late = record(world, number="GCN-L", on=dt.date(2025, 3, 5))
    water = record(world, number="GCN-W", instrument=world.water, on=dt.date(2025, 3, 5))
    assert flagged_set() == reasons_set() == set()
    Designation.objects.filter(provider=world.provider, scopes__kind=world.kind).update(
        revoked_on=dt.date(2025, 1, 1))
    assert flagged_set() == reasons_set() == {"GCN-L"}
    late = ServiceRecord.objects.get(pk=late.pk)
    assert flags.reasons(late) == [
        "The provider has no designation in force on 05/03/2025 for verifying this kind of instrument: designation "
        f"{Designation.objects.get(scopes__kind=world.kind).decision_number} was revoked on 01/01/2025."]
    assert flags.reasons(ServiceRecord.objects.get(pk=early.pk)) == []
    assert flags.reasons(ServiceRecord.objects.get(pk=water.pk)) == []
    # the provider's home page says so, with the count
    items = {i.key: i.count for i in waiting_for(make_user(Role.PROVIDER, world.provider), timezone.localdate())}
    assert items["records_flagged"] == 1
    assert "records_flagged" not in {i.key for i in waiting_for(make_user(Role.PROVIDER, world.other_provider),
                                                                timezone.localdate())}


def test_an_officer_inactive_since_a_date_refuses_later_records_and_flags_existing_ones(world):
    officer = OfficerFactory(provider=world.provider, full_name="Nguyễn Văn An")
    kept = record(world, number="GCN-1", on=dt.date(2025, 1, 10), officer=officer)
    after = record(world, number="GCN-2", on=dt.date(2025, 3, 5), officer=officer)
    officer.is_active = False
    officer.inactive_since = dt.date(2025, 2, 1)
    writes.save(officer, user=None, via=writes.Via.FORM)
    assert flagged_set() == reasons_set() == {"GCN-2"}
    assert flags.reasons(ServiceRecord.objects.get(pk=after.pk)) == [
        "The verification officer Nguyễn Văn An is inactive since 01/02/2025; the record's date is 05/03/2025."]
    with pytest.raises(ValidationError) as err:
        record(world, number="GCN-3", on=dt.date(2025, 2, 1), officer=officer)
    assert err.value.message_dict["officer"] == [
        "The verification officer Nguyễn Văn An is inactive since 01/02/2025; the record's date is 01/02/2025."]
    # a back-dated record from when the officer was active is accepted
    record(world, number="GCN-4", on=dt.date(2025, 1, 31), officer=officer)
    assert ServiceRecord.objects.get(pk=kept.pk).certificate_number == "GCN-1"


def test_a_standard_whose_dates_are_corrected_flags_the_records_that_used_it(world, standard, client):
    used = record(world, number="GCN-1", standards=[standard])
    record(world, number="GCN-2")
    MeasurementStandard.objects.filter(pk=standard.pk).update(calibration_due_on=dt.date(2025, 1, 1))
    assert flagged_set() == reasons_set() == {"GCN-1"}
    client.force_login(make_user(Role.PROVIDER, world.provider))
    page = client.get(ServiceRecord.objects.get(pk=used.pk).get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert 'data-testid="record-flags"' in page.content.decode()
    listed = client.get(reverse("records:servicerecord_list"), {"review": "flagged"}).content.decode()
    assert "GCN-1" in listed and "GCN-2" not in listed


def test_the_flag_query_and_the_rules_agree_on_a_mixed_set(world, standard):
    officer = OfficerFactory(provider=world.provider)
    for i in range(8):
        record(world, number=f"M-{i}", on=dt.date(2024, 8, 1) + dt.timedelta(days=40 * i),
               officer=officer if i % 2 else None, standards=[standard] if i % 3 == 0 else [],
               instrument=world.instruments[i % 5])
    MeasurementStandard.objects.filter(pk=standard.pk).update(calibration_due_on=dt.date(2025, 3, 1))
    officer.inactive_since = dt.date(2025, 1, 1)
    officer.is_active = False
    officer.save()
    Designation.objects.filter(provider=world.provider, scopes__kind=world.kind).update(
        revoked_on=dt.date(2025, 6, 1))
    assert flagged_set() == reasons_set()
    assert 0 < len(flagged_set()) < 8


# --- 4. withdrawn stays withdrawn, through an import too; inspections ignore it --------------------------------

def test_an_import_cannot_change_a_withdrawn_certificate(world, tmp_path):
    saved = record(world, number="GCN-0001", on=dt.date(2024, 3, 5))
    certificates.withdraw(ServiceRecord.objects.get(pk=saved.pk), user=None,
                          reason=WithdrawalReason.ISSUED_IN_ERROR, on=dt.date(2024, 6, 1))
    tax = world.owner.tax_code
    path = write(tmp_path, "r.csv", f"{RECORD_HEADER}\nTTKD-YB,GCN-0001,{tax},CAN-OTO,SN-001,05/03/2024,Không đạt\n")
    outcome = import_file("records", path)
    assert outcome.batch.rejected_count == 1 and outcome.batch.changed_count == 0
    assert [(e["column"], e["message"]) for e in outcome.errors] == [
        ("Số giấy chứng nhận", "Certificate GCN-0001 was withdrawn on 01/06/2024; it no longer changes.")]
    assert ServiceRecord.objects.get(pk=saved.pk).result == "pass"


def test_a_withdrawn_verification_no_longer_counts_for_an_inspection(world):
    saved = record(world, number="GCN-1", on=dt.date(2025, 1, 10))
    assert valid_verification_on(world.instruments[0].pk, dt.date(2025, 5, 1)) == saved
    certificates.withdraw(ServiceRecord.objects.get(pk=saved.pk), user=None,
                          reason=WithdrawalReason.INSTRUMENT_ALTERED, on=dt.date(2025, 4, 1))
    assert valid_verification_on(world.instruments[0].pk, dt.date(2025, 3, 31)) == saved  # it stood then
    assert valid_verification_on(world.instruments[0].pk, dt.date(2025, 5, 1)) is None


# --- 5. as found / as left, ambient conditions, attachments ---------------------------------------------------

def points_post(name, points):
    data = {f"{name}-rows": str(len(points))}
    for i, (ref, ind) in enumerate(points):
        data[f"{name}-{i}-reference"], data[f"{name}-{i}-indication"] = str(ref), str(ind)
    return data


def test_as_found_points_and_ambient_conditions_are_kept_and_printed(world, standard, client):
    client.force_login(make_user(Role.PROVIDER, world.provider))
    data = form_post(world, standards=[standard.pk], ambient_temperature="23,5", ambient_humidity="61",
                     ambient_pressure="1008", **points_post("points_as_found", [(1000, 1004)]))
    r = client.post(reverse("records:servicerecord_add"), data)
    assert r.status_code == 302, r.content.decode()[:2000]
    saved = ServiceRecord.objects.get(certificate_number="KD-1")
    assert saved.points_as_found == [{"reference": 1000, "indication": 1004}]
    assert (saved.ambient_temperature, saved.ambient_humidity, saved.ambient_pressure) == (23.5, 61, 1008)
    assert saved.certificate["conditions"] == {"t": 23.5, "rh": 61.0, "p": 1008.0}
    assert saved.certificate["as_found"] == [{"reference": 1000, "indication": 1004}]
    page = client.get(reverse("records_flow:certificate", args=[saved.pk])).content.decode()
    assert "23,5 °C" in page and "61 %RH" in page and "QC-M1" in page
    detail = client.get(saved.get_absolute_url()).content.decode()
    assert 'data-testid="points-as-found"' in detail


def test_ambient_values_out_of_physical_range_are_refused(world, client):
    client.force_login(make_user(Role.PROVIDER, world.provider))
    client.cookies["django_language"] = "en"
    r = client.post(reverse("records:servicerecord_add"), form_post(world, ambient_humidity="150"))
    assert r.status_code == 400
    assert "less than or equal to 100" in r.content.decode()
    assert not ServiceRecord.objects.exists()


PDF = b"%PDF-1.4\n%test\n"


def test_attachments_are_kept_shown_to_who_may_see_the_record_and_refused_when_bad(world, client):
    saved = record(world)
    provider_user = make_user(Role.PROVIDER, world.provider)
    client.force_login(provider_user)
    upload = reverse("records_flow:attachment_upload", args=[saved.pk])
    r = client.post(upload, {"file": SimpleUploadedFile("bien-ban.pdf", PDF), "description": "Biên bản"})
    assert r.status_code == 302
    attachment = RecordAttachment.objects.get()
    assert attachment.record == saved and attachment.description == "Biên bản"
    page = client.get(saved.get_absolute_url()).content.decode()
    download = reverse("records_flow:attachment_download", args=[attachment.pk])
    assert download in page
    assert b"".join(client.get(download).streaming_content) == PDF
    # a renamed executable is refused, nothing is stored
    client.post(upload, {"file": SimpleUploadedFile("virus.pdf", b"MZ\x90\x00")})
    assert RecordAttachment.objects.count() == 1
    # the owner reads it; another provider and another enterprise do not
    client.force_login(make_user(Role.ENTERPRISE, world.owner))
    assert client.get(download).status_code == 200
    assert client.post(upload, {"file": SimpleUploadedFile("x.pdf", PDF)}).status_code == 404
    client.force_login(make_user(Role.PROVIDER, world.other_provider))
    assert client.get(download).status_code == 404
    client.force_login(make_user(Role.ENTERPRISE, OrganizationFactory()))
    assert client.get(download).status_code == 404
    # a withdrawn certificate takes no more files
    certificates.withdraw(ServiceRecord.objects.get(pk=saved.pk), user=None,
                          reason=WithdrawalReason.ISSUED_IN_ERROR, on=timezone.localdate())
    client.force_login(provider_user)
    client.post(upload, {"file": SimpleUploadedFile("late.pdf", PDF)})
    assert RecordAttachment.objects.count() == 1
    client.post(reverse("records_flow:attachment_delete", args=[attachment.pk]))
    assert RecordAttachment.objects.count() == 1


# --- 6. overdue standards, "save and add another" ----------------------------------------------------------

def test_overdue_standards_are_flagged_and_filtered(world, client):
    today = timezone.localdate()
    overdue = StandardFactory(owner=world.provider, name="Quá hạn", calibration_due_on=today - dt.timedelta(days=1))
    soon = StandardFactory(owner=world.provider, name="Sắp đến hạn", calibration_due_on=today + dt.timedelta(days=10))
    StandardFactory(owner=world.provider, name="Còn hạn", calibration_due_on=today + dt.timedelta(days=400))
    client.force_login(make_user(Role.PROVIDER, world.provider))
    url = reverse("instruments:measurementstandard_list")
    listed = client.get(url, {"due": "overdue"}).content.decode()
    assert overdue.get_absolute_url() in listed and soon.get_absolute_url() not in listed
    listed = client.get(url, {"due": "30"}).content.decode()
    assert soon.get_absolute_url() in listed and overdue.get_absolute_url() not in listed
    assert 'class="status-overdue"' in client.get(url).content.decode()
    assert set(MeasurementStandard.objects.overdue(today)) == {overdue}


def test_record_from_the_instrument_page_then_save_and_add_another(world, client):
    client.force_login(make_user(Role.PROVIDER, world.provider))
    instrument = world.instruments[0]
    page = client.get(instrument.get_absolute_url()).content.decode()
    add = reverse("records:servicerecord_add") + f"?instrument={instrument.pk}"
    assert add in page
    form = client.get(add).content.decode()
    assert f'value="{instrument.pk}" selected' in form or f'value="{instrument.pk}"' in form
    data = form_post(world, _addanother="1")
    r = client.post(add, data)
    assert r.status_code == 302 and r["Location"] == add
    assert ServiceRecord.objects.filter(certificate_number="KD-1").exists()
    r = client.post(add, form_post(world, certificate_number="KD-2"))
    assert r["Location"] == ServiceRecord.objects.get(certificate_number="KD-2").get_absolute_url()


def test_the_api_takes_the_standards_and_refuses_them_with_the_forms_words(world, standard):
    from tests.api.conftest import token_client

    client = token_client(make_user(Role.PROVIDER, world.provider))
    url = "/api/records/servicerecord/"
    payload = {"instrument": world.instruments[0].pk, "activity": "verification", "performed_on": "2025-03-05",
               "result": "pass", "certificate_number": "API-1", "standards": [standard.pk],
               "ambient_temperature": 22.5}
    r = client.post(url, payload, format="json")
    assert r.status_code == 201, r.content
    saved = ServiceRecord.objects.get(certificate_number="API-1")
    assert list(saved.standards.all()) == [standard] and saved.ambient_temperature == 22.5
    MeasurementStandard.objects.filter(pk=standard.pk).update(calibration_due_on=dt.date(2025, 1, 31))
    r = client.post(url, {**payload, "certificate_number": "API-2"}, format="json")
    assert r.status_code == 400
    assert r.json()["standards"] == [
        "The calibration of the standard Bộ quả cân chuẩn M1 (QC-M1) expired on 31/01/2025, before the record's "
        "date 05/03/2025."]
    assert not ServiceRecord.objects.filter(certificate_number="API-2").exists()


def test_a_number_taken_after_the_rule_ran_is_refused_on_the_field_with_the_rules_words(world):
    """The database constraint (checked by Django after clean()) says what the rule says, on the number's field:
    what a user sees when a colleague took the number between the two checks."""
    record(world, number="GCN-TAKEN")
    second = ServiceRecord(provider=world.provider, instrument=world.instruments[1], activity=Activity.VERIFICATION,
                           performed_on=DAY, result="pass", certificate_number="GCN-TAKEN")
    with pytest.raises(ValidationError) as refused:
        second.validate_constraints()
    expected = {"certificate_number": ["Certificate number GCN-TAKEN is already used by this provider."]}
    assert refused.value.message_dict == expected, refused.value.message_dict
