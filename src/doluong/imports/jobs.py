"""Running an import from the web: in the request for small files, as a background task otherwise.

The web view stores the upload in a committed :class:`ImportBatch` (status *waiting*), then either
runs :func:`run_batch` at once (fewer than ``DOLUONG_IMPORT_INLINE_ROWS`` rows, default 2,000) or
enqueues it on Django's task framework (``settings.TASKS``; ``django_tasks_db`` in this project,
served by ``doluong db_worker``). The page polls the progress file that the engine writes outside
its transaction (:func:`doluong.imports.engine.read_progress`).
"""

import logging
import re
import zipfile
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext_noop

from doluong.imports import engine
from doluong.imports import spec as registry
from doluong.imports.models import ImportBatch, Status

log = logging.getLogger(__name__)
_DIMENSION = re.compile(rb'<dimension ref="[A-Z]+\d+(?::[A-Z]+(\d+))?"')


def inline_rows() -> int:
    return getattr(settings, "DOLUONG_IMPORT_INLINE_ROWS", 2000)


def estimate_rows(path) -> int:
    """A cheap estimate of the number of data rows: newlines of a CSV, the sheet's dimension in an XLSX."""
    path = Path(path)
    with open(path, "rb") as f:
        head = f.read(4)
        if not head.startswith(b"PK"):
            f.seek(0)
            lines = 0
            while chunk := f.read(1 << 20):
                lines += chunk.count(b"\n")
            return max(lines - 1, 0)
    try:
        with zipfile.ZipFile(path) as z:
            sheets = sorted(n for n in z.namelist() if n.startswith("xl/worksheets/sheet") and n.endswith(".xml"))
            best = 0
            for name in sheets:
                with z.open(name) as member:
                    match = _DIMENSION.search(member.read(4096))
                if match and match.group(1):
                    best = max(best, int(match.group(1)) - 1)
            if best:
                return best
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError):
        pass
    return path.stat().st_size // 40  # no dimension: about 40 compressed bytes a row


@task()
def run_batch(batch_id: int, language: str = "vi") -> dict:
    """Run the (waiting) batch ``batch_id`` over its stored file."""
    batch = ImportBatch.objects.select_related("user").get(pk=batch_id)
    if batch.status != Status.PENDING:
        return {"status": batch.status}
    spec = registry.get(batch.kind)
    try:
        outcome = engine.Importer(spec, user=batch.user, policy=batch.policy, dry_run=batch.dry_run,
                                  language=language, batch=batch).run(batch.file.path, file_name=batch.file_name)
    except engine.ImportRefused as exc:
        _fail(batch, str(exc))
        return {"status": Status.FAILED}
    except Exception:  # the batch must not stay "running" for ever; the traceback goes to the log
        log.exception("import batch %s failed", batch_id)
        _fail(batch, engine.translate(gettext_noop("The import failed because of an internal error; nothing was "
                                                   "written. Please tell the administrator."), {}))
        return {"status": Status.FAILED}
    b = outcome.batch
    return {"status": b.status, "created": b.created_count, "changed": b.changed_count,
            "unchanged": b.unchanged_count, "rejected": b.rejected_count}


def _fail(batch: ImportBatch, message: str) -> None:
    ImportBatch.objects.filter(pk=batch.pk).update(status=Status.FAILED, message=message, finished=timezone.now())
    engine._write_progress(batch.uuid, processed=0, total=batch.total, done=True, status=Status.FAILED)


def start(batch: ImportBatch, language: str) -> bool:
    """Run the batch now when its file is small, else enqueue it; True when it ran in this request."""
    if batch.total < inline_rows():
        run_batch.call(batch.pk, language)
        return True
    transaction.on_commit(lambda: run_batch.enqueue(batch.pk, language))
    return False
