"""History and detail pages read like a person wrote them: labels, names, dd/mm/yyyy, 1.234.567, Có/Không."""

import datetime as dt
import html
import itertools
import re
import uuid
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import translation

from doluong.core.changelog import change_context
from doluong.core.history import (
    compact_json,
    describe_request,
    describe_requests,
    format_datetime,
    format_stored,
    history_entries,
)
from doluong.core.models import ObjectChange
from doluong.core.roles import Role
from doluong.plans.models import ProgressReport, ReportStatus
from doluong.programmes.models import AssuranceCase, SupportDelivery
from tests.factories import KindFactory, OfficerFactory, ProviderFactory, RecordFactory, make_user
from tests.plans.factories import ReportFactory
from tests.programmes.factories import AssessmentFactory, CaseFactory, DeliveryFactory, EnterpriseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _vietnamese():
    with translation.override("vi"):
        yield


@pytest.fixture
def officer():
    return make_user(Role.OFFICER)


@pytest.fixture
def officer_client(client, officer, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    client.force_login(officer)
    return client


def text_of(page: str, testid: str) -> str:
    """The visible text of the element with ``data-testid`` (tags dropped, spaces collapsed)."""
    start = page.index(f'data-testid="{testid}"')
    start = page.rindex("<", 0, start)
    tag = re.match(r"<(\w+)", page[start:]).group(1)
    depth, i = 0, start
    for m in re.finditer(rf"<(/?){tag}\b[^>]*>", page[start:]):
        depth += -1 if m.group(1) else 1
        if depth == 0:
            i = start + m.end()
            break
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page[start:i])).split())


def history_text(client, obj) -> str:
    r = client.get(obj.get_absolute_url())
    assert r.status_code == 200
    return text_of(r.content.decode(), "history")


# --- the history block ------------------------------------------------------------------------------


def test_a_changed_choice_shows_its_label_not_its_code(officer_client, officer):
    report = ReportFactory()
    with change_context(officer):
        report.status = ReportStatus.SUBMITTED
        report.save()
    text = history_text(officer_client, report)
    assert "Trạng thái: Bản nháp → Đã gửi" in text
    assert "submitted" not in text and "draft" not in text


def test_related_ids_show_names_dates_are_dd_mm_yyyy(officer_client, officer):
    first, second = ProviderFactory(name="Trung tâm Kỹ thuật Yên Bái"), ProviderFactory(name="Công ty Cân Lào Cai")
    record = RecordFactory(provider=first, performed_on=dt.date(2024, 3, 5))
    with change_context(officer):
        record.provider = second
        record.performed_on = dt.date(2024, 4, 6)
        record.result = "fail"
        record.save()
    text = history_text(officer_client, record)
    assert "Trung tâm Kỹ thuật Yên Bái → Công ty Cân Lào Cai" in text
    assert "05/03/2024 → 06/04/2024" in text
    assert "2024-03-05" not in text and f"{first.pk} →" not in text
    assert "pass" not in text and "fail" not in text


def test_money_is_grouped_in_dong(officer_client, officer):
    delivery = DeliveryFactory(cost=Decimal("1500000"))
    with change_context(officer):
        delivery.cost = Decimal("2750000")
        delivery.save()
    text = history_text(officer_client, delivery)
    assert "Chi phí: 1.500.000 ₫ → 2.750.000 ₫" in text
    assert "1500000" not in text


def test_json_is_never_a_python_dict(officer_client, officer):
    assessment = AssessmentFactory(scores={"C1": 8, "C2": 15})
    with change_context(officer):
        assessment.scores = {"C1": 9.5, "C2": 15}
        assessment.save()
    text = history_text(officer_client, assessment)
    assert "C1: 8; C2: 15 → C1: 9,5; C2: 15" in text
    assert "{" not in text and "'C1'" not in text


