"""The plans pages: workflow buttons, refusals, evidence upload, list query bounds."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from doluong.core.roles import Role
from doluong.plans.demo import load_demo_plans
from doluong.plans.models import ChangeStatus, ProgressReport, ReportEvidence, ReportStatus
from tests.factories import OrganizationFactory, ProviderFactory, make_user
from tests.plans.factories import ChangeFactory, DepartmentFactory, ReportFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def flow(name, pk):
    return reverse(f"plans_flow:{name}", args=[pk])


def last(response) -> str:
    """The newest message queued by the request (earlier ones wait until a page shows them)."""
    return [str(m) for m in get_messages(response.wsgi_request)][-1]


def test_agency_submits_from_the_report_page(client, report, agency_user):
    client.force_login(agency_user)
    page = client.get(report.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert flow("report_submit", report.pk) in html and 'data-testid="evidence-upload"' in html
    assert 'style="' not in html and "<script>" not in html  # strict CSP
    r = client.post(flow("report_submit", report.pk))
    assert r.status_code == 302 and r["Location"] == report.get_absolute_url()
    assert last(r) == "The report was submitted to the Department of Science and Technology."
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.submitted_by == agency_user
    r = client.post(flow("report_submit", report.pk))  # again: refused with the reason
    assert last(r) == "Only a draft or returned report can be submitted; this one is submitted."
    assert flow("report_submit", report.pk) not in client.get(report.get_absolute_url()).content.decode()


def test_officer_returns_and_accepts(client, report, agency_user, officer):
    report.status = ReportStatus.SUBMITTED
    report.save()
    client.force_login(officer)
    html = client.get(report.get_absolute_url()).content.decode()
    assert flow("report_accept", report.pk) in html and flow("report_return", report.pk) in html
    r = client.post(flow("report_return", report.pk), {"comment": ""})
    assert last(r) == "Say why the report is returned: a comment is required."
    r = client.post(flow("report_return", report.pk), {"comment": "Bổ sung danh sách."})
    assert last(r) == "The report was returned to the agency."
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    client.force_login(agency_user)
    assert "Bổ sung danh sách." in client.get(report.get_absolute_url()).content.decode()
    client.post(flow("report_submit", report.pk))
    client.force_login(officer)
    r = client.post(flow("report_accept", report.pk), {"comment": "Đạt."})
    assert last(r) == "The report was accepted."
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED and report.review_comment == "Đạt."


def test_agency_cannot_accept_its_own_report(client, report, agency_user):
    report.status = ReportStatus.SUBMITTED
    report.save()
    client.force_login(agency_user)
    r = client.post(flow("report_accept", report.pk))
    assert last(r) == "Only a programme officer or a leader may review reports."
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_another_agencys_report_is_not_found(client, report, other_agency):
    client.force_login(make_user(Role.AGENCY, other_agency))
    assert client.get(report.get_absolute_url()).status_code == 404
    assert client.get(reverse("plans:progressreport_edit", args=[report.pk])).status_code == 404
    for name in ("report_submit", "report_accept", "report_return", "evidence_upload"):
        assert client.post(flow(name, report.pk)).status_code == 404, name
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_provider_sees_the_plan_but_no_reports(client, report):
    client.force_login(make_user(Role.PROVIDER, ProviderFactory()))
    assert client.get(report.task.get_absolute_url()).status_code == 200
    assert client.get(report.get_absolute_url()).status_code == 404
    assert client.get(reverse("plans:progressreport_list")).status_code == 200
    assert report.agency.name not in client.get(reverse("plans:progressreport_list")).content.decode()


def test_workflow_endpoints_accept_only_post(client, report, agency_user):
    client.force_login(agency_user)
    assert client.get(flow("report_submit", report.pk)).status_code == 405


def test_agency_adds_its_own_report_and_cannot_edit_it_once_submitted(client, task, agency, agency_user):
    client.force_login(agency_user)
    data = {"task": task.pk, "year": 2025, "period": "Y", "due_on": "15/12/2025", "done_text": "Đã làm.",
            "share_done": 100, "agency": OrganizationFactory().pk}
    r = client.post(reverse("plans:progressreport_add"), data)
    assert r.status_code == 302, r.content.decode()[:3000]
    report = ProgressReport.objects.get()
    assert report.agency == agency  # from the account, not from the form
    r = client.post(reverse("plans:progressreport_add"), data)
    assert r.status_code == 400 and "already exists" in r.content.decode()
    r = client.post(reverse("plans:progressreport_edit", args=[report.pk]), {**data, "share_done": 101})
    assert r.status_code == 400
    client.post(flow("report_submit", report.pk))
    r = client.post(reverse("plans:progressreport_edit", args=[report.pk]), {**data, "done_text": "Khác."})
    assert r.status_code == 400 and "can no longer be changed" in r.content.decode()


def test_evidence_upload_refuses_an_exe_and_accepts_a_pdf(client, report, agency_user):
    client.force_login(agency_user)
    exe = SimpleUploadedFile("setup.exe", b"MZ\x90\x00" + b"\x00" * 100, content_type="application/octet-stream")
    r = client.post(flow("evidence_upload", report.pk), {"file": exe, "description": "x"})
    message = last(r)
    assert message.startswith("The file was not attached:") and "“exe” is not allowed" in message
    fake = SimpleUploadedFile("bao-cao.pdf", b"MZ\x90\x00" + b"\x00" * 100, content_type="application/pdf")
    r = client.post(flow("evidence_upload", report.pk), {"file": fake})
    assert "not a PDF file as its name says" in last(r)
    assert not ReportEvidence.objects.exists()
    pdf = SimpleUploadedFile("bao-cao-2025.pdf", PDF, content_type="application/pdf")
    r = client.post(flow("evidence_upload", report.pk), {"file": pdf, "description": "Báo cáo năm"})
    assert last(r) == "The file was attached."
    evidence = ReportEvidence.objects.get()
    assert evidence.report == report and evidence.file.name.startswith(f"evidence/{dt.date.today():%Y}/")
    page = client.get(report.get_absolute_url()).content.decode()
    assert "bao-cao-2025.pdf" in page
    download = client.get(flow("evidence_download", evidence.pk))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    other = make_user(Role.AGENCY, DepartmentFactory())
    client.force_login(other)
    assert client.get(flow("evidence_download", evidence.pk)).status_code == 404
    assert client.post(flow("evidence_delete", evidence.pk)).status_code == 404


def test_evidence_over_20_mb_is_refused(client, report, agency_user, settings):
    client.force_login(agency_user)
    big = SimpleUploadedFile("lon.pdf", PDF + b"0" * (20 * 1024 * 1024), content_type="application/pdf")
    r = client.post(flow("evidence_upload", report.pk), {"file": big})
    assert "files up to 20 MB are accepted" in last(r)
    assert not ReportEvidence.objects.exists()


def test_evidence_locked_after_submission(client, report, agency_user, officer):
    client.force_login(agency_user)
    client.post(flow("report_submit", report.pk))
    pdf = SimpleUploadedFile("muon.pdf", PDF, content_type="application/pdf")
    r = client.post(flow("evidence_upload", report.pk), {"file": pdf})
    assert "only while the report is a draft or returned" in last(r)


def test_leader_decides_a_change_request(client, leader, agency_user):
    change = ChangeFactory(reported_by=agency_user.organization)
    client.force_login(agency_user)
    html = client.get(change.get_absolute_url()).content.decode()
    assert flow("change_decide", change.pk) not in html
    r = client.post(flow("change_decide", change.pk), {"decision": "approve"})
    assert last(r) == "Only a programme officer or a leader may decide on a change request."
    client.force_login(leader)
    assert flow("change_decide", change.pk) in client.get(change.get_absolute_url()).content.decode()
    r = client.post(flow("change_decide", change.pk), {"decision": "reject", "decision_text": ""})
    assert last(r) == "Say why the change is rejected: the decision text is required."
    r = client.post(flow("change_decide", change.pk), {"decision": "approve", "decision_ref": "45/UBND-NLN"})
    assert last(r) == "The change request was approved."
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPROVED and change.decision_ref == "45/UBND-NLN"


def test_late_filter_on_the_report_list(client, officer, task):
    late = ReportFactory(task=task, due_on=dt.date(2020, 1, 1), done_text="MUỘN")
    future = ReportFactory(task=task, due_on=dt.date(2099, 1, 1), done_text="CHƯA ĐẾN HẠN")
    client.force_login(officer)
    html = client.get(reverse("plans:progressreport_list"), {"late": "late"}).content.decode()
    assert f'href="{late.get_absolute_url()}"' in html
    assert f'href="{future.get_absolute_url()}"' not in html
    awaited = client.get(reverse("plans:progressreport_list"), {"late": "awaited"}).content.decode()
    assert awaited.count(f"{task.code} · 2025") == 2


@pytest.fixture
def demo(db):
    import random

    dost = DepartmentFactory(name="Sở Khoa học và Công nghệ tỉnh Lào Cai")
    agencies = [DepartmentFactory() for _ in range(5)]
    return load_demo_plans(rng=random.Random(7), dost=dost, agencies=agencies, today=dt.date(2026, 11, 24))


@pytest.mark.parametrize("model", ["plan", "plantask", "annualworkplan", "progressreport", "planchange"])
def test_detail_pages_render_for_every_role(client, demo, model):
    from django.apps import apps

    obj = apps.get_model("plans", model).objects.order_by("pk").first()
    for role in (Role.OFFICER, Role.LEADER):
        client.force_login(make_user(role))
        r = client.get(obj.get_absolute_url())
        assert r.status_code == 200, (role, model)
        assert 'style="' not in r.content.decode()
        if model == "plan":
            assert 'data-testid="budget-summary"' in r.content.decode()
