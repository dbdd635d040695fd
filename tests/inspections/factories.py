"""Factories for the inspections' models (built on the shared ones in tests/factories.py)."""

import datetime as dt
from decimal import Decimal

import factory

from doluong.inspections.models import (
    Finding,
    Inspection,
    InspectionKind,
    InstrumentCheck,
    LotCheck,
    ViolationType,
)
from doluong.orgs.models import OrganizationKind, Ownership
from tests.factories import InstrumentFactory, OrganizationFactory

# The rice example of docs/inspections.md: 50 bags of 500 g (one value per bag, in g).
RICE_50 = [
    "503.2", "498.7", "501.4", "496.9", "505.1", "499.8", "502.6", "497.3", "500.9", "504.4",
    "495.2", "501.7", "499.1", "503.8", "498.2", "500.4", "502.1", "497.9", "506.0", "499.5",
    "501.2", "496.4", "503.5", "500.0", "498.9", "502.9", "499.7", "484.6", "501.9", "497.6",
    "504.8", "500.6", "498.4", "502.3", "499.3", "501.0", "497.1", "503.1", "500.2", "498.0",
    "502.7", "499.9", "501.5", "496.7", "504.1", "500.8", "498.6", "502.0", "499.6", "501.3",
]


def agency(**kw):
    return OrganizationFactory(kind=OrganizationKind.DEPARTMENT, ownership=Ownership.STATE, **kw)


class InspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inspection

    kind = InspectionKind.PLANNED
    organization = factory.SubFactory(OrganizationFactory)
    started_on = dt.date(2025, 9, 10)
    ended_on = dt.date(2025, 9, 11)
    covers_instruments = True
    covers_prepackages = True
    decision_ref = factory.Sequence(lambda n: f"{n}/QĐ-SKHCN")
    legal_basis = "Kế hoạch kiểm tra nhà nước về đo lường năm 2025"


def make_check(**kw) -> InstrumentCheck:
    """An instrument check saved through the model's rules (verdict computed)."""
    if "inspection" not in kw:
        kw["inspection"] = InspectionFactory()
    if "instrument" not in kw:
        kw["instrument"] = InstrumentFactory(owner=kw["inspection"].organization, accuracy_class="III")
    check = InstrumentCheck(**kw)
    check.full_clean()
    check.save()
    return check


def make_lot(**kw) -> LotCheck:
    """A lot check saved through the model's rules: by default the rice example."""
    values = {"product": "Gạo tẻ thơm", "nominal": Decimal(500), "unit": "g", "lot_size": 1200,
              "actual": list(RICE_50), **kw}
    if "inspection" not in values:
        values["inspection"] = InspectionFactory()
    lot = LotCheck(**values)
    lot.full_clean()
    lot.save()
    return lot


class ViolationTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ViolationType

    code = factory.Sequence(lambda n: f"V{n:03d}")
    name = "Sử dụng phương tiện đo không được kiểm định"
    legal_reference = "Điều 9 khoản 2 Nghị định 119/2017/NĐ-CP"
    fine_min = Decimal(2_000_000)
    fine_max = Decimal(5_000_000)


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Finding

    inspection = factory.SubFactory(InspectionFactory)
    description = factory.Sequence(lambda n: f"Phát hiện {n}: cân không có tem kiểm định")
