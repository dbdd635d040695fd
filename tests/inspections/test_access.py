"""Who sees and writes what: officers all; leaders and agencies read; the inspected organisation reads its own."""

import pytest

from doluong.core import access
from doluong.core.roles import Role
from doluong.inspections.models import Finding, Inspection, InstrumentCheck, LotCheck, ViolationType
from tests.factories import ProviderFactory, make_user
from tests.inspections.factories import FindingFactory, InspectionFactory, make_check, make_lot

pytestmark = pytest.mark.django_db
MODELS = (Inspection, InstrumentCheck, LotCheck, Finding)


def visible(model, user):
    return set(access.restrict(model.objects.all(), user, "view").values_list("pk", flat=True))


@pytest.fixture
def world():
    mine = InspectionFactory()
    theirs = InspectionFactory()
    provider_ins = InspectionFactory(organization=ProviderFactory())
    objs = {}
    for ins in (mine, theirs, provider_ins):
        objs[ins.pk] = (make_check(inspection=ins), make_lot(inspection=ins), FindingFactory(inspection=ins))
    return mine, theirs, provider_ins, objs


def test_officer_does_everything_leaders_and_agencies_read(world):
    mine, theirs, provider_ins, _objs = world
    officer = make_user(Role.OFFICER)
    for model in (*MODELS, ViolationType):
        for action in ("view", "add", "change", "delete"):
            assert access.can(officer, model, action)
    for role in (Role.LEADER, Role.AGENCY):
        user = make_user(role)
        assert visible(Inspection, user) == {mine.pk, theirs.pk, provider_ins.pk}
        for model in MODELS:
            assert not access.can(user, model, "add") and not access.can(user, model, "change")


def test_the_inspected_enterprise_reads_only_its_own_inspections_checks_and_findings(world):
    mine, _theirs, _p, objs = world
    user = make_user(Role.ENTERPRISE, mine.organization)
    check, lot, finding = objs[mine.pk]
    assert visible(Inspection, user) == {mine.pk}
    assert visible(InstrumentCheck, user) == {check.pk}
    assert visible(LotCheck, user) == {lot.pk}
    assert visible(Finding, user) == {finding.pk}
    for model in MODELS:
        for action in ("add", "change", "delete"):
            assert not access.can(user, model, action)


def test_a_provider_reads_inspections_of_itself_only(world):
    _mine, _theirs, provider_ins, objs = world
    user = make_user(Role.PROVIDER, provider_ins.organization)
    assert visible(Inspection, user) == {provider_ins.pk}
    assert visible(Finding, user) == {objs[provider_ins.pk][2].pk}
    assert not access.can(user, Inspection, "change")


def test_pages_follow_the_rules(world, client):
    mine, theirs, _p, objs = world
    client.force_login(make_user(Role.ENTERPRISE, mine.organization))
    assert client.get(mine.get_absolute_url()).status_code == 200
    assert client.get(theirs.get_absolute_url()).status_code == 404
    assert client.get(objs[theirs.pk][1].get_absolute_url()).status_code == 404
    assert client.get(objs[mine.pk][1].get_absolute_url()).status_code == 200
    assert client.get(f"/inspections/inspection/{mine.pk}/edit/").status_code == 404
