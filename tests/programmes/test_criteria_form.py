"""Criteria assessments: one input per criterion (no JSON typed by hand), scores as a table on the page."""

import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from doluong.core.roles import Role
from doluong.orgs.models import OrganizationKind
from doluong.programmes.forms import CriteriaAssessmentForm
from doluong.programmes.models import CriteriaAssessment
from tests.factories import OrganizationFactory, make_user
from tests.programmes.factories import AssessmentFactory, CriteriaSetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(client, settings):
    """Pages in Vietnamese, the interface's first language (the language cookie decides)."""
    client.defaults.pop("HTTP_ACCEPT_LANGUAGE", None)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    client.force_login(make_user(Role.OFFICER))
    return client


def names(cs):
    return [f"score_{cs.pk}_{i}" for i in range(len(cs.criteria))]


def post_data(lab, cs, scores, **extra):
    return {"organization": lab.pk, "criteria_set": cs.pk, "assessed_on": "01/03/2025", "result": "applied_meets",
            **dict(zip(names(cs), scores, strict=False)), **extra}


def visible(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def test_the_form_has_one_input_per_criterion_and_no_json(officer_client):
    cs = CriteriaSetFactory()
    page = officer_client.get(reverse("programmes:criteriaassessment_add")).content.decode()
    for name in names(cs):
        assert f'name="{name}"' in page
    assert 'name="scores"' not in page
    assert "C1 · Tổ chức và nhân lực (tối đa 10)" in html.unescape(page)
    assert "C2 · Chuẩn đo lường và liên kết chuẩn (tối đa 20)" in html.unescape(page)
    # the only active set is preselected, so its inputs match the choice
    assert re.search(rf'<option value="{cs.pk}" selected', page)


def test_scores_are_saved_as_json_and_totalled(officer_client):
    cs = CriteriaSetFactory()
    lab = OrganizationFactory(kind=OrganizationKind.LAB)
    r = officer_client.post(reverse("programmes:criteriaassessment_add"), post_data(lab, cs, ["9", "17.5", "12"]))
    assert r.status_code == 302, r.content.decode()[:3000]
    a = CriteriaAssessment.objects.get()
    assert a.scores == {"C1": 9, "C2": 17.5, "C3": 12}
    assert a.total == Decimal("38.5")


def test_a_score_above_the_maximum_is_refused_on_its_input(officer_client):
    cs = CriteriaSetFactory()
    lab = OrganizationFactory(kind=OrganizationKind.LAB)
    r = officer_client.post(reverse("programmes:criteriaassessment_add"), post_data(lab, cs, ["90", "18", "12"]))
    assert r.status_code == 400
    assert "nhỏ hơn hoặc bằng với 10" in html.unescape(r.content.decode())
    assert not CriteriaAssessment.objects.exists()


def test_a_criterion_left_blank_is_left_out(officer_client):
    cs = CriteriaSetFactory()
    lab = OrganizationFactory(kind=OrganizationKind.LAB)
    r = officer_client.post(reverse("programmes:criteriaassessment_add"), post_data(lab, cs, ["9", "", "12"]))
    assert r.status_code == 302
    a = CriteriaAssessment.objects.get()
    assert a.scores == {"C1": 9, "C3": 12} and a.total == 21


def test_a_score_must_be_a_number(officer_client):
    cs = CriteriaSetFactory()
    lab = OrganizationFactory(kind=OrganizationKind.LAB)
    r = officer_client.post(reverse("programmes:criteriaassessment_add"), post_data(lab, cs, ["chín", "", ""]))
    assert r.status_code == 400 and not CriteriaAssessment.objects.exists()


def test_scores_typed_for_another_set_are_not_taken(officer_client):
    first, second = CriteriaSetFactory(), CriteriaSetFactory(criteria=[{"code": "A", "text": "Một", "max_score": 5}])
    lab = OrganizationFactory(kind=OrganizationKind.LAB)
    data = {**post_data(lab, first, ["9", "18", "12"]), "criteria_set": second.pk, "result": "not_applied"}
    r = officer_client.post(reverse("programmes:criteriaassessment_add"), data)
    assert r.status_code == 400
    assert "Bộ tiêu chí đã được đổi: hãy nhập điểm cho các tiêu chí của" in html.unescape(r.content.decode())
    assert f'name="score_{second.pk}_0"' in r.content.decode()


def test_editing_shows_the_stored_scores():
    a = AssessmentFactory(scores={"C1": 8, "C2": 15.5})
    form = CriteriaAssessmentForm(instance=a)
    cs = a.criteria_set
    assert form[f"score_{cs.pk}_0"].value() == 8
    assert form[f"score_{cs.pk}_1"].value() == 15.5
    assert form[f"score_{cs.pk}_2"].value() is None


def test_the_detail_page_shows_scores_as_a_table(officer_client):
    a = AssessmentFactory(scores={"C1": 8, "C2": 15.5})
    page = officer_client.get(a.get_absolute_url()).content.decode()
    start = page.index('data-testid="display-table"')
    table = visible(page[start: page.index("</table>", start)])
    assert "Tiêu chí Nội dung Điểm Tối đa" in table
    assert "C1 Tổ chức và nhân lực 8 10" in table
    assert "C2 Chuẩn đo lường và liên kết chuẩn 15,5 20" in table
    assert "C3 Quy trình và hồ sơ — 15" in table
    assert "Tổng cộng 23,5 45" in table
    fields = page[page.index('class="table table-sm mb-0 detail-table"'):]
    assert "{" not in visible(fields[: fields.index("</table>")])


def test_a_criteria_set_is_typed_one_criterion_per_line_not_as_json(officer_client):
    from doluong.programmes.models import CriteriaSet

    page = officer_client.get(reverse("programmes:criteriaset_add")).content.decode()
    assert 'name="criteria_text"' in page and 'name="criteria"' not in page
    r = officer_client.post(reverse("programmes:criteriaset_add"), {
        "code": "TC-1", "name": "Bộ tiêu chí", "version": "1", "is_active": "on",
        "criteria_text": "C1 | Nhân lực được đào tạo | 10\nC2 | Chuẩn đo lường | 12,5\n"})
    assert r.status_code == 302, r.content.decode()[:2000]
    cs = CriteriaSet.objects.get(code="TC-1")
    assert cs.criteria == [{"code": "C1", "text": "Nhân lực được đào tạo", "max_score": 10},
                           {"code": "C2", "text": "Chuẩn đo lường", "max_score": 12.5}]
    edit = officer_client.get(reverse("programmes:criteriaset_edit", args=[cs.pk])).content.decode()
    assert "C2 | Chuẩn đo lường | 12,5" in edit
    r = officer_client.post(reverse("programmes:criteriaset_add"), {
        "code": "TC-2", "name": "x", "version": "1", "criteria_text": "C1 | only two parts"})
    assert r.status_code == 400 and not CriteriaSet.objects.filter(code="TC-2").exists()


def test_a_criteria_set_page_reads_as_a_table_with_headers(officer_client):
    cs = CriteriaSetFactory()
    page = officer_client.get(cs.get_absolute_url()).content.decode()
    assert "max_score" not in page and "Tối đa" in page and "Nội dung" in page
