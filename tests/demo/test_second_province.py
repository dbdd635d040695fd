"""The demo's second province: Tuyên Quang beside Lào Cai, each with its own plan; each province's officer sees
only its own province (lists, details, dashboard); the national account reads both and opens the national table.
Loaded once per module at a small scale (like test_demo_data)."""

import datetime as dt

import pytest
from django.db.models import Q
from django.urls import reverse

from doluong.core import access
from doluong.core.roles import Role
from doluong.demo import second_province as sp
from doluong.demo.generator import ANCHOR, DEMO_NOTE, NEW_PROVINCE_CODE, PASSWORD, delete_demo
from doluong.demo.reference import current_kinds
from doluong.geo.models import AdministrativeUnit, UnitLevel, UnitSuccession
from doluong.geo.services import CURRENT_CODE, LEGACY_CODE, REFORM_DATE
from doluong.geo.tenancy import province_of_unit
from doluong.instruments.models import Instrument
from doluong.orgs.models import Organization, OrganizationKind, User
from doluong.plans.models import Plan
from doluong.programmes.models import Attendance, Training
from doluong.providers.models import Activity
from doluong.providers.selectors import scope_problem
from doluong.records.models import ServiceRecord
from doluong.reports import planbook
from tests.demo.conftest import SCALE, quiet

AS_OF = ANCHOR.strftime("%d/%m/%Y")
# list page, model, the path to the unit that places an object in a province (its ``province_unit``)
LISTS = [("orgs:organization_list", Organization, "unit"), ("instruments:instrument_list", Instrument, "owner__unit"),
         ("records:servicerecord_list", ServiceRecord, "instrument__owner__unit")]


@pytest.fixture(scope="module")
def demo(demo_loaded):
    return demo_loaded["result"]


@pytest.fixture
def w(demo, db):
    class World:
        tq = sp.province()
        lc = AdministrativeUnit.objects.get(edition__code=CURRENT_CODE, level=UnitLevel.PROVINCE,
                                            code=NEW_PROVINCE_CODE)
        plan_210 = Plan.objects.get(number="210/KH-UBND")
        plan_tq = Plan.objects.get(number=sp.PLAN_NUMBER)
        users = {u.username: u for u in User.objects.select_related("organization")}
    return World()


def within(model, path, province):
    """Objects of ``model`` placed in ``province`` (on any map: its units, and the old provinces that became it)."""
    ids = [province.pk, *UnitSuccession.objects.filter(successor=province, predecessor__level=UnitLevel.PROVINCE)
           .values_list("predecessor_id", flat=True)]
    return model.objects.filter(Q(**{f"{path}__in": ids}) | Q(**{f"{path}__province__in": ids}))


def listed(client, name) -> set[int]:
    r = client.get(reverse(name), {"per_page": 250})
    assert r.status_code == 200
    return set(r.context["table"].data.data.values_list("pk", flat=True))


@pytest.mark.django_db
def test_both_provinces_exist_with_their_own_plans(w, demo):
    assert w.tq.name == "Tỉnh Tuyên Quang" and w.tq.edition.code == CURRENT_CODE
    assert province_of_unit(w.plan_210.province) == w.lc  # Plan 210 of old Yên Bái belongs to today's Lào Cai
    plan = w.plan_tq
    assert plan.province == w.tq and plan.issuer_name == "UBND tỉnh Tuyên Quang"
    assert (plan.start_year, plan.end_year) == (2026, 2030)
    assert list(plan.phases.order_by("number").values_list("start_year", "end_year")) == [(2026, 2027), (2028, 2030)]
    tasks = list(plan.tasks.select_related("lead_agency").order_by("order"))
    assert [t.code for t in tasks] == [t[0] for t in sp.TASKS]
    dost = Organization.objects.get(short_name=sp.DOST_SHORT)
    assert {t.lead_agency for t in tasks} == {dost} and all(t.coordinating_text for t in tasks)
    assert dost.unit.province == w.tq and dost.notes.startswith(DEMO_NOTE)
    # its targets are on the indicators Plan 210 sets targets on, with its own numbers
    targets = {(t.indicator.code, t.milestone): t for t in plan.targets.select_related("indicator")}
    assert len(targets) == len(sp.TARGETS)
    assert {code for code, _m in targets} == set(w.plan_210.targets.values_list("indicator__code", flat=True))
    assert targets[("T4", dt.date(2030, 12, 31))].value == 150
    assert targets[("T3", dt.date(2027, 12, 31))].conditions == {"requires_ownership": ["state", "private"]}
    assert demo["counts"]["tq_plan_tasks"] == len(tasks)
    # an ordinary plan workbook: exported and loaded again (as the province's officer), it changes nothing
    orgs = Organization.objects.count()
    again = planbook.load(planbook.export(plan), user=w.users["officer_tq"])
    assert again == plan and again.tasks.count() == len(tasks) and again.targets.count() == len(targets)
    assert Organization.objects.count() == orgs  # its lead agency was found, not created
    # Lào Cai's department keeps its short name to itself
    assert Organization.objects.filter(short_name="Sở KH&CN").count() == 1
    assert Organization.objects.get(short_name="Sở KH&CN").unit.province == w.lc