def test_many_to_many_ids_show_names(officer_client, officer):
    person = OfficerFactory()
    k1, k2 = KindFactory(name="Cân ô tô"), KindFactory(name="Cột đo xăng dầu")
    with change_context(officer):
        person.kinds.set([k1, k2])
    text = history_text(officer_client, person)
    assert "Cân ô tô" in text and "Cột đo xăng dầu" in text
    assert f"[{min(k1.pk, k2.pk)}," not in text


def test_a_bulk_import_row_names_the_file_and_links_the_batch(officer_client, officer):
    from doluong.imports.models import ImportBatch

    cases = [CaseFactory(enterprise=EnterpriseFactory()) for _ in range(3)]
    ids = sorted(c.pk for c in cases)
    ct = ContentType.objects.get_for_model(AssuranceCase)
    batch = ImportBatch.objects.create(kind="programmes.assurancecase", content_type=ct, user=officer,
                                       user_name=officer.username, file_name="ho-so-2024.xlsx", sha256="0" * 64)
    ObjectChange.objects.create(action="create", content_type=ct, object_id=ids[0], object_id_end=ids[-1],
                                object_repr="3", request_id=batch.uuid, user=officer, user_name=officer.username)
    page = officer_client.get(cases[1].get_absolute_url()).content.decode()
    text = text_of(page, "history")
    assert "Tạo bằng nhập hàng loạt" in text
    assert "Nhập tệp ho-so-2024.xlsx" in text
    assert reverse("imports:batch", args=[batch.pk]) in page


def test_a_batch_the_reader_may_not_open_is_not_named(client, officer, settings):
    from doluong.imports.models import ImportBatch

    enterprise = EnterpriseFactory()
    case = CaseFactory(enterprise=enterprise)
    ct = ContentType.objects.get_for_model(AssuranceCase)
    batch = ImportBatch.objects.create(kind="programmes.assurancecase", content_type=ct, user=officer,
                                       user_name=officer.username, file_name="noi-bo.xlsx", sha256="0" * 64)
    ObjectChange.objects.create(action="create", content_type=ct, object_id=case.pk, object_id_end=case.pk,
                                object_repr="1", request_id=batch.uuid, user=officer, user_name=officer.username)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    client.force_login(make_user(Role.ENTERPRISE, enterprise))
    page = client.get(case.get_absolute_url()).content.decode()
    text = text_of(page, "history")
    assert "Tạo bằng nhập hàng loạt" in text
    assert "noi-bo.xlsx" not in page and reverse("imports:batch", args=[batch.pk]) not in page


def test_a_bulk_row_without_a_described_request_still_reads(officer):
    case = CaseFactory()
    ct = ContentType.objects.get_for_model(AssuranceCase)
    row = ObjectChange.objects.create(action="create", content_type=ct, object_id=case.pk, object_id_end=case.pk + 5,
                                      object_repr="6", request_id=uuid.uuid4(), user_name="nhap-lieu")
    [entry] = history_entries([row], AssuranceCase, officer)
    assert entry.bulk and entry.action == "Tạo bằng nhập hàng loạt" and entry.user == "nhap-lieu"
    assert entry.source is None


def test_names_the_reader_may_not_see_are_not_shown(officer):
    mine, theirs = EnterpriseFactory(name="Công ty Của Tôi"), EnterpriseFactory(name="Công ty Bí Mật")
    my_case, their_case = CaseFactory(enterprise=mine), CaseFactory(enterprise=theirs)
    reader = make_user(Role.ENTERPRISE, mine)
    ct = ContentType.objects.get_for_model(SupportDelivery)
    row = ObjectChange(action="update", content_type=ct, object_id=1,
                       time=dt.datetime(2024, 3, 5, 1, 30, tzinfo=dt.UTC), prechange_data={"case_id": their_case.pk},
                       postchange_data={"case_id": my_case.pk})
    [entry] = history_entries([row], SupportDelivery, reader)
    [line] = entry.lines
    assert line.before == f"#{their_case.pk}" and "Công ty Của Tôi" in line.after
    assert "Bí Mật" not in line.before


