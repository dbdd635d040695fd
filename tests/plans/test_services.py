"""Report and change-request workflows: allowed and refused transitions, with their messages."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from doluong.core.models import ObjectChange
from doluong.core.roles import Role
from doluong.plans import services
from doluong.plans.models import ChangeStatus, ReportStatus
from tests.factories import make_user
from tests.plans.factories import ChangeFactory, ReportFactory

pytestmark = pytest.mark.django_db


def history(obj):
    return list(ObjectChange.objects.filter(object_id=obj.pk, content_type__model=obj._meta.model_name)
                .order_by("time", "pk"))


def test_agency_submits_then_officer_returns_then_agency_resubmits_then_leader_accepts(
        report, agency_user, officer, leader):
    services.report_submit(report=report, user=agency_user)
    assert report.status == ReportStatus.SUBMITTED
    assert report.submitted_by == agency_user and report.submitted_at is not None
    services.report_return(report=report, user=officer, comment="Thiếu số liệu.")
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED and report.review_comment == "Thiếu số liệu."
    services.report_submit(report=report, user=agency_user)
    services.report_accept(report=report, user=leader, comment="Đạt.")
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED and report.reviewed_by == leader
    statuses = [(c.prechange_data or {}).get("status") for c in history(report)][1:]
    assert statuses == ["draft", "submitted", "returned", "submitted"]  # every transition is logged
    assert history(report)[-1].user_name == leader.username  # a service call is attributed to who acted


def test_submit_refused_when_already_submitted(report, agency_user):
    services.report_submit(report=report, user=agency_user)
    with pytest.raises(ValidationError, match="Only a draft or returned report can be submitted; this one is"):
        services.report_submit(report=report, user=agency_user)


def test_submit_needs_the_work_done(task, agency, agency_user):
    empty = ReportFactory(task=task, agency=agency, done_text="  ")
    with pytest.raises(ValidationError, match="Describe the work done"):
        services.report_submit(report=empty, user=agency_user)


def test_another_agency_or_a_leader_cannot_submit(report, other_agency, leader):
    with pytest.raises(PermissionDenied, match="Only the reporting agency"):
        services.report_submit(report=report, user=make_user(Role.AGENCY, other_agency))
    with pytest.raises(PermissionDenied):
        services.report_submit(report=report, user=leader)
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_review_only_by_officer_or_leader_and_only_when_submitted(report, agency_user, officer):
    with pytest.raises(ValidationError, match="Only a submitted report can be reviewed; this one is draft"):
        services.report_accept(report=report, user=officer)
    services.report_submit(report=report, user=agency_user)
    with pytest.raises(PermissionDenied, match="programme officer or a leader"):
        services.report_accept(report=report, user=agency_user)
    with pytest.raises(ValidationError, match="a comment is required"):
        services.report_return(report=report, user=officer, comment="   ")
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_accepted_report_cannot_be_returned_or_resubmitted(report, agency_user, officer):
    services.report_submit(report=report, user=agency_user)
    services.report_accept(report=report, user=officer)
    with pytest.raises(ValidationError, match="this one is accepted"):
        services.report_return(report=report, user=officer, comment="x")
    with pytest.raises(ValidationError, match="this one is accepted"):
        services.report_submit(report=report, user=agency_user)


def test_change_decided_once_by_a_leader(leader, officer, agency_user):
    change = ChangeFactory(reported_by=agency_user.organization)
    with pytest.raises(PermissionDenied):
        services.plan_change_decide(change=change, user=agency_user, approve=True, decision_ref="x")
    with pytest.raises(ValidationError, match="decision text is required"):
        services.plan_change_decide(change=change, user=leader, approve=False, decision_ref="", decision_text="")
    services.plan_change_decide(change=change, user=leader, approve=True, decision_ref="12/UBND-NLN",
                                decision_text="Đồng ý.")
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPROVED and change.decided_on is not None
    assert change.decision_ref == "12/UBND-NLN"
    with pytest.raises(ValidationError, match="already decided"):
        services.plan_change_decide(change=change, user=officer, approve=False, decision_ref="",
                                    decision_text="Không.")
    assert history(change)[-1].diff()[0] == ("status", "pending", "approved")


def test_rejection_with_reason(officer):
    change = ChangeFactory()
    services.plan_change_decide(change=change, user=officer, approve=False, decision_ref="",
                                decision_text="Không đủ căn cứ.")
    change.refresh_from_db()
    assert change.status == ChangeStatus.REJECTED
