"""Services: the case's stage order, recording support, enrolling attendees in bulk."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from doluong.core.models import ObjectChange
from doluong.core.roles import Role
from doluong.programmes.models import Attendance, AttendeeRole, Stage, SupportKind
from doluong.programmes.services import case_advance, delivery_record, next_stages, training_add_attendees
from tests.factories import make_user
from tests.programmes.factories import CaseFactory, EnterpriseFactory, PersonFactory, TrainingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return make_user(Role.OFFICER)


def test_case_walks_the_stages_in_order(officer):
    case = CaseFactory(stage=Stage.SURVEY, selected_on=None)
    for stage, day in ((Stage.ASSESSMENT, dt.date(2024, 2, 10)), (Stage.SELECTED, dt.date(2024, 3, 1)),
                       (Stage.SUPPORTING, dt.date(2024, 3, 5)), (Stage.COMPLETED, dt.date(2024, 12, 1))):
        case = case_advance(case=case, stage=stage, on=day, user=officer)
        assert case.stage == stage
    case.refresh_from_db()
    assert case.selected_on == dt.date(2024, 3, 1) and case.closed_on == dt.date(2024, 12, 1)
    assert next_stages(case.stage) == []
    assert ObjectChange.objects.filter(object_id=case.pk, action="update", user=officer).count() == 4


@pytest.mark.parametrize("target", [Stage.SELECTED, Stage.SUPPORTING, Stage.COMPLETED, Stage.SURVEY])
def test_no_skipping_or_going_back(officer, target):
    case = CaseFactory(stage=Stage.ASSESSMENT, selected_on=None) if target != Stage.SELECTED else \
        CaseFactory(stage=Stage.SURVEY, selected_on=None)
    with pytest.raises(ValidationError, match="cannot move to"):
        case_advance(case=case, stage=target, on=dt.date(2024, 6, 1), user=officer)
    case.refresh_from_db()
    assert case.stage in (Stage.SURVEY, Stage.ASSESSMENT)


@pytest.mark.parametrize("stage", [Stage.SURVEY, Stage.ASSESSMENT, Stage.SELECTED, Stage.SUPPORTING])
def test_any_open_case_can_be_dropped(officer, stage):
    case = CaseFactory(stage=stage, selected_on=None if stage in (Stage.SURVEY, Stage.ASSESSMENT) else
                       dt.date(2024, 3, 1))
    case = case_advance(case=case, stage=Stage.DROPPED, on=dt.date(2024, 6, 1), user=officer, outcome="Rút lui")
    assert case.stage == Stage.DROPPED and case.closed_on == dt.date(2024, 6, 1) and case.outcome == "Rút lui"
    with pytest.raises(ValidationError):
        case_advance(case=case, stage=Stage.SUPPORTING, on=dt.date(2024, 7, 1), user=officer)


def test_advance_date_not_before_earlier_dates(officer):
    case = CaseFactory(stage=Stage.SELECTED, selected_on=dt.date(2024, 3, 1))
    with pytest.raises(ValidationError, match="01/03/2024"):
        case_advance(case=case, stage=Stage.SUPPORTING, on=dt.date(2024, 2, 1), user=officer)


def test_only_officers_advance_cases():
    case = CaseFactory(stage=Stage.SURVEY, selected_on=None)
    user = make_user(Role.ENTERPRISE, case.enterprise)
    with pytest.raises(PermissionDenied):
        case_advance(case=case, stage=Stage.ASSESSMENT, on=dt.date(2024, 3, 1), user=user)


def test_first_delivery_moves_the_case_to_supporting(officer):
    case = CaseFactory(stage=Stage.SELECTED)
    d = delivery_record(case=case, kind=SupportKind.CALIBRATION, delivered_on=dt.date(2024, 4, 1), cost=2_000_000,
                        user=officer)
    case.refresh_from_db()
    assert case.stage == Stage.SUPPORTING and d.cost == 2_000_000
    with pytest.raises(ValidationError):
        delivery_record(case=case, kind=SupportKind.TESTING, delivered_on=dt.date(2024, 1, 1), user=officer)
    assert case.deliveries.count() == 1


def test_delivery_refused_for_a_case_under_survey(officer):
    case = CaseFactory(stage=Stage.SURVEY, selected_on=None)
    with pytest.raises(ValidationError, match="selected"):
        delivery_record(case=case, kind=SupportKind.TESTING, delivered_on=dt.date(2024, 4, 1), user=officer)


def test_add_attendees_is_bulk(officer, django_assert_max_num_queries):
    training = TrainingFactory()
    org = EnterpriseFactory()
    people = [PersonFactory(organization=org) for _ in range(50)]
    with django_assert_max_num_queries(9):
        added, skipped = training_add_attendees(training=training, people=people,
                                                role=AttendeeRole.ENTERPRISE_STAFF, user=officer)
    assert len(added) == 50 and skipped == []
    assert Attendance.objects.filter(training=training, organization=org).count() == 50
    assert ObjectChange.objects.filter(content_type__model="attendance", action="create").count() == 50


def test_add_attendees_skips_duplicates(officer, django_assert_max_num_queries):
    training = TrainingFactory()
    people = [PersonFactory() for _ in range(5)]
    training_add_attendees(training=training, people=people[:2], role=AttendeeRole.COMMUNE_OFFICIAL, user=officer)
    with django_assert_max_num_queries(9):
        added, skipped = training_add_attendees(training=training, people=[*people, people[4]],
                                                role=AttendeeRole.COMMUNE_OFFICIAL, user=officer)
    assert [a.person for a in added] == people[2:]
    assert skipped == [people[0], people[1], people[4]]
    assert training.attendances.count() == 5


def test_add_attendees_checks_role_and_rights(officer):
    training = TrainingFactory(starts_on=dt.date(2025, 8, 1), ends_on=None)
    with pytest.raises(ValidationError):
        training_add_attendees(training=training, people=[PersonFactory()], role=AttendeeRole.DISTRICT_OFFICIAL,
                               user=officer)
    with pytest.raises(ValidationError):
        training_add_attendees(training=training, people=[PersonFactory()], role="boss", user=officer)
    person = PersonFactory()
    with pytest.raises(PermissionDenied):
        training_add_attendees(training=training, people=[person], role=AttendeeRole.ENTERPRISE_STAFF,
                               user=make_user(Role.ENTERPRISE, person.organization))
    assert not Attendance.objects.exists()
