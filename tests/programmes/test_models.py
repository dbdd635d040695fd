"""Single-row rules of the programmes' models (clean() and constraints)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from doluong.orgs.models import Ownership
from doluong.programmes.models import Attendance, AttendeeRole, CapacitySupport, Stage, SupportDelivery
from tests.factories import FieldFactory, InstrumentFactory, KindFactory, ProviderFactory, RecordFactory, designate
from tests.programmes.factories import (
    AssessmentFactory,
    AttendanceFactory,
    CaseFactory,
    CriteriaSetFactory,
    EnterpriseFactory,
    PersonFactory,
    ProvisionFactory,
    TrainingFactory,
)

pytestmark = pytest.mark.django_db


def errors_of(obj) -> dict:
    with pytest.raises(ValidationError) as exc:
        obj.full_clean()
    return exc.value.message_dict


# --- support deliveries -----------------------------------------------------------------------------


@pytest.mark.parametrize("stage", [Stage.SURVEY, Stage.ASSESSMENT, Stage.DROPPED])
def test_delivery_needs_a_selected_case(stage):
    case = CaseFactory(stage=stage, selected_on=None, closed_on=dt.date(2024, 6, 1) if stage == Stage.DROPPED else None)
    delivery = SupportDelivery(case=case, kind="calibration", delivered_on=dt.date(2024, 4, 1))
    assert "can only be recorded for a case that has been selected" in errors_of(delivery)["case"][0]


@pytest.mark.parametrize("stage", [Stage.SELECTED, Stage.SUPPORTING, Stage.COMPLETED])
def test_delivery_accepted_at_selected_stages(stage):
    case = CaseFactory(stage=stage, closed_on=dt.date(2024, 12, 1) if stage == Stage.COMPLETED else None)
    SupportDelivery(case=case, kind="calibration", delivered_on=dt.date(2024, 4, 1)).full_clean()


def test_delivery_not_before_selection():
    case = CaseFactory(selected_on=dt.date(2024, 3, 1))
    delivery = SupportDelivery(case=case, kind="testing", delivered_on=dt.date(2024, 2, 28))
    assert "before the enterprise was selected (01/03/2024)" in errors_of(delivery)["delivered_on"][0]
    delivery.delivered_on = dt.date(2024, 3, 1)
    delivery.full_clean()


def test_delivery_record_must_be_of_the_enterprises_instrument():
    provider = ProviderFactory()
    case = CaseFactory()
    theirs = InstrumentFactory()
    designate(provider, theirs.kind)
    record = RecordFactory(provider=provider, instrument=theirs, performed_on=dt.date(2024, 4, 2))
    delivery = SupportDelivery(case=case, kind="verification", delivered_on=dt.date(2024, 4, 2), record=record)
    assert "does not own" in errors_of(delivery)["record"][0]

    mine = InstrumentFactory(owner=case.enterprise, kind=theirs.kind)
    record = RecordFactory(provider=provider, instrument=mine, performed_on=dt.date(2024, 4, 2))
    delivery.record = record
    delivery.full_clean()
    assert delivery.provider_id == provider.pk  # taken from the record


def test_delivery_record_activity_must_match_kind():
    provider = ProviderFactory()
    case = CaseFactory()
    inst = InstrumentFactory(owner=case.enterprise)
    designate(provider, inst.kind)
    record = RecordFactory(provider=provider, instrument=inst, performed_on=dt.date(2024, 4, 2))
    delivery = SupportDelivery(case=case, kind="calibration", delivered_on=dt.date(2024, 4, 2), record=record)
    assert "is a verification, not a calibration" in errors_of(delivery)["record"][0]


def test_cost_cannot_be_negative():
    delivery = SupportDelivery(case=CaseFactory(), kind="testing", delivered_on=dt.date(2024, 4, 2), cost=Decimal(-1))
    assert "cost" in errors_of(delivery)
    with pytest.raises(IntegrityError), transaction.atomic():
        delivery.save()


def test_case_dates_and_stage_rules():
    case = CaseFactory.build(enterprise=EnterpriseFactory(), stage=Stage.SELECTED, selected_on=None)
    assert "selected_on" in errors_of(case)
    case = CaseFactory.build(enterprise=EnterpriseFactory(), stage=Stage.COMPLETED, closed_on=None)
    assert "closed_on" in errors_of(case)
    case = CaseFactory.build(enterprise=EnterpriseFactory(), surveyed_on=dt.date(2024, 5, 1),
                             selected_on=dt.date(2024, 4, 1))
    assert "selected_on" in errors_of(case)


def test_case_is_for_an_enterprise():
    case = CaseFactory.build(enterprise=ProviderFactory())
    assert "enterprise" in errors_of(case)


# --- attendance -------------------------------------------------------------------------------------


def test_same_attendance_twice_is_refused_with_a_clear_message():
    first = AttendanceFactory()
    again = Attendance(training=first.training, person=first.person, role=AttendeeRole.OTHER)
    message = errors_of(again)["person"]
    assert message == [f"{first.person} is already on the attendance list of this training."]
    with pytest.raises(IntegrityError), transaction.atomic():
        again.save()


def test_one_person_at_two_trainings_counts_twice():
    person = PersonFactory()
    for training in (TrainingFactory(), TrainingFactory()):
        a = Attendance(training=training, person=person, role=AttendeeRole.ENTERPRISE_STAFF)
        a.full_clean()
        a.save()
    assert Attendance.objects.filter(person=person).count() == 2


def test_attendance_takes_the_persons_organisation():
    person = PersonFactory()
    a = Attendance(training=TrainingFactory(), person=person, role=AttendeeRole.ENTERPRISE_STAFF)
    a.full_clean()
    assert a.organization_id == person.organization_id


def test_no_district_officials_after_the_reform():
    training = TrainingFactory(starts_on=dt.date(2025, 9, 1), ends_on=None)
    a = Attendance(training=training, person=PersonFactory(), role=AttendeeRole.DISTRICT_OFFICIAL)
    assert "role" in errors_of(a)
    a.training = TrainingFactory(starts_on=dt.date(2024, 9, 1), ends_on=None)
    a.full_clean()


def test_training_ends_after_it_starts():
    t = TrainingFactory.build(starts_on=dt.date(2024, 5, 2), ends_on=dt.date(2024, 5, 1))
    assert "ends_on" in errors_of(t)


# --- private provision ------------------------------------------------------------------------------


def test_state_provider_refused_for_private_provision():
    kind = KindFactory()
    p = ProvisionFactory.build(provider=ProviderFactory(ownership=Ownership.STATE), field=kind.field, kind=kind)
    assert "state-capital" in errors_of(p)["provider"][0]
    p.provider = ProviderFactory(ownership=Ownership.PRIVATE)
    p.full_clean()


def test_provision_kind_must_be_in_its_field_and_named():
    p = ProvisionFactory()
    p.kind = KindFactory(field=FieldFactory(code="length", name="Độ dài"))
    assert "kind" in errors_of(p)
    p.kind = None
    p.description = ""
    assert "description" in errors_of(p)
    p.description = "Chất chuẩn pH"
    p.full_clean()


# --- criteria ---------------------------------------------------------------------------------------


def test_scores_validated_and_total_computed():
    a = AssessmentFactory.build(criteria_set=CriteriaSetFactory(), organization=ProviderFactory(),
                                scores={"C1": 8, "C2": 15.5})
    a.full_clean()
    assert a.total == Decimal("23.5")
    a.scores = {"C9": 1}
    assert "C9 is not a criterion" in errors_of(a)["scores"][0]
    a.scores = {"C1": 11}
    assert "between 0 and 10" in errors_of(a)["scores"][0]
    a.scores = {"C1": -1}
    assert "between 0 and 10" in errors_of(a)["scores"][0]
    a.scores = {"C1": "8"}
    assert "not a number" in errors_of(a)["scores"][0]
    a.scores = [8]
    assert "scores" in errors_of(a)


def test_criteria_set_shape_is_checked():
    s = CriteriaSetFactory.build(criteria=[{"code": "C1", "text": "x", "max_score": 10},
                                           {"code": "C1", "text": "y", "max_score": 5}])
    assert "appears twice" in errors_of(s)["criteria"][0]
    s.criteria = [{"code": "C1", "text": "x", "max_score": 0}]
    assert "positive maximum" in errors_of(s)["criteria"][0]
    s.criteria = [{"text": "x", "max_score": 3}]
    assert "has no code" in errors_of(s)["criteria"][0]
    s.criteria = [{"code": "C1", "text": "x", "max_score": 3}]
    s.full_clean()
    assert s.max_total == 3


def test_capacity_accreditation_belongs_to_provider():
    from doluong.providers.models import Accreditation

    provider, other = ProviderFactory(), ProviderFactory()
    acc = Accreditation.objects.create(organization=other, standard="ISO/IEC 17025", number="VILAS 999",
                                       issued_on=dt.date(2023, 6, 1))
    c = CapacitySupport(provider=provider, kind="iso17025_accreditation", started_on=dt.date(2022, 1, 1),
                        completed_on=dt.date(2023, 6, 1), accreditation=acc)
    assert "accreditation" in errors_of(c)
    c.completed_on = dt.date(2021, 1, 1)
    c.accreditation = None
    assert "completed_on" in errors_of(c)
