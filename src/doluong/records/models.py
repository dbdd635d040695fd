"""Verification, calibration and test records."""

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from doluong.core.access import ALL
from doluong.core.dates import valid_until
from doluong.core.files import EVIDENCE_EXTENSIONS, validate_evidence_content, validate_evidence_size
from doluong.core.models import BaseModel
from doluong.core.roles import Role
from doluong.core.rules import NotInFuture, Problem, Rule
from doluong.geo.models import AdministrativeUnit
from doluong.instruments.models import Instrument, MeasurementStandard
from doluong.orgs.models import Organization
from doluong.providers.models import Activity, VerificationOfficer
from doluong.providers.selectors import scope_problem
from doluong.records.evaluation import evaluate_record


class Result(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    DONE = "done", _("Done (no verdict)")


class Stage(models.TextChoices):
    INITIAL = "initial", _("Initial verification")
    IN_SERVICE = "in-service", _("In service (subsequent)")


class DecisionRule(models.TextChoices):
    SIMPLE = "simple", _("Simple acceptance (w = 0)")
    GUARD_BAND = "guard-band", _("Binary with guard band w = r·U")
    NON_BINARY = "non-binary", _("Non-binary with guard band w = r·U")


class Decision(models.TextChoices):
    PASS = "pass", _("Pass")
    CONDITIONAL_PASS = "conditional-pass", _("Conditional pass")
    CONDITIONAL_FAIL = "conditional-fail", _("Conditional fail")
    FAIL = "fail", _("Fail")


class WithdrawalReason(models.TextChoices):
    """Why an issued certificate was withdrawn (the fixed list the public check shows; details go in the note)."""

    ISSUED_IN_ERROR = "error", _("issued in error")
    WRONG_INSTRUMENT = "wrong-instrument", _("issued for the wrong instrument")
    INSTRUMENT_ALTERED = "altered", _("instrument altered, repaired or its seal broken")
    INVALID_MEASUREMENT = "invalid", _("measurement found invalid (standard, procedure or conditions)")
    NOT_DESIGNATED = "not-designated", _("provider not designated for it")
    OTHER = "other", _("other reason")


class Source(models.TextChoices):
    FORM = "form", _("Form")
    IMPORT = "import", _("Import")
    API = "api", _("API")
    DCC = "dcc", _("Digital calibration certificate")
    DEMO = "demo", _("Demo data")


ISSUED_MOVES = gettext_noop("Certificate %(number)s was issued for the instrument with serial number %(serial)s; an "
                            "issued certificate never moves to another instrument. Withdraw it and issue a new "
                            "certificate for this instrument.")
ISSUED_RENUMBERED = gettext_noop("Certificate %(number)s is issued: its number and provider do not change. Issue a "
                                 "corrected version (a new number) instead.")


class IssuedCertificateStays(Rule):
    """An issued certificate (a record with a certificate number) stays with its instrument, provider and number.

    For an object (its values carry ``id``) the stored record is compared; for an import row (no ``id``: it is
    matched by provider and certificate number) the stored record with that key. One query per batch."""

    fields = ("provider_id", "certificate_number", "instrument_id")

    def prepare(self, rows):
        ids = [r["id"] for r in rows if r.get("id")]
        keys = {(r.get("provider_id"), r.get("certificate_number")) for r in rows
                if "id" not in r and r.get("provider_id") and r.get("certificate_number")}
        by_id, by_key = {}, {}
        if ids:
            for pk, provider, number, instrument, serial in ServiceRecord.objects.filter(pk__in=ids).values_list(
                    "pk", "provider_id", "certificate_number", "instrument_id", "instrument__serial_number"):
                by_id[pk] = (provider, number, instrument, serial)
        if keys:
            from doluong.imports.db import fetch_by_keys

            found = fetch_by_keys(ServiceRecord, ("provider_id", "certificate_number"), sorted(keys),
                                  ["instrument_id"])
            serials = dict(Instrument.objects.filter(pk__in={hit[1] for hit in found.values()}).values_list(
                "pk", "serial_number"))
            by_key = {key: (hit[1], serials.get(hit[1], "")) for key, hit in found.items()}
        return by_id, by_key

    def check(self, values, prepared):
        by_id, by_key = prepared
        if "id" in values:
            stored = by_id.get(values["id"])
            if stored is None or not stored[1]:
                return None  # new, or a draft until now: it is issued by this write
            provider, number, instrument, serial = stored
            if values.get("provider_id") != provider or values.get("certificate_number") != number:
                return Problem("certificate_number", ISSUED_RENUMBERED, {"number": number})
            if values.get("instrument_id") != instrument:
                return Problem("instrument_id", ISSUED_MOVES, {"number": number, "serial": serial})
            return None
        stored = by_key.get((values.get("provider_id"), values.get("certificate_number")))
        if stored is not None and stored[0] != values.get("instrument_id"):
            # An import row: blame the serial number, the column that names another instrument.
            column = "serial_number" if "serial_number" in values else "instrument_id"
            return Problem(column, ISSUED_MOVES, {"number": values.get("certificate_number"), "serial": stored[1]})
        return None


STANDARD_NOT_OWN = gettext_noop("The standard %(standard)s is not one of this provider's standards.")
STANDARD_NOT_YET = gettext_noop("The standard %(standard)s was calibrated on %(on)s, after the record's date "
                                "%(date)s.")
STANDARD_EXPIRED = gettext_noop("The calibration of the standard %(standard)s expired on %(due)s, before the "
                                "record's date %(date)s.")


def standard_problem(standard, *, provider_id, on) -> tuple[str, dict] | None:
    """Why ``standard`` (an object with owner_id, calibrated_on, calibration_due_on) may not be named on a record
    of ``provider_id`` dated ``on``: not the provider's own, calibrated after, or its calibration expired before.
    The query form of the dates is :func:`doluong.records.flags.standard_invalid_q`."""
    params = {"standard": str(standard)}
    if standard.owner_id != provider_id:
        return STANDARD_NOT_OWN, params
    if on is None:
        return None
    params["date"] = on.strftime("%d/%m/%Y")
    if standard.calibrated_on is not None and standard.calibrated_on > on:
        return STANDARD_NOT_YET, {**params, "on": standard.calibrated_on.strftime("%d/%m/%Y")}
    if standard.calibration_due_on is not None and standard.calibration_due_on < on:
        return STANDARD_EXPIRED, {**params, "due": standard.calibration_due_on.strftime("%d/%m/%Y")}
    return None


class StandardsValid(Rule):
    """The standards a record names are its provider's, calibrated on its date (one query per batch)."""

    fields = ("provider_id", "performed_on", "standards")

    def prepare(self, rows):
        ids = {i for r in rows for i in (r.get("standards") or ())}
        if not ids:
            return {}
        return {s.pk: s for s in MeasurementStandard.objects.filter(pk__in=ids).only(
            "pk", "name", "serial_number", "owner_id", "calibrated_on", "calibration_due_on")}

    def check(self, values, prepared):
        for pk in values.get("standards") or ():
            standard = prepared.get(pk)
            if standard is None:
                continue  # the form's choice field refuses an unknown id
            found = standard_problem(standard, provider_id=values.get("provider_id"), on=values.get("performed_on"))
            if found:
                return Problem("standards", found[0], found[1])
        return None


CERTIFICATE_TAKEN = "certificate_taken"  # the code of the unique number's constraint and the rule's error


class ServiceRecord(BaseModel):
    """One verification, calibration or test of one instrument by one provider."""

    # No single-column indexes for these two: the (provider, certificate) and (x, -performed_on) indexes lead
    # with them and serve the same lookups; one index fewer to maintain per record written.
    provider = models.ForeignKey(Organization, verbose_name=_("provider"), on_delete=models.PROTECT,
                                 related_name="service_records", db_index=False)
    instrument = models.ForeignKey(Instrument, verbose_name=_("instrument"), on_delete=models.PROTECT,
                                   related_name="records", db_index=False)
    officer = models.ForeignKey(VerificationOfficer, verbose_name=_("officer"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="records", db_index=False)
    activity = models.CharField(_("activity"), max_length=20, choices=Activity.choices, default=Activity.VERIFICATION)
    performed_on = models.DateField(_("date"))
    result = models.CharField(_("result"), max_length=10, choices=Result.choices, default=Result.PASS)
    certificate_number = models.CharField(_("certificate number"), max_length=60, blank=True)
    stamp_number = models.CharField(_("stamp number"), max_length=60, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True, editable=False)
    unit = models.ForeignKey(AdministrativeUnit, verbose_name=_("administrative unit"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="records", db_index=False,
                             help_text=_("Where the instrument was, on the map in force on the record's date."))
    points = models.JSONField(_("measured points"), default=list, blank=True,
                              help_text=_("Reference and indication of each measuring point."))
    points_as_found = models.JSONField(
        _("points as found"), default=list, blank=True,
        help_text=_("Before any adjustment, when the instrument was adjusted: reference and indication of each "
                    "point. The measured points above are then as left."))
    standards = models.ManyToManyField(
        MeasurementStandard, verbose_name=_("standards used"), blank=True, related_name="records",
        help_text=_("The provider's measurement standards used, each with a calibration valid on the record's "
                    "date: a standard later found out of tolerance leads back to this record."))
    ambient_temperature = models.FloatField(_("ambient temperature (°C)"), null=True, blank=True,
                                            validators=[MinValueValidator(-60), MaxValueValidator(90)])
    ambient_humidity = models.FloatField(_("relative humidity (%)"), null=True, blank=True,
                                         validators=[MinValueValidator(0), MaxValueValidator(100)])
    ambient_pressure = models.FloatField(_("atmospheric pressure (hPa)"), null=True, blank=True,
                                         validators=[MinValueValidator(300), MaxValueValidator(1100)])
    measurand = models.CharField(_("measured quantity"), max_length=200, blank=True)
    measurement_unit = models.CharField(
        _("unit of measurement"), max_length=30, blank=True,
        help_text=_("Unit of the points, the measured value, its uncertainty and the limits, e.g. kg, g, L, °C."))
    verification_stage = models.CharField(_("verification stage"), max_length=12, choices=Stage.choices,
                                          default=Stage.INITIAL, blank=True)
    scale_interval_e = models.DecimalField(
        _("verification scale interval e"), max_digits=24, decimal_places=12, null=True, blank=True,
        help_text=_("In the unit of measurement; needed by OIML R 76 (weighing instruments)."))
    points_evaluated = models.JSONField(_("points against the MPE"), default=dict, blank=True, editable=False)
    uncertainty_budget = models.JSONField(_("uncertainty budget"), default=dict, blank=True)
    uncertainty_result = models.JSONField(_("uncertainty result"), default=dict, blank=True, editable=False)
    measured_value = models.FloatField(_("measured value"), null=True, blank=True)
    expanded_uncertainty = models.FloatField(_("expanded uncertainty U"), null=True, blank=True)
    coverage_factor = models.FloatField(_("coverage factor k"), null=True, blank=True)
    coverage_probability = models.FloatField(_("coverage probability"), null=True, blank=True)
    decision_rule = models.CharField(_("decision rule"), max_length=12, choices=DecisionRule.choices, blank=True)
    guard_band_factor = models.FloatField(_("guard band factor r"), default=1, blank=True,
                                          help_text=_("Guard band w = r·U (ILAC G8)."))
    lower_limit = models.FloatField(_("lower specification limit"), null=True, blank=True)
    upper_limit = models.FloatField(_("upper specification limit"), null=True, blank=True)
    decision = models.CharField(_("statement of conformity"), max_length=20, choices=Decision.choices, blank=True,
                                editable=False)
    decision_detail = models.JSONField(_("decision detail"), default=dict, blank=True, editable=False)
    notes = models.TextField(_("notes"), blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.FORM, editable=False)
    # Issued certificate: what it certifies, frozen when the number is given (records/certificates.py).
    certificate = models.JSONField(
        _("issued certificate"), default=dict, blank=True, editable=False,
        help_text=_("What the certificate states, kept when it is issued: later edits of the instrument, its "
                    "owner, the provider or the officer do not change it."))
    superseded_by = models.ForeignKey("self", verbose_name=_("superseded by"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="supersedes", db_index=False)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_reason = models.CharField(_("reason for withdrawal"), max_length=20, choices=WithdrawalReason.choices,
                                         blank=True)
    withdrawal_note = models.TextField(_("withdrawal details"), blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("withdrawn by"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+", db_index=False)

    search_fields = ("certificate_number", "stamp_number")
    rules = (NotInFuture("performed_on", gettext_noop("The date %(date)s is in the future.")),
             IssuedCertificateStays(), StandardsValid())
    # Only records.certificates moves these: a correction supersedes, a withdrawal withdraws.
    workflow_fields = ("superseded_by", "withdrawn_on", "withdrawal_reason", "withdrawal_note", "withdrawn_by")
    province_unit = "instrument__owner__unit"  # core.access: the province it belongs to
    access = {
        "view": {Role.LEADER: ALL, Role.AGENCY: ALL, Role.PROVIDER: "provider", Role.ENTERPRISE: "instrument__owner"},
        "add": {Role.PROVIDER: "provider"},
        "change": {Role.PROVIDER: "provider"},
        "delete": {Role.PROVIDER: "provider"},
    }

    class Meta:
        ordering = ("-performed_on", "-pk")
        constraints = [
            models.UniqueConstraint(fields=("provider", "certificate_number"), condition=~Q(certificate_number=""),
                                    name="record_unique_certificate_per_provider",
                                    violation_error_code=CERTIFICATE_TAKEN),
            models.UniqueConstraint(fields=("superseded_by",), condition=Q(superseded_by__isnull=False),
                                    name="record_superseded_once"),
        ]
        indexes = [
            models.Index(fields=("instrument", "-performed_on")),
            models.Index(fields=("provider", "-performed_on")),
            models.Index(fields=("activity", "performed_on")),
            models.Index(fields=("performed_on",)),
            # Most records name no officer and many no place: partial indexes cost nothing for those rows and
            # still serve "records of this officer / in these units" (= and IN imply NOT NULL).
            models.Index(fields=("officer",), condition=Q(officer__isnull=False), name="record_officer_idx"),
            models.Index(fields=("unit",), condition=Q(unit__isnull=False), name="record_unit_idx"),
            # The public check looks numbers up case-insensitively: UPPER(number) = 'X' uses these.
            models.Index(Upper("certificate_number"), name="record_certificate_upper_idx"),
            models.Index(Upper("stamp_number"), name="record_stamp_upper_idx"),
        ]
        verbose_name = _("verification, calibration or test record")
        verbose_name_plural = _("verification, calibration and test records")

    def __str__(self) -> str:
        number = self.certificate_number or f"#{self.pk}"
        return f"{self.get_activity_display()} {number}"

    def compute_valid_until(self):
        """Verification passed → valid to the day before the same date one interval later."""
        kind = self.instrument.kind if self.instrument_id else None
        return valid_until_for(self.activity, self.result, self.performed_on,
                               kind.verification_interval_months if kind is not None else None)

    def derive(self) -> None:
        """The derived values: the evaluation of points, budget and decision, valid-until, the unit of the date.

        The write path calls this before every save (``full_clean`` too), so a stored record never keeps
        values computed from other inputs than its own."""
        self._evaluation_errors = evaluate_record(self)
        if self.performed_on and self.instrument_id:
            self.valid_until = self.compute_valid_until()
            if self.unit_id is None:
                self.unit_id = self.instrument.unit_id
        if self.instrument_id and self.provider_id:
            from doluong.records.certificates import freeze

            self.certificate = freeze(self)

    @property
    def is_issued(self) -> bool:
        return bool(self.certificate_number)

    @staticmethod
    def edit_locked_q():
        """The stored records :meth:`edit_lock` locks, as a filter (the import refuses to change them)."""
        return Q(withdrawn_on__isnull=False) | Q(superseded_by__isnull=False)

    def lock_reason(self) -> tuple[str, dict] | None:
        """Why this record no longer changes (message marked for translation, params): a withdrawn or superseded
        certificate is history; a new version is the way."""
        if self.withdrawn_on:
            return LOCK_WITHDRAWN, {"n": self.certificate_number, "date": self.withdrawn_on.strftime("%d/%m/%Y")}
        if self.superseded_by_id:
            return LOCK_SUPERSEDED, {"n": self.certificate_number}
        return None

    def edit_lock(self):
        found = self.lock_reason()
        return _(found[0]) % found[1] if found else None

    def delete_lock(self):
        """An issued certificate is evidence: it is withdrawn or corrected, never deleted (an import revert, which
        undoes the import that created it, is the exception: the certificate then never existed here)."""
        if self.certificate_number:
            return _("Certificate %(n)s is issued and cannot be deleted. Withdraw it (with the reason) or issue a "
                     "corrected version; the public check then says so.") % {"n": self.certificate_number}
        return None

    def _certificate_taken(self):
        return _("Certificate number %(n)s is already used by this provider.") % {"n": self.certificate_number}

    def validate_constraints(self, exclude=None):
        """The database's unique number, when another user took it between clean() and here: the rule's words,
        on the field (not Django's "Constraint … is violated")."""
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict({})
            kept = [e for e in errors.get(NON_FIELD_ERRORS, []) if getattr(e, "code", None) != CERTIFICATE_TAKEN]
            if len(kept) != len(errors.get(NON_FIELD_ERRORS, [])):
                errors[NON_FIELD_ERRORS] = kept
                if not kept:
                    del errors[NON_FIELD_ERRORS]
                errors.setdefault("certificate_number", []).append(
                    ValidationError(self._certificate_taken(), code=CERTIFICATE_TAKEN))
            raise ValidationError(errors) from exc

    def clean(self):
        errors = {}
        if self.officer_id and self.provider_id and self.officer.provider_id != self.provider_id:
            errors["officer"] = _("This officer does not work for the provider.")
        elif self.officer_id and (inactive := self.officer.inactive_problem(self.performed_on)):
            errors["officer"] = inactive
        if self.provider_id and self.instrument_id and self.performed_on:
            problem = scope_problem(provider_id=self.provider_id, kind_id=self.instrument.kind_id,
                                    activity=self.activity, on=self.performed_on,
                                    range_max=self.instrument.range_max)
            if problem:
                errors["__all__"] = problem
        if self.activity == Activity.VERIFICATION and self.result == Result.DONE:
            errors["result"] = _(VERIFICATION_ENDS)
        if self.provider_id and self.certificate_number:
            dup = ServiceRecord.objects.filter(provider_id=self.provider_id,
                                               certificate_number=self.certificate_number).exclude(pk=self.pk)
            if dup.exists():
                errors["certificate_number"] = self._certificate_taken()
        if getattr(self, "_evaluation_errors", None) is None:
            self.derive()  # clean() called on its own (full_clean derives first)
        for name, message in self._evaluation_errors.items():
            errors.setdefault(name, message)
        if errors:
            raise ValidationError(errors)


class RecordAttachment(BaseModel):
    """A file kept with a record: the raw data sheet, a photo of the seal, the instrument's repair report."""

    record = models.ForeignKey(ServiceRecord, verbose_name=_("record"), on_delete=models.CASCADE,
                               related_name="attachments")
    file = models.FileField(_("file"), upload_to="records/%Y/", max_length=255, validators=[
        FileExtensionValidator(allowed_extensions=EVIDENCE_EXTENSIONS), validate_evidence_size,
        validate_evidence_content,
    ])
    description = models.CharField(_("description"), max_length=300, blank=True)

    search_fields = ("description",)
    province_unit = "record__instrument__owner__unit"  # core.access: the province it belongs to
    access = {
        "view": {Role.LEADER: ALL, Role.AGENCY: ALL, Role.PROVIDER: "record__provider",
                 Role.ENTERPRISE: "record__instrument__owner"},
        "add": {Role.PROVIDER: "record__provider"},
        "change": {Role.PROVIDER: "record__provider"},
        "delete": {Role.PROVIDER: "record__provider"},
    }

    class Meta:
        ordering = ("record", "pk")
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.description or self.filename

    @property
    def filename(self) -> str:
        return self.file.name.rsplit("/", 1)[-1] if self.file else ""


VERIFICATION_ENDS = gettext_noop("A verification ends in pass or fail.")
LOCK_WITHDRAWN = gettext_noop("Certificate %(n)s was withdrawn on %(date)s; it no longer changes.")
LOCK_SUPERSEDED = gettext_noop("Certificate %(n)s was superseded by a corrected version; it no longer changes.")


def valid_until_for(activity: str, result: str, performed_on, interval_months: int | None):
    """The one rule for a record's validity (form, import, DCC): a passing verification is valid to the day
    before the same date one verification interval later; anything else has no validity date."""
    if activity == Activity.VERIFICATION and result == Result.PASS and interval_months and performed_on:
        return valid_until(performed_on, interval_months)
    return None
