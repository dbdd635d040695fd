"""One object of every registered model, and users of every role, for the generic registry tests.

:class:`World` holds the shared objects (organisations of each role, a plan, a kind, an inspection…)
and one object of every registered model (``world.objects[model]``), built by :data:`BUILDERS`:
model → ``fn(world)`` that makes one more valid object, reusing the world's shared objects and
varying what must be unique. A registered model without a builder fails
``test_every_registered_model_has_a_builder``.
"""

import datetime as dt
import itertools

from doluong.core.roles import Role
from doluong.geo.models import AdministrativeUnit, MapEdition
from doluong.indicators.models import Indicator, ManualValue, Target
from doluong.inspections.models import (
    Finding,
    Inspection,
    InstrumentCheck,
    LotCheck,
    ViolationType,
)
from doluong.instruments.models import Instrument, InstrumentKind, MeasurementStandard, MetrologyField
from doluong.notices.models import ServiceRequest
from doluong.orgs.models import Organization, Person, Sector, User
from doluong.plans.models import (
    AnnualWorkplan,
    BudgetLine,
    Plan,
    PlanChange,
    PlanPhase,
    PlanTask,
    ProgressReport,
    WorkplanItem,
    WorkplanStatus,
)
from doluong.programmes.models import (
    AssuranceCase,
    Attendance,
    CapacitySupport,
    CriteriaAssessment,
    CriteriaSet,
    OutreachEvent,
    PrivateProvision,
    SupportDelivery,
    Training,
)
from doluong.providers.models import Accreditation, Activity, Designation, DesignationScope, VerificationOfficer
from doluong.records.models import ServiceRecord
from doluong.reports.models import DocumentKind, PlanDocument
from tests.factories import (
    AccreditationFactory,
    DesignationFactory,
    IndicatorFactory,
    InstrumentFactory,
    KindFactory,
    ManualValueFactory,
    MapEditionFactory,
    MetrologyFieldFactory,
    OfficerFactory,
    OrganizationFactory,
    PhaseFactory,
    ProviderFactory,
    RecordFactory,
    SectorFactory,
    StandardFactory,
    TargetFactory,
    UnitFactory,
    UserFactory,
)
from tests.inspections.factories import FindingFactory, InspectionFactory, ViolationTypeFactory, make_check, make_lot
from tests.plans.factories import (
    BudgetLineFactory,
    ChangeFactory,
    DepartmentFactory,
    PlanFactory,
    ReportFactory,
    TaskFactory,
    WorkplanFactory,
    WorkplanItemFactory,
)
from tests.programmes.factories import (
    AssessmentFactory,
    AttendanceFactory,
    CapacityFactory,
    CaseFactory,
    CriteriaSetFactory,
    DeliveryFactory,
    EnterpriseFactory,
    OutreachFactory,
    PersonFactory,
    ProvisionFactory,
    TrainingFactory,
)

_n = itertools.count(1)
ROLES = [r.value for r in Role]
OTHER_ROLES = [r for r in ROLES if r != Role.OFFICER]


def _day(base: dt.date, n: int) -> dt.date:
    return base + dt.timedelta(days=n)


def _inspection(w) -> Inspection:
    return InspectionFactory(organization=w.enterprise, unit=w.geo.new_commune, lead_agency=w.agency)


def _service_request(w) -> ServiceRequest:
    """A sent request of the enterprise for its instrument, to the provider designated for the kind."""
    if not DesignationScope.objects.filter(designation__provider=w.provider, kind=w.kind,
                                           activity=Activity.VERIFICATION).exists():
        DesignationScope.objects.create(designation=DesignationFactory(provider=w.provider), kind=w.kind,
                                        activity=Activity.VERIFICATION)
    request = ServiceRequest.objects.create(enterprise=w.enterprise, provider=w.provider, message="Đề nghị kiểm định",
                                            preferred_date=dt.date(2030, 1, 15))
    request.instruments.set([w.instrument])
    return request


