"""Prepackage lot checks: the verdict is computed from the sample, never typed (the rice example and others)."""

import math
import statistics
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from scipy.stats import t

from doluong.inspections.models import LotOutcome
from doluong.inspections.services import lot_check_evaluate, lot_outcome
from tests.inspections.factories import RICE_50, InspectionFactory, make_lot

pytestmark = pytest.mark.django_db

GOOD_30 = ["500.5", "501.2", "499.8", "502.0", "500.1", "498.9", "501.6", "500.3", "499.5", "502.4"] * 3


def test_rice_50_bags_from_a_lot_of_1200_says_the_sample_is_too_small_and_computes_the_rest():
    lot = make_lot()  # 50 bags of 500 g, lot of 1 200, scheme VN-TT21/2014 (R 87 values)
    v = lot.verdict
    # Hand calculation: T = 3 % of 500 g = 15 g; n required 80 for 501–3 200; λ for n = 50 by formula.
    xs = [Decimal(x) for x in RICE_50]
    mean = sum(xs) / 50
    s = statistics.stdev(xs)
    lam = t.ppf(0.995, 49) / math.sqrt(50)
    assert v["T"] == "15" and v["sample_size"] == 50 and v["sample_size_required"] == 80
    assert v["sample_size_ok"] is False
    assert Decimal(v["mean"]) == mean == Decimal("500.258")
    assert abs(float(v["mean_limit"]) - (500 - lam * float(s))) < 1e-9
    assert round(float(v["mean_limit"]), 3) == 498.726 and round(lam, 3) == 0.379
    assert (v["t1_count"], v["t1_allowed"], v["t2_count"]) == (1, 5, 0)  # 484.6 g < 485 g, none < 470 g
    assert v["mean_ok"] and v["t1_ok"] and v["t2_ok"]
    # Every requirement holds on the 50 bags, but 30 are missing: no conclusion, said first and clearly.
    assert lot.outcome == LotOutcome.INCONCLUSIVE
    assert v["reasons_vi"][1] == "Cỡ mẫu 50 gói nhỏ hơn cỡ mẫu yêu cầu 80 gói đối với lô 1200 gói"
    assert "Yêu cầu T1 đạt: 1 gói có lượng nhỏ hơn Qn − T = 485 g (T = 15 g); cho phép 5 gói" in v["reasons_vi"]
    assert v["reasons"][1] == "Sample of 50 packages is smaller than the required 80 for a lot of 1200"


def test_the_same_rice_with_the_missing_30_bags_is_accepted():
    lot = make_lot(actual=RICE_50 + GOOD_30)
    assert lot.outcome == LotOutcome.ACCEPTED
    assert lot.verdict["accepted"] is True and lot.verdict["lambda"] == "0.295"  # table λ for n = 80
    assert lot.verdict["reasons_vi"][0] == "Lô hàng đạt yêu cầu"


def test_one_package_below_qn_minus_2t_rejects_the_lot():
    sample = RICE_50 + GOOD_30
    sample[10] = "468.0"  # below 470 g = Qn − 2T
    lot = make_lot(actual=sample)
    assert lot.outcome == LotOutcome.REJECTED
    assert lot.verdict["t2_count"] == 1 and lot.verdict["t2_packages"] == [10]
    assert any(r.startswith("Yêu cầu T2 KHÔNG đạt: 1 gói") for r in lot.verdict["reasons_vi"])


def test_a_small_sample_that_already_breaks_t1_or_t2_is_rejected_not_inconclusive():
    sample = list(RICE_50)
    sample[0] = "465.0"
    lot = make_lot(actual=sample)
    assert lot.verdict["sample_size_ok"] is False
    assert lot.outcome == LotOutcome.REJECTED
    too_many = ["480.0"] * 6 + RICE_50[6:]
    assert make_lot(actual=too_many).outcome == LotOutcome.REJECTED  # 6 T1 defectives > 5 allowed for 80


def test_a_low_mean_rejects_a_full_sample():
    lot = make_lot(actual=[str(Decimal("497.0") + Decimal(i % 5) / 10) for i in range(80)])
    assert lot.outcome == LotOutcome.REJECTED
    assert lot.verdict["mean_ok"] is False and lot.verdict["t1_ok"] and lot.verdict["t2_ok"]


def test_the_verdict_is_recomputed_on_every_save():
    lot = make_lot(actual=RICE_50 + GOOD_30)
    assert lot.outcome == LotOutcome.ACCEPTED
    lot.actual = lot.actual[:50]
    lot.verdict = {"accepted": True}  # a typed verdict is ignored
    lot.full_clean()
    lot.save()
    lot.refresh_from_db()
    assert lot.outcome == LotOutcome.INCONCLUSIVE and lot.verdict["sample_size"] == 50


def test_engine_refusals_are_errors_on_the_field():
    ins = InspectionFactory()
    with pytest.raises(ValidationError) as exc:
        make_lot(inspection=ins, nominal=Decimal(60000), unit="g")
    assert "nominal" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make_lot(inspection=ins, lot_size=40)
    assert "only 40" in exc.value.message_dict["actual"][0]
    with pytest.raises(ValidationError) as exc:
        make_lot(inspection=ins, actual=[])
    assert "actual" in exc.value.message_dict


def test_volumes_and_kilograms_use_the_table_in_g_or_ml():
    lot = make_lot(nominal=Decimal(1), unit="L", lot_size=300, actual=["1.002"] * 50)
    assert lot.verdict["T"] == "0.015" and lot.outcome == LotOutcome.ACCEPTED  # 15 mL for 1 L


def test_outcome_reads_only_the_engine_booleans():
    assert lot_outcome({"accepted": True}) == LotOutcome.ACCEPTED
    assert lot_outcome({"accepted": None, "decision": "second-sample-required"}) == LotOutcome.INCONCLUSIVE
    assert lot_outcome({"accepted": False, "sample_size_ok": True}) == LotOutcome.REJECTED


def test_lot_check_evaluate_does_not_save():
    lot = make_lot()
    lot.actual = RICE_50 + GOOD_30
    verdict = lot_check_evaluate(lot=lot)
    assert verdict["accepted"] is True
    lot.refresh_from_db()
    assert lot.outcome == LotOutcome.INCONCLUSIVE
