"""Organisations of every kind the plan names, people, and user accounts bound to them."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from doluong.core.access import ALL, EVERYONE
from doluong.core.identifiers import normalize_tax_code, tax_code_problem
from doluong.core.models import BaseModel, ChangeLogged, RestrictedQuerySet
from doluong.core.roles import Role
from doluong.geo.models import AdministrativeUnit


class OrganizationKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    PROVIDER = "provider", _("Designated service provider")
    LAB = "lab", _("Accredited laboratory")
    DEPARTMENT = "department", _("Provincial department")
    COMMUNE = "commune", _("Commune People's Committee")
    PRESS = "press", _("Press, radio and television")
    IZ_BOARD = "iz_board", _("Industrial Zones Management Board")
    NATIONAL = "national", _("National agency")
    OTHER = "other", _("Other")


class Ownership(models.TextChoices):
    STATE = "state", _("State-capital")
    PRIVATE = "private", _("Private")
    FOREIGN = "foreign", _("Foreign-invested")
    OTHER = "other", _("Other")


class Sector(BaseModel):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    is_priority = models.BooleanField(
        _("priority sector"), default=False,
        help_text=_("A sector the plan prioritises (high-tech industry, electronics, telecoms and digital "
                    "economy, high-tech agriculture)."),
    )

    search_fields = ("code", "name")

    access = {"view": EVERYONE}  # reference data
    class Meta:
        ordering = ("name",)
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self) -> str:
        return self.name


SELF_SERVICE_FIELDS = ("short_name", "address", "unit", "in_industrial_zone", "phone", "email", "website")


class Organization(BaseModel):
    name = models.CharField(_("name"), max_length=300)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganizationKind.choices,
                            default=OrganizationKind.ENTERPRISE, db_index=True)
    tax_code = models.CharField(_("tax code"), max_length=14, blank=True, null=True, unique=True)
    provider_code = models.CharField(
        _("provider code"), max_length=30, blank=True, null=True, unique=True,
        help_text=_("Short code of a service provider, used in certificate numbers and imports."),
    )
    ownership = models.CharField(_("ownership"), max_length=10, choices=Ownership.choices,
                                 default=Ownership.PRIVATE, db_index=True)
    sector = models.ForeignKey(Sector, verbose_name=_("sector"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="organizations")
    address = models.CharField(_("address"), max_length=300, blank=True)
    unit = models.ForeignKey(AdministrativeUnit, verbose_name=_("administrative unit"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="organizations")
    in_industrial_zone = models.BooleanField(_("in an industrial zone"), default=False)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)

    search_fields = ("name", "short_name", "tax_code", "provider_code", "address")
    province_unit = "unit"  # core.access: the province it belongs to
    access = {
        "view": {Role.LEADER: ALL, Role.AGENCY: ALL, Role.PROVIDER: ALL, Role.ENTERPRISE: ALL},
        "change": {Role.PROVIDER: "pk", Role.ENTERPRISE: "pk"},
        # An organisation keeps its own contact details; what it is (kind, tax code, provider code, ownership,
        # sector, active) is recorded by the officers.
        "fields": dict.fromkeys((Role.PROVIDER, Role.ENTERPRISE), SELF_SERVICE_FIELDS),
    }

    class Meta:
        ordering = ("name",)
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.short_name or self.name

    def clean(self):
        if self.tax_code:
            self.tax_code = normalize_tax_code(self.tax_code)
            problem = tax_code_problem(self.tax_code)
            if problem:
                raise ValidationError({"tax_code": _("Invalid tax code: %(why)s.") % {"why": _(problem)}})
        else:
            self.tax_code = None
        if not self.provider_code:
            self.provider_code = None


class Person(BaseModel):
    full_name = models.CharField(_("full name"), max_length=200)
    organization = models.ForeignKey(Organization, verbose_name=_("organisation"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="people")
    position = models.CharField(_("position"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)

    search_fields = ("full_name", "position", "email", "phone")
    province_unit = "organization__unit"  # core.access: the province it belongs to
    access = {
        "view": {Role.LEADER: ALL, Role.AGENCY: ALL, Role.PROVIDER: "organization", Role.ENTERPRISE: "organization"},
        "add": {Role.PROVIDER: "organization", Role.ENTERPRISE: "organization"},
        "change": {Role.PROVIDER: "organization", Role.ENTERPRISE: "organization"},
        "delete": {Role.PROVIDER: "organization", Role.ENTERPRISE: "organization"},
    }

    class Meta:
        ordering = ("full_name",)
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.full_name


class UserQuerySet(RestrictedQuerySet):
    def search(self, query: str | None):
        qs = self
        for term in (query or "").split():
            qs = qs.filter(models.Q(username__icontains=term) | models.Q(first_name__icontains=term)
                           | models.Q(last_name__icontains=term) | models.Q(email__icontains=term))
        return qs


class DoluongUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(ChangeLogged, AbstractUser):
    """A sign-in account, bound to one organisation with one role. Only officers manage accounts."""

    organization = models.ForeignKey(Organization, verbose_name=_("organisation"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="users")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.ENTERPRISE)

    objects = DoluongUserManager()
    province_unit = "organization__unit"  # core.access: the province it belongs to
    access = {"view": {}}
    changelog_exclude = ("password", "last_login")

    class Meta:
        ordering = ("username",)
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def clean(self):
        super().clean()
        if self.role in (Role.PROVIDER, Role.ENTERPRISE, Role.AGENCY) and not self.organization_id:
            raise ValidationError({"organization": _("This role needs an organisation.")})
