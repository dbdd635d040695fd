"""The reference and demo loaders, at a small scale (load once per module, then checked)."""

import datetime as dt
import random

import pytest
from django.db.models import Count

from doluong.core.identifiers import tax_code_problem
from doluong.core.roles import Role
from doluong.demo.generator import ANCHOR, DEMO_NOTE, load_demo
from doluong.demo.reference import FIELDS, KINDS, load_reference
from doluong.geo.models import UnitSuccession
from doluong.geo.services import CURRENT_CODE, LEGACY_CODE, REFORM_DATE
from doluong.instruments.models import Instrument, InstrumentKind, MetrologyField
from doluong.orgs.models import Organization, OrganizationKind, Sector, User
from doluong.providers.models import Activity
from doluong.providers.selectors import scope_problem
from doluong.records.models import Result, ServiceRecord, Source
from tests.demo.conftest import SCALE, SEED, quiet


@pytest.fixture(scope="module")
def demo(demo_loaded):
    return demo_loaded


@pytest.mark.django_db
def test_reference_data_is_loaded_and_idempotent(demo):
    assert list(MetrologyField.objects.order_by("order").values_list("code", flat=True)) == [f[0] for f in FIELDS]
    assert set(Sector.objects.filter(is_priority=True).values_list("code", flat=True)) == {
        "high_tech", "electronics", "telecom_digital", "hitech_agri"}
    kinds = InstrumentKind.objects.count()
    assert kinds >= len(KINDS) >= 30
    load_reference(maps=False)
    assert InstrumentKind.objects.count() == kinds
    # A kind with a superseded edition: the earlier one ends the day before the later one starts.
    editions = list(InstrumentKind.objects.filter(code="taximet").order_by("valid_from"))
    assert len(editions) == 2
    assert editions[0].valid_to == editions[1].valid_from - dt.timedelta(days=1)


@pytest.mark.django_db
def test_counts_scale(demo):
    counts = demo["result"]["counts"]
    # Lào Cai's part (the second demo province, Tuyên Quang, counts under tq_*: tests/demo/test_second_province.py)
    assert counts["instruments"] == Instrument.objects.count() - counts["tq_instruments"] == round(10000 * SCALE)
    lao_cai_records = ServiceRecord.objects.filter(source=Source.DEMO).count() - counts["tq_records"]
    assert counts["records"] == lao_cai_records == round(50000 * SCALE)
    assert counts["enterprises"] == max(30, round(300 * SCALE))
    providers = Organization.objects.filter(kind__in=[OrganizationKind.PROVIDER, OrganizationKind.LAB],
                                            notes__startswith=DEMO_NOTE)
    assert providers.count() == max(15, round(15 * SCALE)) + counts["tq_providers"]
    assert providers.exclude(provider_code=None).count() == providers.count()
    # every field has instruments; meters, scales and dispensers dominate
    by_field = dict(Instrument.objects.values_list("kind__field__code").annotate(n=Count("id")))
    assert by_field["volume_flow"] + by_field["electrical"] + by_field["mass"] > 0.6 * counts["instruments"]


@pytest.mark.django_db
def test_tax_codes_valid(demo):
    codes = list(Organization.objects.exclude(tax_code=None).values_list("tax_code", flat=True))
    assert len(codes) >= 30
    assert [c for c in codes if tax_code_problem(c)] == []


@pytest.mark.django_db
def test_verifications_respect_designation_scope(demo):
    ids = list(ServiceRecord.objects.filter(activity=Activity.VERIFICATION).values_list("pk", flat=True))
    sample = random.Random(1).sample(ids, min(300, len(ids)))
    for record in ServiceRecord.objects.filter(pk__in=sample).select_related("instrument__kind"):
        assert scope_problem(provider_id=record.provider_id, kind_id=record.instrument.kind_id,
                             activity=record.activity, on=record.performed_on,
                             range_max=record.instrument.range_max) is None, record
        assert record.valid_until == record.compute_valid_until()
        if record.officer_id:
            assert record.officer.provider_id == record.provider_id


@pytest.mark.django_db
def test_records_are_on_the_map_of_their_date(demo):
    before = ServiceRecord.objects.filter(performed_on__lt=REFORM_DATE)
    after = ServiceRecord.objects.filter(performed_on__gte=REFORM_DATE)
    assert before.exists() and after.exists()
    assert not before.exclude(unit__edition__code=LEGACY_CODE).exists()
    assert not after.exclude(unit__edition__code=CURRENT_CODE).exists()
    for record in before.select_related("instrument")[:200]:
        assert UnitSuccession.objects.filter(predecessor_id=record.unit_id,
                                             successor_id=record.instrument.unit_id).exists()
    for record in after.select_related("instrument")[:200]:
        assert record.unit_id == record.instrument.unit_id
    # Instruments are in today's Lào Cai (new province code 15) or the second demo province, Tuyên Quang (8).
    assert not Instrument.objects.exclude(unit__province__code__in=("15", "8"),
                                          unit__edition__code=CURRENT_CODE).exists()


@pytest.mark.django_db
def test_some_overdue_and_some_due_soon(demo):
    in_use = Instrument.objects.filter(status="in_use").count()
    overdue = Instrument.objects.overdue(ANCHOR).count()
    due = Instrument.objects.due_within(30, ANCHOR).count()
    assert 0.02 * in_use <= overdue <= 0.15 * in_use
    assert due > 0
    passes = ServiceRecord.objects.filter(activity=Activity.VERIFICATION)
    assert passes.filter(result=Result.PASS).count() > 0.9 * passes.count()


@pytest.mark.django_db
def test_accounts(demo):
    users = {u.username: u for u in User.objects.select_related("organization")}
    assert users["officer"].role == Role.OFFICER and users["officer"].organization.short_name == "Sở KH&CN"
    assert users["leader"].role == Role.LEADER and users["leader"].organization_id == users["officer"].organization_id
    assert users["agency"].role == Role.AGENCY and users["agency"].organization.short_name == "Sở Công Thương"
    provider = users["provider"].organization
    assert users["provider"].role == Role.PROVIDER
    top = (ServiceRecord.objects.values("provider").annotate(n=Count("id")).order_by("-n").first())
    assert provider.pk == top["provider"]
    enterprise = users["enterprise"]
    assert enterprise.role == Role.ENTERPRISE and enterprise.organization.kind == OrganizationKind.ENTERPRISE
    assert Instrument.objects.filter(owner=enterprise.organization,
                                     records__provider=provider).distinct().count() >= 20
    assert users["admin"].is_superuser
    for name in ("officer", "leader", "agency", "provider", "enterprise", "admin"):
        assert users[name].check_password("doluong2025")


@pytest.mark.django_db
def test_rerun_is_a_noop_and_refreshes_passwords(demo):
    User.objects.filter(username="officer").update(password="!")
    before = (Organization.objects.count(), Instrument.objects.count(), ServiceRecord.objects.count())
    result = load_demo(scale=SCALE, seed=SEED, log=quiet)
    assert result["skipped"] is True
    assert (Organization.objects.count(), Instrument.objects.count(), ServiceRecord.objects.count()) == before
    assert User.objects.get(username="officer").check_password("doluong2025")


@pytest.mark.django_db
def test_same_seed_same_data(demo):
    result = load_demo(scale=SCALE, seed=SEED, force=True, log=quiet)
    assert result["skipped"] is False
    first = list(Organization.objects.filter(kind=OrganizationKind.ENTERPRISE, notes__startswith=DEMO_NOTE)
                 .order_by("pk").values_list("name", "tax_code")[:20])
    assert first == demo["first"]
    assert len(first) == 20
