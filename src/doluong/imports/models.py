"""Import batches: every row an import writes belongs to one."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Policy(models.TextChoices):
    ALL_OR_NOTHING = "all", _("All or nothing")
    KEEP_GOOD = "keep_good", _("Keep the good rows, return the rejected ones")


class Status(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    PREVIEWED = "previewed", _("Previewed (nothing written)")
    DONE = "done", _("Imported")
    REJECTED = "rejected", _("Rejected (nothing written)")
    FAILED = "failed", _("Failed (nothing written)")
    REVERTED = "reverted", _("Reverted")


class ImportBatch(models.Model):
    """One run of an import (or its preview) over one file.

    ``created_ids`` holds the primary keys of the objects the batch created as runs
    ``[[first, last], ...]`` (ids are allocated in blocks, so a million rows usually make a handful
    of runs); changed objects are found through their ``core.ObjectChange`` rows, whose
    ``request_id`` is this batch's ``uuid`` and which keep the state before.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=40)
    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    user_name = models.CharField(_("user name"), max_length=150, blank=True)
    started = models.DateTimeField(_("started"), auto_now_add=True, db_index=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.BigIntegerField(_("size (bytes)"), default=0)
    format = models.CharField(_("format"), max_length=10, blank=True)
    policy = models.CharField(_("policy"), max_length=10, choices=Policy.choices, default=Policy.ALL_OR_NOTHING)
    dry_run = models.BooleanField(_("preview only"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(_("rows"), default=0)
    processed = models.PositiveIntegerField(_("rows read"), default=0)
    created_count = models.PositiveIntegerField(_("new"), default=0)
    changed_count = models.PositiveIntegerField(_("changed"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected_count = models.PositiveIntegerField(_("rejected"), default=0)
    message = models.TextField(_("message"), blank=True)
    notices = models.JSONField(_("notices"), default=list, blank=True)
    errors = models.JSONField(_("first errors"), default=list, blank=True)
    error_file = models.FileField(_("rejected rows"), upload_to="imports/%Y/%m/", blank=True)
    created_ids = models.JSONField(_("created objects"), default=list, blank=True)
    reverted = models.DateTimeField(_("reverted"), null=True, blank=True)
    reverted_by = models.CharField(_("reverted by"), max_length=150, blank=True)

    class Meta:
        ordering = ("-started", "-pk")
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.started:%d/%m/%Y %H:%M})" if self.started else self.file_name

    def get_absolute_url(self) -> str:
        return reverse("imports:batch", kwargs={"pk": self.pk})

    @property
    def written(self) -> bool:
        return self.status == Status.DONE and not self.dry_run

    def created_id_count(self) -> int:
        return sum(b - a + 1 for a, b in self.created_ids)


def id_runs(ids) -> list[list[int]]:
    """Sorted ids as inclusive runs: [1, 2, 3, 7] → [[1, 3], [7, 7]]."""
    runs: list[list[int]] = []
    for i in sorted(ids):
        if runs and i == runs[-1][1] + 1:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    return runs


def merge_runs(runs: list[list[int]], more: list[list[int]]) -> list[list[int]]:
    merged: list[list[int]] = []
    for a, b in sorted([*runs, *more]):
        if merged and a <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return merged
