"""The one write path (doluong.core.writes): the cases where the doors used to drift, tried through each face."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from doluong.core import writes
from doluong.core.models import ObjectChange
from doluong.core.roles import Role
from doluong.imports.engine import import_file
from doluong.imports.models import Policy, Status
from doluong.imports.services import revert_batch
from doluong.inspections.forms import InstrumentCheckForm
from doluong.instruments.models import Instrument
from doluong.plans.models import ReportStatus
from doluong.programmes.models import Stage
from doluong.providers.models import Accreditation
from doluong.records.engine import number
from doluong.records.models import ServiceRecord
from tests.factories import (
    InstrumentFactory,
    KindFactory,
    OrganizationFactory,
    ProviderFactory,
    RecordFactory,
    designate,
    make_user,
)
from tests.plans.factories import ReportFactory
from tests.programmes.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with translation.override("en"):
        yield


def _csv(tmp_path, header, rows, name="f.csv"):
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def _officer_client(client):
    client.cookies["django_language"] = "en"
    client.force_login(make_user(Role.OFFICER))
    return client


# --- rules: one declaration for the form and the import ----------------------------------------------

def test_an_accreditation_that_expires_before_its_issue_is_refused_by_form_and_import_alike(client, tmp_path):
    org = ProviderFactory(provider_code="LAB-1")
    client = _officer_client(client)
    data = {"organization": org.pk, "standard": "ISO/IEC 17025", "number": "VILAS 9", "body": "BoA",
            "issued_on": "10/05/2024", "expires_on": "09/05/2024"}
    page = client.post(reverse("providers:accreditation_add"), data)
    assert page.status_code == 400 and "The expiry date is before the issue date." in page.content.decode()
    header = "Mã tổ chức kiểm định,Tiêu chuẩn,Số hiệu,Ngày cấp,Ngày hết hiệu lực"
    out = import_file("accreditations", _csv(tmp_path, header, ["LAB-1,ISO/IEC 17025,VILAS 9,10/05/2024,09/05/2024"]),
                      language="en")
    assert out.batch.status == Status.REJECTED
    assert [e["message"] for e in out.errors] == ["The expiry date is before the issue date."]
    assert not Accreditation.objects.exists()


def test_a_partial_import_is_checked_against_the_stored_date(tmp_path):
    """The file leaves the issue date out: the rule compares the expiry with the issue date already stored."""
    from doluong.providers.models import VerificationOfficer

    org = ProviderFactory(provider_code="LAB-2")
    officer = writes.save(VerificationOfficer(provider=org, full_name="Nguyễn Văn An", certificate_number="KĐV-1",
                                              issued_on=dt.date(2024, 5, 10)), user=None, via=writes.Via.FORM)
    header = "Mã tổ chức kiểm định,Họ và tên,Số thẻ kiểm định viên,Ngày hết hiệu lực"
    out = import_file("officers", _csv(tmp_path, header, ["LAB-2,Nguyễn Văn An,KĐV-1,01/01/2024"]), language="en")
    assert [(e["column"], e["message"]) for e in out.errors] == [
        ("Ngày hết hiệu lực", "The expiry date is before the issue date.")]
    officer.refresh_from_db()
    assert officer.expires_on is None


def test_a_designation_revoked_before_its_decision_is_refused_outside_any_form():
    from doluong.providers.models import Designation

    d = Designation(provider=ProviderFactory(), decision_number="1/QĐ", decision_date=dt.date(2024, 1, 10),
                    revoked_on=dt.date(2023, 12, 31))
    with pytest.raises(ValidationError, match=r"The revocation date is before the decision date\."):
        writes.save(d, user=None, via=writes.Via.API)
    assert d.pk is None


# --- numbers -----------------------------------------------------------------------------------------

def test_one_number_rule_for_every_face():
    from doluong.imports import values

    field = InstrumentCheckForm().fields["e"]
    for typed, expected in (("0,5", "0.5"), ("1.234,5", "1234.5"), ("1,234", "1.234")):
        assert values.decimal(typed) == field.clean(typed) == Decimal(expected)
        assert number(typed) == float(expected)  # a measured value, read by the same function
    with pytest.raises(values.ValueProblem, match="ambiguous"):
        values.decimal("1.234")
    with pytest.raises(ValidationError, match="ambiguous"):
        field.clean("1.234")
    assert number("10.006") == 10.006  # a measured value pasted with a decimal point (measurement=True)


# --- search text: the same for an instrument typed in and one imported -------------------------------

def test_an_imported_instrument_is_found_by_its_owners_name(tmp_path):
    owner = OrganizationFactory(name="Công ty Hòa Phát")
    KindFactory(code="CAN-OTO", name="Cân ô tô")
    out = import_file("instruments", _csv(tmp_path, "Mã số thuế chủ sở hữu,Mã loại phương tiện,Số sản xuất",
                                          [f"{owner.tax_code},CAN-OTO,HP-1"]), language="en")
    assert out.ok, out.errors
    imported = Instrument.objects.get(serial_number="HP-1")
    assert list(Instrument.objects.search("hoa phat")) == [imported]
    assert list(Instrument.objects.search("can o to hp-1")) == [imported]
    typed = InstrumentFactory(owner=owner, kind=imported.kind, serial_number="HP-2", manufacturer="", model_name="",
                              location="")
    assert imported.search_text == typed.search_text.replace("hp-2", "hp-1")


# --- history: every write leaves its rows -------------------------------------------------------------

def test_imported_creations_and_changes_have_history_and_revert_restores_due_dates(tmp_path):
    provider = ProviderFactory(provider_code="TTKD-1")
    kind = KindFactory(code="CTN", verification_interval_months=60)
    designate(provider, kind, decision_date=dt.date(2018, 1, 1))
    owner = OrganizationFactory()
    inst = InstrumentFactory(owner=owner, kind=kind, serial_number="W-1")
    header = "Mã tổ chức kiểm định,Số giấy chứng nhận,Mã số thuế chủ sở hữu,Mã loại phương tiện,Số sản xuất," \
             "Ngày kiểm định,Kết quả"
    out = import_file("records", _csv(tmp_path, header, [f"TTKD-1,G-1,{owner.tax_code},CTN,W-1,05/03/2024,Đạt"]),
                      language="en")
    assert out.ok, out.errors
    record = ServiceRecord.objects.get()
    rows = list(ObjectChange.objects.for_object(record))
    assert [r.action for r in rows] == ["create"] and rows[0].request_id == out.batch.uuid
    inst.refresh_from_db()
    assert inst.verification_due_on == dt.date(2029, 3, 4)  # the follow-up ran once for the import
    out2 = import_file("records", _csv(tmp_path, header, [f"TTKD-1,G-1,{owner.tax_code},CTN,W-1,05/03/2025,Đạt"],
                                       name="g.csv"), language="en", policy=Policy.ALL_OR_NOTHING)
    assert out2.ok and out2.batch.changed_count == 1
    assert [r.action for r in ObjectChange.objects.for_object(record)] == ["update", "create"]
    inst.refresh_from_db()
    assert inst.verification_due_on == dt.date(2030, 3, 4)
    revert_batch(out2.batch)
    inst.refresh_from_db()
    assert inst.verification_due_on == dt.date(2029, 3, 4)  # restored through the write path's follow-up


def test_derived_values_are_computed_even_when_validation_is_skipped():
    provider = ProviderFactory()
    kind = KindFactory(verification_interval_months=12)
    designate(provider, kind)
    record = RecordFactory(provider=provider, instrument=InstrumentFactory(kind=kind))
    record.performed_on = dt.date(2025, 1, 15)
    writes.save(record, user=None, via=writes.Via.SERVICE, validate=False)
    record.refresh_from_db()
    assert record.valid_until == dt.date(2026, 1, 14)


# --- workflow fields and locks --------------------------------------------------------------------------

def test_a_completed_case_cannot_be_moved_back_by_the_generic_form(client):
    case = CaseFactory(stage=Stage.COMPLETED, closed_on=dt.date(2024, 12, 1))
    client = _officer_client(client)
    form_page = client.get(reverse("programmes:assurancecase_edit", args=[case.pk])).content.decode()
    assert 'name="stage"' not in form_page
    data = {"enterprise": case.enterprise_id, "year": 2024, "stage": Stage.SURVEY, "surveyed_on": "01/02/2024",
            "selected_on": "01/03/2024", "closed_on": "01/12/2024"}
    client.post(reverse("programmes:assurancecase_edit", args=[case.pk]), data)
    case.refresh_from_db()
    assert case.stage == Stage.COMPLETED
    case.stage = Stage.SURVEY
    with pytest.raises(ValidationError, match="changed only by its workflow"):
        writes.save(case, user=None, via=writes.Via.API)


def test_a_submitted_report_is_locked_by_the_model_not_only_by_a_form():
    report = ReportFactory(status=ReportStatus.SUBMITTED)
    report.refresh_from_db()
    report.done_text = "changed"
    with pytest.raises(ValidationError, match="can no longer be changed"):
        writes.save(report, user=None, via=writes.Via.API)
    with pytest.raises(ValidationError, match="can no longer be changed"):
        writes.delete(report, user=None, via=writes.Via.API)
    report.refresh_from_db()
    assert report.done_text != "changed"


def test_the_detail_page_of_a_locked_object_has_no_edit_button(client):
    report = ReportFactory(status=ReportStatus.SUBMITTED)
    client = _officer_client(client)
    page = client.get(report.get_absolute_url()).content.decode()
    assert 'data-testid="edit"' not in page
    assert client.get(reverse("plans:progressreport_edit", args=[report.pk])).status_code == 302


# --- access inside the transaction ------------------------------------------------------------------------

def test_a_write_outside_the_users_scope_is_rolled_back():
    provider, other = ProviderFactory(), ProviderFactory()
    kind = KindFactory(verification_interval_months=12)
    designate(other, kind)
    user = make_user(Role.PROVIDER, organization=provider)
    record = ServiceRecord(provider=other, instrument=InstrumentFactory(kind=kind), performed_on=dt.date(2024, 3, 5),
                           certificate_number="X-1")
    with pytest.raises(writes.WriteRefused):
        writes.save(record, user=user, via=writes.Via.API)
    assert not ServiceRecord.objects.exists()
    assert not ObjectChange.objects.filter(content_type__model="servicerecord").exists()


def test_add_from_a_workplans_page_prefills_the_workplan(client):
    from tests.plans.factories import WorkplanFactory

    workplan = WorkplanFactory()
    client = _officer_client(client)
    add = reverse("plans:workplanitem_add") + f"?workplan={workplan.pk}"
    assert f'href="{add}"' in client.get(workplan.get_absolute_url()).content.decode()  # "+ Add" on its page
    page = client.get(add).content.decode()
    assert f'<option value="{workplan.pk}" selected>' in page


def test_renaming_an_owner_refreshes_its_instruments_search_text():
    owner = OrganizationFactory(name="Công ty Hòa Phát")
    instrument = InstrumentFactory(owner=owner)
    assert list(Instrument.objects.search("hoa phat")) == [instrument]
    owner.refresh_from_db()
    owner.name = "Công ty Thép Việt"
    writes.save(owner, user=None, via=writes.Via.FORM)
    assert list(Instrument.objects.search("thep viet")) == [instrument]
    assert not Instrument.objects.search("hoa phat").exists()


def test_an_organisation_edits_its_contact_details_but_not_what_it_is(client):
    from doluong.orgs.models import Organization

    provider = ProviderFactory(provider_code="TTKD-9", phone="")
    user = make_user(Role.PROVIDER, organization=provider)
    client.cookies["django_language"] = "en"
    client.force_login(user)
    form = client.get(reverse("orgs:organization_edit", args=[provider.pk])).content.decode()
    assert 'name="phone"' in form and 'name="tax_code"' not in form and 'name="kind"' not in form
    assert 'name="provider_code"' not in form
    r = client.post(reverse("orgs:organization_edit", args=[provider.pk]),
                    {"phone": "0216 3851 234", "kind": "enterprise", "provider_code": "HACK", "tax_code": ""})
    assert r.status_code == 302
    provider.refresh_from_db()
    assert (provider.phone, provider.kind, provider.provider_code) == ("0216 3851 234", "provider", "TTKD-9")
    # Through the write path itself (an API, a script): refused, nothing kept.
    provider.provider_code = "HACK"
    with pytest.raises(writes.WriteRefused, match="may not change"):
        writes.save(provider, user=user, via=writes.Via.API)
    assert Organization.objects.get(pk=provider.pk).provider_code == "TTKD-9"


def test_an_import_by_an_organisation_keeps_what_it_is_to_the_officers(tmp_path):
    from doluong.orgs.models import Organization

    provider = ProviderFactory(provider_code="TTKD-8", name="Trung tâm 8")
    user = make_user(Role.PROVIDER, organization=provider)
    header = "Tên tổ chức,Mã số thuế,Loại tổ chức,Điện thoại"
    ok = import_file("organizations", _csv(tmp_path, header, [f"Trung tâm 8,{provider.tax_code},provider,0216 1"]),
                     user=user, language="en")
    assert ok.ok, ok.errors
    bad = import_file("organizations", _csv(tmp_path, header, [f"Trung tâm 8,{provider.tax_code},enterprise,0216 2"],
                                            name="g.csv"), user=user, language="en")
    assert [e["message"] for e in bad.errors] == ["your organisation may not change this field"]
    provider.refresh_from_db()
    assert (provider.kind, provider.phone) == ("provider", "0216 1")
    assert Organization.objects.filter(kind="enterprise", tax_code=provider.tax_code).count() == 0


def test_the_import_refuses_what_the_form_refuses_future_dates_and_inactive_officers(tmp_path):
    from django.utils import timezone

    from doluong.providers.models import VerificationOfficer

    provider = ProviderFactory(provider_code="TTKD-7")
    kind = KindFactory(code="CTN", verification_interval_months=60)
    designate(provider, kind, decision_date=dt.date(2018, 1, 1))
    owner = OrganizationFactory()
    InstrumentFactory(owner=owner, kind=kind, serial_number="W-7")
    VerificationOfficer.objects.create(provider=provider, full_name="Lê Văn Bình", certificate_number="K-7",
                                       is_active=False)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).strftime("%d/%m/%Y")
    header = "Mã tổ chức kiểm định,Số giấy chứng nhận,Mã số thuế chủ sở hữu,Mã loại phương tiện,Số sản xuất," \
             "Ngày kiểm định,Kết quả,Số thẻ kiểm định viên"
    out = import_file("records", _csv(tmp_path, header, [
        f"TTKD-7,G-1,{owner.tax_code},CTN,W-7,{tomorrow},Đạt,",
        f"TTKD-7,G-2,{owner.tax_code},CTN,W-7,05/03/2024,Đạt,K-7"]), language="en")
    assert sorted((e["row"], e["message"]) for e in out.errors) == [
        (2, f"The date {tomorrow} is in the future."), (3, "The verification officer Lê Văn Bình is not active.")]
    assert not ServiceRecord.objects.exists()
