"""Issued certificates are evidence: frozen statement, versions, withdrawal, no deletion, imports that cannot
re-point a certificate, revert restoring due dates, the public check in words, throttled, indexed, and the PDF."""

import datetime as dt
import re
import shutil
import subprocess
from urllib.parse import urlencode

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from doluong.core import writes
from doluong.core.models import ObjectChange
from doluong.core.roles import Role
from doluong.imports.services import revert_batch
from doluong.indicators.computations import REGISTRY, Scope, scoped, value_of
from doluong.instruments.models import Instrument
from doluong.providers.models import Activity
from doluong.records import certificates
from doluong.records.models import ServiceRecord, WithdrawalReason
from tests.factories import InstrumentFactory, KindFactory, ProviderFactory, designate, make_user
from tests.imports.conftest import RECORD_HEADER, record_rows, write
from tests.imports.conftest import run as import_file

pytestmark = pytest.mark.django_db
TOOLS = all(shutil.which(t) for t in ("pdftotext", "pdffonts", "pdftoppm", "zbarimg"))


def officer():
    return make_user(Role.OFFICER)


def issue(world, *, number="GCN-1", instrument=None, performed_on=None, user=None, **kw):
    record = ServiceRecord(provider=world.provider, instrument=instrument or world.instruments[0],
                           activity=Activity.VERIFICATION, performed_on=performed_on or timezone.localdate(),
                           result="pass", certificate_number=number, **kw)
    return writes.save(record, user=user, via=writes.Via.FORM)


def check(client, number, **extra):
    """The public check, read in English (the language cookie: pages are Vietnamese by default)."""
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client.get(reverse("certificate_check"), {"number": number}, **extra)


def states(response) -> list[str]:
    return re.findall(r'data-state="([a-z-]+)"', response.content.decode())


# --- 1. issued means frozen -------------------------------------------------------------------------

def test_issue_freezes_what_the_certificate_states(world, client):
    record = issue(world)
    cert = record.certificate
    assert cert["instrument"]["serial"] == "SN-001" and cert["owner"]["name"] == "Công ty Hòa Phát"
    assert cert["provider"]["code"] == "TTKD-YB" and cert["designation"]["number"]
    assert cert["valid_until"] == record.valid_until.isoformat() and cert["result"] == "pass"
    instrument = Instrument.objects.get(pk=record.instrument_id)
    instrument.serial_number = "CHANGED-999"
    writes.save(instrument, user=None, via=writes.Via.FORM)
    record.refresh_from_db()
    assert record.certificate == cert
    page = check(client, "gcn-1").content.decode()
    assert "SN-001" in page and "CHANGED-999" not in page
    # a later write of the record itself keeps what it said of the instrument
    record.notes = "ghi chú nội bộ"
    writes.save(record, user=None, via=writes.Via.FORM)
    record.refresh_from_db()
    assert record.certificate["instrument"]["serial"] == "SN-001"
    assert "ghi chú nội bộ" not in check(client, "GCN-1").content.decode()  # nothing private


def test_an_issued_certificate_keeps_its_instrument_and_number(world):
    record = issue(world)
    record.instrument = world.instruments[1]
    with pytest.raises(ValidationError) as err:
        writes.save(record, user=None, via=writes.Via.FORM)
    assert "never moves to another instrument" in str(err.value)
    record = ServiceRecord.objects.get(pk=record.pk)
    record.certificate_number = "GCN-OTHER"
    with pytest.raises(ValidationError, match="Issue a corrected version"):
        writes.save(record, user=None, via=writes.Via.FORM)


def test_a_draft_gets_its_statement_when_numbered(world):
    draft = issue(world, number="")
    assert draft.certificate == {}
    writes.delete(ServiceRecord.objects.get(pk=draft.pk), user=None, via=writes.Via.FORM)  # a draft may go
    draft = issue(world, number="")
    draft.certificate_number = "GCN-9"
    writes.save(draft, user=None, via=writes.Via.FORM)
    assert draft.certificate["number"] == "GCN-9" and draft.certificate["instrument"]["serial"] == "SN-001"


# --- deletion refused, withdrawal, versions ---------------------------------------------------------

def test_deleting_an_issued_certificate_is_refused(world, client):
    record = issue(world)
    with pytest.raises(ValidationError, match=r"cannot be deleted\. Withdraw it"):
        writes.delete(ServiceRecord.objects.get(pk=record.pk), user=None, via=writes.Via.FORM)
    user = make_user(Role.PROVIDER, world.provider)
    client.force_login(user)
    page = client.get(record.get_absolute_url()).content.decode()
    assert reverse("records:servicerecord_delete", args=[record.pk]) not in page
    assert 'data-testid="withdraw-link"' in page and 'data-testid="correct-link"' in page
    r = client.post(reverse("records:servicerecord_delete", args=[record.pk]))
    assert r.status_code == 302 and ServiceRecord.objects.filter(pk=record.pk).exists()


