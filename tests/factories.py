"""Factories for tests: a tiny two-edition map and the registry objects on it."""

import datetime as dt
import itertools

import factory

from doluong.core.roles import Role
from doluong.geo.models import AdministrativeUnit, MapEdition, UnitLevel, UnitSuccession
from doluong.instruments.models import Instrument, InstrumentKind, MetrologyField
from doluong.orgs.models import Organization, OrganizationKind, User
from doluong.providers.models import Activity, Designation, DesignationScope, VerificationOfficer
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