def test_one_query_per_related_model_however_many_rows(officer, django_assert_max_num_queries):
    providers = [ProviderFactory() for _ in range(6)]
    ct = ContentType.objects.get_for_model(ProgressReport)
    rows = [ObjectChange(action="update", content_type=ct, object_id=1, time=dt.datetime(2024, 3, 5, tzinfo=dt.UTC),
                         prechange_data={"agency_id": a.pk, "status": "draft"},
                         postchange_data={"agency_id": b.pk, "status": "submitted"})
            for a, b in itertools.pairwise(providers)]
    with django_assert_max_num_queries(1):
        entries = history_entries(rows, ProgressReport, officer)
    assert [e.lines[0].after for e in entries] == [str(p) for p in providers[1:]]
    assert {e.lines[1].after for e in entries} == {"Đã gửi"}


def test_values_the_way_people_read_them():
    from doluong.instruments.models import InstrumentKind
    from doluong.plans.models import BudgetLine

    f = ProgressReport._meta.get_field
    assert format_stored(f("submitted_at"), "2024-03-05T01:30:00+00:00") == "05/03/2024 08:30"  # Asia/Ho_Chi_Minh
    assert format_stored(f("due_on"), "2024-03-05") == "05/03/2024"
    assert format_stored(f("share_done"), 1500000) == "1.500.000"
    assert format_stored(f("year"), 2024) == "2024"
    assert format_stored(f("status"), "returned") != "returned"
    assert format_stored(BudgetLine._meta.get_field("estimate"), "1500000.00") == "1.500.000 ₫"  # declared money
    assert format_stored(InstrumentKind._meta.get_field("is_group2"), True) == "Có"
    assert format_stored(InstrumentKind._meta.get_field("is_group2"), False) == "Không"
    assert format_stored(f("due_on"), None) == "—"
    assert compact_json({"a": 1, "b": [1, 2, 3]}) == "a: 1; b: 3 mục"
    assert compact_json([{"x": 1}, {"x": 2}, {"x": 3}]) == "3 mục"
    assert format_datetime(dt.datetime(2024, 12, 31, 20, 0, tzinfo=dt.UTC)) == "01/01/2025 03:00"


def test_apps_describe_request_ids():
    wanted = uuid.uuid4()

    @describe_request
    def mine(request_ids):
        return {wanted: ("Đồng bộ", None)} if wanted in request_ids else {}

    assert describe_requests({wanted, uuid.uuid4()})[wanted] == ("Đồng bộ", None)


# --- detail pages -----------------------------------------------------------------------------------


def test_related_tables_have_headers_formats_and_a_money_total(officer_client):
    case = CaseFactory()
    DeliveryFactory(case=case, cost=Decimal("1500000"), delivered_on=dt.date(2024, 3, 5))
    DeliveryFactory(case=case, cost=Decimal("250000"), delivered_on=dt.date(2024, 4, 1))
    page = officer_client.get(case.get_absolute_url()).content.decode()
    table = page[page.index('class="table table-sm mb-0 related-table"'):]
    table = table[: table.index("</table>")]
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", table)).split())
    assert "Hình thức hỗ trợ Ngày hỗ trợ Tổ chức kiểm định" in text  # verbose names as column headers
    assert "Chi phí" in text and "05/03/2024" in text and "1.500.000 ₫" in text
    assert "Tổng cộng" in text and "1.750.000 ₫" in text
    assert "2024-03-05" not in text and "1500000" not in text


def test_detail_fields_read_well(officer_client):
    report = ReportFactory(due_on=dt.date(2025, 12, 15), share_done=40)
    page = officer_client.get(report.get_absolute_url()).content.decode()
    assert "15/12/2025" in page and "2025-12-15" not in page
    assert "Bản nháp" in page