def test_withdrawal_through_the_page(world, client):
    record = issue(world, performed_on=dt.date(2024, 3, 5))
    instrument = Instrument.objects.get(pk=record.instrument_id)
    assert instrument.verification_due_on == dt.date(2025, 3, 4)
    user = make_user(Role.PROVIDER, world.provider)
    client.force_login(user)
    url = reverse("records_flow:withdraw", args=[record.pk])
    assert client.get(url).status_code == 200
    r = client.post(url, {"reason": "other", "note": "", "on": timezone.localdate().strftime("%d/%m/%Y")})
    assert r.status_code == 400  # "other" needs the details
    r = client.post(url, {"reason": WithdrawalReason.INSTRUMENT_ALTERED, "note": "Niêm phong bị phá",
                          "on": "10/06/2024"})
    assert r.status_code == 302
    record.refresh_from_db()
    assert (record.withdrawn_on, record.withdrawal_reason, record.withdrawn_by) == (
        dt.date(2024, 6, 10), "altered", user)
    instrument.refresh_from_db()
    assert instrument.verification_due_on is None  # a withdrawn certificate vouches for nothing
    assert record.edit_lock() and client.get(reverse("records:servicerecord_edit", args=[record.pk])).status_code == 302
    rows = ObjectChange.objects.for_object(record)
    assert rows.count() == 2 and rows.first().postchange_data["withdrawal_reason"] == "altered"
    client.logout()
    page = check(client, "GCN-1").content.decode()
    assert states(check(client, "GCN-1")) == ["withdrawn"]
    assert "Withdrawn on 10/06/2024 (instrument altered, repaired or its seal broken)." in page
    assert "Niêm phong" not in page


def test_correction_supersedes_and_counts_once(world, client):
    old = issue(world, performed_on=dt.date(2024, 3, 5), stamp_number="T-1")
    user = make_user(Role.PROVIDER, world.provider)
    client.force_login(user)
    url = reverse("records_flow:correct", args=[old.pk])
    form = client.get(url)
    assert form.status_code == 200 and 'name="instrument"' not in form.content.decode()
    data = {"activity": "verification", "performed_on": "05/03/2024", "result": "pass", "certificate_number": "",
            "stamp_number": "T-1", "notes": "sửa ngày", "guard_band_factor": "1", "verification_stage": "initial"}
    assert client.post(url, data).status_code == 400  # a new number is needed
    data["certificate_number"] = "GCN-1A"
    r = client.post(url, data)
    assert r.status_code == 302, r.content.decode()[:2000]
    new = ServiceRecord.objects.get(certificate_number="GCN-1A")
    old.refresh_from_db()
    assert old.superseded_by == new and new.instrument_id == old.instrument_id
    assert certificates.versions(new) == [old, new] == certificates.versions(old)
    assert ObjectChange.objects.for_object(old).count() == 2 and ObjectChange.objects.for_object(new).count() == 1
    page = client.get(new.get_absolute_url()).content.decode()
    assert 'data-testid="certificate-versions"' in page
    client.logout()
    assert states(check(client, "GCN-1")) == ["superseded"]
    assert "Superseded by number GCN-1A" in check(client, "GCN-1").content.decode()
    assert states(check(client, "gcn-1a")) == ["expired"]
    scope = Scope(as_of=timezone.localdate(), since=dt.date(2020, 1, 1))
    for key in ("records", "instruments_verified"):
        comp = REGISTRY[key]
        assert value_of(comp, scoped(comp, scope), scope) == 1, key


# --- imports ------------------------------------------------------------------------------------------

def _csv(tmp_path, rows, name):
    return write(tmp_path, name, "\n".join([RECORD_HEADER, *rows]) + "\n")


def test_an_import_cannot_move_a_certificate_to_another_instrument(world, tmp_path):
    import_file("records", _csv(tmp_path, record_rows(world, n=2), "a.csv"))
    before = ServiceRecord.objects.get(certificate_number="GCN-0001")
    rows = record_rows(world, n=2)
    rows[0] = rows[0].replace("SN-001", "SN-004")
    out = import_file("records", _csv(tmp_path, rows, "b.csv"))
    assert out.batch.rejected_count == 1
    error = out.errors[0]
    assert error["row"] == 2 and error["column"] == "Số sản xuất"
    assert "GCN-0001 was issued for the instrument with serial number SN-001" in error["message"]
    after = ServiceRecord.objects.get(certificate_number="GCN-0001")
    assert after.instrument_id == before.instrument_id and after.certificate == before.certificate


