"""Two provinces in one deployment: each province's officers, leaders and agencies see and write only their
province (lists, details, lookups, search, exports, the API, imports, the dashboard); the national authority reads
both and writes nothing; a provider keeps its own records wherever it worked. Plan 210, issued by the old Tỉnh
Yên Bái in 2019, belongs to today's Lào Cai."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from doluong.core import access, writes
from doluong.core.roles import Role
from doluong.geo.models import AdministrativeUnit, UnitLevel
from doluong.instruments.models import Instrument
from doluong.orgs.models import Organization
from doluong.plans.models import Plan
from doluong.records.models import ServiceRecord
from tests.factories import (
    InstrumentFactory,
    KindFactory,
    ProviderFactory,
    RecordFactory,
    designate,
    make_user,
    valid_tax_code,
)
from tests.plans.factories import DepartmentFactory, PlanFactory, TaskFactory
from tests.programmes.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


class Provinces:
    def __init__(self, geo):
        new = geo.new
        self.geo = geo
        self.tq = AdministrativeUnit.objects.create(edition=new, level=UnitLevel.PROVINCE, code="08",
                                                    name="Tỉnh Tuyên Quang", valid_from=new.valid_from)
        self.tq_commune = AdministrativeUnit.objects.create(edition=new, level=UnitLevel.COMMUNE, code="2200",
                                                            name="Phường Minh Xuân", parent=self.tq,
                                                            province=self.tq, valid_from=new.valid_from)
        self.kind = KindFactory(verification_interval_months=12)
        # Lào Cai: the department on today's map; an enterprise still placed on the old map (old Yên Bái)
        self.dost_lc = DepartmentFactory(name="Sở KH&CN Lào Cai", unit=geo.new_commune)
        self.dost_tq = DepartmentFactory(name="Sở KH&CN Tuyên Quang", unit=self.tq_commune)
        self.national = DepartmentFactory(name="Cục Đo lường")
        self.provider = ProviderFactory(name="Trung tâm Kiểm định Lào Cai", unit=geo.new_commune)
        designate(self.provider, self.kind, decision_date=dt.date(2018, 1, 1), expires_on=dt.date(2030, 12, 31))
        self.ent_lc = EnterpriseFactory(name="Công ty Yên Bái Xưa", unit=geo.old_commune)
        self.ent_tq = EnterpriseFactory(name="Công ty Tuyên Quang", unit=self.tq_commune)
        self.inst_lc = InstrumentFactory(owner=self.ent_lc, kind=self.kind, serial_number="LC-1")
        self.inst_tq = InstrumentFactory(owner=self.ent_tq, kind=self.kind, serial_number="TQ-1")
        self.rec_lc = RecordFactory(provider=self.provider, instrument=self.inst_lc, certificate_number="GCN-LC")
        # the Lào Cai provider works in Tuyên Quang too
        self.rec_tq = RecordFactory(provider=self.provider, instrument=self.inst_tq, certificate_number="GCN-TQ")
        self.plan_210 = PlanFactory(number="210/KH-UBND", province=geo.yen_bai, issuer=self.dost_lc)
        self.plan_tq = PlanFactory(number="99/KH-UBND", province=self.tq, issuer=self.dost_tq)
        self.task_210 = TaskFactory(plan=self.plan_210, lead_agency=self.dost_lc)
        self.task_tq = TaskFactory(plan=self.plan_tq, lead_agency=self.dost_tq)
        self.users = {
            "officer_lc": make_user(Role.OFFICER, self.dost_lc), "officer_tq": make_user(Role.OFFICER, self.dost_tq),
            "leader_tq": make_user(Role.LEADER, self.dost_tq), "agency_tq": make_user(Role.AGENCY, self.dost_tq),
            "national": make_user(Role.NATIONAL, self.national),
            "provider": make_user(Role.PROVIDER, self.provider),
        }
        self.lc = [self.ent_lc, self.inst_lc, self.rec_lc, self.plan_210, self.task_210]
        self.tq_objects = [self.ent_tq, self.inst_tq, self.rec_tq, self.plan_tq, self.task_tq]


@pytest.fixture
def w(geo_map):
    return Provinces(geo_map)


def visible(user, obj) -> bool:
    return access.restrict(type(obj).objects.filter(pk=obj.pk), user).exists()


def test_each_province_sees_its_own_and_national_sees_both(w):
    for name in ("officer_lc",):
        assert all(visible(w.users[name], o) for o in w.lc)
        assert not any(visible(w.users[name], o) for o in w.tq_objects)
    for name in ("officer_tq", "leader_tq", "agency_tq"):
        user = w.users[name]
        assert not any(visible(user, o) for o in w.lc), name
        assert all(visible(user, o) for o in (w.ent_tq, w.inst_tq, w.rec_tq, w.plan_tq, w.task_tq)), name
    national = w.users["national"]
    assert all(visible(national, o) for o in w.lc + w.tq_objects)
    for model in (Instrument, ServiceRecord, Plan, Organization):
        assert not access.can(national, model, "add")
        assert not access.restrict(model.objects.all(), national, "change").exists()
    # the provider keeps its own records in both provinces
    provider = w.users["provider"]
    assert visible(provider, w.rec_lc) and visible(provider, w.rec_tq)


def test_pages_lookups_search_and_exports_stay_within_the_province(w, client):
    client.force_login(w.users["officer_tq"])
    listed = client.get(reverse("instruments:instrument_list")).content.decode()
    assert w.inst_tq.get_absolute_url() in listed and w.inst_lc.get_absolute_url() not in listed
    assert client.get(w.inst_lc.get_absolute_url()).status_code == 404
    assert client.get(w.rec_lc.get_absolute_url()).status_code == 404
    assert client.get(w.plan_210.get_absolute_url()).status_code == 404
    assert client.get(reverse("instruments:instrument_edit", args=[w.inst_lc.pk])).status_code == 404
    found = {r["id"] for r in client.get(reverse("orgs:organization_lookup"), {"q": "Công ty"}).json()["results"]}
    assert w.ent_tq.pk in found and w.ent_lc.pk not in found
    page = client.get(reverse("search"), {"q": "GCN"}).content.decode()
    assert "GCN-TQ" in page and "GCN-LC" not in page
    r = client.get(reverse("imports:export", args=["records"]), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(r.streaming_content).decode("utf-8-sig"))))
    numbers = {cell for row in rows[1:] for cell in row}
    assert "GCN-TQ" in numbers and "GCN-LC" not in numbers


def test_the_api_stays_within_the_province(w):
    from tests.api.conftest import token_client

    body = token_client(w.users["officer_tq"]).get("/api/records/servicerecord/").json()
    items = body["results"] if isinstance(body, dict) else body
    assert {i["id"] for i in items} == {w.rec_tq.pk}
    national = token_client(w.users["national"]).get("/api/records/servicerecord/").json()
    items = national["results"] if isinstance(national, dict) else national
    assert {i["id"] for i in items} == {w.rec_lc.pk, w.rec_tq.pk}


def test_an_officer_cannot_write_into_another_province(w, client):
    officer = w.users["officer_tq"]
    org = Organization(name="Công ty đặt nhầm tỉnh", kind="enterprise", unit=w.geo.new_commune)
    with pytest.raises(writes.WriteRefused):
        writes.save(org, user=officer, via=writes.Via.FORM)
    assert not Organization.objects.filter(name="Công ty đặt nhầm tỉnh").exists()
    inst = Instrument.objects.get(pk=w.inst_tq.pk)
    inst.owner = w.ent_lc  # moving an instrument to the other province's enterprise
    with pytest.raises(writes.WriteRefused):
        writes.save(inst, user=officer, via=writes.Via.FORM)
    assert Instrument.objects.get(pk=w.inst_tq.pk).owner_id == w.ent_tq.pk


TAX_A, TAX_B = valid_tax_code(987_001), valid_tax_code(987_002)


def test_an_import_placing_objects_in_another_province_keeps_nothing(w, tmp_path, settings):
    from doluong.imports.engine import ImportRefused, import_file

    settings.MEDIA_ROOT = tmp_path / "media"
    path = tmp_path / "orgs.csv"
    path.write_text("Tên tổ chức,Loại tổ chức,Mã số thuế,Mã ĐVHC,Bản đồ\n"
                    f"Công ty Mới A,Doanh nghiệp,{TAX_A},{w.tq_commune.code},VN-2025\n"
                    f"Công ty Mới B,Doanh nghiệp,{TAX_B},{w.geo.new_commune.code},VN-2025\n", encoding="utf-8")
    before = Organization.objects.count()
    assert TAX_A != TAX_B
    with pytest.raises(ImportRefused, match="1 row places its object outside your province; nothing was imported"):
        import_file("organizations", path, user=w.users["officer_tq"], language="en")
    assert Organization.objects.count() == before
    # the same file without the other province's row is imported
    path.write_text("Tên tổ chức,Loại tổ chức,Mã số thuế,Mã ĐVHC,Bản đồ\n"
                    f"Công ty Mới A,Doanh nghiệp,{TAX_A},{w.tq_commune.code},VN-2025\n", encoding="utf-8")
    outcome = import_file("organizations", path, user=w.users["officer_tq"], language="en")
    assert outcome.batch.created_count == 1, outcome.errors
    assert Organization.objects.get(name="Công ty Mới A").unit == w.tq_commune


def test_the_dashboard_of_a_province_counts_its_own_province(w, client):
    client.force_login(w.users["officer_tq"])
    r = client.get(reverse("indicators_flow:dashboard"), {"unit": w.geo.lao_cai.pk})
    assert r.status_code == 200
    assert r.context["chosen"]["unit"] == w.tq  # another province's place gives way to its own
    client.force_login(w.users["national"])
    r = client.get(reverse("indicators_flow:dashboard"), {"unit": w.geo.lao_cai.pk})
    assert r.context["chosen"]["unit"] == w.geo.lao_cai


def picked(client, user, q=""):
    client.force_login(user)
    r = client.get(reverse("geo:administrativeunit_lookup"), {"q": q})
    assert r.status_code == 200
    return {row["id"] for row in r.json()["results"]}


def test_the_place_picker_stays_within_the_users_province_unless_national(w, client):
    g = w.geo
    lao_cai_all = {g.yen_bai.pk, g.old_lao_cai.pk, g.lao_cai.pk, g.old_commune.pk, g.new_commune.pk}
    offered = picked(client, w.users["officer_lc"])
    assert lao_cai_all <= offered  # today's province and the old ones that became it, with their communes
    assert not offered & {w.tq.pk, w.tq_commune.pk}
    assert picked(client, w.users["leader_tq"]) == {w.tq.pk, w.tq_commune.pk}
    assert picked(client, w.users["officer_tq"], "yen bai") == set()  # typed, still not offered
    assert {w.tq.pk, w.tq_commune.pk, g.lao_cai.pk} <= picked(client, w.users["national"])
    assert w.tq_commune.pk in picked(client, w.users["provider"], "minh xuan")  # a provider works anywhere
