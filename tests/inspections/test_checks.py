"""Instrument checks: valid verification as of the date, stamp, error within the in-service MPE (OIML R 76)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from doluong.inspections.models import CheckResult
from doluong.inspections.services import normalise_class, valid_verification_on
from tests.factories import InstrumentFactory, KindFactory, ProviderFactory, RecordFactory, designate
from tests.inspections.factories import InspectionFactory, make_check

pytestmark = pytest.mark.django_db


@pytest.fixture
def scale():
    """A class III platform scale verified on 05/03/2024 (12 months: valid until 04/03/2025)."""
    inst = InstrumentFactory(accuracy_class="Cấp III")
    provider = ProviderFactory()
    designate(provider, inst.kind)
    record = RecordFactory(provider=provider, instrument=inst, performed_on=dt.date(2024, 3, 5))
    assert record.valid_until == dt.date(2025, 3, 4)
    return inst, record


def inspection_on(day, inst):
    return InspectionFactory(organization=inst.owner, started_on=day, ended_on=day)


def test_valid_verification_is_looked_up_as_of_the_inspection_date(scale):
    inst, record = scale
    on_last_day = make_check(inspection=inspection_on(dt.date(2025, 3, 4), inst), instrument=inst)
    assert on_last_day.has_valid_verification is True and on_last_day.verification_record == record
    assert on_last_day.result == CheckResult.PASS
    day_after = make_check(inspection=inspection_on(dt.date(2025, 3, 5), inst), instrument=inst)
    assert day_after.has_valid_verification is False and day_after.verification_record is None
    assert day_after.result == CheckResult.FAIL
    before = make_check(inspection=inspection_on(dt.date(2024, 3, 4), inst), instrument=inst)
    assert before.has_valid_verification is False  # a verification made after the check does not count


def test_a_failed_verification_is_not_a_valid_one(scale):
    inst, record = scale
    RecordFactory(provider=record.provider, instrument=inst, performed_on=dt.date(2025, 3, 1), result="fail")
    assert valid_verification_on(inst.pk, dt.date(2025, 3, 2)) == record


def test_broken_stamp_fails_the_check(scale):
    inst, _record = scale
    check = make_check(inspection=inspection_on(dt.date(2024, 9, 1), inst), instrument=inst, stamp_intact=False)
    assert check.has_valid_verification and check.result == CheckResult.FAIL


def test_error_is_judged_against_the_in_service_mpe_twice_the_initial(scale):
    inst, _record = scale
    ins = inspection_on(dt.date(2024, 9, 1), inst)
    # Class III, e = 0.01 kg; 5 kg = 500 e: initial MPE 0.5 e = 0.005 kg, in service 1 e = 0.01 kg.
    check = make_check(inspection=ins, instrument=inst, e=Decimal("0.01"), points_unit="kg",
                       points=[{"reference": "5", "indication": "5.01"}, {"reference": "20", "indication": "19.98"}])
    rows = check.evaluation["points"]
    assert check.evaluation["rule"] == "OIML-R76" and check.evaluation["stage"] == "in-service"
    assert check.evaluation["class"] == "III"
    assert (rows[0]["mpe"], rows[0]["error"], rows[0]["ok"]) == ("0.01", "0.01", True)  # > initial, ≤ in-service
    assert (rows[1]["mpe"], rows[1]["ok"]) == ("0.02", True)  # 2000 e: 1 e initial, 2 e in service
    assert check.error_ok is True and check.result == CheckResult.PASS
    check.points = [{"reference": "5", "indication": "5.02"}]
    check.full_clean()
    assert check.error_ok is False and check.result == CheckResult.FAIL


def test_rules_in_multiples_of_e_need_e(scale):
    inst, _record = scale
    with pytest.raises(ValidationError) as exc:
        make_check(inspection=inspection_on(dt.date(2024, 9, 1), inst), instrument=inst,
                   points=[{"reference": "5", "indication": "5.01"}])
    assert "verification scale interval e" in exc.value.message_dict["e"][0]


def test_points_on_a_kind_without_rule_are_refused():
    inst = InstrumentFactory(kind=KindFactory(mpe_rule=""))
    with pytest.raises(ValidationError) as exc:
        make_check(inspection=inspection_on(dt.date(2024, 9, 1), inst), instrument=inst,
                   points=[{"reference": "5", "indication": "5.01"}])
    assert "has no MPE rule" in exc.value.message_dict["points"][0]
    check = make_check(inspection=inspection_on(dt.date(2024, 9, 2), inst), instrument=inst)  # no points: fine
    assert check.error_ok is None


def test_check_date_must_fall_within_the_inspection_and_once_per_inspection(scale):
    inst, _record = scale
    ins = inspection_on(dt.date(2024, 9, 1), inst)
    with pytest.raises(ValidationError, match="outside the inspection"):
        make_check(inspection=ins, instrument=inst, checked_on=dt.date(2024, 9, 5))
    make_check(inspection=ins, instrument=inst)
    with pytest.raises(ValidationError, match="already checked"):
        make_check(inspection=ins, instrument=inst)


def test_class_names_are_normalised():
    assert normalise_class("Cấp III") == "III"
    assert normalise_class("class ii") == "II"
    assert normalise_class("cấp chính xác 0,5") == "0.5"