def test_an_import_freezes_and_keeps_the_statement(world, tmp_path):
    path = _csv(tmp_path, record_rows(world, n=2), "a.csv")
    import_file("records", path)
    rec = ServiceRecord.objects.get(certificate_number="GCN-0001")
    assert rec.certificate["instrument"]["serial"] == "SN-001" and rec.certificate["provider"]["code"] == "TTKD-YB"
    Instrument.objects.filter(pk=rec.instrument_id).update(manufacturer="Đổi tên")
    again = import_file("records", path).batch
    assert (again.changed_count, again.unchanged_count) == (0, 2)  # the statement is not taken again
    assert ServiceRecord.objects.get(pk=rec.pk).certificate == rec.certificate


def _derived():
    return {i.pk: (i.verification_due_on, i.last_verified_on) for i in Instrument.objects.order_by("pk")}


def test_reverting_imports_restores_due_dates_and_statements_exactly(world, tmp_path):
    issue(world, number="FORM-1", instrument=world.instruments[0], performed_on=dt.date(2023, 2, 1))
    baseline, statements = _derived(), dict(ServiceRecord.objects.values_list("pk", "certificate"))
    first = import_file("records", _csv(tmp_path, record_rows(world, n=3), "a.csv")).batch
    after_first = _derived()
    assert after_first[world.instruments[0].pk] == (dt.date(2025, 3, 4), dt.date(2024, 3, 5))
    kept = dict(ServiceRecord.objects.values_list("pk", "certificate"))
    rows = record_rows(world, n=4)
    rows[0] = rows[0].replace("05/03/2024", "07/03/2024")
    second = import_file("records", _csv(tmp_path, rows, "b.csv")).batch
    assert (second.created_count, second.changed_count) == (1, 1)
    assert _derived()[world.instruments[0].pk] == (dt.date(2025, 3, 6), dt.date(2024, 3, 7))
    revert_batch(second)
    assert _derived() == after_first
    assert dict(ServiceRecord.objects.values_list("pk", "certificate")) == kept
    revert_batch(first, force=True)
    assert _derived() == baseline
    assert dict(ServiceRecord.objects.values_list("pk", "certificate")) == statements


# --- 2. the public check ----------------------------------------------------------------------------

def test_the_public_check_in_words(world, client):
    today = timezone.localdate()
    issue(world, number="CUR-1", performed_on=today - dt.timedelta(days=10))
    expired = issue(world, number="OLD-1", instrument=world.instruments[1], performed_on=dt.date(2022, 3, 5))
    r = check(client, "cur-1")
    assert states(r) == ["current"]
    until = ServiceRecord.objects.get(certificate_number="CUR-1").valid_until
    assert f"Genuine and current (valid until {until:%d/%m/%Y})." in r.content.decode()
    page = check(client, "OLD-1").content.decode()
    assert states(check(client, "OLD-1")) == ["expired"]
    assert f"expired on {expired.valid_until + dt.timedelta(days=1):%d/%m/%Y}" in page
    line = re.search(r'data-testid="check-result-line">([^<]*)<', page).group(1)
    assert "passed the verification — Genuine but expired" in line
    assert "border-success" not in page
    forged = check(client, "KHONG-CO-123")
    assert states(forged) == [] and "Not issued by any provider here" in forged.content.decode()
    assert "Công ty Hòa Phát" not in page  # the owner is not shown publicly


def test_a_calibration_has_no_pass_fail_colour(world, client):
    kind = KindFactory()
    instrument = InstrumentFactory(owner=world.owner, kind=kind, serial_number="CAL-1")
    record = ServiceRecord(provider=world.provider, instrument=instrument, activity=Activity.CALIBRATION,
                           performed_on=dt.date(2025, 4, 2), result="pass", certificate_number="HC-1",
                           measurement_unit="g", measured_value=10000.025, expanded_uncertainty=0.0585,
                           coverage_factor=2)
    writes.save(record, user=None, via=writes.Via.FORM)
    page = check(client, "hc-1").content.decode()
    assert states(check(client, "hc-1")) == ["issued"]
    assert "border-secondary" in page and "border-success" not in page and "border-danger" not in page
    assert "Pass" not in page and "passed" not in page
    assert re.search(r"10[.,]?000[.,]025 g ± 0[.,]0585 g \(k = 2\)", page), page