BUILDERS = {
    MapEdition: lambda w: MapEditionFactory(),
    AdministrativeUnit: lambda w: UnitFactory(edition=w.geo.new, parent=w.geo.lao_cai, province=w.geo.lao_cai,
                                              valid_from=w.geo.new.valid_from),
    Organization: lambda w: OrganizationFactory(sector=w.sector, unit=w.geo.new_commune),
    Person: lambda w: PersonFactory(organization=w.enterprise),
    Sector: lambda w: SectorFactory(),
    User: lambda w: UserFactory(organization=w.enterprise, role=Role.ENTERPRISE),
    Instrument: lambda w: InstrumentFactory(owner=w.enterprise, kind=w.kind, unit=w.geo.new_commune,
                                            accuracy_class="III"),
    InstrumentKind: lambda w: KindFactory(field=w.field),
    MetrologyField: lambda w: MetrologyFieldFactory(),
    MeasurementStandard: lambda w: StandardFactory(owner=w.provider, field=w.field, kind=w.kind,
                                                   calibrated_by=w.provider),
    Designation: lambda w: DesignationFactory(provider=w.provider),
    DesignationScope: lambda w: DesignationScope.objects.create(
        designation=DesignationFactory(provider=w.provider), kind=w.kind, activity=Activity.VERIFICATION),
    Accreditation: lambda w: AccreditationFactory(organization=w.provider),
    VerificationOfficer: lambda w: OfficerFactory(provider=w.provider),
    ServiceRecord: lambda w: RecordFactory(provider=w.provider, instrument=w.instrument, officer=w.officer,
                                           unit=w.geo.new_commune),
    Plan: lambda w: PlanFactory(issuer=w.agency, province=w.geo.lao_cai),
    PlanPhase: lambda w: PhaseFactory(plan=w.plan),
    PlanTask: lambda w: TaskFactory(plan=w.plan, lead_agency=w.agency),
    AnnualWorkplan: lambda w: WorkplanFactory(plan=PlanFactory(), status=WorkplanStatus.DRAFT, approved_on=None),
    WorkplanItem: lambda w: WorkplanItemFactory(workplan=w.workplan, task=w.task, responsible=w.agency),
    ProgressReport: lambda w: ReportFactory(task=TaskFactory(plan=w.plan, lead_agency=w.agency), agency=w.agency),
    PlanChange: lambda w: ChangeFactory(plan=w.plan, task=w.task, reported_by=w.agency),
    BudgetLine: lambda w: BudgetLineFactory(plan=w.plan, task=TaskFactory(plan=w.plan, lead_agency=w.agency)),
    PlanDocument: lambda w: PlanDocument.objects.create(plan=w.plan, kind=DocumentKind.ANNUAL,
                                                        year=2020 + next(_n) % 10, number=f"{next(_n)}/BC-SKHCN",
                                                        figures_as_of=dt.date(2025, 12, 31)),
    AssuranceCase: lambda w: CaseFactory(enterprise=EnterpriseFactory(), plan=w.plan),
    SupportDelivery: lambda w: DeliveryFactory(case=w.case, provider=w.provider),
    Training: lambda w: TrainingFactory(organizer=w.agency, unit=w.geo.new_commune, plan=w.plan, task=w.task),
    Attendance: lambda w: AttendanceFactory(training=w.training, person=PersonFactory(organization=w.enterprise)),
    PrivateProvision: lambda w: ProvisionFactory(provider=w.provider, field=w.field, kind=w.kind),
    CriteriaSet: lambda w: CriteriaSetFactory(),
    CriteriaAssessment: lambda w: AssessmentFactory(organization=w.provider, criteria_set=w.criteria_set,
                                                    assessed_on=_day(dt.date(2020, 1, 1), next(_n)),
                                                    scores={"C1": 8, "C2": 15, "C3": 12}),
    CapacitySupport: lambda w: CapacityFactory(provider=w.provider, accreditation=w.accreditation),
    OutreachEvent: lambda w: OutreachFactory(organizer=w.agency, unit=w.geo.new_commune, task=w.task),
    Inspection: _inspection,
    InstrumentCheck: lambda w: make_check(inspection=w.inspection, instrument=InstrumentFactory(
        owner=w.enterprise, kind=w.kind, accuracy_class="III")),
    LotCheck: lambda w: make_lot(inspection=w.inspection, packer=w.enterprise, actual=["501"] * 50, lot_size=300),
    ViolationType: lambda w: ViolationTypeFactory(),
    Finding: lambda w: FindingFactory(inspection=w.inspection, violation=w.violation, instrument_check=w.check),
    Indicator: lambda w: IndicatorFactory(),
    Target: lambda w: TargetFactory(plan=w.plan, indicator=w.indicator),
    ManualValue: lambda w: ManualValueFactory(indicator=w.indicator, unit=w.geo.new_commune),
    ServiceRequest: _service_request,
}


