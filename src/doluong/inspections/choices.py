"""The verdicts of checks, shared by the models and the evaluation (which the models call)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CheckResult(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")


class LotOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("Lot accepted")
    REJECTED = "rejected", _("Lot rejected")
    INCONCLUSIVE = "inconclusive", _("No conclusion")
