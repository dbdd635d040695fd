"""Access per role, the web pages and the workflow forms of the programmes."""


import pytest
from django.urls import reverse

from doluong.core import access
from doluong.core.roles import Role
from doluong.orgs.models import OrganizationKind
from doluong.programmes.models import (
    AssuranceCase,
    Attendance,
    CapacitySupport,
    CriteriaAssessment,
    OutreachEvent,
    PrivateProvision,
    Stage,
    SupportDelivery,
    Training,
)
from tests.factories import OrganizationFactory, ProviderFactory, make_user
from tests.programmes.factories import (
    AssessmentFactory,
    AttendanceFactory,
    CapacityFactory,
    CaseFactory,
    CriteriaSetFactory,
    DeliveryFactory,
    EnterpriseFactory,
    OutreachFactory,
    PersonFactory,
    PrivateProviderFactory,
    ProvisionFactory,
    TrainingFactory,
    agency,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(client):
    client.force_login(make_user(Role.OFFICER))
    return client


def visible(model, user):
    return set(access.restrict(model.objects.all(), user, "view").values_list("pk", flat=True))


# --- access -----------------------------------------------------------------------------------------


def test_enterprise_sees_only_its_cases_and_their_deliveries():
    mine, theirs = DeliveryFactory(), DeliveryFactory()
    user = make_user(Role.ENTERPRISE, mine.case.enterprise)
    assert visible(AssuranceCase, user) == {mine.case_id}
    assert visible(SupportDelivery, user) == {mine.pk}
    assert visible(PrivateProvision, user) == set()
    for model in (AssuranceCase, SupportDelivery, Training, Attendance):
        assert not access.can(user, model, "add")
    assert theirs.pk not in visible(SupportDelivery, user)


def test_provider_sees_only_its_own_provisions_capacity_and_assessments():
    p1, p2 = PrivateProviderFactory(), PrivateProviderFactory()
    mine, theirs = ProvisionFactory(provider=p1), ProvisionFactory(provider=p2)
    cap = CapacityFactory(provider=p1)
    CapacityFactory(provider=p2)
    ass = AssessmentFactory(organization=p1)
    AssessmentFactory(organization=p2)
    user = make_user(Role.PROVIDER, p1)
    assert visible(PrivateProvision, user) == {mine.pk}
    assert theirs.pk not in visible(PrivateProvision, user)
    assert visible(CapacitySupport, user) == {cap.pk}
    assert visible(CriteriaAssessment, user) == {ass.pk}
    assert visible(AssuranceCase, user) == set()
    for model in (PrivateProvision, CapacitySupport, CriteriaAssessment):
        assert not access.can(user, model, "change")


def test_everyone_reads_trainings_and_events_leaders_and_agencies_read_all():
    t, e, case = TrainingFactory(), OutreachFactory(), CaseFactory()
    for role, org in ((Role.PROVIDER, ProviderFactory()), (Role.ENTERPRISE, EnterpriseFactory())):
        user = make_user(role, org)
        assert visible(Training, user) == {t.pk} and visible(OutreachEvent, user) == {e.pk}
    for role in (Role.LEADER, Role.AGENCY):
        user = make_user(role, agency())
        assert visible(AssuranceCase, user) == {case.pk}
        assert not access.can(user, AssuranceCase, "add")


def test_attendance_visible_to_the_persons_organisation():
    a1, a2 = AttendanceFactory(), AttendanceFactory()
    user = make_user(Role.ENTERPRISE, a1.organization)
    assert visible(Attendance, user) == {a1.pk}
    assert a2.pk not in visible(Attendance, user)


def test_agency_adds_outreach_events_as_organiser(client):
    org, other = agency(), agency()
    client.force_login(make_user(Role.AGENCY, org))
    r = client.post(reverse("programmes:outreachevent_add"), {
        "kind": "workshop", "title": "Hội thảo đo lường điện", "held_on": "12/06/2026", "organizer": other.pk,
        "participants": "40"})
    assert r.status_code == 302, r.content.decode()[:3000]
    event = OutreachEvent.objects.get(title="Hội thảo đo lường điện")
    assert event.organizer == org  # set from the account
    assert client.get(reverse("programmes:outreachevent_edit", args=[event.pk])).status_code == 200
    theirs = OutreachFactory(organizer=other)
    assert client.get(reverse("programmes:outreachevent_edit", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("programmes:training_add")).status_code == 404


# --- pages ------------------------------------------------------------------------------------------


def test_officer_lists_and_opens_cases(officer_client):
    case = DeliveryFactory(description="Hiệu chuẩn cân phân tích").case
    r = officer_client.get(reverse("programmes:assurancecase_list"), {"stage": "selected"})
    assert r.status_code == 200 and str(case.enterprise) in r.content.decode()
    page = officer_client.get(case.get_absolute_url()).content.decode()
    assert "Calibration" in page and 'data-testid="advance-form"' in page


def test_officer_adds_a_delivery_and_the_case_moves_to_supporting(officer_client):
    case = CaseFactory(stage=Stage.SELECTED)
    r = officer_client.post(reverse("programmes:supportdelivery_add"), {
        "case": case.pk, "kind": "testing", "delivered_on": "02/04/2024", "cost": "2500000"})
    assert r.status_code == 302, r.content.decode()[:3000]
    case.refresh_from_db()
    assert case.stage == Stage.SUPPORTING and case.deliveries.get().cost == 2500000


def test_delivery_form_shows_why_it_is_refused(officer_client):
    case = CaseFactory(stage=Stage.SURVEY, selected_on=None)
    r = officer_client.post(reverse("programmes:supportdelivery_add"), {
        "case": case.pk, "kind": "testing", "delivered_on": "02/04/2024", "cost": "0"})
    assert r.status_code == 400
    assert "can only be recorded for a case that has been selected" in r.content.decode()
    assert not SupportDelivery.objects.exists()


def test_case_advance_form(officer_client):
    case = CaseFactory(stage=Stage.SURVEY, selected_on=None)
    url = reverse("programmes_flow:case_advance", args=[case.pk])
    r = officer_client.post(url, {"stage": "assessment", "on": "2024-02-20"})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.ASSESSMENT
    r = officer_client.post(url, {"stage": "completed", "on": "2024-02-21"}, follow=True)
    assert case.stage == Stage.ASSESSMENT
    assert "Select a valid choice" in r.content.decode()


def test_training_page_adds_an_attendee_and_refuses_a_duplicate(officer_client):
    training = TrainingFactory()
    person = PersonFactory(full_name="Lò Văn Mạnh")
    page = officer_client.get(training.get_absolute_url()).content.decode()
    assert 'data-testid="attend-form"' in page and reverse("orgs:person_lookup") in page
    url = reverse("programmes_flow:training_attend", args=[training.pk])
    r = officer_client.post(url, {"person": person.pk, "role": "commune_official"}, follow=True)
    assert "Added Lò Văn Mạnh to the attendance list." in r.content.decode()
    r = officer_client.post(url, {"person": person.pk, "role": "commune_official"}, follow=True)
    assert "Lò Văn Mạnh is already on the attendance list of this training." in r.content.decode()
    assert training.attendances.count() == 1
    page = officer_client.get(training.get_absolute_url()).content.decode()
    assert "Commune official" in page and "Lò Văn Mạnh" in page


def test_duplicate_attendance_via_the_generic_form_shows_the_message(officer_client):
    a = AttendanceFactory()
    r = officer_client.post(reverse("programmes:attendance_add"), {
        "training": a.training_id, "person": a.person_id, "role": "other"})
    assert r.status_code == 400
    assert "is already on the attendance list of this training" in r.content.decode()


def test_enterprise_cannot_add_attendees_nor_see_others_cases(client):
    mine, theirs = CaseFactory(), CaseFactory()
    training = TrainingFactory()
    client.force_login(make_user(Role.ENTERPRISE, mine.enterprise))
    assert client.get(mine.get_absolute_url()).status_code == 200
    assert client.get(theirs.get_absolute_url()).status_code == 404
    assert client.get(reverse("programmes:assurancecase_edit", args=[mine.pk])).status_code == 404
    page = client.get(training.get_absolute_url()).content.decode()
    assert 'data-testid="attend-form"' not in page
    person = PersonFactory(organization=mine.enterprise)
    r = client.post(reverse("programmes_flow:training_attend", args=[training.pk]),
                    {"person": person.pk, "role": "enterprise_staff"})
    assert r.status_code == 404 and not Attendance.objects.exists()
    r = client.post(reverse("programmes_flow:case_advance", args=[mine.pk]), {"stage": "dropped", "on": "2024-05-01"})
    assert r.status_code == 404


def test_provider_gets_404_for_another_providers_provision(client):
    mine, theirs = ProvisionFactory(), ProvisionFactory()
    client.force_login(make_user(Role.PROVIDER, mine.provider))
    assert client.get(mine.get_absolute_url()).status_code == 200
    assert client.get(theirs.get_absolute_url()).status_code == 404
    listing = client.get(reverse("programmes:privateprovision_list")).content.decode()
    assert mine.get_absolute_url() in listing and theirs.get_absolute_url() not in listing


def test_criteria_assessment_form_computes_the_total(officer_client):
    cs = CriteriaSetFactory()
    lab = OrganizationFactory(kind=OrganizationKind.LAB)
    r = officer_client.post(reverse("programmes:criteriaassessment_add"), {
        "organization": lab.pk, "criteria_set": cs.pk, "assessed_on": "01/03/2025",
        f"score_{cs.pk}_0": "9", f"score_{cs.pk}_1": "18", f"score_{cs.pk}_2": "12", "result": "applied_meets"})
    assert r.status_code == 302, r.content.decode()[:3000]
    assert CriteriaAssessment.objects.get().total == 39
    r = officer_client.post(reverse("programmes:criteriaassessment_add"), {
        "organization": lab.pk, "criteria_set": cs.pk, "assessed_on": "02/03/2025",
        f"score_{cs.pk}_0": "90", "result": "applied_meets"})
    assert r.status_code == 400 and 'name="scores"' not in r.content.decode()  # one input per criterion, no JSON


def test_training_list_counts_attendees(officer_client):
    t = TrainingFactory(title="Tập huấn cân ô tô")
    for _ in range(3):
        AttendanceFactory(training=t)
    page = officer_client.get(reverse("programmes:training_list")).content.decode()
    assert "Tập huấn cân ô tô" in page and ">3<" in page.replace(" ", "").replace("\n", "")