def test_the_check_is_throttled_per_client(world, client, settings):
    settings.CERTIFICATE_CHECK_PER_MINUTE = 3
    issue(world)
    for _ in range(3):
        assert check(client, "GCN-1").status_code == 200
    r = check(client, "GCN-1")
    assert r.status_code == 429 and "Too many checks" in r.content.decode()
    other = check(client, "GCN-1", REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN of PostgreSQL")
def test_the_lookup_uses_the_upper_indexes():
    sql, params = certificates.lookup("gcn-1").values("pk").query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cur.fetchall())
    assert "record_certificate_upper_idx" in plan and "record_stamp_upper_idx" in plan, plan
    assert "UPPER" in sql.upper() and "GCN-1" in params


# --- 3. the PDF ---------------------------------------------------------------------------------------

def _pdf_checks(client, record, tmp_path):
    r = client.get(reverse("records_flow:certificate_pdf", args=[record.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    path = tmp_path / f"{record.pk}.pdf"
    path.write_bytes(r.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
    families = {re.sub(r"(-(Bold|Italic|Regular))+$", "", re.sub(r"^[A-Z]{6}\+", "", row[0])) for row in rows}
    assert families == {"Liberation-Serif"}, fonts
    assert all(row[-5] == "yes" for row in rows), fonts  # the "emb" column
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")],
                   check=True)
    image = next(tmp_path.glob("page*.png"))
    decoded = subprocess.run(["zbarimg", "--raw", "-q", str(image)], capture_output=True, text=True).stdout.strip()
    image.unlink()
    number = record.certificate_number
    assert decoded == "http://testserver" + reverse("certificate_check") + "?" + urlencode({"number": number})
    return text, decoded


@pytest.mark.skipif(not TOOLS, reason="poppler-utils and zbar-tools are needed")
def test_pdfs_tell_their_state_through_the_qr_code(world, client, tmp_path):
    today = timezone.localdate()
    current = issue(world, number="CUR-1", performed_on=today - dt.timedelta(days=3), stamp_number="TEM-77")
    expired = issue(world, number="OLD-1", instrument=world.instruments[1], performed_on=dt.date(2022, 3, 5))
    withdrawn = issue(world, number="WD-1", instrument=world.instruments[2], performed_on=today)
    certificates.withdraw(withdrawn, user=None, reason=WithdrawalReason.ISSUED_IN_ERROR, on=today)
    replaced = issue(world, number="SUP-1", instrument=world.instruments[3], performed_on=today)
    draft = certificates.correction_draft(replaced)
    draft.certificate_number = "SUP-2"
    certificates.correct(replaced, draft, user=None)
    user = make_user(Role.PROVIDER, world.provider)
    expected = {current: "current", expired: "expired", withdrawn: "withdrawn", replaced: "superseded"}
    for record, state in expected.items():
        record.refresh_from_db()
        client.force_login(user)
        text, url = _pdf_checks(client, record, tmp_path)
        assert record.certificate_number in text and record.certificate["instrument"]["serial"] in text
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
        assert "GIẤY CHỨNG NHẬN KIỂM ĐỊNH" in text and world.provider.name.upper() in text
        client.logout()
        assert states(client.get(url)) == [state], record
    assert "TEM-77" in _pdf_checks(client.force_login(user) or client, current, tmp_path)[0]


@pytest.mark.skipif(not TOOLS, reason="poppler-utils and zbar-tools are needed")
def test_a_calibration_pdf_states_values_uncertainty_and_rule(tmp_path, client):
    from tests.records_metrology.test_records_metrology import calibration

    provider = ProviderFactory(provider_code="KD-YB", name="Trung tâm Hiệu chuẩn")
    instrument = InstrumentFactory(accuracy_class="III", kind=KindFactory(mpe_rule="OIML-R76"),
                                   serial_number="QC-10KG")
    designate(provider, instrument.kind)
    record = calibration(provider, instrument)
    client.force_login(make_user(Role.PROVIDER, provider))
    text, url = _pdf_checks(client, record, tmp_path)
    flat = " ".join(text.split())
    assert "GIẤY CHỨNG NHẬN HIỆU CHUẨN" in text and "QC-10KG" in text and "HC-2025-001" in text
    assert "U = 0,0585 g" in flat and "k = 2" in flat and "ILAC G8" in flat
    assert "Đạt yêu cầu kiểm định" not in text
    client.logout()
    assert states(client.get(url)) == ["issued"]


def test_pdf_access_follows_the_record(world, client):
    record = issue(world)
    client.force_login(make_user(Role.PROVIDER, world.other_provider))
    assert client.get(reverse("records_flow:certificate_pdf", args=[record.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("records_flow:certificate_pdf", args=[record.pk])).status_code == 302
