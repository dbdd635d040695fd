"""Factories for the programmes' models (built on the shared ones in tests/factories.py)."""

import datetime as dt
from decimal import Decimal

import factory

from doluong.orgs.models import Organization, OrganizationKind, Ownership, Person
from doluong.programmes.models import (
    AssessmentResult,
    AssuranceCase,
    Attendance,
    AttendeeRole,
    CapacityKind,
    CapacitySupport,
    CriteriaAssessment,
    CriteriaSet,
    OutreachEvent,
    OutreachKind,
    PrivateProvision,
    ProvisionItemType,
    Stage,
    SupportDelivery,
    SupportKind,
    Training,
)
from tests.factories import FieldFactory, KindFactory, OrganizationFactory, ProviderFactory


class EnterpriseFactory(OrganizationFactory):
    ownership = Ownership.PRIVATE


class PrivateProviderFactory(ProviderFactory):
    ownership = Ownership.PRIVATE


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    full_name = factory.Sequence(lambda n: f"Trần Thị Học Viên {n}")
    organization = factory.SubFactory(OrganizationFactory)


class CaseFactory(factory.django.DjangoModelFactory):
    """A case selected on 01/03/2024."""

    class Meta:
        model = AssuranceCase

    enterprise = factory.SubFactory(EnterpriseFactory)
    year = 2024
    stage = Stage.SELECTED
    surveyed_on = dt.date(2024, 2, 1)
    selected_on = dt.date(2024, 3, 1)


class DeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportDelivery

    case = factory.SubFactory(CaseFactory)
    kind = SupportKind.CALIBRATION
    delivered_on = dt.date(2024, 4, 1)
    cost = Decimal(1500000)


class TrainingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Training

    title = factory.Sequence(lambda n: f"Lớp tập huấn đo lường {n}")
    starts_on = dt.date(2024, 5, 14)
    ends_on = dt.date(2024, 5, 15)
    location = "Hội trường Sở KH&CN"


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    training = factory.SubFactory(TrainingFactory)
    person = factory.SubFactory(PersonFactory)
    organization = factory.SelfAttribute("person.organization")
    role = AttendeeRole.ENTERPRISE_STAFF


class ProvisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PrivateProvision

    provider = factory.SubFactory(PrivateProviderFactory)
    field = factory.SubFactory(FieldFactory)
    kind = factory.SubFactory(KindFactory, field=factory.SelfAttribute("..field"))
    item_type = ProvisionItemType.MEASURING_INSTRUMENT_SERVICE
    available_from = dt.date(2022, 6, 1)
    evidence = "Quyết định chỉ định số 1/QĐ-TĐC"


CRITERIA = [
    {"code": "C1", "text": "Tổ chức và nhân lực", "max_score": 10},
    {"code": "C2", "text": "Chuẩn đo lường và liên kết chuẩn", "max_score": 20},
    {"code": "C3", "text": "Quy trình và hồ sơ", "max_score": 15},
]


class CriteriaSetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CriteriaSet

    code = factory.Sequence(lambda n: f"BTC-{n}")
    name = "Bộ tiêu chí thử"
    version = "1"
    criteria = factory.LazyFunction(lambda: [dict(c) for c in CRITERIA])


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CriteriaAssessment

    organization = factory.SubFactory(OrganizationFactory, kind=OrganizationKind.LAB)
    criteria_set = factory.SubFactory(CriteriaSetFactory)
    assessed_on = dt.date(2025, 3, 1)
    scores = factory.LazyFunction(lambda: {"C1": 8, "C2": 15})
    result = AssessmentResult.APPLIED_MEETS


class CapacityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CapacitySupport

    provider = factory.SubFactory(ProviderFactory)
    kind = CapacityKind.ISO17025_ACCREDITATION
    started_on = dt.date(2022, 1, 1)


class OutreachFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutreachEvent

    kind = OutreachKind.METROLOGY_DAY
    title = factory.Sequence(lambda n: f"Hưởng ứng Ngày Đo lường Việt Nam {n}")
    held_on = dt.date(2025, 1, 20)


def agency(**kw) -> Organization:
    return OrganizationFactory(kind=OrganizationKind.DEPARTMENT, ownership=Ownership.STATE, **kw)
