"""The shared web surface: lists, search, detail, edit, delete, history, restrictions."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from doluong.core.models import ObjectChange
from doluong.core.roles import Role
from doluong.instruments.models import Instrument
from doluong.orgs.models import Organization, Ownership
from doluong.records.models import ServiceRecord
from tests.factories import (
    InstrumentFactory,
    OrganizationFactory,
    ProviderFactory,
    RecordFactory,
    designate,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(client):
    client.force_login(make_user(Role.OFFICER))
    return client


def test_pages_need_sign_in(client):
    r = client.get(reverse("instruments:instrument_list"))
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_unaccented_search_finds_accented_names(officer_client, geo_map):
    OrganizationFactory(name="Công ty Cổ phần Xăng dầu Yên Bái")
    OrganizationFactory(name="Công ty TNHH Hòa Phát")
    r = officer_client.get(reverse("orgs:organization_list"), {"q": "xang dau yen bai"})
    assert "Xăng dầu Yên Bái" in r.content.decode()
    assert "Hòa Phát" not in r.content.decode()
    units = officer_client.get(reverse("geo:administrativeunit_lookup"), {"q": "yen bai"}).json()["results"]
    # each place with its province and its map (the picker labels old and new units apart)
    assert {u["text"].split(" · ")[:2][0] for u in units} >= {"Tỉnh Yên Bái", "Phường Yên Bái"}
    assert any(u["text"].startswith("Phường Yên Bái · Tỉnh Lào Cai · ") for u in units)


def test_create_edit_delete_keep_history(officer_client):
    data = {"name": "Công ty TNHH Cân Điện Tử Lào Cai", "kind": "enterprise", "tax_code": "0300588569",
            "ownership": "private", "is_active": "on"}
    r = officer_client.post(reverse("orgs:organization_add"), data)
    assert r.status_code == 302
    org = Organization.objects.get(tax_code="0300588569")
    r = officer_client.post(reverse("orgs:organization_edit", args=[org.pk]), {**data, "ownership": "state"})
    assert r.status_code == 302
    changes = ObjectChange.objects.filter(object_id=org.pk, content_type__model="organization")
    assert [c.action for c in changes] == ["update", "create"]
    update = changes[0]
    assert update.user_name.startswith("officer")
    assert update.diff() == [("ownership", "private", "state")]
    page = officer_client.get(org.get_absolute_url()).content.decode()
    with translation.override("vi"):
        before, after = str(Ownership.PRIVATE.label), str(Ownership.STATE.label)
    history = page[page.index('data-testid="history"'):] if 'data-testid="history"' in page else page
    assert before in history and after in history  # the history shows the labels a person reads
    assert ">private<" not in history and ">state<" not in history
    r = officer_client.post(reverse("orgs:organization_delete", args=[org.pk]))
    assert r.status_code == 302
    assert ObjectChange.objects.filter(object_id=org.pk, action="delete").exists()


def test_invalid_tax_code_gets_a_clear_message_and_nothing_is_stored(officer_client):
    r = officer_client.post(reverse("orgs:organization_add"), {
        "name": "X", "kind": "enterprise", "tax_code": "0300588568", "ownership": "private"})
    assert r.status_code == 400
    assert "Mã số thuế không hợp lệ: chữ số kiểm tra không khớp." in r.content.decode()
    assert not Organization.objects.filter(name="X").exists()


def test_provider_cannot_open_another_providers_record(client):
    p1, p2 = ProviderFactory(), ProviderFactory()
    inst = InstrumentFactory()
    designate(p1, inst.kind)
    designate(p2, inst.kind)
    mine, theirs = RecordFactory(provider=p1, instrument=inst), RecordFactory(provider=p2, instrument=inst)
    client.force_login(make_user(Role.PROVIDER, p1))
    assert client.get(mine.get_absolute_url()).status_code == 200
    for name in ("records:servicerecord", "records:servicerecord_edit", "records:servicerecord_delete"):
        assert client.get(reverse(name, args=[theirs.pk])).status_code == 404
    assert client.post(reverse("records:servicerecord_delete", args=[theirs.pk])).status_code == 404
    assert ServiceRecord.objects.filter(pk=theirs.pk).exists()
    listing = client.get(reverse("records:servicerecord_list")).content.decode()
    assert mine.certificate_number in listing and theirs.certificate_number not in listing


def test_provider_records_a_verification_and_the_due_date_moves(client):
    provider = ProviderFactory()
    inst = InstrumentFactory()
    designate(provider, inst.kind)
    client.force_login(make_user(Role.PROVIDER, provider))
    r = client.post(reverse("records:servicerecord_add"), {
        "instrument": inst.pk, "activity": "verification", "performed_on": "15/02/2025", "result": "pass",
        "certificate_number": "KD-2025-1"})
    assert r.status_code == 302, r.content.decode()[:2000]
    record = ServiceRecord.objects.get(certificate_number="KD-2025-1")
    assert record.provider == provider  # set from the account, not from the form
    inst.refresh_from_db()
    assert inst.verification_due_on == dt.date(2026, 2, 14)


def test_provider_refused_outside_scope_sees_the_reason(client):
    provider = ProviderFactory()
    inst = InstrumentFactory()
    client.force_login(make_user(Role.PROVIDER, provider))
    r = client.post(reverse("records:servicerecord_add"), {
        "instrument": inst.pk, "activity": "verification", "performed_on": "15/02/2025", "result": "pass"})
    assert r.status_code == 400
    assert "Vào ngày 15/02/2025, tổ chức kiểm định không có quyết định chỉ định" in r.content.decode()
    assert not ServiceRecord.objects.exists()


def test_enterprise_cannot_add_records_and_adds_instruments_as_its_own(client):
    e1, e2 = OrganizationFactory(), OrganizationFactory()
    kind = InstrumentFactory(owner=e2).kind
    client.force_login(make_user(Role.ENTERPRISE, e1))
    assert client.get(reverse("records:servicerecord_add")).status_code == 404
    r = client.post(reverse("instruments:instrument_add"), {
        "kind": kind.pk, "serial_number": "NEW-1", "status": "in_use", "owner": e2.pk})
    assert r.status_code == 302
    assert Instrument.objects.get(serial_number="NEW-1").owner == e1


def test_many_to_many_changes_are_in_the_history(officer_client):
    from doluong.providers.models import VerificationOfficer
    from tests.factories import KindFactory, OfficerFactory

    officer = OfficerFactory()
    k1, k2 = KindFactory(), KindFactory()
    r = officer_client.post(reverse("providers:verificationofficer_edit", args=[officer.pk]), {
        "provider": officer.provider_id, "full_name": officer.full_name,
        "certificate_number": officer.certificate_number, "kinds": [k1.pk, k2.pk], "is_active": "on"})
    assert r.status_code == 302, r.content.decode()[:1500]
    assert set(VerificationOfficer.objects.get(pk=officer.pk).kinds.all()) == {k1, k2}
    change = ObjectChange.objects.filter(object_id=officer.pk, content_type__model="verificationofficer",
                                         action="update").first()
    assert change.diff() == [("kinds", [], sorted([k1.pk, k2.pk]))]


def test_officers_manage_accounts_and_others_cannot(officer_client, client):
    from doluong.orgs.models import User

    org = OrganizationFactory()
    r = officer_client.post(reverse("orgs:user_add"), {
        "username": "dn-hoaphat", "first_name": "Lan", "last_name": "Trần", "organization": org.pk,
        "role": "enterprise", "is_active": "on", "password": "Mat-khau-2026!"})
    assert r.status_code == 302, r.content.decode()[:1500]
    user = User.objects.get(username="dn-hoaphat")
    assert user.check_password("Mat-khau-2026!") and user.organization == org
    r = officer_client.post(reverse("orgs:user_add"), {"username": "x", "role": "enterprise", "password": "123"})
    assert r.status_code == 400  # weak password refused
    history = ObjectChange.objects.filter(content_type__model="user", object_id=user.pk).first()
    assert history.action == "create" and "password" not in history.postchange_data
    client.force_login(user)
    assert client.get(reverse("orgs:user_list")).status_code == 200
    assert client.get(reverse("orgs:user", args=[user.pk])).status_code == 404


def test_the_shared_edit_form_takes_files(officer_client, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from doluong.indicators.models import Indicator, ManualValue

    settings.MEDIA_ROOT = tmp_path
    ind = Indicator.objects.create(code="M1", name="Số liệu thủ công", unit="lượt", computation="manual")
    page = officer_client.get(reverse("indicators:manualvalue_add")).content.decode()
    assert 'enctype="multipart/form-data"' in page
    r = officer_client.post(reverse("indicators:manualvalue_add"), {
        "indicator": ind.pk, "as_of": "31/12/2025", "value": "12", "evidence": "Báo cáo số 5/BC-SKHCN",
        "evidence_file": SimpleUploadedFile("bao-cao.pdf", b"%PDF-1.4 test", content_type="application/pdf")})
    assert r.status_code == 302, r.content.decode()[:2000]
    mv = ManualValue.objects.get(indicator=ind)
    assert mv.evidence_file.name.endswith(".pdf") and mv.value == 12
    change = ObjectChange.objects.get(content_type__model="manualvalue", object_id=mv.pk)
    assert change.postchange_data["evidence_file"].endswith(".pdf")
