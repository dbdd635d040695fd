"""The web pages: the acceptance path (an inspector records the rice lot and reads the verdict), uploads,
refusals with line numbers, closing (list query bounds: tests/core/test_registry_models.py)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from doluong.core.roles import Role
from doluong.inspections.models import Finding, InspectionStatus, InstrumentCheck, LotCheck, LotOutcome
from tests.factories import InstrumentFactory, make_user
from tests.inspections.factories import (
    RICE_50,
    FindingFactory,
    InspectionFactory,
    ViolationTypeFactory,
    make_check,
    make_lot,
)

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.inspections.urls")]

LOT = {"product": "Gạo tẻ thơm", "brand": "Gạo Mường Khương", "nominal": "500", "unit": "g", "lot_size": "1200",
       "scheme": "VN-TT21/2014"}


@pytest.fixture
def officer_client(client):
    client.force_login(make_user(Role.OFFICER))
    return client


def test_an_inspector_records_the_rice_lot_and_gets_the_verdict_with_reasons(officer_client):
    ins = InspectionFactory()
    page = officer_client.get(ins.get_absolute_url()).content.decode()
    add_url = reverse("inspections_flow:child_add", args=[ins.pk, "lotcheck"])
    assert add_url in page
    form = officer_client.get(add_url).content.decode()
    assert 'enctype="multipart/form-data"' in form
    sample = "\n".join(v.replace(".", ",") for v in RICE_50)  # typed with decimal commas
    r = officer_client.post(add_url, {**LOT, "sample_text": sample})
    assert r.status_code == 302, r.content.decode()[:3000]
    lot = LotCheck.objects.get()
    assert lot.inspection == ins and lot.outcome == LotOutcome.INCONCLUSIVE
    page = officer_client.get(r["Location"]).content.decode()
    assert "Chưa kết luận được" in page
    assert "The sample has 50 packages; the sampling plan requires 80 for a lot of 1,200" in page
    assert "Cỡ mẫu 50 gói nhỏ hơn cỡ mẫu yêu cầu 80 gói đối với lô 1200 gói" in page
    assert "15 g" in page and "498.726" in page  # T and the mean limit
    assert "Lô hàng không đạt yêu cầu" not in page  # the engine's head line is replaced by the banner
    assert 'data-testid="scheme-unverified"' in page
    assert "style=" not in page


def test_an_accepted_and_a_rejected_lot_show_green_and_red_banners(officer_client):
    ok = make_lot(actual=RICE_50 + ["501"] * 30)
    page = officer_client.get(ok.get_absolute_url()).content.decode()
    assert "alert-success" in page and "Lô hàng đạt" in page
    bad = make_lot(actual=RICE_50 + ["469"] + ["501"] * 29)
    page = officer_client.get(bad.get_absolute_url()).content.decode()
    assert "alert-danger" in page and "Lô hàng không đạt" in page and "Yêu cầu T2 KHÔNG đạt" in page


def test_a_sample_uploaded_as_csv(officer_client):
    ins = InspectionFactory()
    data = ("Khối lượng (g)\n" + "\n".join(f'"{v.replace(".", ",")}"' for v in RICE_50 + ["501"] * 30)).encode()
    r = officer_client.post(reverse("inspections_flow:child_add", args=[ins.pk, "lotcheck"]),
                            {**LOT, "sample_file": SimpleUploadedFile("mau.csv", data)})
    assert r.status_code == 302, r.content.decode()[:3000]
    lot = LotCheck.objects.get()
    assert lot.sample_size == 80 and lot.outcome == LotOutcome.ACCEPTED
    # The sample page of an existing lot takes a new file, replacing the values.
    r = officer_client.post(reverse("inspections_flow:lotcheck_edit", args=[lot.pk]),
                            {**LOT, "sample_text": "\n".join(lot.actual),
                             "sample_file": SimpleUploadedFile("mau.csv", "\n".join(RICE_50).encode())})
    assert r.status_code == 302, r.content.decode()[:3000]
    lot.refresh_from_db()
    assert lot.sample_size == 50


def test_a_bad_value_is_refused_with_its_line_number(officer_client):
    ins = InspectionFactory()
    r = officer_client.post(reverse("inspections_flow:child_add", args=[ins.pk, "lotcheck"]),
                            {**LOT, "sample_text": "498,5\n501\n5O0\n"})
    assert r.status_code == 400
    assert "Line 3: “5O0” is not a number." in r.content.decode()
    assert not LotCheck.objects.exists()
    r = officer_client.post(reverse("inspections:lotcheck_add"), {**LOT, "inspection": ins.pk, "sample_text": ""})
    assert r.status_code == 400 and "Enter the net contents of the sample." in r.content.decode()


def test_an_instrument_check_with_points_through_the_generic_form(officer_client):
    ins = InspectionFactory(started_on=dt.date(2025, 9, 10))
    inst = InstrumentFactory(owner=ins.organization, accuracy_class="III")
    r = officer_client.post(reverse("inspections:instrumentcheck_add"), {
        "inspection": ins.pk, "instrument": inst.pk, "stamp_intact": "true", "e": "0,01", "points_unit": "kg",
        "points_text": "5 5,01\n20;19,98"})
    assert r.status_code == 302, r.content.decode()[:3000]  # the decimal comma, as typed here
    check = InstrumentCheck.objects.get()
    assert check.e == Decimal("0.01")
    assert check.points == [{"reference": "5", "indication": "5.01"}, {"reference": "20", "indication": "19.98"}]
    assert check.error_ok is True and check.result == "fail"  # no valid verification
    page = officer_client.get(check.get_absolute_url()).content.decode()
    assert "No valid verification on 10/09/2025." in page and "OIML-R76" in page
    r = officer_client.post(reverse("inspections:instrumentcheck_edit", args=[check.pk]), {
        "inspection": ins.pk, "instrument": inst.pk, "e": "0.01", "points_unit": "kg", "points_text": "5 x"})
    assert r.status_code == 400 and "Line 1: “x” is not a number." in r.content.decode()


@pytest.mark.parametrize(("typed", "value"), [
    ("0,5", "0.5"), ("1.234,5", "1234.5"), ("0.5", "0.5"), ("1,234.5", "1234.5"), ("0,015", "0.015"), ("2", "2"),
    ("0.010000", "0.01"),  # the value the edit form shows back
])
def test_the_instrument_check_form_reads_numbers_as_typed_here(typed, value):
    from doluong.inspections.forms import InstrumentCheckForm

    field = InstrumentCheckForm().fields["e"]
    assert field.clean(typed) == Decimal(value)


@pytest.mark.parametrize("typed", ["1.234", "0,5,5", "abc"])
def test_the_instrument_check_form_refuses_ambiguous_or_bad_numbers(typed):
    from django.core.exceptions import ValidationError

    from doluong.inspections.forms import InstrumentCheckForm

    with pytest.raises(ValidationError):
        InstrumentCheckForm().fields["e"].clean(typed)


def test_closing_from_the_page(officer_client):
    ins = InspectionFactory()
    finding = FindingFactory(inspection=ins, description="Tem kiểm định bị rách")
    page = officer_client.get(ins.get_absolute_url()).content.decode()
    assert 'data-testid="open-findings"' in page and "Tem kiểm định bị rách" in page
    url = reverse("inspections_flow:inspection_close", args=[ins.pk])
    r = officer_client.post(url, {"on": "01/10/2025"}, follow=True)
    assert "cannot be closed while findings are open: Tem kiểm định bị rách" in r.content.decode()
    Finding.objects.filter(pk=finding.pk).update(status="closed")
    officer_client.post(url, {"on": "01/10/2025"})
    ins.refresh_from_db()
    assert ins.status == InspectionStatus.CLOSED and ins.closed_on == dt.date(2025, 10, 1)


def test_adding_a_finding_moves_the_inspection_and_checks_the_penalty(officer_client):
    ins = InspectionFactory()
    v = ViolationTypeFactory()
    url = reverse("inspections_flow:child_add", args=[ins.pk, "finding"])
    r = officer_client.post(url, {"description": "Không kiểm định", "violation": v.pk, "offender": "organization",
                                  "penalty_amount": "1000000", "status": "open"})
    assert r.status_code == 400 and "outside the range" in r.content.decode()
    r = officer_client.post(url, {"description": "Không kiểm định", "violation": v.pk, "offender": "organization",
                                  "penalty_amount": "5000000", "status": "open"})
    assert r.status_code == 302
    ins.refresh_from_db()
    assert ins.status == InspectionStatus.FINDINGS


def test_others_cannot_add_through_the_workflow(client):
    ins = InspectionFactory()
    client.force_login(make_user(Role.ENTERPRISE, ins.organization))
    assert client.get(reverse("inspections_flow:child_add", args=[ins.pk, "lotcheck"])).status_code == 404
    assert client.post(reverse("inspections_flow:inspection_close", args=[ins.pk]),
                       {"on": "01/10/2025"}).status_code == 404


def test_overdue_filter_on_findings(officer_client):
    ins = InspectionFactory()
    FindingFactory(inspection=ins, description="Quá hạn khắc phục", follow_up_deadline=dt.date(2025, 9, 20))
    FindingFactory(inspection=ins, description="Còn trong hạn", follow_up_deadline=dt.date(2999, 1, 1))
    page = officer_client.get(reverse("inspections:finding_list"), {"overdue": "true"}).content.decode()
    assert "Quá hạn khắc phục" in page and "Còn trong hạn" not in page


def test_detail_pages_render(officer_client):
    ins = InspectionFactory()
    check = make_check(inspection=ins)
    lot = make_lot(inspection=ins)
    v = ViolationTypeFactory()
    finding = FindingFactory(inspection=ins, lot_check=lot, violation=v)
    for obj in (ins, check, lot, v, finding):
        r = officer_client.get(obj.get_absolute_url())
        assert r.status_code == 200, obj
        assert "style=" not in r.content.decode()
    for what in ("instrumentcheck", "finding"):
        assert officer_client.get(reverse("inspections_flow:child_add", args=[ins.pk, what])).status_code == 200
    assert officer_client.get(reverse("inspections_flow:child_add", args=[ins.pk, "nothing"])).status_code == 404