class World:
    """The shared objects, the role users, and one object of every model that has a builder."""

    def __init__(self, geo_map):
        self.geo = geo_map
        self.agency = DepartmentFactory(name="Sở Công Thương")
        self.dost = DepartmentFactory(name="Sở Khoa học và Công nghệ")
        self.provider = ProviderFactory(name="Trung tâm Kiểm định Yên Bái", unit=geo_map.new_commune)
        self.enterprise = EnterpriseFactory(name="Công ty Hòa Phát", unit=geo_map.new_commune)
        # An organisation of the same kind for each role, owning nothing: its users see only what all may see.
        self.strangers = {
            Role.AGENCY: DepartmentFactory(name="Sở Tài chính"),
            Role.PROVIDER: ProviderFactory(name="Trung tâm Kiểm định Lào Cai"),
            Role.ENTERPRISE: EnterpriseFactory(name="Công ty Người Lạ"),
            Role.LEADER: self.dost,
            Role.OFFICER: self.dost,
        }
        self.national = DepartmentFactory(name="Cục Đo lường Việt Nam")
        self.strangers[Role.NATIONAL] = self.national
        self.org_of_role = {Role.OFFICER: self.dost, Role.LEADER: self.dost, Role.AGENCY: self.agency,
                            Role.PROVIDER: self.provider, Role.ENTERPRISE: self.enterprise,
                            Role.NATIONAL: self.national}
        self.users = {role: user_for(role, self.org_of_role[role]) for role in ROLES}
        self.sector = SectorFactory()
        self.field = MetrologyFieldFactory()
        self.kind = KindFactory(field=self.field, code="CAN-OTO", name="Cân ô tô")
        self.instrument = InstrumentFactory(owner=self.enterprise, kind=self.kind, unit=geo_map.new_commune,
                                            accuracy_class="III")
        self.officer = OfficerFactory(provider=self.provider)
        self.plan = PlanFactory(issuer=self.agency, province=geo_map.lao_cai)
        self.task = TaskFactory(plan=self.plan, lead_agency=self.agency)
        self.workplan = WorkplanFactory(plan=self.plan, status=WorkplanStatus.DRAFT, approved_on=None)
        self.case = CaseFactory(enterprise=self.enterprise, plan=self.plan)
        self.training = TrainingFactory(organizer=self.agency, unit=geo_map.new_commune)
        self.criteria_set = CriteriaSetFactory()
        self.accreditation = AccreditationFactory(organization=self.provider)
        self.inspection = _inspection(self)
        self.check = make_check(inspection=self.inspection, instrument=InstrumentFactory(
            owner=self.enterprise, kind=self.kind, accuracy_class="III"))
        self.violation = ViolationTypeFactory()
        self.indicator = IndicatorFactory()
        self.objects = {model: build(model, self) for model in BUILDERS}

    def stranger(self, role):
        return self.strangers[role]


def build(model, world):
    return BUILDERS[model](world)


def user_for(role: str, organization, **kw) -> User:
    """A user of ``role`` bound to ``organization`` (no password hashing: the tests sign in with force_login)."""
    return User.objects.create(username=kw.pop("username", f"{role}-{next(_n)}"), role=role,
                               organization=organization, **kw)

