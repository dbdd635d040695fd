"""The access choke point: who sees and may change what, by role."""

import pytest

from doluong.core.access import can, restrict
from doluong.core.roles import Role
from doluong.instruments.models import Instrument, MeasurementStandard
from doluong.providers.models import VerificationOfficer
from doluong.records.models import ServiceRecord
from tests.factories import (
    InstrumentFactory,
    OfficerFactory,
    OrganizationFactory,
    ProviderFactory,
    RecordFactory,
    designate,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    p1, p2 = ProviderFactory(), ProviderFactory()
    e1, e2 = OrganizationFactory(), OrganizationFactory()
    i1, i2 = InstrumentFactory(owner=e1), InstrumentFactory(owner=e2)
    designate(p1, i1.kind)
    designate(p2, i2.kind)
    r1 = RecordFactory(provider=p1, instrument=i1)
    r2 = RecordFactory(provider=p2, instrument=i2)
    o1, o2 = OfficerFactory(provider=p1), OfficerFactory(provider=p2)
    s1 = MeasurementStandard.objects.create(owner=p1, name="Bộ quả cân F1", field=i1.kind.field)
    s2 = MeasurementStandard.objects.create(owner=p2, name="Bộ quả cân M1", field=i1.kind.field)
    return locals()


def ids(qs):
    return set(qs.values_list("pk", flat=True))


def test_provider_sees_only_its_own_records_standards_and_staff(world):
    w = world
    user = make_user(Role.PROVIDER, w["p1"])
    assert ids(restrict(ServiceRecord.objects.all(), user)) == {w["r1"].pk}
    assert ids(restrict(MeasurementStandard.objects.all(), user)) == {w["s1"].pk}
    assert ids(restrict(VerificationOfficer.objects.all(), user)) == {w["o1"].pk}
    assert ids(restrict(ServiceRecord.objects.all(), user, "change")) == {w["r1"].pk}
    # it may look up any instrument to record a verification on it, but change none
    assert ids(restrict(Instrument.objects.all(), user)) == {w["i1"].pk, w["i2"].pk}
    assert not restrict(Instrument.objects.all(), user, "change").exists()


def test_enterprise_sees_only_its_instruments_and_their_records(world):
    w = world
    user = make_user(Role.ENTERPRISE, w["e1"])
    assert ids(restrict(Instrument.objects.all(), user)) == {w["i1"].pk}
    assert ids(restrict(ServiceRecord.objects.all(), user)) == {w["r1"].pk}
    assert ids(restrict(Instrument.objects.all(), user, "change")) == {w["i1"].pk}
    assert not restrict(VerificationOfficer.objects.all(), user).exists()
    assert not can(user, ServiceRecord, "add")


@pytest.mark.parametrize("role", [Role.LEADER, Role.AGENCY])
def test_leaders_and_agencies_read_everything_and_change_nothing(world, role):
    user = make_user(role, world["e1"])
    assert restrict(ServiceRecord.objects.all(), user).count() == 2
    for model in (ServiceRecord, Instrument, MeasurementStandard, VerificationOfficer):
        assert not restrict(model.objects.all(), user, "change").exists()
        assert not can(user, model, "add")


def test_officer_sees_the_province(world):
    user = make_user(Role.OFFICER)
    assert restrict(ServiceRecord.objects.all(), user, "delete").count() == 2


def test_anonymous_sees_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert not restrict(ServiceRecord.objects.all(), AnonymousUser()).exists()
    assert not restrict(Instrument.objects.all(), None).exists()


def test_provider_without_organisation_sees_nothing_of_its_own(world):
    user = make_user(Role.PROVIDER, None)
    assert not restrict(ServiceRecord.objects.all(), user).exists()


@pytest.mark.parametrize("role", [Role.LEADER, Role.AGENCY, Role.PROVIDER, Role.ENTERPRISE])
def test_reads_are_denied_unless_a_model_says_who_reads(world, role):
    """Default deny: a model without a view rule (the change log, import batches) is the officers' alone;
    reference data says so explicitly and every signed-in role reads it."""
    from doluong.core.models import ObjectChange
    from doluong.instruments.models import InstrumentKind

    user = make_user(role, organization=world["p1"] if role == Role.PROVIDER else world["e1"])
    assert not can(user, ObjectChange, "view")
    assert not restrict(ObjectChange.objects.all(), user).exists()
    assert can(make_user(Role.OFFICER), ObjectChange, "view")
    assert restrict(InstrumentKind.objects.all(), user).count() == InstrumentKind.objects.count() > 0