@pytest.mark.django_db
def test_tuyen_quang_has_its_registry_and_records(w, demo):
    orgs = within(Organization, "unit", w.tq)
    assert not orgs.exclude(notes__startswith=DEMO_NOTE).exists()
    assert orgs.filter(kind=OrganizationKind.ENTERPRISE).count() == max(8, round(60 * SCALE))
    assert orgs.filter(kind=OrganizationKind.DEPARTMENT).count() == 2
    centre = orgs.get(kind=OrganizationKind.PROVIDER)
    kinds = current_kinds()
    for code in sp.VERIFIED_KINDS:  # a designation in force today for each of its kinds
        assert scope_problem(provider_id=centre.pk, kind_id=kinds[code].pk, activity=Activity.VERIFICATION,
                             on=ANCHOR, range_max=None) is None, code
    assert centre.verification_officers.exists()
    instruments = Instrument.objects.filter(owner__in=orgs)
    assert instruments.count() == demo["counts"]["tq_instruments"] == max(12, round(150 * SCALE))
    assert not instruments.exclude(unit__province=w.tq, unit__edition__code=CURRENT_CODE).exists()
    records = ServiceRecord.objects.filter(instrument__owner__in=orgs)
    assert records.count() == demo["counts"]["tq_records"] > 0
    assert set(records.values_list("provider", flat=True)) == {centre.pk}
    years = {d.year for d in records.values_list("performed_on", flat=True)}
    assert min(years) >= 2020 and max(years) == 2026
    for record in records.select_related("instrument"):
        assert scope_problem(provider_id=record.provider_id, kind_id=record.instrument.kind_id,
                             activity=record.activity, on=record.performed_on,
                             range_max=record.instrument.range_max) is None, record
        assert record.valid_until == record.compute_valid_until()
        if record.performed_on < REFORM_DATE:  # on the old map, in old Tuyên Quang or old Hà Giang
            assert record.unit.edition.code == LEGACY_CODE and record.unit.province.code in ("8", "2")
            assert UnitSuccession.objects.filter(predecessor_id=record.unit_id,
                                                 successor_id=record.instrument.unit_id).exists()
        else:
            assert record.unit_id == record.instrument.unit_id
    assert instruments.exclude(verification_due_on=None).exists()  # due dates refreshed


@pytest.mark.django_db
def test_each_provinces_officer_sees_only_its_province(w, client):
    for username, own, other, other_plan in (("officer_tq", w.tq, w.lc, w.plan_210),
                                             ("officer", w.lc, w.tq, w.plan_tq)):
        client.force_login(w.users[username])
        for name, model, path in LISTS:
            shown = listed(client, name)
            mine = set(within(model, path, own).values_list("pk", flat=True))
            theirs = set(within(model, path, other).values_list("pk", flat=True))
            assert mine and theirs, name
            assert shown & mine and not shown & theirs, (username, name)
            # exactly its own province's, and (organisations) those placed nowhere, e.g. the national institute
            assert not model.objects.filter(pk__in=shown - mine).exclude(**{f"{path}__isnull": True}).exists()
            assert shown >= mine, (username, name)
        # another province's objects are not found
        enterprise = within(Organization, "unit", other).filter(kind=OrganizationKind.ENTERPRISE).first()
        instrument = within(Instrument, "owner__unit", other).first()
        record = within(ServiceRecord, "instrument__owner__unit", other).first()
        for obj in (enterprise, instrument, record, other_plan):
            assert client.get(obj.get_absolute_url()).status_code == 404, (username, obj)
        own_record = within(ServiceRecord, "instrument__owner__unit", own).first()
        assert client.get(own_record.get_absolute_url()).status_code == 200
        plans = set(access.restrict(Plan.objects.all(), w.users[username]).values_list("pk", flat=True))
        assert other_plan.pk not in plans


@pytest.mark.django_db
def test_the_national_account_reads_both_provinces(w, client):
    national = w.users["national"]
    assert national.role == Role.NATIONAL and national.organization.unit_id is None
    assert access.nationwide_reader(national) and not access.nationwide_reader(w.users["officer_tq"])
    client.force_login(national)
    for name, model, path in LISTS:
        shown = listed(client, name)
        for province in (w.tq, w.lc):
            assert shown & set(within(model, path, province).values_list("pk", flat=True)), (name, province)
    for province in (w.tq, w.lc):
        record = within(ServiceRecord, "instrument__owner__unit", province).first()
        assert client.get(record.get_absolute_url()).status_code == 200
    for plan in (w.plan_tq, w.plan_210):
        assert client.get(plan.get_absolute_url()).status_code == 200
    # nothing to write
    assert not access.can(national, ServiceRecord, "add") and not access.can(national, Plan, "change")


