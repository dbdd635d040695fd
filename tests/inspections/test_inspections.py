"""Inspection rules and services: closing, findings, penalties within their range, places of the date."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from doluong.core import writes
from doluong.core.models import ObjectChange
from doluong.core.roles import Role
from doluong.inspections.models import (
    Finding,
    FindingStatus,
    Inspection,
    InspectionKind,
    InspectionStatus,
    ViolationType,
)
from doluong.inspections.seed import load_violation_types
from doluong.inspections.services import finding_close, inspection_close
from tests.factories import OrganizationFactory, make_user
from tests.inspections.factories import FindingFactory, InspectionFactory, ViolationTypeFactory

pytestmark = pytest.mark.django_db


def test_closing_is_refused_while_a_finding_is_open_and_lists_them():
    officer = make_user(Role.OFFICER)
    ins = InspectionFactory()
    f1 = FindingFactory(inspection=ins, description="Cân bàn số SN-1 không có tem kiểm định")
    FindingFactory(inspection=ins, status=FindingStatus.CLOSED)
    with pytest.raises(ValidationError) as exc:
        inspection_close(inspection=ins, user=officer, on=dt.date(2025, 10, 1))
    assert exc.value.messages == ["The inspection cannot be closed while findings are open: "
                                  "Cân bàn số SN-1 không có tem kiểm định."]
    ins.refresh_from_db()
    assert ins.status == InspectionStatus.OPEN
    finding_close(finding=f1, user=officer, on=dt.date(2025, 9, 30))
    closed = inspection_close(inspection=ins, user=officer, on=dt.date(2025, 10, 1))
    assert (closed.status, closed.closed_on) == (InspectionStatus.CLOSED, dt.date(2025, 10, 1))


def test_the_form_rule_refuses_closing_too():
    ins = InspectionFactory()
    FindingFactory(inspection=ins)
    ins.status, ins.closed_on = InspectionStatus.CLOSED, dt.date(2025, 10, 1)
    with pytest.raises(ValidationError) as exc:
        ins.full_clean()
    assert "findings are open" in exc.value.message_dict["status"][0]


def test_closing_before_the_end_is_refused_and_others_cannot_close():
    ins = InspectionFactory()
    with pytest.raises(ValidationError, match="before the end"):
        inspection_close(inspection=ins, user=None, on=dt.date(2025, 9, 10))
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        inspection_close(inspection=ins, user=make_user(Role.LEADER), on=dt.date(2025, 10, 1))


def test_penalty_must_lie_within_the_violation_range_doubled_for_organisations():
    v = ViolationTypeFactory(fine_min=Decimal(2_000_000), fine_max=Decimal(5_000_000))
    ins = InspectionFactory()
    ok = Finding(inspection=ins, description="x", violation=v, penalty_amount=Decimal(8_000_000))
    ok.full_clean()  # organisation: 4 000 000 – 10 000 000
    too_low = Finding(inspection=ins, description="x", violation=v, penalty_amount=Decimal(3_000_000))
    with pytest.raises(ValidationError) as exc:
        too_low.full_clean()
    assert exc.value.message_dict["penalty_amount"] == [
        "The penalty 3.000.000 đồng is outside the range for this violation and offender: 4.000.000 to "
        "10.000.000 đồng (Điều 9 khoản 2 Nghị định 119/2017/NĐ-CP)."]
    too_low.offender = "individual"
    too_low.full_clean()
    with pytest.raises(ValidationError, match="outside the range"):
        Finding(inspection=ins, description="x", violation=v, penalty_amount=Decimal(12_000_000)).full_clean()
    with pytest.raises(ValidationError) as exc:
        Finding(inspection=ins, description="x", penalty_amount=Decimal(1_000_000)).full_clean()
    assert "Choose the violation first" in exc.value.message_dict["penalty_amount"][0]


def test_violation_must_be_in_force_on_the_inspection_date():
    v = ViolationTypeFactory(valid_from=dt.date(2022, 1, 1))
    ins = InspectionFactory(started_on=dt.date(2021, 5, 1), ended_on=None)
    with pytest.raises(ValidationError, match="not in force on 01/05/2021"):
        Finding(inspection=ins, description="x", violation=v).full_clean()


def test_a_finding_moves_the_inspection_to_findings_recorded_with_history():
    ins = InspectionFactory()
    finding = writes.save(Finding(inspection=ins, description="x"), user=None, via=writes.Via.FORM)
    ins.refresh_from_db()
    assert ins.status == InspectionStatus.FINDINGS
    change = ObjectChange.objects.for_object(ins).filter(action=ObjectChange.Action.UPDATE).first()
    assert change is not None and change.postchange_data["status"] == InspectionStatus.FINDINGS
    assert finding.pk is not None


def test_closing_a_finding_with_a_deadline_needs_the_follow_up_date():
    ins = InspectionFactory()
    f = Finding(inspection=ins, description="x", follow_up_deadline=dt.date(2025, 10, 10), status="closed")
    with pytest.raises(ValidationError, match="enter its date"):
        f.full_clean()


def test_overdue_follow_ups():
    ins = InspectionFactory()
    late = FindingFactory(inspection=ins, follow_up_deadline=dt.date(2025, 10, 1))
    FindingFactory(inspection=ins, follow_up_deadline=dt.date(2025, 10, 1), follow_up_done_on=dt.date(2025, 9, 30),
                   status=FindingStatus.CLOSED)
    FindingFactory(inspection=ins, follow_up_deadline=dt.date(2025, 12, 1))
    assert list(Finding.objects.overdue(dt.date(2025, 11, 1))) == [late]


def test_place_is_on_the_map_of_the_date(geo_map):
    ins = InspectionFactory.build(organization=OrganizationFactory(), unit=geo_map.new_commune,
                                  started_on=dt.date(2024, 5, 6), ended_on=None)
    with pytest.raises(ValidationError) as exc:
        ins.full_clean()
    assert "not on the map in force on 06/05/2024" in exc.value.message_dict["unit"][0]
    ins.unit = geo_map.old_commune
    ins.full_clean()


def test_the_organisations_place_fills_the_unit_when_in_force(geo_map):
    ins = InspectionFactory(unit=None)
    ins.organization.unit = geo_map.new_commune
    ins.organization.save()
    ins.full_clean()
    assert ins.unit == geo_map.new_commune


def test_a_commune_check_needs_a_commune(geo_map):
    ins = InspectionFactory.build(organization=OrganizationFactory(), kind=InspectionKind.COMMUNE_CHECK,
                                  unit=geo_map.lao_cai)
    with pytest.raises(ValidationError) as exc:
        ins.full_clean()
    assert exc.value.message_dict["unit"] == ["A commune check needs the commune where it took place."]
    ins.unit = geo_map.new_commune
    ins.full_clean()


def test_an_inspection_covers_something():
    ins = InspectionFactory.build(organization=OrganizationFactory(), covers_instruments=False,
                                  covers_prepackages=False)
    with pytest.raises(ValidationError, match="Choose what the inspection covers"):
        ins.full_clean()
    assert Inspection.objects.count() == 0


def test_seed_violation_types_are_marked_and_loading_is_idempotent():
    first = load_violation_types()
    assert first["violation_types_created"] >= 5
    assert load_violation_types() == {"violation_types_created": 0, "violation_types_updated": 0}
    v = ViolationType.objects.get(code="DL-PTD-KD")
    assert v.is_seed and "119/2017/NĐ-CP" in v.legal_reference and "126/2021/NĐ-CP" in v.legal_reference
    assert "kiểm tra" in v.notes
    v.is_seed, v.fine_max = False, Decimal(6_000_000)
    v.save()
    load_violation_types()
    v.refresh_from_db()
    assert v.fine_max == Decimal(6_000_000)  # a verified row is never overwritten
