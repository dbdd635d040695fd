"""Factories for tests: a tiny two-edition map and the registry objects on it."""

import datetime as dt
import itertools
from decimal import Decimal

import factory

from doluong.core.roles import Role
from doluong.geo.models import AdministrativeUnit, MapEdition, UnitLevel, UnitSuccession
from doluong.indicators.models import Indicator, ManualValue, Target
from doluong.instruments.models import Instrument, InstrumentKind, MeasurementStandard, MetrologyField
from doluong.orgs.models import Organization, OrganizationKind, Sector, User
from doluong.plans.models import PlanPhase
from doluong.providers.models import Accreditation, Activity, Designation, DesignationScope, VerificationOfficer
from doluong.records.models import ServiceRecord

_tax = itertools.count(1)


def valid_tax_code(n: int) -> str:
    """The n-th valid 10-digit tax code of a deterministic sequence."""
    weights = (31, 29, 23, 19, 17, 13, 7, 5, 3)
    base = 100000000 + n
    while True:
        digits = f"{base:09d}"
        check = 10 - sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
        if check < 10:
            return digits + str(check)
        base += 7919


class MapFixture:
    """Yên Bái (code 15) with one commune on the old map; Lào Cai (code 15) on the new one."""

    def __init__(self):
        self.old = MapEdition.objects.create(code="VN-3L", name="old", valid_from=dt.date(2008, 8, 1),
                                             valid_to=dt.date(2025, 6, 30))
        self.new = MapEdition.objects.create(code="VN-2025", name="new", valid_from=dt.date(2025, 7, 1))
        o, n = self.old, self.new
        self.yen_bai = AdministrativeUnit.objects.create(edition=o, level=UnitLevel.PROVINCE, code="15",
                                                         name="Tỉnh Yên Bái", valid_from=o.valid_from,
                                                         valid_to=o.valid_to)
        self.old_lao_cai = AdministrativeUnit.objects.create(edition=o, level=UnitLevel.PROVINCE, code="10",
                                                             name="Tỉnh Lào Cai", valid_from=o.valid_from,
                                                             valid_to=o.valid_to)
        self.district = AdministrativeUnit.objects.create(edition=o, level=UnitLevel.DISTRICT, code="132",
                                                          name="Thành phố Yên Bái", parent=self.yen_bai,
                                                          province=self.yen_bai, valid_from=o.valid_from,
                                                          valid_to=o.valid_to)
        self.old_commune = AdministrativeUnit.objects.create(edition=o, level=UnitLevel.COMMUNE, code="4252",
                                                             name="Phường Yên Ninh", parent=self.district,
                                                             province=self.yen_bai, valid_from=o.valid_from,
                                                             valid_to=o.valid_to)
        self.lao_cai = AdministrativeUnit.objects.create(edition=n, level=UnitLevel.PROVINCE, code="15",
                                                         name="Tỉnh Lào Cai", valid_from=n.valid_from)
        self.new_commune = AdministrativeUnit.objects.create(edition=n, level=UnitLevel.COMMUNE, code="4250",
                                                             name="Phường Yên Bái", parent=self.lao_cai,
                                                             province=self.lao_cai, valid_from=n.valid_from)
        for a, b in ((self.yen_bai, self.lao_cai), (self.old_lao_cai, self.lao_cai),
                     (self.old_commune, self.new_commune)):
            UnitSuccession.objects.create(predecessor=a, successor=b, effective_on=n.valid_from)


class FieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MetrologyField
        django_get_or_create = ("code",)

    code = "mass"
    name = "Khối lượng"
    order = 1


class KindFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InstrumentKind

    code = factory.Sequence(lambda n: f"K{n:03d}")
    name = factory.Sequence(lambda n: f"Cân bàn {n}")
    field = factory.SubFactory(FieldFactory)
    is_group2 = True
    verification_interval_months = 12
    mpe_rule = "OIML-R76"
    valid_from = dt.date(2000, 1, 1)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Công ty TNHH Thử Nghiệm {n}")
    kind = OrganizationKind.ENTERPRISE
    tax_code = factory.LazyFunction(lambda: valid_tax_code(next(_tax)))


class ProviderFactory(OrganizationFactory):
    name = factory.Sequence(lambda n: f"Trung tâm Kiểm định {n}")
    kind = OrganizationKind.PROVIDER
    provider_code = factory.Sequence(lambda n: f"P{n}")


class DesignationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Designation

    provider = factory.SubFactory(ProviderFactory)
    decision_number = factory.Sequence(lambda n: f"{n}/QĐ-TĐC")
    decision_date = dt.date(2018, 1, 1)
    expires_on = dt.date(2030, 12, 31)