@pytest.mark.django_db
def test_the_national_table_shows_both_provinces_with_figures(w, client):
    client.force_login(w.users["national"])
    r = client.get(reverse("indicators_flow:national"), {"as_of": AS_OF})
    assert r.status_code == 200
    rows = {row.province: row for row in r.context["rows"]}
    assert {w.tq, w.lc} <= set(rows)
    assert rows[w.tq].plan == w.plan_tq and rows[w.lc].plan == w.plan_210
    codes = {i.code for i in r.context["indicators"]}
    assert {"T1", "T2", "T3", "T4", "T5"} <= codes
    for province in (w.tq, w.lc):
        cells = {c.indicator.code: c for c in rows[province].cells}
        assert set(cells) == codes and cells["T4"].value > 0, province
    # Tuyên Quang's T4 is the person-times of its trainings since its plan began (2026)
    trained = Attendance.objects.filter(training__unit__province=w.tq, training__starts_on__gte=dt.date(2026, 1, 1),
                                        training__starts_on__lte=ANCHOR).count()
    assert trained > 0 and {c.indicator.code: c for c in rows[w.tq].cells}["T4"].value == trained
    assert Training.objects.filter(plan=w.plan_tq).exists()
    html = r.content.decode()
    for province in (w.tq, w.lc):  # each province's name opens its own dashboard
        assert f'href="{reverse("indicators_flow:dashboard")}?unit={province.pk}' in html


def records_in_2026(province) -> int:
    return ServiceRecord.objects.filter(performed_on__year=2026, performed_on__lte=ANCHOR, superseded_by__isnull=True,
                                        unit__province=province).count()


@pytest.mark.django_db
def test_each_provinces_dashboard_counts_its_own_records(w, client):
    for username, province, plan in (("officer_tq", w.tq, w.plan_tq), ("officer", w.lc, w.plan_210)):
        client.force_login(w.users[username])
        r = client.get(reverse("indicators_flow:dashboard"), {"as_of": AS_OF})
        assert r.status_code == 200
        assert r.context["chosen"]["unit"] == province
        if username == "officer_tq":
            assert r.context["plan"] == plan and r.context["plans"] == [plan]
        shown = next(i for i in r.context["operational"] if i["indicator"].code == "OP-REC")
        expected = records_in_2026(province)
        assert expected > 0 and shown["value"] == expected, username
        assert sum(v for _name, v in r.context["by_field"]) == expected
    assert records_in_2026(w.tq) < records_in_2026(w.lc)
    # the figures came from the summaries load_demo built (whole months) plus the records of the partial month
    from doluong.indicators import summaries
    from doluong.indicators.computations import REGISTRY, Scope

    assert summaries.split(REGISTRY["records"], Scope(as_of=ANCHOR, year=2026, unit=w.tq)) is not None
    assert summaries.check("records") == []


@pytest.mark.django_db
def test_accounts(w):
    dost = Organization.objects.get(short_name=sp.DOST_SHORT)
    for username, role in (("officer_tq", Role.OFFICER), ("leader_tq", Role.LEADER)):
        user = w.users[username]
        assert user.role == role and user.organization == dost and user.check_password(PASSWORD)
        assert access.province_limit(user) == sorted(
            [w.tq.pk, *UnitSuccession.objects.filter(successor=w.tq, predecessor__level=UnitLevel.PROVINCE)
             .values_list("predecessor_id", flat=True)])
    assert w.users["national"].check_password(PASSWORD)
    assert w.users["national"].organization.name == "Viện Đo lường Việt Nam"
    assert access.province_limit(w.users["national"]) is None


@pytest.mark.django_db
def test_delete_demo_removes_the_second_province(w):
    delete_demo(log=quiet)  # rolled back with the test
    assert not within(Organization, "unit", w.tq).exists()
    assert not within(Instrument, "owner__unit", w.tq).exists()
    assert not ServiceRecord.objects.exists()
    assert not Plan.objects.filter(number=sp.PLAN_NUMBER).exists()
    assert not Training.objects.exists()
    assert not User.objects.filter(username__in=["officer_tq", "leader_tq", "national"]).exists()
    assert not Organization.objects.filter(short_name__in=[sp.DOST_SHORT, sp.INDUSTRY_SHORT]).exists()


@pytest.mark.django_db
def test_the_brand_names_the_users_own_province(w, client):
    for username, name in (("officer_tq", "Tuyên Quang"), ("officer", "Lào Cai")):
        client.force_login(w.users[username])
        html = client.get(reverse("indicators_flow:dashboard")).content.decode()
        assert f'<span class="brand-province">· {name}</span>' in html, username