def designate(provider, kind, activity=Activity.VERIFICATION, **kw) -> DesignationScope:
    designation = DesignationFactory(provider=provider, **kw)
    return DesignationScope.objects.create(designation=designation, kind=kind, activity=activity)


class InstrumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Instrument

    owner = factory.SubFactory(OrganizationFactory)
    kind = factory.SubFactory(KindFactory)
    serial_number = factory.Sequence(lambda n: f"SN-{n:05d}")
    manufacturer = "Vinacân"


class OfficerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VerificationOfficer

    provider = factory.SubFactory(ProviderFactory)
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    certificate_number = factory.Sequence(lambda n: f"KĐV-{n}")


class RecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceRecord

    provider = factory.SubFactory(ProviderFactory)
    instrument = factory.SubFactory(InstrumentFactory)
    activity = Activity.VERIFICATION
    performed_on = dt.date(2024, 3, 5)
    result = "pass"
    certificate_number = factory.Sequence(lambda n: f"GCN-{n:06d}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        obj = model_class(*args, **kwargs)
        obj.valid_until = obj.compute_valid_until()
        obj.save()
        return obj


def make_user(role: str, organization=None, username=None) -> User:
    return User.objects.create_user(username=username or f"{role}-{next(_tax)}", password="pw-Test-12345",
                                    role=role, organization=organization)


ROLES = [r.value for r in Role]


# --- one factory per registered model that had none (see tests/core/registry_world.py) ------------------

class MapEditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MapEdition

    code = factory.Sequence(lambda n: f"ED-{n}")
    name = factory.Sequence(lambda n: f"Bản đồ thử {n}")
    valid_from = dt.date(2030, 1, 1)


class UnitFactory(factory.django.DjangoModelFactory):
    """A commune on a new edition of its own (pass ``edition``, ``parent`` and ``province`` to place it)."""

    class Meta:
        model = AdministrativeUnit

    edition = factory.SubFactory(MapEditionFactory)
    level = UnitLevel.COMMUNE
    code = factory.Sequence(lambda n: f"9{n:04d}")
    name = factory.Sequence(lambda n: f"Xã Thử Nghiệm {n}")
    valid_from = factory.SelfAttribute("edition.valid_from")


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector

    code = factory.Sequence(lambda n: f"NG{n:03d}")
    name = factory.Sequence(lambda n: f"Ngành thử nghiệm {n}")


class UserFactory(factory.django.DjangoModelFactory):
    """A user without a usable password (sign in with ``client.force_login``); see :func:`make_user`."""

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user-{n}")
    role = Role.ENTERPRISE
    organization = factory.SubFactory(OrganizationFactory)
    password = "!"  # unusable: no hashing, which is slow


class MetrologyFieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MetrologyField

    code = factory.Sequence(lambda n: f"field-{n}")
    name = factory.Sequence(lambda n: f"Lĩnh vực {n}")
    order = factory.Sequence(lambda n: n % 100)


class StandardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeasurementStandard

    owner = factory.SubFactory(ProviderFactory)
    name = factory.Sequence(lambda n: f"Bộ quả cân chuẩn F{n}")
    field = factory.SubFactory(MetrologyFieldFactory)
    serial_number = factory.Sequence(lambda n: f"QC-{n:04d}")
    calibrated_on = dt.date(2024, 6, 1)
    calibration_due_on = dt.date(2026, 6, 1)


class AccreditationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Accreditation

    organization = factory.SubFactory(ProviderFactory)
    standard = "ISO/IEC 17025"
    number = factory.Sequence(lambda n: f"VILAS {n + 100}")
    issued_on = dt.date(2022, 1, 10)
    expires_on = dt.date(2027, 1, 9)


class PhaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanPhase

    plan = factory.SubFactory("tests.plans.factories.PlanFactory")
    number = factory.Sequence(lambda n: n + 1)
    start_year = 2019
    end_year = 2025


class IndicatorFactory(factory.django.DjangoModelFactory):
    """A manual indicator (the only kind that takes manual values)."""

    class Meta:
        model = Indicator

    code = factory.Sequence(lambda n: f"CT{n}")
    name = factory.Sequence(lambda n: f"Chỉ tiêu thử {n}")
    unit = "lượt"
    computation = "manual"


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    plan = factory.SubFactory("tests.plans.factories.PlanFactory")
    indicator = factory.SubFactory(IndicatorFactory)
    milestone = factory.Sequence(lambda n: dt.date(2025, 12, 31) + dt.timedelta(days=n))
    value = Decimal(10)
    label = factory.Sequence(lambda n: f"Mục tiêu {n}")


class ManualValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ManualValue

    indicator = factory.SubFactory(IndicatorFactory)
    as_of = dt.date(2025, 6, 30)
    value = Decimal(5)
    evidence = "Báo cáo số 12/BC-SKHCN ngày 30/06/2025"
